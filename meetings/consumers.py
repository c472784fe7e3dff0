"""The live room's websocket: authenticate, validate, call a service, answer ack or error."""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import json
import logging
import time
from collections.abc import Callable
from typing import Any

from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.layers import get_channel_layer
from channels.utils import await_many_dispatch
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from config import metrics
from meetings import command_threads, events, intake, leases, protocol, resync, throttle
from meetings.access import access_room, still_sees, still_visible
from meetings.errors import RuleViolation
from meetings.media import services as media
from meetings.models import Meeting
from meetings.room import events_after, head_of, snapshot_frame
from meetings.services.participants import participant
from members.consumers import CLOSE_UNVERIFIED, SessionBoundConsumer, refuse
from members.models import Member, User
from members.otp import session_still_verified, verified_user_from_scope

logger = logging.getLogger(__name__)
CLOSE_NOT_FOUND = 4404
# The page's arrival could not be written: it reconnects (as after any drop). (When the channel
# layer fails and is back, the socket stays open and the missed events are sent on it.) Like
# 4401/4404 it mirrors HTTP (503); autobahn lets a server close only with 1000 or 3000-4999, so
# RFC 6455's 1012 is not available.
CLOSE_RESYNC = 4503
# Too many handshakes of this member in a minute (meetings/throttle.py); mirrors HTTP 429.
CLOSE_THROTTLED = 4429
# Commands waiting for their turn on one connection; beyond this a command is refused `busy`
# at once (a page sends one at a time; only a runaway client gets here).
MAX_PENDING_COMMANDS = 32
ACCESS_RECHECK_SECONDS = 10.0


class MeetingConsumer(SessionBoundConsumer):
    # Set by connect (the user, verified) and _hello (the meeting, this user's member record).
    user: User
    meeting: Meeting
    member: Member | None
    hello_frame: dict[str, Any]  # sent again, with the head's seq, after a long layer failure

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        """AsyncConsumer.__call__, but the channel layer is read through `_layer_receive`, so a
        Redis outage does not kill the connection (channels lets the layer's error end it)."""
        self.scope = scope
        self.channel_layer = get_channel_layer(self.channel_layer_alias)
        self.channel_name = await self.channel_layer.new_channel()
        self.channel_receive = self._layer_receive
        self.base_send = send
        self.accepted = False
        self.resync: asyncio.Task[None] | None = None
        self.forwarded = 0  # the last event seq passed on to the page
        # Commands run one after another in their own task, so that while one waits for the
        # database this connection keeps taking events off the channel layer. (Handled inside
        # the dispatch loop, a burst of ballots stopped every connection from reading, events
        # piled up past the layer's capacity and the last ones were dropped for everyone.)
        self.commands: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.worker: asyncio.Task[None] | None = None
        try:
            await await_many_dispatch([receive, self._layer_receive], self.dispatch)
        except StopConsumer:
            pass
        except BaseException:
            # Ended by an error, or cancelled, rather than by the client closing: `disconnect`
            # has not run, and without it the member would show as present for good.
            await self._disconnect_after_error()
            raise
        finally:
            for task in (self.resync, self.worker):
                if task is not None:
                    task.cancel()
            self.stop_following_session()
            # Ended without `disconnect` (the consumer raised): the presence closes all the same.
            self._depart(timezone.now())

    async def _disconnect_after_error(self) -> None:
        try:
            await self.disconnect(code=1011)
        except Exception:
            logger.exception("a failed meeting connection's departure was not written")

    async def dispatch(self, message: dict[str, Any]) -> None:
        """Channels (4.2 and later) runs `close_old_connections` before every message, in the
        database thread: with one such thread per daphne, each event to a 300-member meeting was
        300 hops into that thread, waiting behind the ballots there (docs/benchmarks.md). An
        event or an incoming frame touches no database here (commands go to `_work`, whose
        `database_sync_to_async` calls close old connections themselves), so they skip it."""
        if message["type"] == "meeting.event":
            await self.meeting_event(message)
        elif message["type"] == "websocket.receive":
            try:
                await self.websocket_receive(message)
            except Exception:
                # Every frame gets an answer; the connection (and the member's presence) stays.
                logger.exception("a frame on a meeting connection could not be read")
                await self._deliver(await self.encode_json(protocol.server_error(None)))
        else:
            await super().dispatch(message)

    async def _layer_receive(self) -> Any:
        """The next message from the channel layer for this connection.

        Redis only carries events; PostgreSQL holds the truth. When Redis fails, the socket stays
        open and commands are still answered, but no events arrive; once Redis answers again
        the connection joins its group again (a restarted Redis has forgotten it), reads the
        layer again and sends the page the events it missed, from the log (docs/protocol.md,
        Reconnecting). No socket closes: a Redis restart costs no handshake and no presence
        write (closing every socket made 300 pages reconnect through one Daphne's database
        thread: 39 s, docs/benchmarks.md)."""
        try:
            return await self.channel_layer.receive(self.channel_name)
        except Exception as error:
            self._layer_failed(error)
            self.layer_back = asyncio.get_running_loop().create_future()
            return await self.layer_back  # resolved when Redis is back; cancelled on exit

    def _layer_failed(self, error: Exception) -> None:
        if self.resync is None:
            logger.warning(
                "channel layer failed on a meeting connection (resync follows): %s", error
            )
            self.resync = asyncio.create_task(self._resync_when_layer_returns())

    async def _resync_when_layer_returns(self) -> None:
        delay = resync.LAYER_RETRY_FIRST
        while True:
            # The first connection of this process to get through wakes all the others.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(resync.layer_returned().wait(), delay)
            delay = min(delay * 2, resync.LAYER_RETRY_MAX)
            if not self.accepted:
                continue  # connect() is still running (or refused: this task ends with it)
            try:
                await self.channel_layer.group_add(self.group, self.channel_name)
            except Exception:  # noqa: S112 - still down: try again
                continue
            resync.announce_layer_returned()
            break
        joined = time.monotonic()
        self.resync = None  # a later failure starts another
        back = getattr(self, "layer_back", None)
        if back is not None and not back.done():
            back.set_result({"type": "meeting.layer_back"})
        # Events sent meanwhile were lost: the page gets them from the log, as they were sent
        # live, after the last one this connection passed on (read once for all the meeting's
        # connections here). Further behind, a new hello: the page loads the snapshot.
        after = max(self.forwarded, self.hello_frame["seq"])
        try:
            missed = await resync.missed_since(self.meeting_id, after, joined)
        except Exception:
            logger.exception("the events missed during a channel layer failure were not read")
            missed = None
        if missed is None:
            seq, _ = await database_sync_to_async(head_of)(self.meeting_id)
            await self._deliver(await self.encode_json({**self.hello_frame, "seq": seq}))
            return
        for text in missed:
            await self._deliver(text)

    async def connect(self) -> None:
        user = await verified_user_from_scope(self.scope)
        if user is None:
            await refuse(self, CLOSE_UNVERIFIED)
            return
        self.user = user
        if not await asyncio.to_thread(throttle.allow_connect, user.pk):
            await refuse(self, CLOSE_THROTTLED)
            return
        self.meeting_id = int(self.scope["url_route"]["kwargs"]["meeting_id"])
        # The group first: every event after the snapshot built below reaches this connection
        # (held in the layer, and forwarded once accepted; those the snapshot has, the page skips).
        self.group = events.group_name(self.meeting_id)
        try:
            await self.channel_layer.group_add(self.group, self.channel_name)
        except Exception as error:
            self._layer_failed(error)  # in the room without events until Redis is back
        held = protocol.held_seq(self.scope.get("query_string", b""))
        try:
            hello, following = await database_sync_to_async(self._hello)(held)
        except Http404:
            await self._leave_group()
            await refuse(self, CLOSE_NOT_FOUND)
            return
        if not await self._arrive():
            # Not written (logged): refused, so the page tries again rather than sitting in the
            # room without being counted present.
            await self.close(code=CLOSE_RESYNC)
            return
        await self.accept()
        self.accepted = True
        self.counted = True
        metrics.connection_opened(self.meeting_id)
        await self.follow_session(self.user)
        # What the page needs comes with the hello, unasked (`snapshot_follows`, `events_follow`):
        # each page asking for it queued one more trip to the database thread behind the
        # handshakes still arriving.
        await self.send_json(hello)
        for text in following:
            await self._deliver(text)
        self.worker = asyncio.create_task(self._work())

    async def _leave_group(self) -> None:
        """Out of the meeting's group before a refusal: no event reaches a refused socket."""
        group = self.__dict__.pop("group", None)
        if group is not None:
            with contextlib.suppress(Exception):  # Redis down: the entry expires with the group
                await self.channel_layer.group_discard(group, self.channel_name)

    async def _arrive(self) -> bool:
        """A member of the roll is present before the socket is accepted (issue 14, defect 11),
        written with the other arrivals of the moment (meetings.intake); a meeting not yet
        started makes them present when it starts. False when the write failed."""
        if not self.on_roll:
            return True
        self.arrived = True  # from here on, however the connection ends, it departs
        assert self.member is not None  # noqa: S101 -- on the roll: _hello found the member
        server = await leases.hold(self.channel_name, self.meeting_id, self.member.pk)
        written = await intake.arrive(
            self.meeting_id, self.member.pk, self.channel_name, timezone.now(), server
        )
        if not written:
            self._depart(timezone.now())
        return written

    def _depart(self, at: datetime.datetime) -> asyncio.Future[bool] | None:
        """Closes the connection's presence at `at`, once; the write goes on in its batch's
        task even if this consumer is cancelled meanwhile."""
        if not getattr(self, "arrived", False):
            return None
        self.arrived = False
        leases.release(self.channel_name)
        return intake.depart(self.meeting_id, self.channel_name, at)

    def _hello(self, held: int | None) -> tuple[dict[str, Any], list[str]]:
        """The hello and what the page needs after it, in one trip to the database thread: the
        session was checked by `connect` and the access here, just now, so neither needs a
        check of its own (the `snapshot` and `events` commands check both). A page that holds
        the state at `held` (back after a moment away) gets the events it missed, as they were
        sent live; a new page, or one further behind, its snapshot."""
        meeting = access_room(self.user, self.meeting_id)
        who = participant(meeting, self.user)
        self.meeting, self.member = meeting, who.member
        self.on_roll = who.on_roll and who.member is not None
        self.access_checked = time.monotonic()
        you = {"member": who.member.pk if who.member else None, "roles": who.roles}
        missed = events_after(meeting.pk, held) if held is not None else None
        if missed is not None:
            seq, frames = missed
            self.hello_frame = {"type": "hello", "meeting": meeting.pk, "seq": seq, "you": you}
            return {**self.hello_frame, "events_follow": len(frames)}, frames
        head = head_of(meeting.pk)
        self.hello_frame = {"type": "hello", "meeting": meeting.pk, "seq": head[0], "you": you}
        snapshot = snapshot_frame(meeting, who.member, None, head)
        return {**self.hello_frame, "snapshot_follows": True}, [snapshot]

    @classmethod
    def session_refusals(cls, sockets: list[Any]) -> list[tuple[int | None, float]]:
        """Also closed (4404) when the member may no longer see the meeting: moved off the roll
        (for a process's sockets together: meetings.access.still_visible)."""
        answers = super().session_refusals(sockets)
        seeing = [s for s, (refusal, _) in zip(sockets, answers, strict=True) if refusal is None]
        visible = still_visible([(s.user, s.meeting_id) for s in seeing])
        checked = time.monotonic()
        for socket in seeing:
            if (socket.user.pk, socket.meeting_id) in visible:
                socket.access_checked = checked  # a snapshot need not ask again (_check_access)
        return [
            (CLOSE_NOT_FOUND, left)
            if refusal is None and (s.user.pk, s.meeting_id) not in visible
            else (refusal, left)
            for s, (refusal, left) in zip(sockets, answers, strict=True)
        ]

    async def session_refused(self, code: int) -> None:
        """The session ended (4401: expired, password changed): the member's voice and picture in
        this meeting end too, in a worker thread (Janus may be slow; the room's database thread
        and the event loop are shared). 4404 (off the roll) is `follow_roll`'s."""
        if code == CLOSE_UNVERIFIED and self.on_roll and media.configured():
            assert self.member is not None  # noqa: S101 -- on the roll: _hello found the member
            await asyncio.to_thread(media.session_ended_in, self.meeting, self.member.pk)

    def _check_access(self) -> None:
        """Still allowed to see the meeting (the read itself was logged at connect). Checked
        again at most every ACCESS_RECHECK_SECONDS: after each event every page of a meeting
        may ask for a snapshot, and this check was half the cost of answering one. A member of
        the meeting's cell is decided from their own row (`still_sees`), and the process's
        periodic re-check of its sockets (`session_refusals`) counts as a check."""
        if time.monotonic() - self.access_checked < ACCESS_RECHECK_SECONDS:
            return
        if not still_sees(self.user, self.meeting):
            raise Http404
        self.access_checked = time.monotonic()

    async def disconnect(self, code: int) -> None:
        if getattr(self, "counted", False):
            self.counted = False
            metrics.connection_closed(self.meeting_id)
        if hasattr(self, "group"):
            left_at = timezone.now()
            try:
                await self.channel_layer.group_discard(self.group, self.channel_name)
            except Exception as error:
                # Redis is down: the entry goes with a restart, or expires with the group.
                logger.warning("could not leave the meeting group: %s", error)
            departed = self._depart(left_at)
            if departed is not None:
                await departed

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        try:
            message = protocol.parse(text_data)
        except protocol.ProtocolError as error:
            await self.send_json(error.frame())
            return
        if self.commands.qsize() >= MAX_PENDING_COMMANDS:
            await self.send_json(
                protocol.ProtocolError(
                    "busy",
                    _("Quá nhiều yêu cầu đang chờ xử lý; hãy đợi giây lát rồi gửi lại."),
                    message_id=message["id"],
                ).frame()
            )
            return
        self.commands.put_nowait(message)

    async def _work(self) -> None:
        """Answers the connection's commands in the order they came."""
        while True:
            message = await self.commands.get()
            started = time.monotonic()
            try:
                frame = await self._answer(message)
            except Exception:
                logger.exception("live room command %s failed", message["type"])
                frame = protocol.server_error(message["id"])
            # The type is one of protocol.COMMANDS (parse refused any other): a bounded label.
            metrics.COMMANDS.labels(type=message["type"]).inc()
            metrics.COMMAND_SECONDS.labels(type=message["type"]).observe(time.monotonic() - started)
            # A snapshot comes encoded already.
            await self._deliver(frame if isinstance(frame, str) else await self.encode_json(frame))

    async def _deliver(self, text: str) -> None:
        """Sends a frame. A socket the client is closing drops it (daphne raises "Attempt to
        send on a closed protocol" until it has seen the close): raised here, it ended the
        consumer before its `disconnect`, so the member's leave time was never written."""
        try:
            await self.send(text_data=text)
        except Exception as error:
            logger.info("frame for a closing meeting connection dropped: %s", error)

    async def _answer(self, message: dict[str, Any]) -> dict[str, Any] | str:
        """The answer to one command. Its fields are checked first, here: a malformed command
        is refused without a trip to the database thread (fuzzed, each such trip queued the
        connection's next commands behind a session check that led nowhere)."""
        try:
            call = protocol.arguments(message) if message["type"] in protocol.COMMANDS else None
        except protocol.ProtocolError as error:
            return error.frame()
        if message["type"] == "events":
            try:
                after = protocol.catch_up_after(message)
            except protocol.ProtocolError as error:
                return error.frame()
            return await command_threads.run_for_meeting(
                self.meeting_id, self._catch_up, message["id"], after
            )
        if message["type"] == "ballot.cast" and call is not None:
            # A ballot goes in with the others of the same moment (meetings.intake).
            return await intake.cast_ballot(
                self.scope, self.user, self.meeting_id, message["id"], call[1]
            )
        # In the meeting's command thread, beside the database thread (meetings/command_threads).
        return await command_threads.run_for_meeting(self.meeting_id, self._handle, message, call)

    def _handle(
        self, message: dict[str, Any], call: tuple[Callable[..., Any], dict[str, Any]] | None
    ) -> dict[str, Any] | str:
        message_id = message["id"]
        renew = message["type"] == "ping"
        if not session_still_verified(self.scope, self.user, renew=renew):
            return protocol.unverified(message_id)
        if message["type"] == "ping":
            return protocol.ack(message_id, {})
        try:
            if message["type"] == "snapshot":
                self._check_access()
                return snapshot_frame(self.meeting, self.member, message_id)
            assert call is not None  # noqa: S101 -- a command: snapshot and ping were answered above
            service, kwargs = call
            result = service(meeting_id=self.meeting_id, actor=self.user, **kwargs)
        except RuleViolation as violation:
            return protocol.refusal(message_id, violation)
        except Http404:
            return protocol.not_found(message_id)
        except Exception:
            # Never a dropped connection: the client is told, the log keeps the details.
            logger.exception("live room command %s failed", message["type"])
            return protocol.server_error(message_id)
        return protocol.ack(message_id, result)

    def _catch_up(self, message_id: str, after: int) -> dict[str, Any] | str:
        """The events after `after`, as they were sent live, for a page that was away briefly;
        `too_far` when it missed more than room.CATCH_UP_MAX (it loads the snapshot then)."""
        if not session_still_verified(self.scope, self.user, renew=False):
            return protocol.unverified(message_id)
        try:
            self._check_access()
        except Http404:
            return protocol.not_found(message_id)
        found = events_after(self.meeting_id, after)
        if found is None:
            return {
                "type": "error",
                "id": message_id,
                "code": "too_far",
                "message": _("Trang đã lỡ nhiều diễn biến; đang tải lại toàn bộ phòng họp."),
            }
        head, frames = found
        return (
            f'{{"type":"ack","id":{json.dumps(message_id)},'
            f'"result":{{"seq":{head},"events":[{",".join(frames)}]}}}}'
        )

    async def meeting_layer_back(self, message: dict[str, Any]) -> None:
        """The layer reads again (see `_layer_receive`); the missed events are on their way."""

    async def meeting_event(self, message: dict[str, Any]) -> None:
        if not self.accepted:
            return  # joined the group before its checks, and refused (or not yet accepted)
        # The frame was encoded once by the sender (meetings.events.broadcast), not per client.
        self.forwarded = max(self.forwarded, message.get("seq") or 0)
        await self._deliver(message["text"])
