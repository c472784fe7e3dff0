"""The compliance dashboard: one organisation's subtree, one year, per cell and rolled up.

Every figure is read in a fixed number of queries whatever the size of the subtree (the tests
count them): the cells, the policies, the held meetings with their minutes' signing time and
their attendance summary, and the blocked votes grouped per cell (and, only if some held
meeting has no attendance summary, the roll of those meetings). The charter engine decides
every rule (yearly compliance R-M1/R-M3, the attendance criterion R-Q1 — kept per meeting when
it ends, see meetings.attendance_summary —, the minimum duration R-P4, online approval R-O3);
this module only turns rows into its inputs and adds up.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from django.db.models import (
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FilteredRelation,
    Q,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from meetings import charter
from meetings.attendance_summary import NO_ROLL, figures_by_meeting
from meetings.charter.attendance import format_tenths, rate_in_tenths
from meetings.charter.meetings import quarter_of
from meetings.enums import HELD_STATUSES, ONLINE_MODES, MeetingKind
from meetings.models import Attendance as RollLine
from meetings.models import Meeting, Vote
from meetings.snapshots import meeting_kind
from members import queries as member_queries
from members.enums import Level
from members.models import PATH_STEP, Organization
from minutes.models import DocumentKind, DocumentStatus

MONTHS = tuple(range(1, 13))
# The charter's kinds by their stored value, and the cell's own meetings among them.
CHARTER_KINDS = {kind.value: kind for kind in charter.MeetingKind}
CELL_MEETING_KINDS = [kind for kind in MeetingKind.values if kind != MeetingKind.COMMITTEE]
QUARTERS = (1, 2, 3, 4)


@dataclass
class ShortMeeting:
    meeting_id: int
    cell_id: int
    day: datetime.date
    minutes: int
    minimum: int


@dataclass
class OnlineMeeting:
    meeting_id: int
    cell_id: int
    day: datetime.date
    mode: str
    approval_number: str
    approval_date: datetime.date | None
    approved: bool

    @property
    def approval_reference(self) -> str:
        """As the minutes cite it (Meeting.approval_reference); built only when shown."""
        return Meeting(
            approval_number=self.approval_number, approval_date=self.approval_date
        ).approval_reference


@lru_cache(maxsize=64)
def _online_allowed(mode: str, number: str) -> bool:
    """R-O3 by the charter engine; the reference's wording does not change its verdict."""
    reference = Meeting(approval_number=number).approval_reference
    return charter.may_hold_online(charter.MeetingFormat(mode), reference).allowed


@dataclass
class Figures:
    """The figures of one cell, or of several added up (`cells` > 1)."""

    cells: int = 0
    compliant_cells: int = 0
    regular_months: dict[int, int] = field(default_factory=lambda: dict.fromkeys(MONTHS, 0))
    thematic_quarters: dict[int, int] = field(default_factory=lambda: dict.fromkeys(QUARTERS, 0))
    missing_months: int = 0
    missing_quarters: int = 0
    held: int = 0
    present: int = 0
    counted: int = 0
    rated: int = 0  # cell meetings with a roll, the criterion's denominator
    criterion_met: int = 0
    blocked_votes: int = 0
    short: list[ShortMeeting] = field(default_factory=list)
    online: list[OnlineMeeting] = field(default_factory=list)
    unsigned: int = 0  # held, minutes not signed and archived yet
    overdue: int = 0  # of those, past the signing deadline
    signed_late: int = 0
    explanation: str = ""  # the charter's yearly compliance text (one cell only)

    @property
    def rate_tenths(self) -> int | None:
        return rate_in_tenths(self.present, self.counted) if self.counted else None

    @property
    def rate_label(self) -> str:
        return "—" if self.rate_tenths is None else format_tenths(self.rate_tenths) + "%"

    @property
    def online_without_approval(self) -> int:
        return sum(1 for o in self.online if not o.approved)

    def add_attendance(self, roll: int, counted: int, present: int, criterion_met: bool) -> None:
        """One meeting's attendance figures (AttendanceSummary), as the charter counted them."""
        self.counted += counted
        self.present += present
        if roll:
            self.rated += 1
            self.criterion_met += bool(criterion_met)

    def add(self, other: Figures) -> None:
        self.cells += other.cells
        self.compliant_cells += other.compliant_cells
        for month in MONTHS:
            self.regular_months[month] += other.regular_months[month]
        for quarter in QUARTERS:
            self.thematic_quarters[quarter] += other.thematic_quarters[quarter]
        for name in (
            "missing_months",
            "missing_quarters",
            "held",
            "present",
            "counted",
            "rated",
            "criterion_met",
            "blocked_votes",
            "unsigned",
            "overdue",
            "signed_late",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.short += other.short
        self.online += other.online


@dataclass
class Row:
    organization: Organization
    figures: Figures

    @property
    def is_cell(self) -> bool:
        return self.organization.level == Level.CELL


@dataclass
class Dashboard:
    organization: Organization
    year: int
    as_of: datetime.date
    total: Figures
    rows: list[Row]  # the organisation's direct children (or the cell itself)
    cells: dict[int, Organization]

    @property
    def cell_ids_shown(self) -> list[int]:
        return [row.organization.pk for row in self.rows if row.is_cell]


def _year_bounds(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    zone = timezone.get_current_timezone()
    return (
        datetime.datetime(year, 1, 1, tzinfo=zone),
        datetime.datetime(year + 1, 1, 1, tzinfo=zone),
    )


@lru_cache(maxsize=4096)
def _duration_met(kind: str, lasted: int, regular_minimum: int) -> tuple[bool, int]:
    """R-P4 by the charter engine, cached: meetings share a handful of lengths."""
    check = charter.check_duration(
        meeting_kind(kind), lasted, minimums=charter.DurationMinimums(regular=regular_minimum)
    )
    return check.met, check.minimum or 0


def cell_figures(
    cells: dict[int, Organization],
    root: Organization,
    year: int,
    as_of: datetime.date,
) -> dict[int, Figures]:
    """The figures of every cell in `cells` (all under `root`) for `year`, in three queries
    (four when some held meeting has no attendance summary)."""
    policies = member_queries.effective_policies(root)
    since, until = _year_bounds(year)
    # Cell meetings only: a committee meeting (họp chi ủy) is not a meeting of the cell's
    # members, and the charter's yearly and attendance rules do not apply to it.
    held = Meeting.objects.filter(
        cell__path__startswith=root.path,
        kind__in=CELL_MEETING_KINDS,
        status__in=HELD_STATUSES,
        starts_at__gte=since,
        starts_at__lt=until,
    )
    # Local days (Asia/Ho_Chi_Minh) computed by the database, not per row in Python. A meeting
    # whose end was not recorded counts from the day it started.
    # The minutes document (one per minutes) joined, not looked up per meeting.
    meetings = (
        held.annotate(
            signed_minutes=FilteredRelation(
                "minutes__documents",
                condition=Q(
                    minutes__documents__kind=DocumentKind.MINUTES,
                    minutes__documents__status=DocumentStatus.ARCHIVED,
                ),
            ),
            day=TruncDate("starts_at"),
            lasted=ExpressionWrapper(F("ended_at") - F("started_at"), output_field=DurationField()),
            end_day=TruncDate(Coalesce("ended_at", "starts_at")),
            signed_day=TruncDate("signed_minutes__archived_at"),
        )
        .order_by()
        .values_list(  # unordered: the lists are sorted per cell below
            "pk",
            "cell_id",
            "kind",
            "mode",
            "approval_number",
            "approval_date",
            "day",
            "lasted",
            "end_day",
            "signed_day",
            # The charter's attendance figures, kept when the meeting ended (AttendanceSummary).
            "attendance_summary__roll",
            "attendance_summary__denominator",
            "attendance_summary__present",
            "attendance_summary__criterion_met",
        )
    )
    blocked = (
        Vote.objects.filter(
            meeting__in=held,
            result__decision__status=str(charter.DecisionStatus.BLOCKED),
            result__decision__reason=str(charter.DecisionReason.QUORUM_NOT_MET),
        )
        .values_list("meeting__cell_id")
        .annotate(n=Count("pk"))
    )

    figures = {cell_id: Figures(cells=1) for cell_id in cells}
    signing_days = {
        cell_id: datetime.timedelta(days=policies[cell_id].minutes_signing_days)
        for cell_id in cells
    }
    entries: dict[int, list[tuple[datetime.date, charter.MeetingKind]]] = defaultdict(list)
    unsummarised: list[tuple[Figures, int]] = []
    for cell_id, n in blocked:
        if cell_id in figures:
            figures[cell_id].blocked_votes = n
    for (
        pk,
        cell_id,
        kind,
        mode,
        number,
        approval_date,
        local_day,
        lasted,
        end_day,
        signed,
        roll,
        counted,
        present,
        criterion_met,
    ) in meetings:
        if cell_id not in figures:
            continue
        f = figures[cell_id]
        policy = policies[cell_id]
        f.held += 1
        charter_kind = CHARTER_KINDS.get(kind)
        if charter_kind is not None:
            entries[cell_id].append((local_day, charter_kind))
        if roll is None:
            unsummarised.append((f, pk))
        else:
            f.add_attendance(roll, counted, present, criterion_met)
        if lasted is not None and charter_kind is not None:
            minutes = int(lasted.total_seconds() // 60)
            met, minimum = _duration_met(kind, minutes, policy.minimum_regular_minutes)
            if not met:
                f.short.append(ShortMeeting(pk, cell_id, local_day, minutes, minimum))
        if mode in ONLINE_MODES:
            f.online.append(
                OnlineMeeting(
                    pk,
                    cell_id,
                    local_day,
                    mode,
                    number,
                    approval_date,
                    _online_allowed(mode, number),
                )
            )
        deadline = end_day + signing_days[cell_id]
        if signed is None:
            f.unsigned += 1
            f.overdue += as_of > deadline
        elif signed > deadline:
            f.signed_late += 1

    if unsummarised:
        # A held meeting without a summary (rows written by hand, not through the meeting's end;
        # the migration summarised those that ended before): its roll, summarised the same way.
        # One more query, only then.
        kept = figures_by_meeting(
            RollLine.objects.filter(meeting__in=held.filter(attendance_summary__isnull=True))
        )
        for f, pk in unsummarised:
            k = kept.get(pk, NO_ROLL)
            f.add_attendance(k.roll, k.denominator, k.present, k.criterion_met)

    for cell_id, f in figures.items():
        f.short.sort(key=lambda s: (s.day, s.meeting_id))
        f.online.sort(key=lambda o: (o.day, o.meeting_id))
        compliance = charter.yearly_compliance(year, entries[cell_id], as_of=as_of)
        f.explanation = compliance.explanation
        f.compliant_cells = int(compliance.compliant)
        f.missing_months = len(compliance.missing_months)
        f.missing_quarters = len(compliance.missing_quarters)
        for day, kind in entries[cell_id]:
            if kind == charter.MeetingKind.REGULAR:
                f.regular_months[day.month] = 1
            elif kind == charter.MeetingKind.THEMATIC:
                f.thematic_quarters[quarter_of(day.month)] = 1
    return figures


def dashboard(organization: Organization, year: int, as_of: datetime.date) -> Dashboard:
    """The organisation's subtree: a row per direct child (a cell, or its cells added up)."""
    subtree = list(member_queries.subtree(organization).only("pk", "name", "level", "path"))
    cells = {o.pk: o for o in subtree if o.level == Level.CELL}
    per_cell = cell_figures(cells, organization, year, as_of)
    depth = len(organization.path)
    children = [o for o in subtree if len(o.path) == depth + PATH_STEP]
    if organization.level == Level.CELL:
        children = [organization]
    by_child: dict[str, Figures] = {child.path: Figures() for child in children}
    total = Figures()
    for cell_id, f in per_cell.items():
        total.add(f)
        prefix = cells[cell_id].path[: depth + PATH_STEP]
        if organization.level == Level.CELL:
            prefix = organization.path
        if prefix in by_child:
            by_child[prefix].add(f)
    rows = [Row(child, by_child[child.path]) for child in children]
    for row in rows:
        if row.is_cell and row.organization.pk in per_cell:
            row.figures.explanation = per_cell[row.organization.pk].explanation
    return Dashboard(organization, year, as_of, total, rows, cells)
