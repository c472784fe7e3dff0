"""Reads about meetings (not permission-checked: see meetings.access)."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from meetings import charter, snapshots
from meetings.enums import (
    HELD_STATUSES,
    UPCOMING_STATUSES,
    MeetingKind,
    MeetingStatus,
)
from meetings.models import AgendaItem, Document, Invitation, Meeting, Notification
from members import access as member_access
from members import names
from members import queries as member_queries
from members.models import Member, Organization, User

# Materials reach members at least a day before the meeting (charter-rules.md, "Meetings").
MATERIALS_LEAD = datetime.timedelta(days=1)


def agenda_for(meeting: Meeting) -> QuerySet[AgendaItem]:
    return meeting.agenda_items.select_related("presenter").order_by("position", "pk")


def documents_for(meeting: Meeting) -> QuerySet[Document]:
    return meeting.documents.select_related("agenda_item").order_by("uploaded_at", "pk")


def invitations_for(meeting: Meeting) -> QuerySet[Invitation]:
    return meeting.invitations.select_related("member").order_by(
        "is_guest", *names.by_name("member__")
    )


def is_published_late(document: Document, meeting: Meeting) -> bool:
    """Published less than a day before the meeting (a warning, not a refusal)."""
    published = document.published_at
    return published is not None and published > meeting.starts_at - MATERIALS_LEAD


def expected_vote_base(meeting: Meeting) -> charter.VoteBase:
    """N as it stands before the meeting: the roster on the meeting's day (the committee, for a
    committee meeting), approved absences taken out and announced attendance counted, as the
    charter engine computes it."""
    day = meeting.local_day
    roster = snapshots.roster_for(meeting.cell, day)
    if meeting.kind == MeetingKind.COMMITTEE:
        called = {
            snapshots.member_key(pk) for pk in participants_of(meeting).values_list("pk", flat=True)
        }
        roster = tuple(entry for entry in roster if entry.member_id in called)
    return charter.vote_base(
        roster,
        snapshots.expected_attendance(meeting.invitations.all()),
        snapshots.policy_for(meeting.cell),
    )


def cell_members_on(cell: Organization, day: datetime.date) -> QuerySet[Member]:
    """Who may chair, record or present: home and temporary members, not suspended that day."""
    temporary = member_queries.temporary_members(cell, day).values("pk")
    suspended = Q(suspended_from__lte=day) & (
        Q(suspended_until__isnull=True) | Q(suspended_until__gte=day)
    )
    return (
        Member.objects.filter(Q(home_cell=cell) | Q(pk__in=temporary))
        .exclude(suspended)
        .order_by(*names.by_name())
    )


def participants_of(meeting: Meeting) -> QuerySet[Member]:
    """Who is called to the meeting: the cell's roll that day, or for a committee meeting
    (họp chi ủy) only the members of the cell committee."""
    day = meeting.local_day
    members = cell_members_on(meeting.cell, day)
    if meeting.kind == MeetingKind.COMMITTEE:
        holders = member_queries.current_roles(meeting.cell, day).values("member_id")
        members = members.filter(pk__in=holders)
    return members


def meetings_between(
    meetings: QuerySet[Meeting], start: datetime.date, end: datetime.date
) -> QuerySet[Meeting]:
    """Meetings starting on local days start..end (inclusive)."""
    zone = timezone.get_current_timezone()
    since = datetime.datetime.combine(start, datetime.time.min, tzinfo=zone)
    until = datetime.datetime.combine(
        end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
    )
    return meetings.filter(starts_at__gte=since, starts_at__lt=until).order_by("starts_at", "pk")


@dataclass(frozen=True)
class MonthCalendar:
    year: int
    month: int
    weeks: list[list[tuple[datetime.date, list[Meeting]]]]
    meetings: list[Meeting]

    @property
    def first_day(self) -> datetime.date:
        return datetime.date(self.year, self.month, 1)

    @property
    def previous(self) -> datetime.date:
        return (self.first_day - datetime.timedelta(days=1)).replace(day=1)

    @property
    def next(self) -> datetime.date:
        return (self.first_day + datetime.timedelta(days=32)).replace(day=1)


def month_calendar(meetings: QuerySet[Meeting], year: int, month: int) -> MonthCalendar:
    """Weeks Monday to Sunday covering the month, each day with its meetings: days in the
    current time zone, the cell's (its page activates it)."""
    weeks_of_days = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    in_view = list(meetings_between(meetings, weeks_of_days[0][0], weeks_of_days[-1][-1]))
    by_day: dict[datetime.date, list[Meeting]] = {}
    for meeting in in_view:
        day = timezone.localtime(meeting.started_at or meeting.starts_at).date()
        by_day.setdefault(day, []).append(meeting)
    weeks = [[(day, by_day.get(day, [])) for day in week] for week in weeks_of_days]
    of_month = [m for m in in_view if (m.local_day.year, m.local_day.month) == (year, month)]
    return MonthCalendar(year=year, month=month, weeks=weeks, meetings=of_month)


@dataclass(frozen=True)
class YearPlan:
    year: int
    meetings: list[Meeting]
    planned: charter.Compliance  # every meeting that is not cancelled, over the whole year
    held: charter.Compliance  # meetings that took place, over the months that have ended


def year_plan(cell: Organization, year: int, today: datetime.date) -> YearPlan:
    meetings = list(
        meetings_between(
            Meeting.objects.filter(cell=cell),
            datetime.date(year, 1, 1),
            datetime.date(year, 12, 31),
        ).select_related("chair")
    )
    not_cancelled = [m for m in meetings if m.status != MeetingStatus.CANCELLED]
    held = [m for m in meetings if m.status in HELD_STATUSES]
    return YearPlan(
        year=year,
        meetings=meetings,
        planned=charter.yearly_compliance(year, snapshots.held_meetings(not_cancelled)),
        held=charter.yearly_compliance(year, snapshots.held_meetings(held), as_of=today),
    )


def upcoming_meetings_for(member: Member, now: datetime.datetime) -> QuerySet[Meeting]:
    """Announced meetings still to come (or under way) in the member's home and temporary cells,
    and in cells whose meetings they are invited to as the superior committee's guest."""
    cells = {member.home_cell_id}
    temporary = member.temporary_cell_on(timezone.localdate(now))
    if temporary is not None:
        cells.add(temporary)
    since = now - datetime.timedelta(hours=12)
    return (
        Meeting.objects.filter(
            Q(cell_id__in=cells) | Q(invitations__member=member),
            status__in=UPCOMING_STATUSES,
            starts_at__gte=since,
        )
        .distinct()
        .select_related("cell")
        .order_by("starts_at", "pk")
    )


def meetings_in_progress_for(member: Member) -> list[Meeting]:
    """Meetings under way now that the member is called to: on the meeting's roll that day
    (`participants_of`: only the committee for a committee meeting) or invited (a guest)."""
    candidates = (
        Meeting.objects.filter(
            Q(cell_id__in=member_access.own_cell_ids(member)) | Q(invitations__member=member),
            status=MeetingStatus.IN_PROGRESS,
        )
        .distinct()
        .select_related("cell")
        .order_by("starts_at", "pk")
    )
    return [
        meeting
        for meeting in candidates
        if meeting.invitations.filter(member=member).exists()
        or participants_of(meeting).filter(pk=member.pk).exists()
    ]


def notifications_for(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).select_related("meeting__cell")


def unread_count(user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def on_roll(member: Member, meeting: Meeting) -> bool:
    """The member is on `roster_members(meeting)` (home, or meeting here temporarily on the
    meeting's day), decided from the member's own row: no need to load the whole roll."""
    return member.home_cell_id == meeting.cell_id or (
        member.temporary_cell_on(meeting.local_day) == meeting.cell_id
    )
