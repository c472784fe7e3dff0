"""A resync wave without a stampede (docs/protocol.md): a page that was away briefly catches up
from the event log (`events` after its last seq) instead of loading the whole snapshot, and the
snapshot's shared part is built once per meeting and version for every server process (kept in
the shared cache), not once per process."""

import threading
import time

import pytest
from asgiref.sync import sync_to_async
from django.core.cache import cache

from meetings import room as room_reads
from meetings.services import room
from tests.meetings.room.test_consumer import joined, request

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


async def live_events(communicator, after, last):
    """The event frames a connected page received, seq `after` + 1 to `last`."""
    frames = []
    while not frames or frames[-1]["seq"] < last:
        frame = await communicator.receive_json_from(timeout=5)
        if frame["type"] == "event" and frame["seq"] > after:
            frames.append(frame)
    return frames


@pytest.mark.asyncio
async def test_a_page_back_after_a_moment_gets_exactly_the_events_it_missed(scene):
    chair = await joined(scene, scene.chair)
    await request(chair, {"id": "start", "type": "meeting.start"})
    member = await joined(scene, scene.officials[0])
    seen = (await request(member, {"id": "s", "type": "snapshot"}))["seq"]

    # Two changes while the page is "away" (the chair's page hears them live).
    await sync_to_async(room.open_item)(
        meeting_id=scene.meeting.pk, actor=scene.chair.user, item_id=scene.items[0].pk
    )
    await sync_to_async(room.close_item)(
        meeting_id=scene.meeting.pk, actor=scene.chair.user, item_id=scene.items[0].pk
    )

    answer = await request(member, {"id": "c", "type": "events", "after": seen})

    assert answer["type"] == "ack", answer
    sent_live = await live_events(chair, seen, answer["result"]["seq"])
    assert answer["result"]["events"] == sent_live
    assert [e["event"] for e in sent_live][-2:] == ["agenda.opened", "agenda.closed"]
    assert answer["result"]["seq"] == sent_live[-1]["seq"]
    # Nothing missed: nothing sent.
    current = await request(member, {"id": "d", "type": "events", "after": answer["result"]["seq"]})
    assert current["result"] == {"seq": answer["result"]["seq"], "events": []}
    for communicator in (chair, member):
        await communicator.disconnect()


@pytest.mark.asyncio
async def test_a_page_far_behind_or_ahead_is_told_to_load_the_snapshot(scene, monkeypatch):
    monkeypatch.setattr(room_reads, "CATCH_UP_MAX", 1)
    chair = await joined(scene, scene.chair)
    await request(chair, {"id": "start", "type": "meeting.start"})

    behind = await request(chair, {"id": "b", "type": "events", "after": 0})
    ahead = await request(chair, {"id": "a", "type": "events", "after": 10_000})

    for answer in (behind, ahead):
        assert answer["type"] == "error"
        assert answer["code"] == "too_far"
        assert "tải lại" in answer["message"]
    await chair.disconnect()


@pytest.mark.asyncio
@pytest.mark.parametrize("after", ["3", -1, True, 1.0, None, 2**63])
async def test_a_bad_catch_up_is_refused_naming_the_field(scene, after):
    chair = await joined(scene, scene.chair)
    message = {"id": "x", "type": "events"} | ({} if after is None else {"after": after})

    answer = await request(chair, message)

    assert (answer["type"], answer["code"], answer["field"]) == ("error", "bad_message", "after")
    await chair.disconnect()


# --- one build per meeting and version --------------------------------------------------------


def other_process():
    """What another server process has in memory: nothing of this meeting."""
    with room_reads._shared_lock:
        room_reads._shared.clear()


def test_the_shared_state_is_built_once_for_every_process(scene):
    meeting = scene.meeting
    other_process()
    room_reads.builds.clear()

    first = room_reads.shared_state(meeting)
    other_process()
    second = room_reads.shared_state(meeting)

    assert room_reads.builds[meeting.pk] == 1
    assert second[1] == first[1]
    # A new event is a new version: built once more.
    room.start_meeting(meeting_id=meeting.pk, actor=scene.chair.user)
    other_process()
    third = room_reads.shared_state(meeting)
    assert room_reads.builds[meeting.pk] == 2
    assert third[0]["meeting"]["status"] == "in_progress"


def test_a_process_waits_for_the_build_another_has_under_way(scene):
    meeting = scene.meeting
    other_process()
    room_reads.builds.clear()
    built = room_reads.shared_state(meeting)  # what the other process will have built
    key = room_reads._shared_key(meeting.pk, room_reads.head_of(meeting.pk))
    stored = cache.get(key)
    cache.delete(key)
    other_process()
    cache.add(f"{key}:building", 1, 10)  # the other process is building it now

    def finish():
        time.sleep(0.2)
        cache.set(key, stored, 30)

    builder = threading.Thread(target=finish)
    builder.start()
    waited = room_reads.shared_state(meeting)
    builder.join()

    assert room_reads.builds[meeting.pk] == 1  # not built again here
    assert waited[1] == built[1]


def test_without_the_shared_cache_each_process_builds_its_own(scene, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("Redis is down")

    for name in ("get", "add", "set", "delete"):
        monkeypatch.setattr(cache, name, down)
    other_process()
    room_reads.builds.clear()

    state, _ = room_reads.shared_state(scene.meeting)

    assert state["meeting"]["id"] == scene.meeting.pk
    assert room_reads.builds[scene.meeting.pk] == 1
