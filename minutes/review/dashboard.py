"""The compliance dashboard: one organisation's subtree, one year, per cell and rolled up.

Every figure is read in a fixed number of queries whatever the size of the subtree (the tests
count them): the organisations with their policies; the held meetings aggregated per cell in
SQL (months held per kind, attendance summaries added up, minutes signed, late and overdue
against each signing deadline); the few meetings the charter must see one by one (possibly
short, online or hybrid, without an attendance summary); the blocked votes grouped per cell
(and, only if some held meeting has no attendance summary, the roll of those meetings). The
charter engine decides every rule (yearly compliance R-M1/R-M3, the attendance criterion R-Q1 —
kept per meeting when it ends, see meetings.attendance_summary —, the minimum duration R-P4,
online approval R-O3); this module only turns rows into its inputs and adds up.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.db.models import (
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FilteredRelation,
    IntegerField,
    Q,
    Sum,
    Value,
    When,
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
TREE_FIELDS = ("pk", "name", "level", "path", *member_queries.POLICY_DEFAULTS)
# The kinds the yearly rules count (R-M1 monthly, R-M3 quarterly). The months in which a cell
# held each of them come out of SQL as one number, a bit per kind and month (`_month_bit`).
YEARLY_KINDS = (charter.MeetingKind.REGULAR, charter.MeetingKind.THEMATIC)


def _month_bit(kind_index: int, month: int) -> int:
    return 1 << (kind_index * 12 + month - 1)


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
        months, quarters = self.regular_months, self.thematic_quarters
        for month, n in other.regular_months.items():
            months[month] += n
        for quarter, n in other.thematic_quarters.items():
            quarters[quarter] += n
        self.missing_months += other.missing_months
        self.missing_quarters += other.missing_quarters
        self.held += other.held
        self.present += other.present
        self.counted += other.counted
        self.rated += other.rated
        self.criterion_met += other.criterion_met
        self.blocked_votes += other.blocked_votes
        self.unsigned += other.unsigned
        self.overdue += other.overdue
        self.signed_late += other.signed_late
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
    cells: dict[int, Any]  # every cell of the subtree: rows with pk, name, level and path

    @property
    def cell_ids_shown(self) -> list[int]:
        return [row.organization.pk for row in self.rows if row.is_cell]


def _year_bounds(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    zone = timezone.get_current_timezone()
    return (
        datetime.datetime(year, 1, 1, tzinfo=zone),
        datetime.datetime(year + 1, 1, 1, tzinfo=zone),
    )


def _month_bounds(year: int, month: int) -> tuple[datetime.datetime, datetime.datetime]:
    """The local month (Asia/Ho_Chi_Minh), as instants: compared in SQL without a conversion."""
    zone = timezone.get_current_timezone()
    following = (year + 1, 1) if month == 12 else (year, month + 1)
    return (
        datetime.datetime(year, month, 1, tzinfo=zone),
        datetime.datetime(*following, 1, tzinfo=zone),
    )


@lru_cache(maxsize=4096)
def _duration_met(kind: str, lasted: int, regular_minimum: int) -> tuple[bool, int]:
    """R-P4 by the charter engine, cached: meetings share a handful of lengths."""
    check = charter.check_duration(
        meeting_kind(kind), lasted, minimums=charter.DurationMinimums(regular=regular_minimum)
    )
    return check.met, check.minimum or 0


@lru_cache(maxsize=1024)
def _held_entries(year: int, mask: int) -> tuple[tuple[datetime.date, charter.MeetingKind], ...]:
    """The charter's entries for the months set in `mask`: it reads the month of each (R-M1,
    R-M3), so one entry per month and kind, on the first of the month."""
    return tuple(
        (datetime.date(year, month, 1), kind)
        for index, kind in enumerate(YEARLY_KINDS)
        for month in MONTHS
        if mask & _month_bit(index, month)
    )


@lru_cache(maxsize=1024)
def _yearly_compliance(
    year: int, entries: tuple[tuple[datetime.date, charter.MeetingKind], ...], as_of: datetime.date
) -> charter.Compliance:
    """R-M1 and R-M3 by the charter engine, cached: most cells hold the same months."""
    return charter.yearly_compliance(year, entries, as_of=as_of)


def _largest_minimum(regular_minimums: set[int]) -> int:
    """The longest minimum the charter sets for a cell meeting under any of these policies: a
    meeting at least this long is never short, so only shorter ones are read one by one."""
    return max(
        (
            charter.minimum_duration(
                CHARTER_KINDS[kind], minimums=charter.DurationMinimums(regular=regular)
            )
            or 0
            for kind in CELL_MEETING_KINDS
            if kind in CHARTER_KINDS
            for regular in regular_minimums
        ),
        default=0,
    )


def _count(condition: Q) -> Count:
    return Count("pk", filter=condition)


def cell_figures(
    cells: dict[int, Any],
    root: Organization,
    year: int,
    as_of: datetime.date,
    policies: dict[int, member_queries.EffectivePolicy] | None = None,
) -> dict[int, Figures]:
    """The figures of every cell in `cells` (all under `root`) for `year`, in three queries
    (four when some held meeting has no attendance summary), plus one for the policies unless
    the caller gives them (`member_queries.effective_policies`).

    Per cell in SQL (GROUP BY cell): the held meetings, those of each kind in each local month,
    the attendance summaries added up, and the minutes not signed, overdue or signed late
    against each signing deadline the cells' policies set. One by one, only the meetings the
    charter must look at: those shorter than the longest minimum, the online and hybrid ones,
    and any without an attendance summary.
    """
    if policies is None:
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
    deadlines = sorted({policies[cell_id].minutes_signing_days for cell_id in cells})
    longest = _largest_minimum({policies[cell_id].minimum_regular_minutes for cell_id in cells})

    # Local days (Asia/Ho_Chi_Minh) computed by the database. A meeting whose end was not
    # recorded counts from the day it started. The minutes document (one per minutes) joined.
    # `lag`: whole days from the day the meeting ended to the day its minutes were signed.
    signing = held.annotate(
        signed_minutes=FilteredRelation(
            "minutes__documents",
            condition=Q(
                minutes__documents__kind=DocumentKind.MINUTES,
                minutes__documents__status=DocumentStatus.ARCHIVED,
            ),
        ),
        ended=Coalesce("ended_at", "starts_at"),
        lag=ExpressionWrapper(
            TruncDate("signed_minutes__archived_at") - TruncDate("ended"),
            output_field=DurationField(),
        ),
    )
    unsigned = Q(signed_minutes__archived_at__isnull=True)
    # SUM of the DISTINCT bits of a cell's meetings: the months (per kind) in which it held one.
    # A meeting's bit is that of the first month not over when it started, shifted by its kind.
    month_bit = Case(
        *(
            When(starts_at__lt=_month_bounds(year, month)[1], then=_month_bit(0, month))
            for month in MONTHS
        ),
        output_field=IntegerField(),
    )
    kind_shift = Case(
        *(
            When(kind=kind.value, then=_month_bit(index, 1))
            for index, kind in enumerate(YEARLY_KINDS)
        ),
        output_field=IntegerField(),
    )
    months_held = Sum(month_bit * kind_shift, distinct=True, default=0)
    per_deadline = {}
    zone = timezone.get_current_timezone()
    for days in deadlines:
        # Past the deadline: signed after its day, or not signed and its day over by as_of, that
        # is, the meeting ended before the local day that many days before as_of began.
        per_deadline[f"late_{days}"] = _count(Q(lag__gt=datetime.timedelta(days=days)))
        last_day = as_of - datetime.timedelta(days=days)
        before = datetime.datetime.combine(last_day, datetime.time.min, tzinfo=zone)
        per_deadline[f"overdue_{days}"] = _count(unsigned & Q(ended__lt=before))
    totals = (
        signing.order_by()
        .values("cell_id")
        .annotate(
            held=Count("pk"),
            # The charter's attendance figures, kept when each meeting ended (AttendanceSummary).
            counted=Sum("attendance_summary__denominator", default=0),
            present=Sum("attendance_summary__present", default=0),
            rated=_count(Q(attendance_summary__roll__gt=0)),
            criterion_met=_count(
                Q(attendance_summary__roll__gt=0, attendance_summary__criterion_met=True)
            ),
            # Counting the non-null values is cheaper in SQL than a filtered count.
            signed=Count("signed_minutes__archived_at"),
            summarised=Count("attendance_summary__meeting_id"),
            months_held=months_held,
            **per_deadline,
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
    masks: dict[int, int] = {}
    unsummarised = False
    for row in totals:
        f = figures.get(row["cell_id"])
        if f is None:
            continue
        f.held = row["held"]
        f.counted, f.present = row["counted"], row["present"]
        f.rated, f.criterion_met = row["rated"], row["criterion_met"]
        days = policies[row["cell_id"]].minutes_signing_days
        f.unsigned, f.overdue = row["held"] - row["signed"], row[f"overdue_{days}"]
        f.signed_late = row[f"late_{days}"]
        masks[row["cell_id"]] = row["months_held"]
        unsummarised = unsummarised or row["summarised"] < row["held"]
    for cell_id, n in blocked:
        if cell_id in figures:
            figures[cell_id].blocked_votes = n

    # One by one: the meetings that may be short (shorter than the longest minimum), the online
    # and hybrid ones, and (only if there are any) those without an attendance summary.
    never_short = datetime.timedelta(minutes=longest)
    wanted = Q(lasted__lt=never_short) | Q(mode__in=ONLINE_MODES)
    if unsummarised:
        wanted |= Q(attendance_summary__isnull=True)
    singled = (
        held.annotate(
            day=TruncDate("starts_at"),
            lasted=ExpressionWrapper(F("ended_at") - F("started_at"), output_field=DurationField()),
            summary=F("attendance_summary__meeting_id") if unsummarised else Value(0),
        )
        .filter(wanted)
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
            "summary",
        )
    )
    regular_minimum = {cell_id: policies[cell_id].minimum_regular_minutes for cell_id in cells}
    without_summary: list[tuple[Figures, int]] = []
    for pk, cell_id, kind, mode, number, approval_date, local_day, lasted, summary in singled:
        if cell_id not in figures:
            continue
        f = figures[cell_id]
        if summary is None:
            without_summary.append((f, pk))
        if lasted is not None and lasted < never_short and kind in CHARTER_KINDS:
            minutes = int(lasted.total_seconds() // 60)
            met, minimum = _duration_met(kind, minutes, regular_minimum[cell_id])
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

    if without_summary:
        # A held meeting without a summary (rows written by hand, not through the meeting's end;
        # the migration summarised those that ended before): its roll, summarised the same way.
        # One more query, only then.
        kept = figures_by_meeting(
            RollLine.objects.filter(meeting__in=held.filter(attendance_summary__isnull=True))
        )
        for f, pk in without_summary:
            k = kept.get(pk, NO_ROLL)
            f.add_attendance(k.roll, k.denominator, k.present, k.criterion_met)

    for cell_id, f in figures.items():
        f.short.sort(key=lambda s: (s.day, s.meeting_id))
        f.online.sort(key=lambda o: (o.day, o.meeting_id))
        held_entries = _held_entries(year, masks.get(cell_id, 0))
        compliance = _yearly_compliance(year, held_entries, as_of)
        f.explanation = compliance.explanation
        f.compliant_cells = int(compliance.compliant)
        f.missing_months = len(compliance.missing_months)
        f.missing_quarters = len(compliance.missing_quarters)
        for day, kind in held_entries:
            if kind == charter.MeetingKind.REGULAR:
                f.regular_months[day.month] = 1
            elif kind == charter.MeetingKind.THEMATIC:
                f.thematic_quarters[quarter_of(day.month)] = 1
    return figures


def dashboard(organization: Organization, year: int, as_of: datetime.date) -> Dashboard:
    """The organisation's subtree: a row per direct child (a cell, or its cells added up)."""
    # The subtree and its ancestors in one query, with the policy fields they inherit, as
    # named rows (a thousand model instances cost more than the rest of the Python here).
    known = list(member_queries.policy_tree(organization).values_list(*TREE_FIELDS, named=True))
    policies = member_queries.effective_policies(organization, known)
    subtree = [o for o in known if o.path.startswith(organization.path)]
    cells = {o.pk: o for o in subtree if o.level == Level.CELL}
    per_cell = cell_figures(cells, organization, year, as_of, policies)
    depth = len(organization.path)
    children = [
        Organization(pk=o.pk, name=o.name, level=o.level, path=o.path)
        for o in subtree
        if len(o.path) == depth + PATH_STEP
    ]
    if organization.level == Level.CELL:
        children = [organization]
    by_child: dict[str, Figures] = {child.path: Figures() for child in children}
    for cell_id, f in per_cell.items():
        prefix = cells[cell_id].path[: depth + PATH_STEP]
        if organization.level == Level.CELL:
            prefix = organization.path
        if prefix in by_child:
            by_child[prefix].add(f)
    # Every cell of the subtree is beneath exactly one child (or is the organisation itself).
    total = Figures()
    for child in children:
        total.add(by_child[child.path])
    rows = [Row(child, by_child[child.path]) for child in children]
    for row in rows:
        if row.is_cell and row.organization.pk in per_cell:
            row.figures.explanation = per_cell[row.organization.pk].explanation
    return Dashboard(organization, year, as_of, total, rows, cells)
