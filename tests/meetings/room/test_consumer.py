import asyncio
import itertools
import json
import threading
import uuid

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.test import Client
from django.utils import timezone

from config.asgi import application
from meetings import events, leases
from meetings.consumers import CLOSE_NOT_FOUND
from meetings.models import Attendance, Ballot, PresenceSpan, Vote
from meetings.services import room
from meetings.services.voting import opening
from members.consumers import CLOSE_UNVERIFIED
from tests.conftest import sign_in_verified
from tests.sockets import PatientCommunicator as WebsocketCommunicator

pytestmark = [
    pytest.mark.integration,
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True),
]
CONNECT_TIMEOUT = 20


async def connect(member, meeting, *, verified=True, query=""):
    client = Client()
    if verified:
        await sync_to_async(sign_in_verified)(client, member.user)
    else:
        await sync_to_async(client.force_login)(member.user)
    communicator = room_socket(meeting, client, query=query)
    # The handshake waits for the member's arrival to be written (a loaded machine: seconds).
    connected, code = await communicator.connect(timeout=CONNECT_TIMEOUT)
    return communicator, connected, code


def room_socket(meeting, client, cookies="", app=application, query=""):
    """A websocket to the meeting's room with the session of a signed-in test client (`query`:
    the address's query string, as `seq=57`)."""
    return WebsocketCommunicator(
        app,
        f"/ws/meetings/{meeting.pk}/" + (f"?{query}" if query else ""),
        headers=[
            (b"origin", b"http://127.0.0.1:8000"),
            (b"host", b"127.0.0.1:8000"),
            (b"cookie", f"sessionid={client.session.session_key}{cookies}".encode()),
        ],
    )


async def closed_with(communicator):
    """The code a refused socket is closed with, after it was accepted: a close before
    accepting reaches a browser as an HTTP 403 on the handshake, without the code
    (docs/protocol.md, Connecting)."""
    closed = await communicator.receive_output(timeout=5)
    assert closed["type"] == "websocket.close"
    return closed["code"]


async def request(communicator, message):
    await communicator.send_json_to(message)
    while True:
        frame = await communicator.receive_json_from(timeout=5)
        if frame.get("id") == message["id"]:
            return frame


async def events_until(communicator, name):
    seen = []
    while True:
        frame = await communicator.receive_json_from(timeout=5)
        if frame["type"] == "event":
            seen.append(frame)
            if frame["event"] == name:
                return seen


async def test_unverified_session_is_refused(scene):
    communicator, accepted, _ = await connect(scene.chair, scene.meeting, verified=False)

    assert (accepted, await closed_with(communicator)) == (True, CLOSE_UNVERIFIED)


async def test_member_of_another_cell_gets_not_found(scene):
    communicator, accepted, _ = await connect(scene.outsider, scene.meeting)

    assert (accepted, await closed_with(communicator)) == (True, CLOSE_NOT_FOUND)


async def test_a_meeting_id_beyond_any_row_gets_not_found(scene):
    client = Client()
    await sync_to_async(sign_in_verified)(client, scene.chair.user)
    scene.meeting.pk = 2**64
    communicator = room_socket(scene.meeting, client)
    accepted, _ = await communicator.connect()

    assert (accepted, await closed_with(communicator)) == (True, CLOSE_NOT_FOUND)


async def test_chair_starts_a_member_joins_and_everyone_sees_the_events(scene):
    chair, connected, _ = await connect(scene.chair, scene.meeting)
    hello = await chair.receive_json_from()

    started = await request(chair, {"id": "s1", "type": "meeting.start"})
    member, _, _ = await connect(scene.officials[0], scene.meeting)
    member_hello = await member.receive_json_from()
    seen = await events_until(chair, "attendance.changed")

    assert connected is True
    assert hello["you"]["roles"] == ["chair", "member"]
    assert started["type"] == "ack"
    assert member_hello["you"]["roles"] == ["member"]
    assert [e["event"] for e in seen] == ["meeting.started", "attendance.changed"]
    assert [e["seq"] for e in seen] == [1, 2]
    row = await sync_to_async(Attendance.objects.get)(
        meeting=scene.meeting, member=scene.officials[0]
    )
    assert row.status == "present"
    await chair.disconnect()
    await member.disconnect()


async def test_bad_messages_get_errors_and_the_socket_stays_open(scene):
    chair, _, _ = await connect(scene.chair, scene.meeting)
    await chair.receive_json_from()  # hello
    await chair.receive_json_from()  # the snapshot that follows it

    await chair.send_to(text_data="{not json")
    bad_json = await chair.receive_json_from()
    await chair.send_to(text_data=json.dumps({"id": "x", "type": "a" * 10, "pad": "x" * 9000}))
    too_large = await chair.receive_json_from()
    unknown = await request(chair, {"id": "u1", "type": "vote.steal"})
    missing = await request(chair, {"id": "f1", "type": "agenda.open"})
    wrong_type = await request(chair, {"id": "f2", "type": "agenda.open", "item": "one"})
    refused = await request(chair, {"id": "r1", "type": "floor.grant", "request": 999})
    alive = await request(chair, {"id": "p1", "type": "ping"})

    assert (bad_json["type"], bad_json["code"]) == ("error", "bad_json")
    assert too_large["code"] == "too_large"
    assert (unknown["code"], unknown["id"]) == ("unknown_type", "u1")
    assert (missing["code"], missing["field"]) == ("bad_message", "item")
    assert (wrong_type["code"], wrong_type["field"]) == ("bad_message", "item")
    assert refused["code"] == "not_in_progress"
    assert refused["message"] == "Buổi sinh hoạt chưa bắt đầu hoặc đã kết thúc."
    assert alive == {"type": "ack", "id": "p1", "result": {}}
    await chair.disconnect()


async def test_a_member_may_not_do_the_chairs_work(scene):
    member, _, _ = await connect(scene.officials[0], scene.meeting)
    await member.receive_json_from()

    frame = await request(member, {"id": "s1", "type": "meeting.start"})

    assert (frame["type"], frame["code"]) == ("error", "forbidden")
    await member.disconnect()


async def test_snapshot_after_a_ballot_shows_only_the_count(scene):
    chair, _, _ = await connect(scene.chair, scene.meeting)
    await chair.receive_json_from()
    await request(chair, {"id": "1", "type": "meeting.start"})
    voters = []
    for member in [scene.recorder, *scene.officials]:
        communicator, _, _ = await connect(member, scene.meeting)
        await communicator.receive_json_from()
        voters.append(communicator)
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

    first = await request(voters[0], ballot)
    resent = await request(voters[0], ballot)
    snapshot = await request(chair, {"id": "4", "type": "snapshot"})

    assert first["result"] == {"vote": opened["result"]["vote"], "duplicate": False, "cast": 1}
    assert resent["result"] == {"vote": opened["result"]["vote"], "duplicate": True}
    open_vote = snapshot["state"]["votes"][0]
    assert (open_vote["cast"], open_vote["result"]) == (1, None)
    assert await sync_to_async(Ballot.objects.count)() == 1
    for communicator in [chair, *voters]:
        await communicator.disconnect()


async def test_errors_speak_the_language_the_member_chose(scene):
    client = Client()
    await sync_to_async(sign_in_verified)(client, scene.chair.user)
    communicator = room_socket(scene.meeting, client, "; django_language=en")
    await communicator.connect(timeout=CONNECT_TIMEOUT)
    await communicator.receive_json_from()

    refused = await request(communicator, {"id": "r1", "type": "floor.grant", "request": 999})

    assert refused["code"] == "not_in_progress"
    assert refused["message"] == "The meeting has not started or has already ended."
    await communicator.disconnect()


async def joined(scene, member):
    """A connected socket whose hello and first snapshot (sent with it, unasked) were read."""
    communicator, _, _ = await connect(member, scene.meeting)
    assert (await communicator.receive_json_from())["type"] == "hello"
    assert (await communicator.receive_json_from())["type"] == "snapshot"
    return communicator


async def test_every_command_of_a_meeting_is_acknowledged_and_seen_by_the_others(scene):
    chair = await joined(scene, scene.chair)
    await request(chair, {"id": "start", "type": "meeting.start"})
    recorder = await joined(scene, scene.recorder)
    member = await joined(scene, scene.officials[0])
    other = await joined(scene, scene.officials[1])
    watcher = await joined(scene, scene.probationary)  # sends nothing: sees every event
    item = scene.items[2].pk
    commands = [
        (chair, {"type": "attendance.mark", "member": scene.officials[2].pk, "status": "present"}),
        (
            chair,
            {
                "type": "attendance.mark",
                "member": scene.temporary.pk,
                "status": "absent_with_reason",
                "reason": "Ốm",
            },
        ),
        (chair, {"type": "agenda.open", "item": item}),
        (member, {"type": "floor.request", "kind": "regular"}),
        (other, {"type": "floor.request", "kind": "point_of_order"}),
    ]
    answers = [await request(who, {"id": f"c{n}", **m}) for n, (who, m) in enumerate(commands)]
    regular, point = answers[3]["result"]["request"], answers[4]["result"]["request"]
    answers += [
        await request(chair, {"id": "r", "type": "floor.reorder", "order": [regular, point]}),
        await request(chair, {"id": "g", "type": "floor.grant", "request": regular}),
    ]
    turn = answers[-1]["result"]["turn"]
    answers += [
        await request(recorder, {"id": "n", "type": "turn.note", "turn": turn, "text": "Nhất trí"}),
        await request(member, {"id": "e", "type": "floor.end"}),
        await request(other, {"id": "w", "type": "floor.withdraw", "request": point}),
        await request(
            chair, {"id": "v", "type": "vote.open", "kind": "resolution", "question": "Q"}
        ),
    ]
    vote = answers[-1]["result"]["vote"]
    answers += [
        await request(chair, {"id": "vc", "type": "vote.close", "vote": vote}),
        await request(chair, {"id": "ac", "type": "agenda.close", "item": item}),
        await request(chair, {"id": "end", "type": "meeting.end", "reason": "Kết thúc sớm"}),
    ]
    seen = await events_until(watcher, "meeting.ended")

    assert [a["type"] for a in answers] == ["ack"] * len(answers)
    names = [e["event"] for e in seen if e["event"] != "attendance.changed"]
    assert names == [
        "agenda.opened",
        "floor.requested",
        "floor.requested",
        "floor.reordered",
        "floor.granted",
        "turn.noted",
        "floor.ended",
        "floor.withdrawn",
        "vote.opened",
        "vote.closed",
        "agenda.closed",
        "meeting.ended",
    ]
    marked = [e["payload"] for e in seen if e["event"] == "attendance.changed"][-1]
    (change,) = marked["changes"]
    assert (change["member"], change["status"], change["reason"]) == (
        scene.temporary.pk,
        "absent_with_reason",
        "Ốm",
    )
    assert marked["assessment"]["vote_base"] == 5
    assert marked["why_not"][str(scene.probationary.pk)] == "probationary"
    assert [e["seq"] for e in seen] == list(range(seen[0]["seq"], seen[-1]["seq"] + 1))
    for communicator in (chair, recorder, member, other, watcher):
        await communicator.disconnect()


async def test_the_snapshot_names_who_is_online_and_what_the_viewer_did(scene):
    chair = await joined(scene, scene.chair)
    await request(chair, {"id": "1", "type": "meeting.start"})
    member = await joined(scene, scene.officials[0])

    snapshot = await request(member, {"id": "s", "type": "snapshot"})

    state = snapshot["state"]
    assert snapshot["seq"] == state["seq"] >= 2
    assert set(state["online"]) == {scene.chair.pk, scene.officials[0].pk}
    assert state["you"] == {"member": scene.officials[0].pk, "cast_in_open_vote": False}
    row = next(r for r in state["roll"] if r["member"] == scene.officials[0].pk)
    assert (row["status"], row["mode"]) == ("present", "online")
    await chair.disconnect()
    await member.disconnect()


async def test_a_member_who_closes_the_page_leaves_the_others_online_list_at_once(scene):
    chair = await joined(scene, scene.chair)
    await request(chair, {"id": "1", "type": "meeting.start"})
    member = await joined(scene, scene.officials[0])
    both = sorted([scene.chair.pk, scene.officials[0].pk])
    while (await events_until(chair, "attendance.changed"))[-1]["payload"]["online"] != both:
        pass  # the chair's own arrival came first, with the start

    await member.disconnect()

    # Within seconds, not with the next snapshot (about a minute): the chair's page shows the
    # member "(không kết nối)" on the board; the roll is unchanged (leaving is not an absence).
    left = (await events_until(chair, "attendance.changed"))[-1]["payload"]
    assert (left["changes"], left["online"]) == ([], [scene.chair.pk])
    await chair.disconnect()


async def test_a_signed_out_session_is_told_on_its_next_message_and_stays_connected(scene):
    from django.contrib.sessions.models import Session

    member = await joined(scene, scene.officials[0])
    await sync_to_async(Session.objects.all().delete)()

    frame = await request(member, {"id": "1", "type": "floor.request", "kind": "regular"})
    again = await request(member, {"id": "2", "type": "ping"})

    assert (frame["type"], frame["code"]) == ("error", "unverified")
    assert frame["message"] == "Phiên đăng nhập đã hết hạn. Hãy đăng nhập lại."
    assert again["code"] == "unverified"
    await member.disconnect()


async def test_a_ballot_resent_after_the_vote_closed_is_reported_not_received(scene):
    chair = await joined(scene, scene.chair)
    await request(chair, {"id": "1", "type": "meeting.start"})
    voter = await joined(scene, scene.officials[0])
    await request(chair, {"id": "2", "type": "agenda.open", "item": scene.items[2].pk})
    opened = await request(
        chair, {"id": "3", "type": "vote.open", "kind": "resolution", "question": "Q"}
    )
    await voter.disconnect()  # the ballot was "sent" while the connection was down
    await request(chair, {"id": "4", "type": "vote.close", "vote": opened["result"]["vote"]})
    voter = await joined(scene, scene.officials[0])

    frame = await request(
        voter,
        {
            "id": "b",
            "type": "ballot.cast",
            "vote": opened["result"]["vote"],
            "ballot": str(uuid.uuid4()),
            "choice": "yes",
        },
    )

    assert (frame["type"], frame["code"]) == ("error", "vote_closed")
    assert frame["message"] == "Biểu quyết đã kết thúc: phiếu của đồng chí không được ghi nhận."
    assert await sync_to_async(Ballot.objects.count)() == 0
    await chair.disconnect()
    await voter.disconnect()


async def test_a_bulk_roll_change_naming_a_member_who_left_is_refused_in_vietnamese(scene):
    chair = await joined(scene, scene.chair)
    await request(chair, {"id": "1", "type": "meeting.start"})
    leaving = scene.officials[2]
    leaving.home_cell = scene.temporary.home_cell
    await sync_to_async(leaving.save)(update_fields=["home_cell"])
    marks = {"type": "attendance.mark_many", "status": "absent_with_reason", "reason": "Ốm"}

    refused = await request(
        chair, {"id": "2", **marks, "members": [scene.officials[0].pk, leaving.pk]}
    )
    marked = await request(chair, {"id": "3", **marks, "members": [scene.officials[0].pk]})

    assert (refused["type"], refused["code"], refused["field"]) == (
        "error",
        "not_on_roll",
        "members",
    )
    assert "Đảng viên 3 không còn sinh hoạt ở chi bộ này" in refused["message"]
    assert marked["type"] == "ack"
    rows = await sync_to_async(
        lambda: dict(
            Attendance.objects.filter(meeting=scene.meeting).values_list("member_id", "status")
        )
    )()
    assert rows[scene.officials[0].pk] == "absent_with_reason"
    assert rows[leaving.pk] == "absent_without_reason"
    await chair.disconnect()


async def test_the_chair_opens_the_vote_on_the_conclusion_as_such(scene):
    """The room's form sends `options.conclusion`; the vote is recorded as the conclusion's
    (issue 13, defect 4), not stripped on the way as an unknown option."""
    chair = await joined(scene, scene.chair)
    await request(chair, {"id": "1", "type": "meeting.start"})
    await request(chair, {"id": "2", "type": "agenda.open", "item": scene.items[2].pk})
    opened = await request(
        chair,
        {
            "id": "3",
            "type": "vote.open",
            "kind": "resolution",
            "question": "Thông qua kết luận của đồng chí chủ trì",
            "options": {"conclusion": True},
        },
    )
    refused = await request(
        chair,
        {"id": "4", "type": "vote.open", "kind": "resolution", "question": "Q",
         "options": {"conclusion": "yes"}},
    )  # fmt: skip

    vote = await sync_to_async(Vote.objects.get)(pk=opened["result"]["vote"])
    assert vote.is_conclusion
    assert (refused["code"], refused["field"]) == ("bad_message", "options.conclusion")
    await chair.disconnect()


async def test_wrongly_typed_fields_of_each_command_are_named(scene):
    chair = await joined(scene, scene.chair)
    bad = {
        "attendance.mark": {"member": 1, "status": 3},
        "floor.request": {"kind": ["regular"]},
        "floor.reorder": {"order": "1,2"},
        "turn.note": {"turn": 1, "text": "x", "reserved": "yes"},
        "vote.open": {"kind": "resolution", "question": "Q", "options": []},
        "ballot.cast": {"vote": True, "ballot": "b", "choice": "yes"},
        "vote.close": {"vote": "1"},
    }

    frames = {
        kind: await request(chair, {"id": kind, "type": kind, **fields})
        for kind, fields in bad.items()
    }

    assert {k: (f["code"], f["field"]) for k, f in frames.items()} == {
        "attendance.mark": ("bad_message", "status"),
        "floor.request": ("bad_message", "kind"),
        "floor.reorder": ("bad_message", "order"),
        "turn.note": ("bad_message", "reserved"),
        "vote.open": ("bad_message", "options"),
        "ballot.cast": ("bad_message", "vote"),
        "vote.close": ("bad_message", "vote"),
    }
    await chair.disconnect()


async def test_ballot_counts_reach_a_page_without_gaps_and_end_at_the_final_count(scene):
    chair = await joined(scene, scene.chair)
    await request(chair, {"id": "1", "type": "meeting.start"})
    voters = [await joined(scene, m) for m in (scene.recorder, *scene.officials)]
    watcher = await joined(scene, scene.probationary)
    await request(chair, {"id": "2", "type": "agenda.open", "item": scene.items[2].pk})
    opened = await request(
        chair, {"id": "3", "type": "vote.open", "kind": "resolution", "question": "Q"}
    )
    ballot = {"type": "ballot.cast", "vote": opened["result"]["vote"], "choice": "yes"}

    for n, voter in enumerate(voters):  # sent at once, answered one by one
        await voter.send_json_to({"id": f"b{n}", "ballot": str(uuid.uuid4()), **ballot})
    for n, voter in enumerate(voters):
        while (await voter.receive_json_from(timeout=5)).get("id") != f"b{n}":
            pass
    await request(chair, {"id": "4", "type": "vote.close", "vote": opened["result"]["vote"]})
    seen = await events_until(watcher, "vote.closed")

    frames = seen[next(i for i, e in enumerate(seen) if e["event"] == "vote.opened") :]
    for before, after in itertools.pairwise(frames):
        assert after.get("covers", after["seq"]) == before["seq"] + 1
    counts = [e for e in frames if e["event"] == "ballot.counted"]
    assert counts[-1]["payload"]["cast"] == len(voters)
    assert 1 <= len(counts) <= len(voters)
    for communicator in (chair, *voters, watcher):
        await communicator.disconnect()


async def test_a_page_gets_its_events_while_the_database_thread_is_busy(scene):
    """Regression: Channels ran close_old_connections in the one database thread before handing
    each event to each page, so every page of a meeting waited for whatever that thread was
    doing (a burst of ballots) before it could see an event."""
    chair = await joined(scene, scene.chair)
    await request(chair, {"id": "1", "type": "meeting.start"})
    watcher = await joined(scene, scene.officials[0])
    release = threading.Event()
    busy = asyncio.ensure_future(sync_to_async(release.wait)(10))  # holds the database thread
    try:
        await asyncio.sleep(0.05)
        await get_channel_layer().group_send(
            events.group_name(scene.meeting.pk),
            {"type": "meeting.event", "seq": 99, "event": "test", "text": '{"marker":true}'},
        )
        while "marker" not in await watcher.receive_json_from(timeout=2):
            pass  # the events of the meeting's start and the watcher's arrival came first
        assert not busy.done()
    finally:
        release.set()
        await busy
    for communicator in (chair, watcher):
        await communicator.disconnect()


async def test_ballots_sent_at_once_are_each_answered_and_a_signed_out_one_is_refused(scene):
    chair = await joined(scene, scene.chair)
    await request(chair, {"id": "1", "type": "meeting.start"})
    await request(chair, {"id": "2", "type": "agenda.open", "item": scene.items[2].pk})
    voters = [await joined(scene, m) for m in scene.officials[:2]]
    leaver = Client()
    await sync_to_async(sign_in_verified)(leaver, scene.recorder.user)
    gone = room_socket(scene.meeting, leaver)
    await gone.connect(timeout=CONNECT_TIMEOUT)
    await gone.receive_json_from()
    opened = await request(
        chair, {"id": "3", "type": "vote.open", "kind": "resolution", "question": "Q"}
    )
    # The session ends without a word to its sockets (deleted by hand): signing out closes them
    # at once (tests/members/test_socket_session_end.py); each ballot still checks the session.
    await sync_to_async(leaver.session.delete)()

    ballot = {"type": "ballot.cast", "vote": opened["result"]["vote"], "choice": "yes"}
    for communicator in (*voters, gone):
        await communicator.send_json_to({"id": "b", "ballot": str(uuid.uuid4()), **ballot})
    answers = []
    for communicator in voters:
        while (frame := await communicator.receive_json_from(timeout=5)).get("id") != "b":
            pass
        answers.append(frame["result"]["duplicate"])
    assert answers == [False, False]
    # The ended session's ballot is refused: answered `unverified`, or the socket is closed 4401
    # first when its periodic session check (members.consumers.SessionBoundConsumer) comes first.
    while (output := await gone.receive_output(timeout=5))["type"] == "websocket.send":
        frame = json.loads(output["text"])
        if frame.get("id") == "b":
            assert frame["code"] == "unverified"
            break
    else:
        assert (output["type"], output["code"]) == ("websocket.close", 4401)
    members = await sync_to_async(lambda: set(Ballot.objects.values_list("member_id", flat=True)))()
    assert members == {m.pk for m in scene.officials[:2]}
    for communicator in (chair, *voters, gone):
        await communicator.disconnect()


async def test_an_event_for_a_closing_socket_is_dropped_and_the_leave_still_recorded(scene):
    """Regression: daphne refuses a send on a socket the client is closing ("Attempt to send on
    a closed protocol"); raised out of the event handler, it ended the consumer before its
    disconnect, and the member's presence span was never closed."""

    async def closing_server(scope, receive, send):
        async def refusing(message):
            if "marker" in message.get("text", ""):
                raise ConnectionError("Attempt to send on a closed protocol")
            await send(message)

        return await application(scope, receive, refusing)

    chair = await joined(scene, scene.chair)
    await request(chair, {"id": "1", "type": "meeting.start"})
    client = Client()
    await sync_to_async(sign_in_verified)(client, scene.officials[0].user)
    leaving = room_socket(scene.meeting, client, app=closing_server)
    await leaving.connect(timeout=CONNECT_TIMEOUT)
    await leaving.receive_json_from()
    await get_channel_layer().group_send(
        events.group_name(scene.meeting.pk),
        {"type": "meeting.event", "seq": 99, "event": "test", "text": '{"marker":true}'},
    )
    await asyncio.sleep(0.2)
    await leaving.disconnect()

    open_spans = await sync_to_async(
        lambda: PresenceSpan.objects.filter(
            attendance__member=scene.officials[0], left_at=None
        ).count()
    )()
    assert open_spans == 0
    await chair.disconnect()


async def test_pages_closing_together_each_get_their_leave_time(scene):
    chair = await joined(scene, scene.chair)
    await request(chair, {"id": "1", "type": "meeting.start"})
    pages = [await joined(scene, m) for m in (scene.recorder, *scene.officials)]
    before = await sync_to_async(timezone.now)()

    await asyncio.gather(*(page.disconnect() for page in pages))

    after = await sync_to_async(timezone.now)()
    left = await sync_to_async(
        lambda: list(
            PresenceSpan.objects.filter(attendance__meeting=scene.meeting)
            .exclude(attendance__member=scene.chair)
            .values_list("left_at", flat=True)
        )
    )()
    assert len(left) == 4
    assert all(at is not None and before <= at <= after for at in left)
    await chair.disconnect()


async def test_members_waiting_in_the_room_are_present_for_a_vote_opened_as_the_meeting_starts(
    scene,
):
    """Regression (issue 14, defect 11): members who opened the room before the start were
    marked present only when their own connection heard `meeting.started`, one transaction
    each; a vote the chair opened at once left them out (6 of 50 in the kill test). Here the
    chair starts the meeting and opens the vote before any page could hear of the start (as
    from the meeting page, or from a page on a busier server process)."""
    waiting = [await joined(scene, m) for m in (scene.chair, scene.recorder, *scene.officials)]

    def start_and_vote():
        actor = scene.chair.user
        room.start_meeting(meeting_id=scene.meeting.pk, actor=actor)
        room.open_item(meeting_id=scene.meeting.pk, actor=actor, item_id=scene.items[2].pk)
        return opening.open_vote(
            meeting_id=scene.meeting.pk, actor=actor, kind="resolution", question="Thông qua?"
        )

    opened = await sync_to_async(start_and_vote)()

    expected = {m.pk for m in (scene.chair, scene.recorder, *scene.officials)}
    assert "blocked" not in opened  # not blocked for want of quorum
    assert set(opened["eligible"]) == expected
    for communicator in waiting:
        await communicator.disconnect()


async def test_a_connection_whose_consumer_crashed_still_closes_its_presence(scene):
    """A consumer that ends with an exception gets no `disconnect` (issue 14, defect 8: the
    sender of deeply nested JSON stayed present); its presence is closed all the same, and the
    server's lease no longer holds it."""
    chair = await joined(scene, scene.chair)
    await request(chair, {"id": "1", "type": "meeting.start"})
    crashing = await joined(scene, scene.officials[0])

    await crashing.send_input({"type": "websocket.unheard_of"})  # no handler: the app raises
    with pytest.raises(ValueError, match="No handler"):
        await crashing.wait(timeout=5)

    async def still_open():
        return await sync_to_async(
            PresenceSpan.objects.filter(attendance__member=scene.officials[0], left_at=None).count
        )()

    for _ in range(100):
        if not await still_open():
            break
        await asyncio.sleep(0.05)
    assert await still_open() == 0
    assert scene.officials[0].pk not in [h.member_id for h in leases.held_connections()]
    await chair.disconnect()
