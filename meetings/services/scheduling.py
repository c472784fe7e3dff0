"""Meetings of a cell: create, edit, generate a year of regular meetings, and move a meeting
through its states (draft → scheduled → in progress → ended → minutes approved → archived, and
postponed or cancelled with a reason). Every change is kept in MeetingChange."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, fields

from celery import signature
from django.conf import settings
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from meetings import charter, snapshots
from meetings.access import ensure_may_manage
from meetings.agenda_templates import DEFAULT_TEMPLATE
from meetings.enums import (
    ANNOUNCED_STATUSES,
    PREPARATION_STATUSES,
    REASON_REQUIRED,
    TRANSITIONS,
    DeliveryKind,
    MeetingChangeAction,
    MeetingKind,
    MeetingMode,
    MeetingStatus,
)
from meetings.errors import RuleViolation
from meetings.models import Document, Meeting, MeetingChange
from meetings.queries import cell_members_on
from meetings.recurrence import MonthlyRule
from meetings.services import lifecycle
from meetings.services.agenda import append_template_items, check_agenda_online
from meetings.services.invitations import ensure_invitations
from meetings.services.participants import lock_meeting_for_management
from members import zones
from members.models import Member, Organization, User

# The notices' tasks (meetings.tasks) are started by name: the task module runs the services, so
# importing it here would point up a layer (meetings.apps registers the names in every process).
MEETING_NOTICES_TASK = "meetings.send_meeting_notices"
STATUS_NOTICE_TASK = "meetings.send_status_notice"

MAX_PLANNED_MINUTES = 600
MEETING_DAY_RANGE_YEARS = 10  # a meeting's day at most this many years from today
# Changing these moves the event in members' calendars: a new calendar version is sent.
CALENDAR_FIELDS = frozenset(
    {"kind", "title", "starts_at", "planned_minutes", "mode", "place", "online_room"}
)


@dataclass(frozen=True)
class MeetingDetails:
    """The fields the secretary edits."""

    kind: str
    mode: str
    starts_at: datetime.datetime
    planned_minutes: int
    title: str = ""
    place: str = ""
    online_room: str = ""
    approval_number: str = ""
    approval_date: datetime.date | None = None
    chair: Member | None = None
    recorder: Member | None = None


def _local_day(moment: datetime.datetime, cell: Organization) -> datetime.date:
    return timezone.localtime(moment, zones.of_cell(cell)).date()


def _years_from(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


def check_day(cell: Organization, starts_at: datetime.datetime) -> None:
    """The meeting's day within MEETING_DAY_RANGE_YEARS of today: a mistyped year (2207,
    01/01/0001, 31/12/9999) is refused with the range, not saved (nor a 500 for the years
    beyond what a date can hold once moved to UTC or lengthened by the meeting's duration)."""
    today = timezone.localdate(timezone=zones.of_cell(cell))
    earliest = _years_from(today, -MEETING_DAY_RANGE_YEARS)
    latest = _years_from(today, MEETING_DAY_RANGE_YEARS)
    if not earliest <= starts_at.date() <= latest:
        raise RuleViolation(
            _("Ngày họp phải trong khoảng từ %(earliest)s đến %(latest)s.")
            % {
                "earliest": earliest.strftime("%d/%m/%Y"),
                "latest": latest.strftime("%d/%m/%Y"),
            },
            field="starts_at",
            reason="day_out_of_range",
        )


def check_details(cell: Organization, details: MeetingDetails) -> None:
    """Raises RuleViolation on the first problem, naming the form field it belongs to."""
    check_day(cell, details.starts_at)
    minimum = charter.minimum_duration(
        snapshots.meeting_kind(details.kind), minimums=snapshots.duration_minimums_for(cell)
    )
    if not 0 < details.planned_minutes <= MAX_PLANNED_MINUTES:
        raise RuleViolation(
            _("Thời lượng dự kiến từ 1 đến %(max)s phút.") % {"max": MAX_PLANNED_MINUTES},
            field="planned_minutes",
        )
    if minimum is not None and details.planned_minutes < minimum:
        raise RuleViolation(
            _(
                "%(kind)s cần ít nhất %(minimum)s phút (Hướng dẫn 12-HD/BTCTW và Hướng dẫn "
                "42-HD/BTCTW); thời lượng dự kiến %(planned)s phút."
            )
            % {
                "kind": MeetingKind(details.kind).label,
                "minimum": minimum,
                "planned": details.planned_minutes,
            },
            field="planned_minutes",
            reason="duration_below_minimum",
        )
    if details.mode in (MeetingMode.IN_PERSON, MeetingMode.HYBRID) and not details.place.strip():
        raise RuleViolation(_("Ghi địa điểm họp."), field="place")
    reference = _approval_reference(details)
    verdict = charter.may_hold_online(snapshots.meeting_format(details.mode), reference or None)
    if not verdict.allowed:
        raise RuleViolation(verdict.explanation, field="approval_number", reason=verdict.reason)
    if details.mode != MeetingMode.IN_PERSON and details.approval_date is None:
        raise RuleViolation(
            _("Ghi ngày của văn bản cho phép của cấp ủy cấp trên (Hướng dẫn 03-HD/TW)."),
            field="approval_date",
        )
    members = cell_members_on(cell, _local_day(details.starts_at, cell))
    for field in ("chair", "recorder"):
        person = getattr(details, field)
        if person is not None and not members.filter(pk=person.pk).exists():
            raise RuleViolation(_("Chủ trì và thư ký phải là đảng viên của chi bộ."), field=field)


def _approval_reference(details: MeetingDetails) -> str:
    if not details.approval_number.strip():
        return ""
    reference = _("văn bản số %(number)s") % {"number": details.approval_number.strip()}
    if details.approval_date:
        day = formats.date_format(details.approval_date, "SHORT_DATE_FORMAT")
        reference += " " + _("ngày %(day)s") % {"day": day}
    return reference


def _apply(meeting: Meeting, details: MeetingDetails) -> dict[str, list[str]]:
    """Copies the details onto the meeting; returns {field: [old, new]} for what changed."""
    changes: dict[str, list[str]] = {}
    for field in fields(MeetingDetails):
        new = getattr(details, field.name)
        old = getattr(meeting, field.name)
        if field.name in ("title", "place", "online_room", "approval_number"):
            new = new.strip()
        if old != new:
            zone = zones.of_cell(meeting.cell)
            changes[field.name] = [_describe(old, zone), _describe(new, zone)]
            setattr(meeting, field.name, new)
    return changes


def _describe(value: object, zone: datetime.tzinfo) -> str:
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value, zone), "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return "" if value is None else str(value)


def create_meeting(*, actor: User, cell: Organization, details: MeetingDetails) -> Meeting:
    """A new draft meeting of the cell. Effects: the meeting, a history entry."""
    with transaction.atomic():
        ensure_may_manage(actor, cell)
        check_details(cell, details)
        meeting = Meeting(cell=cell, created_by=actor)
        _apply(meeting, details)
        meeting.save()
        MeetingChange.objects.create(
            meeting=meeting,
            action=MeetingChangeAction.CREATED,
            to_status=meeting.status,
            actor=actor,
        )
    return meeting


def update_meeting(*, actor: User, meeting: Meeting, details: MeetingDetails) -> Meeting:
    """Edits a meeting still in preparation. When members already know about it and its time,
    place or form changes, the calendar version goes up and a fresh invitation is sent.

    Effects: the meeting, a history entry with every changed field, the notice task.
    """
    with transaction.atomic():
        meeting = lock_meeting_for_management(
            actor,
            meeting.pk,
            statuses=PREPARATION_STATUSES,
            refusal=_("Chỉ sửa được buổi sinh hoạt chưa bắt đầu."),
        )
        check_details(meeting.cell, details)
        if meeting.status != MeetingStatus.DRAFT and details.starts_at <= timezone.now():
            raise RuleViolation(_("Thời gian bắt đầu đã qua."), field="starts_at")
        if details.mode != MeetingMode.IN_PERSON:
            check_agenda_online(meeting, details.mode)
        changes = _apply(meeting, details)
        if not changes:
            return meeting
        announced = meeting.status in ANNOUNCED_STATUSES
        moves_calendar = announced and bool(CALENDAR_FIELDS & changes.keys())
        if moves_calendar:
            meeting.sequence += 1
        meeting.save()
        if "starts_at" in changes:
            ensure_invitations(meeting)
        MeetingChange.objects.create(
            meeting=meeting, action=MeetingChangeAction.EDITED, actor=actor, details=changes
        )
        if moves_calendar and meeting.status == MeetingStatus.SCHEDULED:
            _enqueue_notices(meeting)
    return meeting


def change_status(*, actor: User, meeting: Meeting, to_status: str, reason: str = "") -> Meeting:
    """Moves the meeting to `to_status` if the state machine allows it (enums.TRANSITIONS).

    Scheduling checks the online approval and the agenda against the charter, publishes the
    documents, invites the roster and queues the invitations. Postponing and cancelling need
    a reason and queue a notice (with an .ics cancellation) to everyone already invited.
    Effects: the meeting, a history entry, tasks after commit.
    """
    with transaction.atomic():
        meeting = lock_meeting_for_management(actor, meeting.pk)
        from_status = meeting.status
        if to_status not in TRANSITIONS.get(from_status, frozenset()):
            raise RuleViolation(
                _("Không thể chuyển buổi sinh hoạt từ “%(from)s” sang “%(to)s”.")
                % {"from": MeetingStatus(from_status).label, "to": _status_label(to_status)},
                reason="transition_not_allowed",
            )
        reason = reason.strip()
        if to_status in REASON_REQUIRED and not reason:
            raise RuleViolation(_("Ghi rõ lý do hoãn hoặc hủy."), field="reason")
        now = timezone.now()
        if to_status in (MeetingStatus.SCHEDULED, MeetingStatus.IN_PROGRESS):
            _check_may_take_place(meeting)
        if to_status == MeetingStatus.IN_PROGRESS:
            _check_start_window(meeting, now)
        if to_status == MeetingStatus.ENDED:
            # Checked before anything is written; on_meeting_ended keeps it on the meeting.
            reason = lifecycle.check_may_end(meeting, reason, now)
        if to_status == MeetingStatus.SCHEDULED:
            if meeting.starts_at <= now:
                raise RuleViolation(
                    _("Thời gian bắt đầu đã qua; sửa thời gian trước khi lên lịch."),
                    field="starts_at",
                )
            if from_status == MeetingStatus.POSTPONED:
                meeting.sequence += 1
            meeting.scheduled_at = meeting.scheduled_at or now
            meeting.status_reason = ""
        if to_status in REASON_REQUIRED:
            meeting.status_reason = reason
            if from_status in ANNOUNCED_STATUSES:
                meeting.sequence += 1
        meeting.status = to_status
        meeting.save()
        # The live room opens its roll and event log on start, and closes them on the end.
        if to_status == MeetingStatus.IN_PROGRESS:
            lifecycle.on_meeting_started(meeting=meeting, actor=actor)
        elif to_status == MeetingStatus.ENDED:
            lifecycle.on_meeting_ended(meeting=meeting, actor=actor, early_end_reason=reason)
        MeetingChange.objects.create(
            meeting=meeting,
            action=MeetingChangeAction.STATUS_CHANGED,
            from_status=from_status,
            to_status=to_status,
            reason=reason,
            actor=actor,
        )
        if to_status == MeetingStatus.SCHEDULED:
            Document.objects.filter(meeting=meeting, published_at=None).update(published_at=now)
            ensure_invitations(meeting)
            _enqueue_notices(meeting)
        elif to_status in REASON_REQUIRED and from_status in ANNOUNCED_STATUSES:
            kind = (
                DeliveryKind.POSTPONED
                if to_status == MeetingStatus.POSTPONED
                else DeliveryKind.CANCELLED
            )
            notice = signature(
                STATUS_NOTICE_TASK, kwargs={"meeting_id": meeting.pk, "kind": kind.value}
            )
            transaction.on_commit(notice.delay)
    return meeting


def _status_label(value: str) -> str:
    try:
        return str(MeetingStatus(value).label)
    except ValueError:
        return value


def _check_may_take_place(meeting: Meeting) -> None:
    verdict = charter.may_hold_online(
        snapshots.meeting_format(meeting.mode), meeting.approval_reference or None
    )
    if not verdict.allowed:
        raise RuleViolation(verdict.explanation, field="approval_number", reason=verdict.reason)
    if meeting.mode != MeetingMode.IN_PERSON:
        check_agenda_online(meeting, meeting.mode)


def start_window(meeting: Meeting) -> tuple[datetime.datetime, datetime.datetime]:
    """When the meeting may be started: from MEETINGS_START_WINDOW_MINUTES before the time
    members were called for until the end of that day in the cell's time zone (exclusive).

    R-P1 (Hướng dẫn 12-HD/BTCTW 2018, 42-HD/BTCTW 2025): the time, place and content are
    announced to the members and to the superior committee member following the cell; a
    meeting held on another day is not the one they were called to, so it is rescheduled and
    they receive a new invitation. A late start on the announced day is still that meeting."""
    zone = zones.of_cell(meeting.cell)
    called_for = timezone.localtime(meeting.starts_at, zone)
    earliest = called_for - datetime.timedelta(minutes=settings.MEETINGS_START_WINDOW_MINUTES)
    next_day = called_for.date() + datetime.timedelta(days=1)
    return earliest, datetime.datetime.combine(next_day, datetime.time(), tzinfo=zone)


def _check_start_window(meeting: Meeting, now: datetime.datetime) -> None:
    earliest, until = start_window(meeting)
    if earliest <= now < until:
        return
    zone = zones.of_cell(meeting.cell)
    called_for = timezone.localtime(meeting.starts_at, zone)
    earliest = timezone.localtime(earliest, zone)
    from_text = formats.time_format(earliest, "H:i")
    if earliest.date() != called_for.date():
        from_text += " " + _("ngày %(day)s") % {
            "day": formats.date_format(earliest, "SHORT_DATE_FORMAT")
        }
    raise RuleViolation(
        _(
            "Không thể bắt đầu lúc này: buổi sinh hoạt được triệu tập lúc %(time)s ngày "
            "%(day)s, chỉ bắt đầu được từ %(from)s đến hết ngày %(day)s. Muốn họp vào thời "
            "gian khác, hãy sửa thời gian bắt đầu của buổi sinh hoạt; các đồng chí được mời sẽ "
            "nhận giấy mời mới."
        )
        % {
            "time": formats.time_format(called_for, "H:i"),
            "day": formats.date_format(called_for, "SHORT_DATE_FORMAT"),
            "from": from_text,
        },
        field="starts_at",
        reason="outside_start_window",
    )


def _enqueue_notices(meeting: Meeting) -> None:
    notices = signature(MEETING_NOTICES_TASK, kwargs={"meeting_id": meeting.pk})
    transaction.on_commit(notices.delay)


def schedule_meeting(*, actor: User, meeting: Meeting) -> Meeting:
    return change_status(actor=actor, meeting=meeting, to_status=MeetingStatus.SCHEDULED)


def postpone_meeting(*, actor: User, meeting: Meeting, reason: str) -> Meeting:
    return change_status(
        actor=actor, meeting=meeting, to_status=MeetingStatus.POSTPONED, reason=reason
    )


def cancel_meeting(*, actor: User, meeting: Meeting, reason: str) -> Meeting:
    return change_status(
        actor=actor, meeting=meeting, to_status=MeetingStatus.CANCELLED, reason=reason
    )


def start_meeting(*, actor: User, meeting: Meeting) -> Meeting:
    return change_status(actor=actor, meeting=meeting, to_status=MeetingStatus.IN_PROGRESS)


def end_meeting(*, actor: User, meeting: Meeting) -> Meeting:
    return change_status(actor=actor, meeting=meeting, to_status=MeetingStatus.ENDED)


def record_minutes_approved(*, actor: User, meeting: Meeting) -> Meeting:
    return change_status(actor=actor, meeting=meeting, to_status=MeetingStatus.MINUTES_APPROVED)


def archive_meeting(*, actor: User, meeting: Meeting) -> Meeting:
    return change_status(actor=actor, meeting=meeting, to_status=MeetingStatus.ARCHIVED)


def generate_regular_meetings(
    *,
    actor: User,
    cell: Organization,
    year: int,
    rule: MonthlyRule,
    details: MeetingDetails,
    schedule: bool = False,
    with_agenda: bool = True,
    not_before: datetime.date | None = None,
    not_after: datetime.date | None = None,
) -> list[Meeting]:
    """One regular meeting per month of `year` on the rule's day ("first Tuesday, 19:30"), with
    the regular agenda; months that already have a regular meeting (not cancelled) are skipped,
    so running it twice adds nothing. `details` gives everything but the start. With
    `schedule`, meetings still to come are scheduled at once (members see them; invitations go
    out when each comes within the invitation lead time).

    Effects: meetings, agenda items, history entries; with `schedule`, invitations and tasks.
    """
    with transaction.atomic():
        # Serialises generation per cell, so two clicks cannot create a month twice.
        cell = Organization.objects.select_for_update(of=("self",)).get(pk=cell.pk)
        ensure_may_manage(actor, cell)
        zone = zones.of_cell(cell)
        taken = {
            timezone.localtime(starts_at, zone).month
            for starts_at in Meeting.objects.filter(
                cell=cell,
                kind=MeetingKind.REGULAR,
                starts_at__gte=datetime.datetime(year, 1, 1, tzinfo=zone),
                starts_at__lt=datetime.datetime(year + 1, 1, 1, tzinfo=zone),
            )
            .exclude(status=MeetingStatus.CANCELLED)
            .values_list("starts_at", flat=True)
        }
        created = []
        now = timezone.now()
        for day in rule.days_in_year(year):
            if day.month in taken:
                continue
            if (not_before and day < not_before) or (not_after and day > not_after):
                continue
            starts_at = datetime.datetime.combine(day, rule.time, tzinfo=zone)
            month_details = MeetingDetails(
                **{
                    **{f.name: getattr(details, f.name) for f in fields(MeetingDetails)},
                    "kind": MeetingKind.REGULAR,
                    "starts_at": starts_at,
                }
            )
            check_details(cell, month_details)
            meeting = Meeting(cell=cell, created_by=actor)
            _apply(meeting, month_details)
            meeting.save()
            MeetingChange.objects.create(
                meeting=meeting,
                action=MeetingChangeAction.GENERATED,
                to_status=meeting.status,
                actor=actor,
                details={"rule": _describe_rule(rule), "year": year},
            )
            if with_agenda:
                append_template_items(meeting, DEFAULT_TEMPLATE[MeetingKind.REGULAR])
            created.append(meeting)
        if schedule:
            for meeting in created:
                if meeting.starts_at > now:
                    change_status(actor=actor, meeting=meeting, to_status=MeetingStatus.SCHEDULED)
    return created


def _describe_rule(rule: MonthlyRule) -> str:
    return f"ordinal={rule.ordinal} weekday={rule.weekday} time={rule.time:%H:%M}"
