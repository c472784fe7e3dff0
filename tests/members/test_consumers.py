import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.test import Client

from config.asgi import application
from members.consumers import CLOSE_UNVERIFIED
from tests.conftest import sign_in_verified
from tests.factories import MemberFactory

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


async def test_anonymous_websocket_is_refused():
    communicator = communicator_for(None)

    connected, code = await communicator.connect()

    assert connected is False
    assert code == CLOSE_UNVERIFIED


async def test_password_without_second_factor_is_refused_on_websockets():
    client = Client()
    member = await sync_to_async(MemberFactory)()
    await sync_to_async(client.force_login)(member.user)
    communicator = communicator_for(client)

    connected, code = await communicator.connect()

    assert connected is False
    assert code == CLOSE_UNVERIFIED


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
