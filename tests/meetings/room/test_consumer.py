import json
import uuid

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from config.asgi import application
from meetings.consumers import CLOSE_NOT_FOUND
from meetings.models import Attendance, Ballot
from members.consumers import CLOSE_UNVERIFIED
from tests.conftest import sign_in_verified

pytestmark = [
    pytest.mark.integration,
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True),
]


async def connect(member, meeting, *, verified=True):
    client = Client()
    if verified:
        await sync_to_async(sign_in_verified)(client, member.user)
    else:
        await sync_to_async(client.force_login)(member.user)
    communicator = WebsocketCommunicator(
        application,
        f"/ws/meetings/{meeting.pk}/",
        headers=[
            (b"origin", b"http://127.0.0.1:8000"),
            (b"host", b"127.0.0.1:8000"),
            (b"cookie", f"sessionid={client.session.session_key}".encode()),
        ],
    )
    connected, code = await communicator.connect()
    return communicator, connected, code


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
    _, connected, code = await connect(scene.chair, scene.meeting, verified=False)

    assert (connected, code) == (False, CLOSE_UNVERIFIED)


async def test_member_of_another_cell_gets_not_found(scene):
    _, connected, code = await connect(scene.outsider, scene.meeting)

    assert (connected, code) == (False, CLOSE_NOT_FOUND)


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
    await chair.receive_json_from()

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
    communicator = WebsocketCommunicator(
        application,
        f"/ws/meetings/{scene.meeting.pk}/",
        headers=[
            (b"origin", b"http://127.0.0.1:8000"),
            (b"host", b"127.0.0.1:8000"),
            (b"cookie", f"sessionid={client.session.session_key}; django_language=en".encode()),
        ],
    )
    await communicator.connect()
    await communicator.receive_json_from()

    refused = await request(communicator, {"id": "r1", "type": "floor.grant", "request": 999})

    assert refused["code"] == "not_in_progress"
    assert refused["message"] == "The meeting has not started or has already ended."
    await communicator.disconnect()
