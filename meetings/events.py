"""The meeting's event log and its broadcast. Only services call this module.

Every live change appends one `MeetingEvent` in the service's transaction and is broadcast to the
meeting's group only after that transaction commits, so a client never sees a change that was
rolled back, and a lost broadcast is recovered from the log (clients reload a snapshot on a gap).
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.utils import timezone

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
    last = MeetingEvent.objects.filter(meeting=meeting).order_by("-seq").first()
    seq = 1 if last is None else last.seq + 1
    row = MeetingEvent.objects.create(
        meeting=meeting,
        seq=seq,
        event=event,
        payload=payload,
        actor=actor,
        recorded_at=timezone.now(),
        hash=chain_hash(GENESIS if last is None else last.hash, seq, event, payload),
    )
    frame = {"type": "event", "seq": seq, "event": event, "payload": payload}
    message = {
        "type": "meeting.event",
        "seq": seq,
        "event": event,
        "text": json.dumps(frame, ensure_ascii=False, separators=(",", ":")),
    }
    transaction.on_commit(lambda: broadcast(meeting.pk, message))
    return row


def broadcast(meeting_id: int, message: dict[str, Any]) -> None:
    """Best effort: the change is already committed, and clients that miss this event see the
    gap in `seq` and reload a snapshot. A Redis outage must not turn a saved change into an
    error."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group_name(meeting_id), message)
    except Exception:
        logger.exception("broadcast of event %s to meeting %s failed", message["seq"], meeting_id)


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
