"""Hostile frames in the live room (issue 14, defects 1 and 8): each one is refused alone, with
a documented code; nobody else's ballot fails, the socket stays open, and a connection that
ends in any way closes its presence. Run on PostgreSQL and on SQLite (DATABASE_URL unset):
the two fail differently on out-of-range numbers."""

import asyncio
import threading
import uuid

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from meetings import events
from meetings.models import BallotReceipt, PresenceSpan, SecretBallot
from tests.meetings.room.test_consumer import joined, request

pytestmark = [
    pytest.mark.integration,
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True),
]


def receipt(n: int) -> str:
    return f"POISON{'ABCDEFGHIJ'[n]}AAA"


async def answer_to(communicator, message_id):
    while (frame := await communicator.receive_json_from(timeout=10)).get("id") != message_id:
        pass
    return frame


async def next_answer(communicator):
    """The next frame that is not an event (an answer, whatever its id)."""
    while (frame := await communicator.receive_json_from(timeout=10))["type"] == "event":
        pass
    return frame


@pytest.fixture
def hold_database():
    """Holds the one database thread, so that ballots sent meanwhile wait and go as one batch."""
    release = threading.Event()
    holding = []

    def hold():
        holding.append(asyncio.ensure_future(sync_to_async(release.wait)(20)))

    yield hold, release
    release.set()


async def test_poison_ballots_in_a_burst_do_not_spoil_the_others(
    in_person_scene, hold_database, settings
):
    # Plain choices with receipts: the earlier, unencrypted secret ballot a deployment may keep
    # (encrypted ballots' refusals by proof: tests/meetings/secret_ballot/test_socket.py).
    settings.SECRET_BALLOT_ENCRYPTED = False
    scene = in_person_scene
    hold, release = hold_database
    chair = await joined(scene, scene.chair)
    await request(chair, {"id": "1", "type": "meeting.start"})
    recorder = await joined(scene, scene.recorder)
    officials = [await joined(scene, m) for m in scene.officials]
    await request(chair, {"id": "2", "type": "agenda.open", "item": scene.items[2].pk})
    opened = await request(
        chair,
        {
            "id": "3",
            "type": "vote.open",
            "kind": "election",
            "question": "Bầu chi ủy viên",
            "options": {"candidates": [m.pk for m in scene.officials], "seats": 1},
        },
    )
    vote = opened["result"]["vote"]
    candidate = scene.officials[2].pk

    def ballot(message_id, n, **fields):
        return {
            "id": message_id,
            "type": "ballot.cast",
            "vote": vote,
            "ballot": str(uuid.uuid4()),
            "choice": [candidate],
            "receipt": receipt(n),
        } | fields

    hold()
    await asyncio.sleep(0.1)
    await officials[2].send_json_to(ballot("first", 0))  # goes alone, waits for the thread
    await asyncio.sleep(0.3)
    # These arrive while the first is waiting: one batch, with two poison ballots in it.
    await officials[0].send_json_to(ballot("poison", 1, choice=["²"]))
    await officials[1].send_json_to(ballot("poison", 2, vote=2**64))
    await chair.send_json_to(ballot("legit", 3))
    await recorder.send_json_to(ballot("legit", 4))
    await asyncio.sleep(0.3)
    release.set()
    poisoned = [await answer_to(o, "poison") for o in officials[:2]]
    legit = [await answer_to(officials[2], "first")]
    legit += [await answer_to(c, "legit") for c in (chair, recorder)]
    # The poisoners vote properly afterwards, and are counted too.
    legit += [await request(o, ballot("own", 5 + n)) for n, o in enumerate(officials[:2])]

    assert [(f["code"], f.get("field")) for f in poisoned] == [
        ("bad_message", "choice"),
        ("bad_message", "vote"),
    ]
    assert [(f["type"], f["result"]["duplicate"]) for f in legit] == [("ack", False)] * 5
    assert await sync_to_async(BallotReceipt.objects.filter(vote_id=vote).count)() == 5
    choices = await sync_to_async(list)(
        SecretBallot.objects.filter(vote_id=vote).values_list("choice", flat=True)
    )
    assert choices == [[candidate]] * 5
    for communicator in (chair, recorder, *officials):
        await communicator.disconnect()


async def test_deeply_nested_json_is_refused_and_the_socket_stays_open(scene):
    chair = await joined(scene, scene.chair)
    depth = 4000  # 8,000 bytes: under the size limit

    await chair.send_to(text_data="[" * depth + "]" * depth)
    nested = await next_answer(chair)
    inside = '{"id":"n","type":"vote.open","kind":"resolution","question":"Q","options":{"a":'
    await chair.send_to(text_data=inside + "[" * 3000 + "]" * 3000 + "}}")
    nested_field = await next_answer(chair)
    alive = await request(chair, {"id": "p", "type": "ping"})

    assert (nested["type"], nested["code"]) == ("error", "bad_json")
    assert nested["message"] == "Tin nhắn không phải JSON hợp lệ."
    assert (nested_field["code"], nested_field["id"]) == ("bad_json", None)
    assert alive == {"type": "ack", "id": "p", "result": {}}
    await chair.disconnect()


async def test_lone_surrogates_are_refused_naming_the_field(scene):
    chair = await joined(scene, scene.chair)
    await request(chair, {"id": "1", "type": "meeting.start"})
    await request(chair, {"id": "2", "type": "agenda.open", "item": scene.items[2].pk})
    # JSON's \ud800 escape decodes to a lone surrogate, which no UTF-8 text can hold.
    frames = [
        '{"id":"q","type":"vote.open","kind":"resolution","question":"Bi\\ud800u"}',
        '{"id":"r","type":"attendance.mark","member":' + str(scene.temporary.pk) + ","
        '"status":"absent_with_reason","reason":"\\ud800"}',
        '{"id":"n","type":"turn.note","turn":1,"text":"\\udfff"}',
        '{"id":"\\ud800","type":"ping"}',
    ]
    answers = []
    for text in frames:
        await chair.send_to(text_data=text)
        answers.append(await next_answer(chair))
    alive = await request(chair, {"id": "p", "type": "ping"})

    assert [(a["type"], a["code"], a.get("field")) for a in answers] == [
        ("error", "bad_message", "question"),
        ("error", "bad_message", "reason"),
        ("error", "bad_message", "text"),
        ("error", "bad_message", "id"),
    ]
    assert answers[0]["message"] == "Trường question không đúng kiểu."
    assert alive["type"] == "ack"
    await chair.disconnect()


async def test_a_reorder_of_mixed_values_is_refused_naming_the_field(scene):
    chair = await joined(scene, scene.chair)
    await request(chair, {"id": "1", "type": "meeting.start"})
    await request(chair, {"id": "2", "type": "agenda.open", "item": scene.items[0].pk})

    mixed = await request(chair, {"id": "r", "type": "floor.reorder", "order": ["a", 1, None]})
    huge = await request(chair, {"id": "h", "type": "floor.reorder", "order": [2**64]})
    empty = await request(chair, {"id": "e", "type": "floor.reorder", "order": []})

    assert (mixed["code"], mixed["field"]) == ("bad_message", "order")
    assert (huge["code"], huge["field"]) == ("bad_message", "order")
    assert empty["type"] == "ack"  # no pending requests: the empty order is the right one
    await chair.disconnect()


async def test_out_of_range_and_non_ascii_numbers_are_refused_in_every_command(in_person_scene):
    scene = in_person_scene
    chair = await joined(scene, scene.chair)
    await request(chair, {"id": "1", "type": "meeting.start"})
    await request(chair, {"id": "2", "type": "agenda.open", "item": scene.items[2].pk})
    bad = {
        "agenda.open": ({"item": 2**63}, "item"),
        "attendance.mark": ({"member": -1, "status": "present"}, "member"),
        "floor.grant": ({"request": 0}, "request"),
        "turn.note": ({"turn": 1.5, "text": "x"}, "turn"),
        "vote.close": ({"vote": -(2**64)}, "vote"),
        "vote.open": (
            {"kind": "election", "question": "Q", "options": {"candidates": ["١"], "seats": 1}},
            "options.candidates",
        ),
        "ballot.cast": ({"vote": 1, "ballot": "x" * 65, "choice": "yes"}, "ballot"),
    }

    frames = {
        kind: await request(chair, {"id": kind, "type": kind, **fields})
        for kind, (fields, _) in bad.items()
    }

    assert {k: (f["code"], f.get("field")) for k, f in frames.items()} == {
        k: ("bad_message", field) for k, (_, field) in bad.items()
    }
    await chair.disconnect()


async def test_a_connection_that_ends_on_an_error_still_closes_its_presence(scene):
    chair = await joined(scene, scene.chair)
    await request(chair, {"id": "1", "type": "meeting.start"})
    member = await joined(scene, scene.officials[0])
    await request(member, {"id": "p", "type": "ping"})
    await chair.disconnect()

    # An event this server cannot deliver (no encoded text) ends the member's connection.
    await get_channel_layer().group_send(
        events.group_name(scene.meeting.pk), {"type": "meeting.event", "event": "broken"}
    )

    async def read_until_it_ends():
        for _ in range(10):  # the chair's departure, written in a batch, may come first
            await member.receive_output(timeout=10)

    with pytest.raises(KeyError):
        await read_until_it_ends()
    await asyncio.sleep(0.5)

    # (database_sync_to_async closes its connection: the last query of the test may not hold
    # one open, or the test database cannot be dropped.)
    open_spans = await database_sync_to_async(
        PresenceSpan.objects.filter(attendance__member=scene.officials[0], left_at=None).count
    )()
    assert open_spans == 0


def scopes_of(members):
    """What a connection's scope holds for the session check: each member signed in."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import Client

    from tests.conftest import sign_in_verified

    scopes = []
    for member in members:
        client = sign_in_verified(Client(), member.user)
        scopes.append({"session": SessionStore(client.session.session_key)})
    return scopes


def open_resolution_vote(scene, voters):
    from meetings.services import attendance, room
    from meetings.services.voting import opening

    room.start_meeting(meeting_id=scene.meeting.pk, actor=scene.chair.user)
    for member in voters:
        attendance.join(meeting_id=scene.meeting.pk, actor=member.user, connection=f"c{member.pk}")
    room.open_item(meeting_id=scene.meeting.pk, actor=scene.chair.user, item_id=scene.items[2].pk)
    opened = opening.open_vote(
        meeting_id=scene.meeting.pk, actor=scene.chair.user, kind="resolution", question="Q"
    )
    return opened["vote"], scopes_of(voters)


async def test_a_ballot_that_fails_inside_its_batch_fails_alone(scene, hold_database):
    """The edge refuses every malformed value it knows of; should one still get through and
    make the batch's write raise, the other ballots of the batch are written all the same."""
    from meetings import intake
    from meetings.models import Ballot

    hold, release = hold_database
    voters = [scene.chair, scene.recorder, *scene.officials]
    vote, scopes = await sync_to_async(open_resolution_vote)(scene, voters)

    def cast(n, vote_id=vote):
        fields = {"vote_id": vote_id, "ballot_id": str(uuid.uuid4()), "choice": "yes"}
        return asyncio.ensure_future(
            intake.cast_ballot(scopes[n], voters[n].user, scene.meeting.pk, f"b{n}", fields)
        )

    hold()
    await asyncio.sleep(0.1)
    first = cast(0)
    await asyncio.sleep(0.3)
    poisoned = cast(1, vote_id="not a number")  # the write raises ValueError
    others = [cast(n) for n in range(2, len(voters))]
    await asyncio.sleep(0.3)
    release.set()
    answers = await asyncio.gather(first, *others)
    poison = await poisoned

    assert [(a["type"], a["result"]["duplicate"]) for a in answers] == [("ack", False)] * 4
    assert poison["code"] == "server_error"
    counted = await database_sync_to_async(
        lambda: set(Ballot.objects.filter(vote_id=vote).values_list("member_id", flat=True))
    )()
    assert counted == {voters[n].pk for n in (0, 2, 3, 4)}
