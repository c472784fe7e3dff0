from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from members.otp import verified_user_from_scope

# Close code for "not signed in with a verified second factor" (4000–4999 are ours to define).
CLOSE_UNVERIFIED = 4401


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    """A signed-in member's personal channel: notifications and session state reach them here."""

    async def connect(self) -> None:
        user = await verified_user_from_scope(self.scope)
        if user is None:
            await self.close(code=CLOSE_UNVERIFIED)
            return
        self.group_name = f"user.{user.pk}"
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        await self.accept()
        await self.send_json({"type": "hello", "user": user.get_username()})

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group_name"):
            await self.channel_layer.group_discard(self.group_name, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        message_id = content.get("id") if isinstance(content, dict) else None
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "ack", "id": message_id})
            return
        await self.send_json(
            {
                "type": "error",
                "id": message_id,
                "code": "unknown_type",
                "message": "Loại tin nhắn không được hỗ trợ.",
            }
        )

    async def notification(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "notification", "payload": event["payload"]})
