"""The first snapshot comes with the hello, unasked (issue 17: each page asking for it queued a
second trip to the database thread behind the handshakes still arriving)."""

import asyncio
import contextlib
import uuid

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer

from meetings import events
from meetings.room import room_state
from tests.meetings.room.test_consumer import CONNECT_TIMEOUT, closed_with, connect, request

pytestmark = [
    pytest.mark.integration,
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True),
]


async def arrive(scene, member):
    """Connects `member` and returns (socket, hello, the snapshot that followed it)."""
    communicator, connected, _ = await connect(member, scene.meeting)
    assert connected is True
    hello = await communicator.receive_json_from(timeout=CONNECT_TIMEOUT)
    snapshot = await communicator.receive_json_from(timeout=CONNECT_TIMEOUT)
    return communicator, hello, snapshot


def but_online(state):
    return {k: v for k, v in state.items() if k != "online"}


def row_of(state, member):
    return next(r for r in state["roll"] if r["member"] == member.pk)


async def test_a_connecting_page_gets_hello_then_its_snapshot_without_asking(scene):
    chair, hello, snapshot = await arrive(scene, scene.chair)

    assert hello["type"] == "hello"
    assert hello["snapshot_follows"] is True
    assert hello["you"] == {"member": scene.chair.pk, "roles": ["chair", "member"]}
    assert (snapshot["type"], snapshot["id"]) == ("snapshot", None)
    assert snapshot["seq"] == snapshot["state"]["seq"] == hello["seq"] == 0
    state = snapshot["state"]
    assert state["meeting"]["status"] == "scheduled"
    assert (state["meeting"]["chair"], state["meeting"]["recorder"]) == (
        scene.chair.pk,
        scene.recorder.pk,
    )
    assert state["you"] == {"member": scene.chair.pk, "cast_in_open_vote": False}
    # The same state the `snapshot` command answers (and the page's server-rendered one).
    asked = await request(chair, {"id": "s", "type": "snapshot"})
    # (`online` aside: the pushed one was built before this page's own arrival was written.)
    assert asked["seq"] == snapshot["seq"]
    assert but_online(asked["state"]) == but_online(state)
    expected = await sync_to_async(room_state)(scene.meeting, scene.chair)
    assert but_online(state) == but_online(expected)
    await chair.disconnect()


async def test_each_viewer_gets_their_own_part_and_the_rooms_state_at_the_hellos_seq(scene):
    chair, _, _ = await arrive(scene, scene.chair)
    await request(chair, {"id": "1", "type": "meeting.start"})
    voter, _, _ = await arrive(scene, scene.officials[0])
    # Enough present for the quorum (a vote opened without it is closed at once, blocked).
    others = [(await arrive(scene, m))[0] for m in scene.officials[1:]]
    await request(chair, {"id": "2", "type": "agenda.open", "item": scene.items[2].pk})
    opened = await request(
        chair, {"id": "3", "type": "vote.open", "kind": "resolution", "question": "Q"}
    )
    ballot = {
        "id": "b",
        "type": "ballot.cast",
        "vote": opened["result"]["vote"],
        "ballot": str(uuid.uuid4()),
        "choice": "yes",
    }
    answer = await request(voter, ballot)
    assert answer["type"] == "ack", answer
    await voter.disconnect()

    # The voter comes back, and a probationary member arrives: each snapshot says what is
    # theirs; the recorder sees the recorder's hello.
    voter, voter_hello, voter_snapshot = await arrive(scene, scene.officials[0])
    probationary, hello, snapshot = await arrive(scene, scene.probationary)
    recorder, recorder_hello, _ = await arrive(scene, scene.recorder)

    assert voter_snapshot["seq"] == voter_hello["seq"] >= 4
    assert voter_snapshot["state"]["you"] == {
        "member": scene.officials[0].pk,
        "cast_in_open_vote": True,
    }
    assert voter_snapshot["state"]["votes"][0]["cast"] == 1
    assert snapshot["state"]["you"] == {"member": scene.probationary.pk, "cast_in_open_vote": False}
    assert row_of(snapshot["state"], scene.probationary)["may_vote_why_not"] == "probationary"
    assert row_of(snapshot["state"], scene.officials[0])["may_vote_why_not"] == ""
    assert hello["you"]["roles"] == ["member"]
    assert "recorder" in recorder_hello["you"]["roles"]
    assert snapshot["state"]["meeting"]["status"] == "in_progress"
    # Built before the page's own arrival was written: that arrival comes as the next event.
    seen = []
    while True:
        frame = await probationary.receive_json_from(timeout=CONNECT_TIMEOUT)
        if frame["type"] == "event":
            seen.append(frame)
            if any(c["member"] == scene.probationary.pk for c in frame["payload"]["changes"]):
                break
    assert seen[0]["seq"] == snapshot["seq"] + 1  # no gap after the snapshot
    for communicator in (chair, voter, probationary, recorder, *others):
        await communicator.disconnect()


async def test_an_older_page_that_asks_for_the_snapshot_on_hello_is_answered(scene):
    chair, hello, pushed = await arrive(scene, scene.chair)

    asked = await request(chair, {"id": "old-page", "type": "snapshot"})

    assert (asked["type"], asked["id"], asked["seq"]) == ("snapshot", "old-page", hello["seq"])
    assert but_online(asked["state"]) == but_online(pushed["state"])
    await chair.disconnect()


async def test_a_refused_socket_is_sent_no_snapshot_and_no_event(scene):
    """The connection joins the meeting's group before the access check: refused, it leaves
    it, and nothing of the meeting reaches it."""
    outsider, accepted, _ = await connect(scene.outsider, scene.meeting)

    assert (accepted, await closed_with(outsider)) == (True, 4404)
    layer = get_channel_layer()
    await layer.group_send(
        events.group_name(scene.meeting.pk),
        {"type": "meeting.event", "seq": 1, "text": '{"type":"event"}'},
    )
    assert await outsider.receive_nothing(timeout=0.5)
    await outsider.disconnect()


async def frames_for(communicator, seconds):
    """Every frame a page gets within `seconds`."""
    frames = []
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            while True:
                frames.append(await communicator.receive_json_from(timeout=seconds))
    return frames


async def test_a_page_back_after_a_moment_gets_the_events_it_missed_not_a_snapshot(scene):
    """Issue 17: a page only briefly away catches up from the event log. It connects with the
    seq of the state it holds, and gets the events after it, as they were sent live."""
    chair, hello, _ = await arrive(scene, scene.chair)
    await request(chair, {"id": "1", "type": "meeting.start"})
    member, _, before = await arrive(scene, scene.officials[0])
    held = before["seq"]
    await member.disconnect()
    await request(chair, {"id": "2", "type": "agenda.open", "item": scene.items[2].pk})
    await request(chair, {"id": "3", "type": "agenda.open", "item": scene.items[1].pk})

    back, accepted, _ = await connect(scene.officials[0], scene.meeting, query=f"seq={held}")
    assert accepted is True
    hello = await back.receive_json_from(timeout=CONNECT_TIMEOUT)
    frames = [
        await back.receive_json_from(timeout=CONNECT_TIMEOUT) for _ in range(hello["events_follow"])
    ]

    assert "snapshot_follows" not in hello
    # Each event after the page's own seq, in order, the two items opened last.
    assert [f["seq"] for f in frames] == list(range(held + 1, hello["seq"] + 1))
    assert {f["type"] for f in frames} == {"event"}
    assert [f["event"] for f in frames][-2:] == ["agenda.opened", "agenda.opened"]
    # What comes next is live (no snapshot): the events after the hello's seq, without a gap.
    after = await frames_for(back, 1.0)
    assert {f["type"] for f in after} <= {"event"}
    assert [f["seq"] for f in after] == list(range(hello["seq"] + 1, hello["seq"] + 1 + len(after)))
    for communicator in (chair, back):
        await communicator.disconnect()


@pytest.mark.parametrize("held", ["far behind", "ahead of the log", "seq=abc", "seq=-1"])
async def test_a_page_far_behind_ahead_or_with_a_bad_seq_gets_the_snapshot(
    scene, held, monkeypatch
):
    monkeypatch.setattr("meetings.room.CATCH_UP_MAX", 1)
    chair, _, _ = await arrive(scene, scene.chair)
    await request(chair, {"id": "1", "type": "meeting.start"})
    await request(chair, {"id": "2", "type": "agenda.open", "item": scene.items[2].pk})
    head = (await request(chair, {"id": "s", "type": "snapshot"}))["seq"]
    query = {"far behind": "seq=0", "ahead of the log": f"seq={head + 5}"}.get(held, held)

    page, accepted, _ = await connect(scene.officials[0], scene.meeting, query=query)
    hello = await page.receive_json_from(timeout=CONNECT_TIMEOUT)
    snapshot = await page.receive_json_from(timeout=CONNECT_TIMEOUT)

    assert accepted is True
    assert hello["snapshot_follows"] is True
    assert "events_follow" not in hello
    assert (snapshot["type"], snapshot["seq"]) == ("snapshot", hello["seq"])
    assert snapshot["state"]["meeting"]["status"] == "in_progress"
    for communicator in (chair, page):
        await communicator.disconnect()
