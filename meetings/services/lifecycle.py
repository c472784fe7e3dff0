"""What happens when a meeting starts and ends, whichever way it does (the room's buttons, the
scheduling pages): called by `scheduling.change_status` in its transaction.
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from meetings import charter, events
from meetings.attendance_summary import write_summary
from meetings.enums import AttendanceStatus
from meetings.errors import RuleViolation
from meetings.media import services as media
from meetings.models import Attendance, Meeting, PresenceSpan
from meetings.room import online_members, roster_members
from meetings.services import attendance
from meetings.services.participants import current_item, iso_time, require_no_open_vote
from meetings.services.speaking import close_floor_on
from meetings.snapshots import duration_minimums_for, meeting_kind
from members.models import User


def on_meeting_started(*, meeting: Meeting, actor: User) -> None:
    """Called by scheduling.change_status in its transaction when a meeting starts.

    Effects: Meeting.started_at; one Attendance per member on the roll (members whose absence
    the convener approved start absent with their reason, everyone else absent without reason
    until they join or the chair marks them); event `meeting.started`; the members waiting in
    the room present from the start, with one `attendance.changed` for them all.
    """
    meeting.started_at = timezone.now()
    meeting.save(update_fields=["started_at"])
    approved = {
        invitation.member_id: invitation.absence_reason
        for invitation in meeting.invitations.all()
        if invitation.is_approved_absence
    }
    Attendance.objects.bulk_create(
        Attendance(
            meeting=meeting,
            member=member,
            status=AttendanceStatus.ABSENT_WITH_REASON
            if member.pk in approved
            else AttendanceStatus.ABSENT_WITHOUT_REASON,
            reason=approved.get(member.pk, ""),
        )
        for member in roster_members(meeting)
    )
    events.append_event(
        meeting=meeting,
        event=events.MEETING_STARTED,
        payload={"started_at": iso_time(meeting.started_at)},
        actor=actor,
    )
    # Whoever waited in the room is present from the start, in this transaction: a vote opened
    # at once counts them (issue 14, defect 11).
    present = attendance.present_waiting(meeting, meeting.started_at)
    if present:
        events.append_event(
            meeting=meeting,
            event=events.ATTENDANCE_CHANGED,
            payload=attendance.changes_payload(meeting, present, online_members(meeting)),
            actor=None,
        )
    media.on_meeting_started(meeting)  # the Janus room, after commit


MAX_EARLY_END_REASON = 500


def held_against_minimum(meeting: Meeting, now: datetime.datetime) -> charter.DurationCheck:
    """How long the meeting has been held by `now`, against the charter's minimum for its kind
    (R-P4: Hướng dẫn 12-HD/BTCTW 2018 mục 3.3, Hướng dẫn 42-HD/BTCTW 2025; the cell's own
    minimum where the competent committee set one). The room shows the same figures."""
    held = max(0, int((now - (meeting.started_at or now)).total_seconds() // 60))
    return charter.check_duration(
        meeting_kind(meeting.kind), held, minimums=duration_minimums_for(meeting.cell)
    )


def check_may_end(meeting: Meeting, reason: str, now: datetime.datetime) -> str:
    """Raises if the meeting may not end at `now`; returns the early-end reason to keep.

    An open vote must be closed first. Before the charter's minimum a reason is required, and
    kept (ending early is the chair's call, but the record must say why: the minutes print it);
    after the minimum none is kept. Called before anything is written, so a refusal changes
    nothing."""
    require_no_open_vote(meeting)
    check = held_against_minimum(meeting, now)
    if check.met:
        return ""
    reason = reason.strip()
    if not reason:
        raise RuleViolation(
            _(
                "Buổi sinh hoạt mới diễn ra %(held)s phút, chưa đủ thời lượng tối thiểu "
                "%(minimum)s phút của %(kind)s. Muốn kết thúc sớm, hãy ghi rõ lý do; lý do được "
                "ghi vào biên bản."
            )
            % {
                "held": check.minutes,
                "minimum": check.minimum,
                "kind": str(meeting.get_kind_display()).lower(),
            },
            field="reason",
            reason="ended_early",
        )
    if len(reason) > MAX_EARLY_END_REASON:
        raise RuleViolation(
            _("Lý do kết thúc sớm tối đa %(max)s ký tự.") % {"max": MAX_EARLY_END_REASON},
            field="reason",
            reason="too_long",
        )
    return reason


def on_meeting_ended(*, meeting: Meeting, actor: User, early_end_reason: str = "") -> None:
    """Called by scheduling.change_status when a meeting ends, after `check_may_end`: the
    early-end reason is kept, the open item closes, open presence spans end, the roll's
    attendance figures are kept (AttendanceSummary). Event `meeting.ended`."""
    now = timezone.now()
    meeting.early_end_reason = early_end_reason
    item = current_item(meeting)
    if item is not None:
        close_floor_on(meeting=meeting, item=item, now=now)
        item.closed_at = now
        item.save(update_fields=["closed_at"])
    PresenceSpan.objects.filter(attendance__meeting=meeting, left_at=None).update(left_at=now)
    meeting.ended_at = now
    meeting.save(update_fields=["ended_at", "early_end_reason"])
    write_summary(meeting)  # the roll is final now: the charter's attendance figures, kept
    events.append_event(
        meeting=meeting,
        event=events.MEETING_ENDED,
        payload={"ended_at": iso_time(now), "early_end_reason": meeting.early_end_reason},
        actor=actor,
    )
    media.on_meeting_ended(meeting)  # the Janus room destroyed, after commit
