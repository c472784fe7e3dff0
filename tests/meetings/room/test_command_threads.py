"""The live room's commands run in threads of their own, one meeting always on the same one
(meetings/command_threads.py): a meeting whose command waits does not hold up another's, and
each command still checks the session; with no threads (SQLite's default) they run in the
database thread as before."""

import asyncio
import threading
import time

import pytest
from asgiref.sync import sync_to_async
from django.db import connection, transaction

from meetings import command_threads
from meetings.models import FloorRequest, Meeting
from tests.meetings.room.conftest import build_scene
from tests.meetings.room.test_consumer import connect, request

pytestmark = [
    pytest.mark.integration,
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True),
]


async def joined(member, meeting):
    communicator, _, _ = await connect(member, meeting)
    await communicator.receive_json_from()
    return communicator


async def in_discussion(scene):
    """The scene's meeting started, its first item open; a member's socket in it."""
    chair = await joined(scene.chair, scene.meeting)
    await request(chair, {"id": "start", "type": "meeting.start"})
    await request(chair, {"id": "open", "type": "agenda.open", "item": scene.items[0].pk})
    member = await joined(scene.officials[0], scene.meeting)
    return chair, member


class MeetingHeld:
    """Another database connection holds the meeting's row lock until `release`."""

    def __init__(self, meeting_id: int) -> None:
        self.locked, self.released = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._hold, args=(meeting_id,))

    def _hold(self, meeting_id: int) -> None:
        try:
            with transaction.atomic():
                Meeting.objects.select_for_update().get(pk=meeting_id)
                self.locked.set()
                self.released.wait(60)
        finally:
            connection.close()

    def __enter__(self) -> "MeetingHeld":
        self.thread.start()
        assert self.locked.wait(20)
        return self

    def __exit__(self, *exc: object) -> None:
        self.released.set()
        self.thread.join(20)


def lock_waits() -> int:
    """Sessions of this database waiting for a row lock (PostgreSQL), asked from a thread of
    its own (the database thread may be the one waiting)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            return cursor.fetchone()[0]
    finally:
        connection.close()


async def answer_to(communicator, message_id: str):
    while True:
        frame = await communicator.receive_json_from(timeout=20)
        if frame.get("id") == message_id:
            return frame


async def until_a_command_waits_for_the_lock() -> None:
    deadline = time.monotonic() + 20
    while not await asyncio.to_thread(lock_waits):
        assert time.monotonic() < deadline, "the held meeting's command never reached the lock"
        await asyncio.sleep(0.05)


@pytest.fixture
def four_threads(settings):
    if connection.vendor != "postgresql":
        pytest.skip("the command threads are PostgreSQL's (SQLite keeps the database thread)")
    settings.ROOM_COMMAND_THREADS = 4


async def test_a_meetings_command_is_answered_while_another_meetings_command_waits(
    scene, four_threads
):
    other = await sync_to_async(build_scene)()
    assert scene.meeting.pk % 4 != other.meeting.pk % 4  # on different threads
    chairs_and_members = [await in_discussion(scene), await in_discussion(other)]
    (_, waiting_member), (_, other_member) = chairs_and_members

    with MeetingHeld(scene.meeting.pk):
        await waiting_member.send_json_to({"id": "w", "type": "floor.request", "kind": "regular"})
        await until_a_command_waits_for_the_lock()
        answered = await request(
            other_member, {"id": "o", "type": "floor.request", "kind": "regular"}
        )
        still_waiting = await sync_to_async(
            FloorRequest.objects.filter(meeting=scene.meeting).exists
        )()
    waited = await answer_to(waiting_member, "w")

    assert answered["type"] == "ack"
    assert still_waiting is False  # its command had not got past the lock meanwhile
    assert waited["type"] == "ack"  # once the lock was released
    for chair, member in chairs_and_members:
        await chair.disconnect()
        await member.disconnect()


async def test_a_command_after_the_session_was_deleted_unannounced_is_refused(scene, four_threads):
    chair, member = await in_discussion(scene)
    await sync_to_async(delete_sessions_unannounced)()

    refused = await request(member, {"id": "1", "type": "floor.request", "kind": "regular"})
    caught_up = await request(member, {"id": "2", "type": "events", "after": 0})

    assert (refused["type"], refused["code"]) == ("error", "unverified")
    assert (caught_up["type"], caught_up["code"]) == ("error", "unverified")
    assert not await sync_to_async(FloorRequest.objects.exists)()
    await chair.disconnect()
    await member.disconnect()


def delete_sessions_unannounced() -> None:
    """Straight in the table: no signal, no message to the sockets (the session store's
    clean-up, or an operator)."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_session")


async def test_without_command_threads_commands_run_in_the_database_thread(
    scene, settings, monkeypatch
):
    """SQLite's default (ROOM_COMMAND_THREADS 0): one thread for everything, as before."""
    settings.ROOM_COMMAND_THREADS = 0
    chair, member = await in_discussion(scene)
    ran_in: list[str] = []
    original = command_threads.run_for_meeting

    async def noting(meeting_id, func, *args):
        ran_in.append(await original(meeting_id, lambda: threading.current_thread().name))
        return await original(meeting_id, func, *args)

    monkeypatch.setattr(command_threads, "run_for_meeting", noting)
    answered = await request(member, {"id": "1", "type": "floor.request", "kind": "regular"})

    assert answered["type"] == "ack"
    assert command_threads.executor_for(scene.meeting.pk) is None
    assert ran_in
    assert not ran_in[0].startswith("room-commands")
    await chair.disconnect()
    await member.disconnect()


async def test_with_command_threads_a_meeting_always_runs_on_the_same_one(scene, four_threads):
    names = {
        await command_threads.run_for_meeting(
            scene.meeting.pk, lambda: threading.current_thread().name
        )
        for _ in range(5)
    }
    other = await command_threads.run_for_meeting(
        scene.meeting.pk + 1, lambda: threading.current_thread().name
    )

    assert names == {f"room-commands-{scene.meeting.pk % 4}_0"}
    assert other == f"room-commands-{(scene.meeting.pk + 1) % 4}_0"
