"""Who may hold a room socket, checked cheaply at scale: the handshake (meetings.access.
access_room), and the periodic re-check of the sockets' sessions and access, made per process in
batches (members.consumers._SessionWatch): an end nobody announced (a session row deleted by
hand, a change to the roll written without the account's signal) still closes the socket within
the re-check interval, and the sockets of a process are checked together."""

import asyncio
import datetime
import json

import pytest
from asgiref.sync import sync_to_async
from django.contrib.sessions.models import Session
from django.test import Client

from meetings.access import still_visible, visible_meetings
from meetings.consumers import CLOSE_NOT_FOUND
from meetings.models import Meeting
from members import consumers, sockets
from members.consumers import CLOSE_UNVERIFIED
from members.enums import Level
from members.models import Member, ReadAudit, ReadKind
from tests.conftest import sign_in_verified
from tests.factories import CellFactory, CommitteeSeatFactory, MemberFactory, UserFactory
from tests.meetings.room.test_consumer import CONNECT_TIMEOUT, request, room_socket

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
RECHECK = 1.0  # seconds, instead of a minute, for the test


@pytest.fixture
def quick_rechecks(monkeypatch):
    monkeypatch.setattr(sockets, "SESSION_RECHECK_SECONDS", RECHECK)
    monkeypatch.setattr(sockets, "FIRST_CHECK_SPREAD_SECONDS", 0.0)
    monkeypatch.setattr(sockets, "BATCH_AHEAD_SECONDS", RECHECK)
    batches: list[int] = []
    check = consumers._check_sessions

    def counted(batch):
        batches.append(len(batch))
        return check(batch)

    monkeypatch.setattr(consumers, "_check_sessions", counted)
    return batches


async def open_room(member, meeting):
    client = Client()
    await sync_to_async(sign_in_verified)(client, member.user)
    communicator = room_socket(meeting, client)
    connected, _ = await communicator.connect(timeout=CONNECT_TIMEOUT)
    assert connected
    hello = await communicator.receive_json_from(timeout=CONNECT_TIMEOUT)
    assert hello["type"] == "hello"
    return communicator, client.session.session_key


async def watch_idle():
    """Waits until this event loop's session watch has stopped (its sockets all closed), so no
    re-check is left in the database thread when the test's loop closes."""
    watch = consumers._watches.get(asyncio.get_running_loop())
    if watch is not None and watch.task is not None:
        watch.changed.set()
        await asyncio.wait_for(watch.task, CONNECT_TIMEOUT)


async def close_code(communicator, within: float):
    """The code the server closes the socket with within `within` seconds, else None."""
    try:
        async with asyncio.timeout(within):
            while True:
                output = await communicator.receive_output(timeout=within)
                if output["type"] == "websocket.close":
                    return output["code"]
    except TimeoutError:
        return None


@pytest.mark.asyncio
async def test_unannounced_ends_close_room_sockets_at_the_periodic_recheck(scene, quick_rechecks):
    signed_out, key = await open_room(scene.officials[0], scene.meeting)
    moved, _ = await open_room(scene.officials[1], scene.meeting)
    staying, _ = await open_room(scene.officials[2], scene.meeting)
    # Neither change sends a signal: only the periodic re-check can see them.
    await sync_to_async(Session.objects.filter(session_key=key).delete)()
    await sync_to_async(Member.objects.filter(pk=scene.officials[1].pk).update)(
        home_cell=scene.guest_cell
    )

    codes = await asyncio.gather(
        close_code(signed_out, within=RECHECK * 10), close_code(moved, within=RECHECK * 10)
    )
    answer = await request(staying, {"id": "p", "type": "ping"})

    assert codes == [CLOSE_UNVERIFIED, CLOSE_NOT_FOUND]
    assert answer["type"] == "ack"
    assert max(quick_rechecks) >= 3  # the three sockets were checked in one batch
    await staying.disconnect()
    await watch_idle()


def test_still_visible_answers_as_visible_meetings_for_every_kind_of_reader(scene):
    draft = Meeting.objects.create(
        cell=scene.cell, kind="regular", mode="online", status="draft", chair=scene.chair,
        recorder=scene.recorder, starts_at=scene.meeting.starts_at + datetime.timedelta(days=30),
    )  # fmt: skip
    other = Meeting.objects.create(
        cell=scene.guest_cell, kind="regular", mode="online", status="scheduled",
        chair=scene.outsider, recorder=scene.outsider, starts_at=scene.meeting.starts_at,
    )  # fmt: skip
    reviewer = CommitteeSeatFactory(organization=scene.cell.parent).member
    elsewhere = CommitteeSeatFactory(
        organization=CellFactory(level=Level.GRASSROOTS, parent=None)
    ).member
    ended_stay = MemberFactory(
        home_cell=scene.guest_cell,
        temporary_cell=scene.cell,
        temporary_from=datetime.date(2020, 1, 1),
        temporary_until=datetime.date(2020, 12, 31),
    )
    readers = [
        scene.chair.user, scene.recorder.user, scene.officials[0].user, scene.temporary.user,
        scene.outsider.user, reviewer.user, elsewhere.user, ended_stay.user, UserFactory(),
    ]  # fmt: skip
    meetings = [scene.meeting.pk, draft.pk, other.pk, 2**40]
    pairs = [(user, meeting_id) for user in readers for meeting_id in meetings]

    expected = {
        (user.pk, meeting_id)
        for user, meeting_id in pairs
        if visible_meetings(user).filter(pk=meeting_id).exists()
    }

    assert still_visible(pairs) == expected
    assert (scene.chair.user.pk, draft.pk) in expected  # the matrix covers both answers
    assert (scene.officials[0].user.pk, draft.pk) not in expected
    assert (reviewer.user.pk, scene.meeting.pk) in expected


async def handshake(member, meeting):
    """The first frame the room answers a new socket with: "hello", or the close code."""
    client = Client()
    await sync_to_async(sign_in_verified)(client, member.user)
    communicator = room_socket(meeting, client)
    connected, _ = await communicator.connect(timeout=CONNECT_TIMEOUT)
    assert connected
    output = await communicator.receive_output(timeout=CONNECT_TIMEOUT)
    await communicator.disconnect()
    return output["code"] if output["type"] == "websocket.close" else json.loads(output["text"])


@pytest.mark.asyncio
async def test_the_rooms_handshake_lets_in_whom_the_meeting_page_lets_in_and_logs_outside_reads(
    scene,
):
    """The handshake decides a member of the cell from their own row (meetings.access.
    access_room); everyone else goes through the full rule, and a read from outside is logged."""
    draft = await sync_to_async(Meeting.objects.create)(
        cell=scene.cell, kind="regular", mode="online", status="draft", chair=scene.chair,
        recorder=scene.recorder, starts_at=scene.meeting.starts_at + datetime.timedelta(days=30),
    )  # fmt: skip
    reviewer = (await sync_to_async(CommitteeSeatFactory)(organization=scene.cell.parent)).member
    ended_stay = await sync_to_async(MemberFactory)(
        home_cell=scene.guest_cell,
        temporary_cell=scene.cell,
        temporary_from=datetime.date(2020, 1, 1),
        temporary_until=datetime.date(2020, 12, 31),
    )

    answers = {
        "member": await handshake(scene.officials[0], scene.meeting),
        "temporary member": await handshake(scene.temporary, scene.meeting),
        "reviewer above": await handshake(reviewer, scene.meeting),
        "member of another cell": await handshake(scene.outsider, scene.meeting),
        "stay ended": await handshake(ended_stay, scene.meeting),
        "member, draft": await handshake(scene.officials[0], draft),
        "secretary, draft": await handshake(scene.chair, draft),
    }
    await watch_idle()
    reads = await sync_to_async(
        lambda: set(ReadAudit.objects.values_list("reader_id", "kind", "object_id"))
    )()

    assert {who: a if isinstance(a, int) else a["type"] for who, a in answers.items()} == {
        "member": "hello",
        "temporary member": "hello",
        "reviewer above": "hello",
        "member of another cell": CLOSE_NOT_FOUND,
        "stay ended": CLOSE_NOT_FOUND,
        "member, draft": CLOSE_NOT_FOUND,
        "secretary, draft": "hello",
    }
    assert reads == {(reviewer.user_id, ReadKind.MEETING, scene.meeting.pk)}
