"""The meeting's event log and its broadcast. Only services call this module.

Every live change appends one `MeetingEvent` in the service's transaction and is broadcast to the
meeting's group only after that transaction commits, so a client never sees a change that was
rolled back, and a lost broadcast is recovered from the log (clients reload a snapshot on a gap).
"""

from __future__ import annotations

import asyncio
import datetime
import hashlib
import json
import logging
import os
from dataclasses import dataclass
from functools import partial
from typing import Any

from asgiref.sync import SyncToAsync, async_to_sync
from channels.layers import get_channel_layer
from django.db import connections, router, transaction
from django.utils import timezone

from config import metrics
from meetings.models import Meeting, MeetingEvent
from members.models import User

logger = logging.getLogger(__name__)
GENESIS = "0" * 64

MEETING_STARTED = "meeting.started"
MEETING_ENDED = "meeting.ended"
ATTENDANCE_CHANGED = "attendance.changed"
AGENDA_OPENED = "agenda.opened"
AGENDA_CLOSED = "agenda.closed"
FLOOR_REQUESTED = "floor.requested"
FLOOR_WITHDRAWN = "floor.withdrawn"
FLOOR_GRANTED = "floor.granted"
FLOOR_ENDED = "floor.ended"
FLOOR_REORDERED = "floor.reordered"
TURN_NOTED = "turn.noted"
VOTE_OPENED = "vote.opened"
BALLOT_COUNTED = "ballot.counted"
VOTE_CLOSED = "vote.closed"
BOARD_CHANGED = "board.changed"  # an encrypted secret ballot's board: its public state
VOTE_COUNTING = "vote.counting"  # an encrypted secret ballot closed: the board decrypts
VOTE_VOIDED = "vote.voided"  # an encrypted secret ballot its board could not count: annulled


def group_name(meeting_id: int) -> str:
    return f"meeting.{meeting_id}"


def canonical(payload: dict[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def chain_hash(previous: str, seq: int, event: str, payload: dict[str, Any]) -> str:
    text = f"{previous}|{seq}|{event}|{canonical(payload)}"
    return hashlib.sha256(text.encode()).hexdigest()


def append_event(
    *, meeting: Meeting, event: str, payload: dict[str, Any], actor: User | None
) -> MeetingEvent:
    """Appends the next event of `meeting` and schedules its broadcast after commit.

    Caller must hold the meeting row lock (select_for_update), which keeps `seq` gapless.
    """
    return append_events(meeting=meeting, entries=[(event, payload, actor)])[0]


def append_events(
    *, meeting: Meeting, entries: list[tuple[str, dict[str, Any], User | None]]
) -> list[MeetingEvent]:
    """`append_event` for several events of one change (a batch of ballots), in one INSERT.

    Caller must hold the meeting row lock (select_for_update), which keeps `seq` gapless.
    """
    now = timezone.now()
    known = _heads.get(meeting.pk)
    rows = _chained(meeting, known, entries, now) if known is not None else []
    if not rows or not _insert_after(known, rows):
        # The head is read from the log: the first event this process writes for the meeting,
        # or another process (or thread) wrote since.
        last = (
            MeetingEvent.objects.filter(meeting=meeting)
            .order_by("-seq")
            .values_list("seq", "hash")
            .first()
        )
        rows = _chained(meeting, last or (0, GENESIS), entries, now)
        MeetingEvent.objects.bulk_create(rows)
    appended = len(rows)
    head = (rows[-1].seq, rows[-1].hash)
    transaction.on_commit(partial(_remember_head, meeting.pk, head))
    transaction.on_commit(lambda: metrics.EVENTS.inc(appended))
    for row in rows:
        message = _message(row)
        transaction.on_commit(partial(broadcast, meeting.pk, message))
    return rows


# The last event of each meeting this process committed: (seq, hash). Only a hint: an append
# that starts from it checks, in its INSERT, that it is still the head of the log (the meeting's
# lock, held, keeps it so until commit); if not, the head is read as before. One round trip less
# on every command (docs/benchmarks.md, issue 17, fifth round).
_heads: dict[int, tuple[int, str]] = {}
HEADS_KEPT = 10_000  # meetings; beyond, the hints start again (a long-lived process stays small)


def _remember_head(meeting_id: int, head: tuple[int, str]) -> None:
    if len(_heads) >= HEADS_KEPT and meeting_id not in _heads:
        _heads.clear()
    _heads[meeting_id] = head


def _chained(
    meeting: Meeting,
    after: tuple[int, str],
    entries: list[tuple[str, dict[str, Any], User | None]],
    now: datetime.datetime,
) -> list[MeetingEvent]:
    seq, previous = after
    rows = []
    for event, payload, actor in entries:
        seq += 1
        previous = chain_hash(previous, seq, event, payload)
        rows.append(
            MeetingEvent(
                meeting=meeting,
                seq=seq,
                event=event,
                payload=payload,
                actor=actor,
                recorded_at=now,
                hash=previous,
            )
        )
    return rows


_INSERT_AFTER = """
INSERT INTO {table} (meeting_id, seq, event, payload, actor_id, recorded_at, hash)
SELECT v.meeting_id, v.seq, v.event, v.payload, v.actor_id, v.recorded_at, v.hash
FROM (VALUES {values}) AS v(meeting_id, seq, event, payload, actor_id, recorded_at, hash)
WHERE EXISTS (SELECT 1 FROM {table} WHERE meeting_id = %s AND seq = %s AND hash = %s)
AND NOT EXISTS (SELECT 1 FROM {table} WHERE meeting_id = %s AND seq > %s)
ORDER BY v.seq
RETURNING id
"""
_ROW = "(%s::bigint, %s::integer, %s::varchar, %s::jsonb, %s::bigint, %s::timestamptz, %s::varchar)"


def _insert_after(head: tuple[int, str] | None, rows: list[MeetingEvent]) -> bool:
    """Inserts `rows` if `head` is still the last event of their meeting, in one statement
    (PostgreSQL); False (nothing written) if it is not, or on another database."""
    connection = connections[router.db_for_write(MeetingEvent)]
    if head is None or connection.vendor != "postgresql":
        return False
    fields = {f.attname: f for f in MeetingEvent._meta.concrete_fields}
    columns = ("meeting_id", "seq", "event", "payload", "actor_id", "recorded_at", "hash")
    params: list[Any] = []
    for row in rows:
        params += [
            fields[c].get_db_prep_save(getattr(row, c), connection=connection) for c in columns
        ]
    meeting_id = rows[0].meeting_id
    params += [meeting_id, head[0], head[1], meeting_id, head[0]]
    query = _INSERT_AFTER.format(
        table=connection.ops.quote_name(MeetingEvent._meta.db_table),
        values=", ".join([_ROW] * len(rows)),
    )
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        ids = [found[0] for found in cursor.fetchall()]
    if not ids:
        return False
    for row, pk in zip(rows, ids, strict=True):
        row.pk = pk
        row._state.adding = False
        row._state.db = connection.alias
    return True


def _message(row: MeetingEvent) -> dict[str, Any]:
    frame = {"type": "event", "seq": row.seq, "event": row.event, "payload": row.payload}
    message = {
        "type": "meeting.event",
        "seq": row.seq,
        "event": row.event,
        "text": json.dumps(frame, ensure_ascii=False, separators=(",", ":")),
    }
    if row.event == BALLOT_COUNTED:
        message["final"] = row.payload["cast"] >= row.payload["eligible"]
        message["eligible"] = row.payload["eligible"]
    return message


def broadcast(meeting_id: int, message: dict[str, Any]) -> None:
    """Best effort: the change is already committed, and clients that miss this event see the
    gap in `seq` and reload a snapshot. A Redis outage must not turn a saved change into an
    error.

    Called in a database thread of the async server (a websocket command), the send is handed
    to the server's event loop and the thread goes on to the next command: waiting for it (as
    `async_to_sync` does) held the one database thread while the loop was busy handing a
    300-member meeting's events out (docs/benchmarks.md). Hand-overs keep their order: the loop
    starts them first come, first served, and `_send` keeps that order per meeting."""
    layer = get_channel_layer()
    if layer is None:
        return
    loop = _server_loop()
    if loop is not None and loop.is_running():
        loop.call_soon_threadsafe(_start, layer, meeting_id, message)
        return
    if loop is not None and not loop.is_closed():
        # The server is stopping: its loop has stopped while this thread was still writing (the
        # departures of the sockets Daphne closed). Waiting for that loop, as `async_to_sync`
        # does, never returned and the process never exited. The pages learn it from the log.
        logger.info(
            "event %s of meeting %s not sent: the server is stopping", message["seq"], meeting_id
        )
        return
    try:
        async_to_sync(_send)(layer, meeting_id, message)
    except Exception:
        logger.exception("broadcast of event %s to meeting %s failed", message["seq"], meeting_id)


def _server_loop() -> asyncio.AbstractEventLoop | None:
    """The event loop whose `sync_to_async` call this thread is serving (or last served: a loop
    that has stopped, or closed), if any."""
    loop = getattr(SyncToAsync.threadlocal, "main_event_loop", None)
    if loop is None or getattr(SyncToAsync.threadlocal, "main_event_loop_pid", None) != os.getpid():
        return None
    return loop


def _start(layer: Any, meeting_id: int, message: dict[str, Any]) -> None:
    task = asyncio.get_running_loop().create_task(_send_logged(layer, meeting_id, message))
    _flushes.add(task)
    task.add_done_callback(_flushes.discard)


async def _send_logged(layer: Any, meeting_id: int, message: dict[str, Any]) -> None:
    try:
        await _send(layer, meeting_id, message)
    except Exception:
        logger.exception("broadcast of event %s to meeting %s failed", message["seq"], meeting_id)


# Ballot counts are sent to a meeting's pages at most once per COUNT_INTERVAL from each
# process: the first at once, the ones after it as one message standing for all of them
# (`covers`: the first seq it stands for), the final count (cast = eligible) and any other event
# without waiting. Every count is still in the log; only superseded counts are not sent. A
# 300-member burst was 90 000 messages for Channels to hand to consumers one by one (about
# 0.5 ms each here, docs/benchmarks.md); this makes it a few thousand. The interval grows with
# the vote (2 ms a voter: 0.6 s for 300), as each count costs every page of the process a
# dispatch: at 0.2 s, a 300-member meeting's counts alone kept daphne's loop most of the time
# busy, and the final count waited behind them.
COUNT_INTERVAL = 0.2
COUNT_INTERVAL_PER_VOTER = 0.002


def _count_interval(message: dict[str, Any]) -> float:
    return max(COUNT_INTERVAL, COUNT_INTERVAL_PER_VOTER * message["eligible"])


@dataclass
class _CountWindow:
    until: float
    interval: float
    pending: dict[str, Any] | None = None
    first: int | None = None


_windows: dict[tuple[int, int], _CountWindow] = {}  # (event loop id, meeting id) → window
# One lock per (loop, meeting): the meeting's messages leave in the order they were handed over
# (a held-back count before the final one that follows it).
_locks: dict[tuple[int, int], asyncio.Lock] = {}
_flushes: set[asyncio.Task[None]] = set()  # the loop keeps only weak references to tasks


async def _send(layer: Any, meeting_id: int, message: dict[str, Any]) -> None:
    """Sends, holds back or folds one message. Decided under the meeting's lock, in the order
    the messages were handed over: decided before it, a count held back while an earlier one
    waited for the lock left first, and pages saw a gap (docs/benchmarks.md, live room)."""
    loop = asyncio.get_running_loop()
    key = (id(loop), meeting_id)
    async with _locks.setdefault(key, asyncio.Lock()):
        window = _windows.get(key)
        if message["event"] == BALLOT_COUNTED and not message["final"]:
            if window is not None and loop.time() < window.until:
                window.first = window.first or message["seq"]
                window.pending = message
                return
            interval = _count_interval(message)
            if window is None:
                _windows[key] = _CountWindow(until=loop.time() + interval, interval=interval)
                loop.call_later(interval, _trailing, layer, meeting_id, key)
            else:
                # The window ended but the loop, busy, has not run its timer yet (it stays armed
                # while the window exists): the count it holds is sent first, not dropped.
                window.until = loop.time() + interval
        await _flush(layer, meeting_id, key)
        await layer.group_send(group_name(meeting_id), message)


def _trailing(layer: Any, meeting_id: int, key: tuple[int, int]) -> None:
    """At the end of a window: send the count it held back, and keep holding for one more."""
    window = _windows.get(key)
    if window is None:
        return
    if window.pending is None:
        del _windows[key]
        lock = _locks.get(key)
        if lock is not None and not lock.locked():
            del _locks[key]
        return
    loop = asyncio.get_running_loop()
    window.until = loop.time() + window.interval
    loop.call_later(window.interval, _trailing, layer, meeting_id, key)
    task = loop.create_task(_flush_locked(layer, meeting_id, key))
    _flushes.add(task)
    task.add_done_callback(_flushes.discard)


async def _flush_locked(layer: Any, meeting_id: int, key: tuple[int, int]) -> None:
    window = _windows.get(key)
    seq = window.pending["seq"] if window is not None and window.pending else None
    try:
        async with _locks.setdefault(key, asyncio.Lock()):
            await _flush(layer, meeting_id, key)
    except Exception:
        logger.exception("broadcast of event %s to meeting %s failed", seq, meeting_id)


async def _flush(layer: Any, meeting_id: int, key: tuple[int, int]) -> None:
    """Sends the count held back, standing for the counts since `first`. Under the lock."""
    window = _windows.get(key)
    if window is None or window.pending is None:
        return
    message, first = window.pending, window.first
    window.pending = window.first = None
    if first is not None and first < message["seq"]:
        message = message | {"text": f'{{"covers":{first},{message["text"][1:]}'}
    await layer.group_send(group_name(meeting_id), message)


def verify_chain(meeting: Meeting) -> str | None:
    """The head hash if every event's hash checks out and numbers run 1, 2, 3 …; else None."""
    previous = GENESIS
    for expected_seq, row in enumerate(MeetingEvent.objects.filter(meeting=meeting), start=1):
        if row.seq != expected_seq:
            return None
        if chain_hash(previous, row.seq, row.event, row.payload) != row.hash:
            return None
        previous = row.hash
    return previous
