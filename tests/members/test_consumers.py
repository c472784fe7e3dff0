import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.test import Client

from config.asgi import application
from members.consumers import CLOSE_UNVERIFIED
from tests.conftest import sign_in_verified
from tests.factories import MemberFactory
from tests.sockets import PatientCommunicator as WebsocketCommunicator

pytestmark = [
    pytest.mark.integration,
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True),
]


def communicator_for(client: Client | None) -> WebsocketCommunicator:
    headers = [(b"origin", b"http://127.0.0.1:8000"), (b"host", b"127.0.0.1:8000")]
    if client is not None:
        headers.append((b"cookie", f"sessionid={client.session.session_key}".encode()))
    return WebsocketCommunicator(application, "/ws/notifications/", headers=headers)


async def refusal_code(communicator: WebsocketCommunicator) -> int:
    """The close code of a refused socket. The server accepts, then closes with the code: a
    close before accepting reaches a browser as an HTTP 403 on the handshake, with no code."""
    connected, _ = await communicator.connect()
    assert connected is True
    closed = await communicator.receive_output(timeout=5)
    assert closed["type"] == "websocket.close"
    return closed["code"]


async def test_anonymous_websocket_is_refused():
    assert await refusal_code(communicator_for(None)) == CLOSE_UNVERIFIED


async def test_password_without_second_factor_is_refused_on_websockets():
    client = Client()
    member = await sync_to_async(MemberFactory)()
    await sync_to_async(client.force_login)(member.user)

    assert await refusal_code(communicator_for(client)) == CLOSE_UNVERIFIED


async def test_verified_member_connects_and_receives_their_notifications():
    client = Client()
    member = await sync_to_async(MemberFactory)()
    await sync_to_async(sign_in_verified)(client, member.user)
    communicator = communicator_for(client)

    connected, _ = await communicator.connect()
    hello = await communicator.receive_json_from()
    await get_channel_layer().group_send(
        f"user.{member.user.pk}", {"type": "notification", "payload": {"text": "Họp chi bộ"}}
    )
    pushed = await communicator.receive_json_from()
    await communicator.send_json_to({"type": "ping", "id": "m1"})
    ack = await communicator.receive_json_from()
    await communicator.send_json_to({"type": "khong-co", "id": "m2"})
    error = await communicator.receive_json_from()
    await communicator.disconnect()

    assert connected is True
    assert hello == {"type": "hello", "user": member.user.username}
    assert pushed == {"type": "notification", "payload": {"text": "Họp chi bộ"}}
    assert ack == {"type": "ack", "id": "m1"}
    assert error["type"] == "error"
    assert error["id"] == "m2"
    assert error["code"] == "unknown_type"


async def test_websocket_from_a_foreign_origin_is_refused():
    communicator = WebsocketCommunicator(
        application, "/ws/notifications/", headers=[(b"origin", b"http://evil.example")]
    )

    connected, _ = await communicator.connect()

    assert connected is False


async def test_malformed_frames_are_answered_and_the_socket_stays_open():
    """Regression (issue 14): invalid JSON and binary frames closed the socket with a
    traceback."""
    client = Client()
    member = await sync_to_async(MemberFactory)()
    await sync_to_async(sign_in_verified)(client, member.user)
    communicator = communicator_for(client)
    await communicator.connect()
    await communicator.receive_json_from()

    answers = []
    for frame in (
        {"text_data": "{not json"},
        {"bytes_data": b"\x00\x01"},
        {"text_data": "[" * 4000 + "]" * 4000},
        {"text_data": '{"id":"\\ud800","type":"ping"}'},
        {"text_data": '"just a string"'},
        {"text_data": "x" * 9000},
    ):
        await communicator.send_to(**frame)
        answers.append(await communicator.receive_json_from(timeout=5))
    await communicator.send_json_to({"type": "ping", "id": "still-here"})
    alive = await communicator.receive_json_from(timeout=5)
    await communicator.disconnect()

    assert [(a["type"], a["code"]) for a in answers] == [
        ("error", "bad_json"),
        ("error", "bad_message"),
        ("error", "bad_json"),
        ("error", "bad_message"),
        ("error", "bad_message"),
        ("error", "too_large"),
    ]
    assert answers[0]["message"] == "Tin nhắn không phải JSON hợp lệ."
    assert alive == {"type": "ack", "id": "still-here"}
