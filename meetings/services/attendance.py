"""Attendance in the live room: members join and leave online; the chair marks the room."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Case, DateTimeField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings import events
from meetings.enums import MeetingStatus
from meetings.errors import RuleViolation
from meetings.models import Attendance, Meeting, PresenceSpan
from meetings.models.attendance import AttendanceStatus, PresenceMode
from meetings.room import attendance_effect
from meetings.services.room import lock_meeting, participant, require_chair, require_in_progress
from members.models import User


def _payload(row: Attendance) -> dict[str, Any]:
    return {"member": row.member_id, "status": row.status, "mode": row.mode, "reason": row.reason}


def _event_payload(row: Attendance, meeting: Meeting) -> dict[str, Any]:
    """The change and what it does to quorum and the vote base (see room.attendance_effect)."""
    return _payload(row) | attendance_effect(meeting)


@transaction.atomic
def join(*, meeting_id: int, actor: User, connection: str) -> dict[str, Any] | None:
    """A member opened the room: present online from now (a second tab adds a span only), or,
    where the organisation requires it, once their voice and picture connect (`media_connected`).

    Returns None for guests and for meetings not in progress (nothing is recorded then).
    Effects: PresenceSpan; Attendance present/online on the first join; `attendance.changed`
    when the member's status changed.
    """
    meeting = lock_meeting(meeting_id)
    who = participant(meeting, actor)
    if meeting.status != MeetingStatus.IN_PROGRESS or not who.on_roll or who.member is None:
        return None
    row = Attendance.objects.get(meeting=meeting, member=who.member)
    now = timezone.now()
    PresenceSpan.objects.create(attendance=row, connection=connection, joined_at=now)
    if row.status == AttendanceStatus.PRESENT or media_required_for_presence(meeting):
        return _payload(row)
    return _present_online(meeting, row, actor, now)


def media_required_for_presence(meeting: Meeting) -> bool:
    """The organisation's choice (off by default): online, a member counts as present once their
    voice and picture are connected, not when the page opens (docs/media.md)."""
    from meetings.media import services as media
    from members.queries import effective_policy

    return media.configured() and effective_policy(meeting.cell).media_required_for_presence


@transaction.atomic
def media_connected(*, meeting_id: int, actor: User) -> dict[str, Any] | None:
    """The member's voice and picture are connected (meetings.media.services.published): present
    online now where the organisation requires it; nothing otherwise."""
    meeting = lock_meeting(meeting_id)
    who = participant(meeting, actor)
    if meeting.status != MeetingStatus.IN_PROGRESS or not who.on_roll or who.member is None:
        return None
    row = Attendance.objects.get(meeting=meeting, member=who.member)
    if row.status == AttendanceStatus.PRESENT or not media_required_for_presence(meeting):
        return _payload(row)
    return _present_online(meeting, row, actor, timezone.now())


def _present_online(
    meeting: Meeting, row: Attendance, actor: User, now: datetime.datetime
) -> dict[str, Any]:
    row.status = AttendanceStatus.PRESENT
    row.mode = row.mode or PresenceMode.ONLINE
    row.first_joined_at = row.first_joined_at or now
    row.save(update_fields=["status", "mode", "first_joined_at", "updated_at"])
    events.append_event(
        meeting=meeting,
        event=events.ATTENDANCE_CHANGED,
        payload=_event_payload(row, meeting),
        actor=actor,
    )
    return _payload(row)


@dataclass(frozen=True)
class Departure:
    meeting_id: int
    connection: str
    at: datetime.datetime  # when the connection closed (the write may come a little later)


@transaction.atomic
def leave_many(departures: list[Departure]) -> None:
    """Connections closed (one, or a meeting's pages closing together): each span is closed at
    the moment its own connection closed, in one UPDATE. The member stays on the roll as
    present: leaving and rejoining are kept as spans (for the minutes' join, leave and rejoin
    times), not as absences."""
    if not departures:
        return
    which = Q()
    for d in departures:
        which |= Q(attendance__meeting_id=d.meeting_id, connection=d.connection)
    closed_at = Case(
        *(When(connection=d.connection, then=Value(d.at)) for d in departures),
        output_field=DateTimeField(),
    )
    PresenceSpan.objects.filter(which, left_at=None).update(left_at=closed_at)


@transaction.atomic
def mark(
    *, meeting_id: int, actor: User, member_id: int, status: str, reason: str = ""
) -> dict[str, Any]:
    """The chair marks a member: present in the room (hybrid), or absent with or without reason.

    An absence with a reason needs the reason. Event `attendance.changed`.
    """
    meeting = lock_meeting(meeting_id)
    require_chair(participant(meeting, actor))
    require_in_progress(meeting)
    row = Attendance.objects.filter(meeting=meeting, member_id=member_id).first()
    if row is None:
        raise RuleViolation(_("Đồng chí này không có tên trong danh sách."), reason="not_found")
    if status not in AttendanceStatus.values:
        raise RuleViolation(_("Tình trạng có mặt không hợp lệ."), reason="bad_message")
    reason = reason.strip()
    if status == AttendanceStatus.ABSENT_WITH_REASON and not reason:
        raise RuleViolation(_("Hãy ghi lý do vắng mặt."), reason="reason_required", field="reason")
    row.status = status
    row.reason = reason if status != AttendanceStatus.PRESENT else ""
    if status == AttendanceStatus.PRESENT:
        row.mode = row.mode or PresenceMode.IN_ROOM
        row.first_joined_at = row.first_joined_at or timezone.now()
    row.save(update_fields=["status", "reason", "mode", "first_joined_at", "updated_at"])
    events.append_event(
        meeting=meeting,
        event=events.ATTENDANCE_CHANGED,
        payload=_event_payload(row, meeting),
        actor=actor,
    )
    return _payload(row)
