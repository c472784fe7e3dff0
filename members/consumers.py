import asyncio
import contextlib
import logging
import random
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.utils import timezone

from members import frames, sockets
from members.models import User
from members.otp import verified_session_until, verified_user_from_scope

logger = logging.getLogger(__name__)

# Close code for "not signed in with a verified second factor" (4000–4999 are ours to define).
CLOSE_UNVERIFIED = 4401


class SessionBoundConsumer(AsyncJsonWebsocketConsumer):
    """A signed-in socket that closes when its session ends (members.sockets): at once on
    sign-out, a password change, deactivation or a change to the roll; on expiry when the
    session's expiry time comes. Call `follow_session` once the socket is accepted."""

    session_watch: asyncio.Task[None] | None = None
    session_groups: tuple[str, ...] = ()

    async def follow_session(self, user: User) -> None:
        self.session_user = user
        self.session_groups = (
            sockets.session_group(self.scope["session"].session_key),
            sockets.account_group(user.pk),
        )
        for group in self.session_groups:
            try:
                await self.channel_layer.group_add(group, self.channel_name)
            except Exception as error:  # Redis down: the periodic re-check still ends it
                logger.warning("could not join the session's socket group: %s", error)
        self.session_watch = asyncio.create_task(self._watch_session())

    def session_refusal(self) -> tuple[int | None, float]:
        """In the database thread: the close code if this socket must end, else None; and the
        seconds until its session would expire."""
        until = verified_session_until(self.scope, self.session_user)
        if until is None:
            return CLOSE_UNVERIFIED, 0.0
        return None, (until - timezone.now()).total_seconds()

    async def _watch_session(self) -> None:
        # The first look at the session's expiry is spread over a few seconds: a whole meeting
        # reconnects at once after a Redis restart, and the room's database thread is shared.
        await asyncio.sleep(random.uniform(0, sockets.FIRST_CHECK_SPREAD_SECONDS))  # noqa: S311
        while True:
            refusal, left = await database_sync_to_async(self.session_refusal)()
            if refusal is not None:
                await self.session_refused(refusal)
                await self.close(code=refusal)
                return
            wait = min(left + sockets.EXPIRY_GRACE_SECONDS, sockets.SESSION_RECHECK_SECONDS)
            await asyncio.sleep(max(wait, sockets.EXPIRY_GRACE_SECONDS))

    async def session_end(self, message: dict[str, Any]) -> None:
        await self.close(code=CLOSE_UNVERIFIED)

    async def session_recheck(self, message: dict[str, Any]) -> None:
        refusal, _left = await database_sync_to_async(self.session_refusal)()
        if refusal is not None:
            await self.session_refused(refusal)
            await self.close(code=refusal)

    async def session_refused(self, code: int) -> None:
        """This socket's session ended (expiry, a password change, deactivation) or its access
        did: what else must end with it, before the socket closes with `code` (so a page told
        4401 is already out). A sign-out is not seen here (`session_end`): receivers of
        `user_logged_out` end what it ends."""

    async def websocket_disconnect(self, message: dict[str, Any]) -> None:
        if self.session_watch is not None:
            self.session_watch.cancel()
        for group in self.session_groups:
            with contextlib.suppress(Exception):  # Redis down: the entry expires with the group
                await self.channel_layer.group_discard(group, self.channel_name)
        await super().websocket_disconnect(message)


async def refuse(consumer: AsyncJsonWebsocketConsumer, code: int) -> None:
    """Accepts the socket and closes it with `code`. A close before accepting reaches the
    browser as an HTTP 403 on the handshake, with no code (close code 1006), so a page could
    not tell "signed out" from a dropped network and reconnected for ever."""
    await consumer.accept()
    await consumer.close(code=code)


class NotificationConsumer(SessionBoundConsumer):
    """A signed-in member's personal channel: notifications and session state reach them here."""

    async def connect(self) -> None:
        user = await verified_user_from_scope(self.scope)
        if user is None:
            await refuse(self, CLOSE_UNVERIFIED)
            return
        self.group_name = f"user.{user.pk}"
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        await self.accept()
        await self.follow_session(user)
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
