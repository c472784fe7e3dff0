from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from members import frames
from members.otp import verified_user_from_scope

# Close code for "not signed in with a verified second factor" (4000–4999 are ours to define).
CLOSE_UNVERIFIED = 4401


async def refuse(consumer: AsyncJsonWebsocketConsumer, code: int) -> None:
    """Accepts the socket and closes it with `code`. A close before accepting reaches the
    browser as an HTTP 403 on the handshake, with no code (close code 1006), so a page could
    not tell "signed out" from a dropped network and reconnected for ever."""
    await consumer.accept()
    await consumer.close(code=code)


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    """A signed-in member's personal channel: notifications and session state reach them here."""

    async def connect(self) -> None:
        user = await verified_user_from_scope(self.scope)
        if user is None:
            await refuse(self, CLOSE_UNVERIFIED)
            return
        self.group_name = f"user.{user.pk}"
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        await self.accept()
        await self.send_json({"type": "hello", "user": user.get_username()})

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group_name"):
            await self.channel_layer.group_discard(self.group_name, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        """Pages only ping; anything else gets an error frame (docs/protocol.md), the socket
        stays open."""
        try:
            message = frames.decode(text_data)
        except frames.ProtocolError as error:
            await self.send_json(error.frame())
            return
        if message.get("type") == "ping":
            await self.send_json({"type": "ack", "id": message["id"]})
            return
        await self.send_json(frames.unknown_type(message["id"]).frame())

    async def notification(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "notification", "payload": event["payload"]})
