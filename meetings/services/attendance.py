"""Attendance in the live room: members arrive and leave online; the chair marks the room."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Case, DateTimeField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings import events
from meetings.enums import MeetingStatus
from meetings.errors import RuleViolation
from meetings.media.janus import configured
from meetings.models import (
    Attendance,
    Meeting,
    PresenceLease,
    PresenceSpan,
    WaitingConnection,
)
from meetings.models.attendance import AttendanceStatus, PresenceMode
from meetings.queries import on_roll
from meetings.room import attendance_effect, left_early, online_members
from meetings.services.participants import (
    lock_meeting,
    participant,
    require_chair,
    require_in_progress,
)
from members.models import User
from members.queries import effective_policy

logger = logging.getLogger(__name__)


def _payload(row: Attendance) -> dict[str, Any]:
    return {
        "member": row.member_id,
        "status": row.status,
        "mode": row.mode,
        "reason": row.reason,
        "left_early": left_early(row),
    }


@dataclass(frozen=True)
class Arrival:
    """A member of the roll whose connection to the room was accepted at `at`."""

    meeting_id: int
    member_id: int
    connection: str
    at: datetime.datetime
    server: str = ""  # the server process holding the connection (meetings.leases)


@dataclass(frozen=True)
class Departure:
    meeting_id: int
    connection: str
    at: datetime.datetime  # when the connection closed (the write may come a little later)


def join(*, meeting_id: int, actor: User, connection: str) -> dict[str, Any] | None:
    """One member opened the room (see `record_presence`); None for someone not on the roll."""
    meeting = Meeting.objects.get(pk=meeting_id)
    who = participant(meeting, actor)
    if not who.on_roll or who.member is None:
        return None
    arrival = Arrival(meeting_id, who.member.pk, connection, timezone.now())
    record_presence([arrival])
    row = Attendance.objects.filter(meeting_id=meeting_id, member=who.member).first()
    return _payload(row) if row is not None else None


def record_presence(
    changes: Iterable[Arrival | Departure], *, announce_connected: bool = True
) -> set[int]:
    """Connections accepted and closed (one, or a meeting's members arriving or leaving
    together), written per meeting in one go: the meeting locked once, the spans opened and
    closed in bulk, the roll and the charter's assessment computed once, and at most one
    `attendance.changed` event for all of them (when a line of the roll changed). Each meeting
    in a savepoint of its own, so one that fails does not take the others with it; returns the
    meetings that failed (logged), so their connections can be told.

    In a meeting in progress an arrival opens a presence span and makes the member present
    online (leaving and rejoining are kept as spans, for the minutes, not as absences: the
    member stays present). Before the start an arrival waits (WaitingConnection) and the start
    makes it present. A departure closes the span at the moment its connection closed.

    `announce_connected` False: a change in who is connected alone appends no event (a server
    releasing its connections as it exits: there is no event loop left to send it on, and
    sending it there kept the process from exiting; the pages learn it with their next
    snapshot, as they learn of a server killed outright)."""
    by_meeting: dict[int, list[Arrival | Departure]] = {}
    for change in changes:
        by_meeting.setdefault(change.meeting_id, []).append(change)
    failed = set()
    for meeting_id, of_meeting in by_meeting.items():
        try:
            with transaction.atomic():
                _record_meeting_presence(meeting_id, of_meeting, announce_connected)
        except Exception:
            logger.exception("presence of meeting %s not recorded", meeting_id)
            failed.add(meeting_id)
    return failed


def _record_meeting_presence(
    meeting_id: int, changes: list[Arrival | Departure], announce_connected: bool
) -> None:
    meeting = Meeting.objects.select_for_update().filter(pk=meeting_id).first()
    if meeting is None:
        return
    arrivals = [c for c in changes if isinstance(c, Arrival)]
    departures = [c for c in changes if isinstance(c, Departure)]
    if meeting.status != MeetingStatus.IN_PROGRESS:
        _wait_or_leave(meeting, arrivals, departures)
        return
    online_before = online_members(meeting) if announce_connected else None
    rows = {
        row.member_id: row
        for row in Attendance.objects.filter(
            meeting=meeting, member_id__in={a.member_id for a in arrivals}
        )
    }
    arrived = [a for a in arrivals if a.member_id in rows]
    PresenceSpan.objects.bulk_create(
        PresenceSpan(
            attendance=rows[a.member_id], connection=a.connection, server=a.server, joined_at=a.at
        )
        for a in arrived
    )
    changed: dict[int, Attendance] = {}
    # Where the organisation requires voice and picture, the span is kept but presence waits
    # for `media_connected`.
    awaits_media = bool(arrived) and media_required_for_presence(meeting)
    for a in arrived:
        row = rows[a.member_id]
        if row.status != AttendanceStatus.PRESENT and not awaits_media:
            _make_present(row, a.at)
            changed[row.member_id] = row
    if changed:
        now = timezone.now()
        for row in changed.values():
            row.updated_at = now
        Attendance.objects.bulk_update(
            changed.values(), ["status", "mode", "reason", "first_joined_at", "updated_at"]
        )
    close_spans(departures)
    # Connections coming and going change no line of the roll (leaving is not an absence): they
    # are spans for the minutes. Only when who is connected changes (a member's last page
    # closed, or their first opened again) do the pages hear of it, in the same event with no
    # lines, so that "(không kết nối)" follows at once; a second tab, or a page reconnecting
    # before its old connection is written as gone, tells nobody.
    online = online_members(meeting) if changed or announce_connected else None
    if changed or online != online_before:
        events.append_event(
            meeting=meeting,
            event=events.ATTENDANCE_CHANGED,
            payload=changes_payload(meeting, list(changed.values()), online),
            actor=None,
        )


def _wait_or_leave(meeting: Meeting, arrivals: list[Arrival], departures: list[Departure]) -> None:
    """Before the start, connections wait to be made present by it; after the end (or in a
    meeting that will not take place) nothing is recorded but the close of spans still open."""
    if arrivals and meeting.status in (
        MeetingStatus.DRAFT,
        MeetingStatus.SCHEDULED,
        MeetingStatus.POSTPONED,
    ):
        WaitingConnection.objects.bulk_create(
            (
                WaitingConnection(
                    meeting=meeting,
                    member_id=a.member_id,
                    connection=a.connection,
                    server=a.server,
                    since=a.at,
                )
                for a in arrivals
            ),
            ignore_conflicts=True,
        )
    close_spans(departures)


def media_required_for_presence(meeting: Meeting) -> bool:
    """The organisation's choice (off by default): online, a member counts as present once their
    voice and picture are connected, not when the page opens (docs/media.md)."""
    return configured() and effective_policy(meeting.cell).media_required_for_presence


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
    _make_present(row, timezone.now())
    row.save(update_fields=["status", "mode", "reason", "first_joined_at", "updated_at"])
    events.append_event(
        meeting=meeting,
        event=events.ATTENDANCE_CHANGED,
        payload=changes_payload(meeting, [row], online_members(meeting)),
        actor=actor,
    )
    return _payload(row)


def _make_present(row: Attendance, at: datetime.datetime) -> None:
    row.status = AttendanceStatus.PRESENT
    row.mode = row.mode or PresenceMode.ONLINE
    row.reason = ""
    row.first_joined_at = row.first_joined_at or at


def close_spans(departures: list[Departure]) -> None:
    """Each connection's span closed at the moment it closed, in one UPDATE; a connection still
    waiting for the start stops waiting."""
    if not departures:
        return
    WaitingConnection.objects.filter(connection__in=[d.connection for d in departures]).delete()
    which = Q()
    for d in departures:
        which |= Q(attendance__meeting_id=d.meeting_id, connection=d.connection)
    closed_at = Case(
        *(When(connection=d.connection, then=Value(d.at)) for d in departures),
        output_field=DateTimeField(),
    )
    PresenceSpan.objects.filter(which, left_at=None).update(left_at=closed_at)


def present_waiting(meeting: Meeting, at: datetime.datetime) -> list[Attendance]:
    """The meeting starts: every member of the roll waiting in the room is present online from
    `at`, each connection a span. Called with the meeting locked, right after the roll is
    written; returns the rows that became present."""
    waiting = list(WaitingConnection.objects.filter(meeting=meeting))
    rows = {
        row.member_id: row
        for row in Attendance.objects.filter(
            meeting=meeting, member_id__in={w.member_id for w in waiting}
        )
    }
    PresenceSpan.objects.bulk_create(
        PresenceSpan(
            attendance=rows[w.member_id], connection=w.connection, server=w.server, joined_at=at
        )
        for w in waiting
        if w.member_id in rows
    )
    WaitingConnection.objects.filter(meeting=meeting).delete()
    if media_required_for_presence(meeting):
        return []  # present once their voice and picture connect (`media_connected`)
    for row in rows.values():
        row.status, row.mode, row.reason = AttendanceStatus.PRESENT, PresenceMode.ONLINE, ""
        row.first_joined_at = at
        row.updated_at = at
    Attendance.objects.bulk_update(
        rows.values(), ["status", "mode", "reason", "first_joined_at", "updated_at"]
    )
    return list(rows.values())


def changes_payload(
    meeting: Meeting, rows: list[Attendance], online: list[int] | None = None
) -> dict[str, Any]:
    """`attendance.changed`: the rows that changed, who is online now (after arrivals and
    departures; not after the chair's marks), and what
    it all does to quorum and the vote base (see room.attendance_effect)."""
    payload: dict[str, Any] = {"changes": [_payload(row) for row in rows]}
    if online is not None:
        payload["online"] = online
    return payload | attendance_effect(meeting)


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
    row = (
        Attendance.objects.filter(meeting=meeting, member_id=member_id)
        .select_related("member")
        .first()
    )
    if row is None:
        raise RuleViolation(_("Đồng chí này không có tên trong danh sách."), reason="not_found")
    if not on_roll(row.member, meeting):
        # Left the cell since the page loaded (as mark_many): the line keeps what it said.
        raise RuleViolation(
            _("%(name)s không còn sinh hoạt ở chi bộ này: chưa đánh dấu.")
            % {"name": row.member.full_name},
            reason="not_on_roll",
        )
    if status not in AttendanceStatus.values:
        raise RuleViolation(_("Tình trạng có mặt không hợp lệ."), reason="bad_message")
    reason = reason.strip()
    if status == AttendanceStatus.ABSENT_WITH_REASON and not reason:
        raise RuleViolation(_("Hãy ghi lý do vắng mặt."), reason="reason_required", field="reason")
    _set_status(row, status, reason, timezone.now())
    row.save(update_fields=["status", "reason", "mode", "first_joined_at", "updated_at"])
    events.append_event(
        meeting=meeting,
        event=events.ATTENDANCE_CHANGED,
        payload=changes_payload(meeting, [row]),
        actor=actor,
    )
    return _payload(row)


@transaction.atomic
def mark_many(
    *, meeting_id: int, actor: User, member_ids: list[int], status: str, reason: str = ""
) -> dict[str, Any]:
    """The chair marks several members at once (the console's dialog): all of them or none.

    Every member must still be on the roll (a member who left the cell since the page loaded is
    refused by name, and nobody's line changes). One `attendance.changed` for all of them.
    """
    meeting = lock_meeting(meeting_id)
    require_chair(participant(meeting, actor))
    require_in_progress(meeting)
    ids = list(dict.fromkeys(member_ids))
    if not ids:
        raise RuleViolation(
            _("Hãy chọn ít nhất một đồng chí."), reason="bad_message", field="members"
        )
    if status not in AttendanceStatus.values:
        raise RuleViolation(_("Tình trạng có mặt không hợp lệ."), reason="bad_message")
    reason = reason.strip()
    if status == AttendanceStatus.ABSENT_WITH_REASON and not reason:
        raise RuleViolation(_("Hãy ghi lý do vắng mặt."), reason="reason_required", field="reason")
    rows = {
        row.member_id: row
        for row in Attendance.objects.filter(meeting=meeting, member_id__in=ids).select_related(
            "member"
        )
    }
    if len(rows) < len(ids):
        raise RuleViolation(_("Đồng chí này không có tên trong danh sách."), reason="not_found")
    gone = [rows[i].member for i in ids if not on_roll(rows[i].member, meeting)]
    if gone:
        raise RuleViolation(
            _(
                "%(names)s không còn sinh hoạt ở chi bộ này: chưa đánh dấu ai. Hãy bỏ chọn"
                " rồi lưu lại."
            )
            % {"names": ", ".join(m.full_name for m in gone)},
            reason="not_on_roll",
            field="members",
        )
    now = timezone.now()
    for row in rows.values():
        _set_status(row, status, reason, now)
    Attendance.objects.bulk_update(
        rows.values(), ["status", "reason", "mode", "first_joined_at", "updated_at"]
    )
    ordered = [rows[i] for i in ids]
    events.append_event(
        meeting=meeting,
        event=events.ATTENDANCE_CHANGED,
        payload=changes_payload(meeting, ordered),
        actor=actor,
    )
    return {"changes": [_payload(row) for row in ordered]}


def _set_status(row: Attendance, status: str, reason: str, now: datetime.datetime) -> None:
    row.status = status
    row.reason = reason if status != AttendanceStatus.PRESENT else ""
    if status == AttendanceStatus.PRESENT:
        row.mode = row.mode or PresenceMode.IN_ROOM
        row.first_joined_at = row.first_joined_at or now
    row.updated_at = now


def renew_lease(*, server: str, lease_seconds: float) -> bool:
    """`server` is alive and holds its connections for `lease_seconds` more; the spans of servers
    whose lease ran out are closed meanwhile (`sweep_expired_leases`). False when the lease was
    gone (swept while this server could not renew it): its connections' spans were closed, and
    the caller records them again."""
    now = timezone.now()
    renewed = PresenceLease.objects.filter(server=server).update(renewed_at=now)
    if not renewed:
        PresenceLease.objects.create(server=server, renewed_at=now)
    sweep_expired_leases(lease_seconds=lease_seconds, now=now)
    return bool(renewed)


def sweep_expired_leases(*, lease_seconds: float, now: datetime.datetime | None = None) -> int:
    """Closes what servers that stopped renewing their lease (killed, restarted, cut off) still
    held: each open span closed at the moment its server last renewed, each waiting connection
    dropped, through `record_presence`. Returns the
    number of connections closed. Any server, or Celery beat, may run it; a lease another
    sweep is closing is skipped."""
    now = now or timezone.now()
    expired_before = now - datetime.timedelta(seconds=lease_seconds)
    closed = 0
    with transaction.atomic():
        leases = list(
            PresenceLease.objects.select_for_update(skip_locked=True).filter(
                renewed_at__lt=expired_before
            )
        )
        for lease in leases:
            departures = _close_lease(lease, lease.renewed_at)
            if departures:
                logger.warning(
                    "server %s stopped renewing its lease at %s: %s connections closed",
                    lease.server,
                    lease.renewed_at,
                    departures,
                )
            closed += departures
    return closed


def release_lease(*, server: str, at: datetime.datetime) -> int:
    """`server` is stopping (SIGTERM: a deploy, a rolling restart): what it holds departs at
    `at`, now, rather than when its lease runs out. Returns the number of connections closed."""
    with transaction.atomic():
        lease = PresenceLease.objects.select_for_update(skip_locked=True).filter(server=server)
        found = lease.first()
        return _close_lease(found, at, announce_connected=False) if found is not None else 0


def _close_lease(
    lease: PresenceLease, at: datetime.datetime, *, announce_connected: bool = True
) -> int:
    """Every open span and waiting connection of the lease's server departs at `at`, through
    `record_presence`; the lease goes."""
    departures = [
        Departure(meeting_id, connection, at)
        for meeting_id, connection in PresenceSpan.objects.filter(
            server=lease.server, left_at=None
        ).values_list("attendance__meeting_id", "connection")
    ]
    departures += [
        Departure(meeting_id, connection, at)
        for meeting_id, connection in WaitingConnection.objects.filter(
            server=lease.server
        ).values_list("meeting_id", "connection")
    ]
    record_presence(departures, announce_connected=announce_connected)
    lease.delete()
    return len(departures)
