"""The live room: opening and closing the meeting and its agenda items, and who may do what.

Every function here and in the sibling modules (attendance, speaking, voting) has one shape: in a
transaction, lock the meeting row, check the actor's role, ask the charter where a rule applies,
write, append one MeetingEvent (broadcast after commit), and return a small JSON-safe result.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings import charter, events
from meetings.enums import MeetingStatus
from meetings.errors import RuleViolation
from meetings.models import AgendaItem, Attendance, Meeting, PresenceSpan, Vote
from meetings.models.attendance import AttendanceStatus
from meetings.models.voting import VoteStatus
from meetings.room import online_members, roster_members
from meetings.snapshots import duration_minimums_for, meeting_kind
from members import access as member_access
from members.models import Member, User


@dataclass(frozen=True)
class Participant:
    """Who the actor is in this meeting."""

    member: Member | None
    is_chair: bool
    is_recorder: bool
    on_roll: bool  # a member of the cell (home, or meeting here temporarily)

    @property
    def roles(self) -> list[str]:
        roles = ["chair"] if self.is_chair else []
        roles += ["recorder"] if self.is_recorder else []
        roles += ["member"] if self.on_roll else ["guest"]
        return roles


def lock_meeting(meeting_id: int) -> Meeting:
    meeting = Meeting.objects.select_for_update().filter(pk=meeting_id).first()
    if meeting is None:
        raise RuleViolation(_("Không tìm thấy buổi sinh hoạt."), reason="not_found")
    return meeting


def participant(meeting: Meeting, actor: User) -> Participant:
    """The actor's roles; raises `forbidden` for someone who may not even see the meeting."""
    found = participants(meeting, [actor])[0]
    if isinstance(found, RuleViolation):
        raise found
    return found


def participants(meeting: Meeting, actors: list[User]) -> list[Participant | RuleViolation]:
    """`participant` of each actor (a batch of ballots), their members read in one query; a
    `forbidden` violation in the place of an actor who may not see the meeting."""
    from meetings.access import visible_meetings

    members = member_access.members_of(actors)
    found: list[Participant | RuleViolation] = []
    for actor in actors:
        member = members.get(actor.pk)
        # A member of the cell sees its announced meetings (meetings.access); that is decided
        # from the member's own row. Anyone else (a reviewer above, a draft) goes through the
        # full rule.
        own_cell = (
            member is not None
            and meeting.status != MeetingStatus.DRAFT
            and meeting.cell_id in member_access.own_cell_ids(member)
        )
        if not own_cell and not visible_meetings(actor).filter(pk=meeting.pk).exists():
            found.append(
                RuleViolation(
                    _("Đồng chí không có quyền với buổi sinh hoạt này."), reason="forbidden"
                )
            )
            continue
        found.append(
            Participant(
                member=member,
                is_chair=member is not None and meeting.chair_id == member.pk,
                is_recorder=member is not None and meeting.recorder_id == member.pk,
                on_roll=member is not None and on_roll(member, meeting),
            )
        )
    return found


def on_roll(member: Member, meeting: Meeting) -> bool:
    """The member is on `roster_members(meeting)` (home, or meeting here temporarily on the
    meeting's day), decided from the member's own row: no need to load the whole roll."""
    return member.home_cell_id == meeting.cell_id or (
        member.temporary_cell_on(meeting.local_day) == meeting.cell_id
    )


def require_chair(who: Participant) -> Member:
    if not who.is_chair or who.member is None:
        raise RuleViolation(_("Chỉ đồng chí chủ trì được làm việc này."), reason="forbidden")
    return who.member


def require_in_progress(meeting: Meeting) -> None:
    if meeting.status != MeetingStatus.IN_PROGRESS:
        raise RuleViolation(
            _("Buổi sinh hoạt chưa bắt đầu hoặc đã kết thúc."), reason="not_in_progress"
        )


def current_item(meeting: Meeting) -> AgendaItem | None:
    return (
        AgendaItem.objects.filter(meeting=meeting, opened_at__isnull=False, closed_at__isnull=True)
        .order_by("-opened_at")
        .first()
    )


def _time(value: Any) -> str | None:
    return value.isoformat() if value else None


def on_meeting_started(*, meeting: Meeting, actor: User) -> None:
    """Called by scheduling.change_status in its transaction when a meeting starts.

    Effects: Meeting.started_at; one Attendance per member on the roll (members whose absence
    the convener approved start absent with their reason, everyone else absent without reason
    until they join or the chair marks them); event `meeting.started`; the members waiting in
    the room present from the start, with one `attendance.changed` for them all.
    """
    from meetings.media import services as media
    from meetings.services import attendance

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
        payload={"started_at": _time(meeting.started_at)},
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
    if Vote.objects.filter(meeting=meeting, status=VoteStatus.OPEN).exists():
        raise RuleViolation(_("Hãy kết thúc biểu quyết đang mở trước."), reason="vote_open")
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
    from meetings.attendance_summary import write_summary
    from meetings.media import services as media
    from meetings.services.speaking import close_floor_on

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
        payload={"ended_at": _time(now), "early_end_reason": meeting.early_end_reason},
        actor=actor,
    )
    media.on_meeting_ended(meeting)  # the Janus room destroyed, after commit


@transaction.atomic
def start_meeting(*, meeting_id: int, actor: User) -> dict[str, Any]:
    """The chair opens the meeting from the live room (the same step as the page's button).

    The chair must also be allowed to manage the cell's meetings: the secretary chairs, or the
    deputy secretary in the secretary's absence (Hướng dẫn 12-HD/BTCTW on cell meetings)."""
    from meetings.services.scheduling import change_status

    meeting = lock_meeting(meeting_id)
    require_chair(participant(meeting, actor))
    meeting = change_status(meeting=meeting, to_status=MeetingStatus.IN_PROGRESS, actor=actor)
    return {"started_at": _time(meeting.started_at)}


@transaction.atomic
def end_meeting(*, meeting_id: int, actor: User, reason: str = "") -> dict[str, Any]:
    """The chair closes the meeting; before the charter's minimum only with `reason`."""
    from meetings.services.scheduling import change_status

    meeting = lock_meeting(meeting_id)
    require_chair(participant(meeting, actor))
    require_in_progress(meeting)
    meeting = change_status(
        meeting=meeting, to_status=MeetingStatus.ENDED, actor=actor, reason=reason
    )
    return {"ended_at": _time(meeting.ended_at), "early_end_reason": meeting.early_end_reason}


@transaction.atomic
def open_item(*, meeting_id: int, actor: User, item_id: int) -> dict[str, Any]:
    """The chair moves the meeting to an agenda item; the item that was open closes.

    Pending floor requests on the closed item lapse. Event `agenda.opened`.
    """
    from meetings.services.speaking import close_floor_on

    meeting = lock_meeting(meeting_id)
    require_chair(participant(meeting, actor))
    require_in_progress(meeting)
    item = AgendaItem.objects.filter(meeting=meeting, pk=item_id).first()
    if item is None:
        raise RuleViolation(_("Không có nội dung này trong chương trình."), reason="not_found")
    now = timezone.now()
    previous = current_item(meeting)
    if previous is not None and previous.pk == item.pk:
        raise RuleViolation(_("Nội dung này đang được thảo luận."), reason="conflict")
    if previous is not None:
        close_floor_on(meeting=meeting, item=previous, now=now)
        previous.closed_at = now
        previous.save(update_fields=["closed_at"])
    # Reopening an item that was closed continues it: its first opening time is kept.
    item.opened_at = item.opened_at or now
    item.closed_at = None
    item.save(update_fields=["opened_at", "closed_at"])
    payload = {"item": item.pk, "closed": previous.pk if previous else None, "at": _time(now)}
    events.append_event(meeting=meeting, event=events.AGENDA_OPENED, payload=payload, actor=actor)
    return payload


@transaction.atomic
def close_item(*, meeting_id: int, actor: User, item_id: int) -> dict[str, Any]:
    from meetings.services.speaking import close_floor_on

    meeting = lock_meeting(meeting_id)
    require_chair(participant(meeting, actor))
    require_in_progress(meeting)
    item = current_item(meeting)
    if item is None or item.pk != item_id:
        raise RuleViolation(_("Nội dung này không đang mở."), reason="conflict")
    now = timezone.now()
    close_floor_on(meeting=meeting, item=item, now=now)
    item.closed_at = now
    item.save(update_fields=["closed_at"])
    payload = {"item": item.pk, "at": _time(now)}
    events.append_event(meeting=meeting, event=events.AGENDA_CLOSED, payload=payload, actor=actor)
    return payload
