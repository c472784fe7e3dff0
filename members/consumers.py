import asyncio
import contextlib
import logging
import random
import time
import weakref
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.utils import timezone, translation

from members import frames, sockets
from members.models import User
from members.otp import verified_sessions_until, verified_user_from_scope

logger = logging.getLogger(__name__)

# Close code for "not signed in with a verified second factor" (4000–4999 are ours to define).
CLOSE_UNVERIFIED = 4401


class SessionBoundConsumer(AsyncJsonWebsocketConsumer):
    """A signed-in socket that closes when its session ends (members.sockets): at once on
    sign-out, a password change, deactivation or a change to the roll; on expiry when the
    session's expiry time comes. Call `follow_session` once the socket is accepted."""

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
        # The first look at the session's expiry is spread over a few seconds: a whole meeting
        # arrives at once, or reconnects after a Redis restart.
        _watch().follow(self, random.uniform(0, sockets.FIRST_CHECK_SPREAD_SECONDS))  # noqa: S311

    def stop_following_session(self) -> None:
        watch = _watches.get(asyncio.get_running_loop())
        if watch is not None:
            watch.unfollow(self)

    @classmethod
    def session_refusals(cls, sockets_: list[Any]) -> list[tuple[int | None, float]]:
        """In the database thread, for several sockets of this class at once: for each, the
        close code if it must end, else None; and the seconds until its session would expire."""
        untils = verified_sessions_until([(s.scope, s.session_user) for s in sockets_])
        now = timezone.now()
        return [
            (CLOSE_UNVERIFIED, 0.0) if until is None else (None, (until - now).total_seconds())
            for until in untils
        ]

    def session_refusal(self) -> tuple[int | None, float]:
        """`session_refusals` for this socket alone."""
        return type(self).session_refusals([self])[0]

    async def end_for_session(self, refusal: int) -> None:
        await self.session_refused(refusal)
        await self.close(code=refusal)

    async def session_end(self, message: dict[str, Any]) -> None:
        await self.close(code=CLOSE_UNVERIFIED)

    async def session_recheck(self, message: dict[str, Any]) -> None:
        refusal, _left = await database_sync_to_async(self.session_refusal)()
        if refusal is not None:
            self.stop_following_session()
            await self.end_for_session(refusal)

    async def session_refused(self, code: int) -> None:
        """This socket's session ended (expiry, a password change, deactivation) or its access
        did: what else must end with it, before the socket closes with `code` (so a page told
        4401 is already out). A sign-out is not seen here (`session_end`): receivers of
        `user_logged_out` end what it ends."""

    async def websocket_disconnect(self, message: dict[str, Any]) -> None:
        self.stop_following_session()
        for group in self.session_groups:
            with contextlib.suppress(Exception):  # Redis down: the entry expires with the group
                await self.channel_layer.group_discard(group, self.channel_name)
        await super().websocket_disconnect(message)


class _SessionWatch:
    """One per process (event loop): re-checks the sessions of all its sockets in batches.

    Each socket is due at the moment its session would expire (plus EXPIRY_GRACE_SECONDS), and
    at least every SESSION_RECHECK_SECONDS for ends nobody announces (a session deleted by
    hand, a change made without the account's signal). When the first socket falls due, every
    socket due within BATCH_AHEAD_SECONDS is checked with it, in one trip to the database thread
    and a few queries per kind of socket (`session_refusals`), so a socket is never checked
    later than it would be alone, sometimes a little earlier. (Each socket checking itself
    was two to seven queries each in daphne's one database thread: at 2,000 sockets, 33 checks
    a second queued ahead of every command and handshake; docs/benchmarks.md.)"""

    def __init__(self) -> None:
        self.due: weakref.WeakKeyDictionary[SessionBoundConsumer, float] = (
            weakref.WeakKeyDictionary()
        )
        self.changed = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    def follow(self, socket: SessionBoundConsumer, after: float) -> None:
        self.due[socket] = time.monotonic() + after
        self.changed.set()
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self._run())

    def unfollow(self, socket: SessionBoundConsumer) -> None:
        self.due.pop(socket, None)

    async def _run(self) -> None:
        while self.due:
            self.changed.clear()
            wait = min(self.due.values()) - time.monotonic()
            if wait > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.changed.wait(), wait)
                continue
            horizon = time.monotonic() + sockets.BATCH_AHEAD_SECONDS
            batch = [socket for socket, due in list(self.due.items()) if due <= horizon]
            try:
                answers = await database_sync_to_async(_check_sessions)(batch)
            except Exception:
                logger.exception("the sockets' sessions were not re-checked: trying again")
                retry = time.monotonic() + sockets.BATCH_AHEAD_SECONDS  # the database may be down
                for socket in batch:
                    if socket in self.due:
                        self.due[socket] = retry
                continue
            now = time.monotonic()
            for socket, (refusal, left) in zip(batch, answers, strict=True):
                if socket not in self.due:
                    continue  # closed meanwhile
                if refusal is not None:
                    del self.due[socket]
                    ending = asyncio.create_task(_end(socket, refusal))
                    _ending.add(ending)
                    ending.add_done_callback(_ending.discard)
                    continue
                wait = min(left + sockets.EXPIRY_GRACE_SECONDS, sockets.SESSION_RECHECK_SECONDS)
                self.due[socket] = now + max(wait, sockets.EXPIRY_GRACE_SECONDS)
        self.task = None


def _check_sessions(batch: list[SessionBoundConsumer]) -> list[tuple[int | None, float]]:
    """`session_refusals` per kind of socket, in the batch's order."""
    kinds: dict[type[SessionBoundConsumer], list[int]] = {}
    for index, socket in enumerate(batch):
        kinds.setdefault(type(socket), []).append(index)
    answers: list[tuple[int | None, float]] = [(None, 0.0)] * len(batch)
    for kind, indexes in kinds.items():
        for index, answer in zip(
            indexes, kind.session_refusals([batch[i] for i in indexes]), strict=True
        ):
            answers[index] = answer
    return answers


async def _end(socket: SessionBoundConsumer, refusal: int) -> None:
    try:
        await socket.end_for_session(refusal)
    except Exception:
        logger.exception("a socket whose session ended was not closed")


_ending: set[asyncio.Task[None]] = set()
# Per event loop (a test process runs several, one after another).
_watches: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _SessionWatch] = (
    weakref.WeakKeyDictionary()
)


def _watch() -> _SessionWatch:
    return _watches.setdefault(asyncio.get_running_loop(), _SessionWatch())


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
        # The page's language (config.language.WebsocketLanguageMiddleware): notices read in it.
        self.language = translation.get_language() or settings.LANGUAGE_CODE
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
        """A new notice (meetings.services.notifications.push_notification): it comes in every
        language of the interface; this socket's page gets its own language's title and body."""
        texts = event.get("texts", {})
        own = texts.get(self.language) or texts.get(settings.LANGUAGE_CODE) or {}
        await self.send_json({"type": "notification", "payload": {**event["payload"], **own}})
