"""The compliance dashboard: one organisation's subtree, one year, per cell and rolled up.

Every figure is read in a fixed number of queries whatever the size of the subtree (the tests
count them): the organisations with their policies; each cell's figures kept from an earlier
view (minutes.review.kept), and for the cells whose records or policy changed since, the held
meetings aggregated per cell in SQL (months held per kind, attendance summaries added up,
minutes signed and signed late against each signing deadline, meetings shorter than the
charter's minimum, online and hybrid meetings with and without an approval reference), the
blocked votes and the days the meetings with unsigned minutes ended, grouped per cell (and,
only if some held meeting has no attendance summary, those meetings and their roll); the first
LISTED short and the first LISTED online meetings of the subtree, the ones the page lists. The
charter engine decides every rule (yearly compliance R-M1/R-M3, the attendance criterion R-Q1 —
kept per meeting when it ends, see meetings.attendance_summary —, the minimum duration R-P4,
online approval R-O3); this module turns its answers into SQL conditions, rows into its inputs,
and adds up.
"""

from __future__ import annotations

import datetime
import functools
import operator
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.db import connections
from django.db.models import (
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FilteredRelation,
    IntegerField,
    PositiveBigIntegerField,
    Q,
    QuerySet,
    Sum,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from meetings import charter
from meetings.attendance_summary import figures_by_meeting
from meetings.charter.attendance import format_tenths, rate_in_tenths
from meetings.charter.meetings import quarter_of
from meetings.enums import HELD_STATUSES, ONLINE_MODES, MeetingKind
from meetings.models import Attendance as RollLine
from meetings.models import Meeting, Vote
from meetings.snapshots import meeting_kind
from members import queries as member_queries
from members.enums import Level
from members.models import PATH_STEP, Organization
from minutes.models import CellRecordsVersion, CellYearFigures, DocumentKind, DocumentStatus
from minutes.review.kept import KEPT_FIGURES, KEY_FIELDS

MONTHS = tuple(range(1, 13))
# The charter's kinds by their stored value, and the cell's own meetings among them.
CHARTER_KINDS = {kind.value: kind for kind in charter.MeetingKind}
CELL_MEETING_KINDS = [kind for kind in MeetingKind.values if kind != MeetingKind.COMMITTEE]
QUARTERS = (1, 2, 3, 4)
TREE_FIELDS = ("pk", "name", "level", "path", *member_queries.POLICY_DEFAULTS)
LISTED = 50  # short and online meetings listed, the first of the subtree by day
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
    reason: str = ""  # the chair's reason for ending before the minimum (issue 13, defect 6)


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
    short: int = 0  # meetings shorter than the charter's minimum (R-P4)
    online: int = 0  # online and hybrid meetings
    online_without_approval: int = 0  # of those, without the approval R-O3 requires
    unsigned: int = 0  # held, minutes not signed and archived yet
    overdue: int = 0  # of those, past the signing deadline
    signed_late: int = 0
    explanation: str = ""  # the charter's yearly compliance text (one cell only)
    months_held: int = 0  # one cell's months held, a bit per kind and month (not added up)
    # One cell's: the local days on which its meetings with unsigned minutes ended (not added up).
    unsigned_ended_on: list[datetime.date] = field(default_factory=list)

    @property
    def rate_tenths(self) -> int | None:
        return rate_in_tenths(self.present, self.counted) if self.counted else None

    @property
    def rate_label(self) -> str:
        return "—" if self.rate_tenths is None else format_tenths(self.rate_tenths) + "%"

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
        self.online_without_approval += other.online_without_approval


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
    short: list[ShortMeeting]  # the first LISTED of the subtree by day, and
    online: list[OnlineMeeting]  # the first LISTED online or hybrid ones

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


@dataclass(frozen=True)
class YearMarks:
    """A cell's year as the yearly rules see it (R-M1, R-M3): shared by every cell that held its
    meetings in the same months."""

    compliance: charter.Compliance
    regular_months: dict[int, int]  # month → 1 when it had a regular meeting
    thematic_quarters: dict[int, int]  # quarter → 1 when it had a thematic meeting


@lru_cache(maxsize=1024)
def _year_marks(year: int, mask: int, as_of: datetime.date) -> YearMarks:
    """R-M1 and R-M3 by the charter engine for a cell that held a meeting of each kind in the
    months set in `mask`, cached: most cells hold the same months. The charter reads the month
    of each entry, so one entry per month and kind, on the first of the month."""
    entries = tuple(
        (datetime.date(year, month, 1), kind)
        for index, kind in enumerate(YEARLY_KINDS)
        for month in MONTHS
        if mask & _month_bit(index, month)
    )
    return YearMarks(
        charter.yearly_compliance(year, entries, as_of=as_of),
        {day.month: 1 for day, kind in entries if kind == charter.MeetingKind.REGULAR},
        {quarter_of(day.month): 1 for day, kind in entries if kind == charter.MeetingKind.THEMATIC},
    )


@lru_cache(maxsize=64)
def _minimums(regular: int) -> tuple[tuple[str, int], ...]:
    """The charter's minimum duration in minutes (R-P4) of each kind of cell meeting that has
    one, under a policy whose regular minimum is `regular`."""
    minimums = charter.DurationMinimums(regular=regular)
    found = (
        (kind, charter.minimum_duration(CHARTER_KINDS[kind], minimums=minimums))
        for kind in CELL_MEETING_KINDS
        if kind in CHARTER_KINDS
    )
    return tuple((kind, minimum) for kind, minimum in found if minimum is not None)


def _shorter_than_minimum(regular: int) -> Q:
    """Meetings (annotated with `lasted`) that lasted less than the charter's minimum for their
    kind (R-P4) under a policy whose regular minimum is `regular`. The charter counts whole
    minutes, so less than the minimum in minutes is less than that many whole minutes. A meeting
    without a recorded start or end, or ending before it started, has no duration to judge."""
    shorter = [
        Q(kind=kind, lasted__lt=datetime.timedelta(minutes=minimum))
        for kind, minimum in _minimums(regular)
    ]
    return functools.reduce(operator.or_, shorter) & Q(lasted__gte=datetime.timedelta(0))


def _approved(mode: str, recorded: bool) -> bool:
    """R-O3 by the charter engine for an online or hybrid meeting with or without a recorded
    approval. Its verdict turns on whether a reference is recorded, not on its wording, so SQL
    sorts the meetings into those two groups and the charter decides for each."""
    return _online_allowed(mode, "1" if recorded else "")


def _counts(totals: QuerySet[Any, Any]) -> Iterator[dict[str, int]]:
    """The rows of an aggregate query as the database returns them, by column name: integers
    all, so without the ORM's per-value converters (a tenth of the 1,000-cell dashboard)."""
    sql, params = totals.query.sql_with_params()
    with connections[totals.db].cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        for row in cursor.fetchall():
            yield dict(zip(names, row, strict=True))


def _count(condition: Q) -> Count:
    return Count("pk", filter=condition)


def _held(root: Organization, year: int) -> QuerySet[Meeting]:
    """The cell meetings held in `year` in the subtree of `root`, with how long each lasted.

    Cell meetings only: a committee meeting (họp chi ủy) is not a meeting of the cell's members,
    and the charter's yearly and attendance rules do not apply to it."""
    since, until = _year_bounds(year)
    return Meeting.objects.filter(
        cell__path__startswith=root.path,
        kind__in=CELL_MEETING_KINDS,
        status__in=HELD_STATUSES,
        starts_at__gte=since,
        starts_at__lt=until,
    ).annotate(
        lasted=ExpressionWrapper(F("ended_at") - F("started_at"), output_field=DurationField())
    )


def _by_regular_minimum(
    cells: dict[int, Any], policies: dict[int, member_queries.EffectivePolicy]
) -> dict[int, list[int]]:
    """The cells grouped by the regular minimum their policy sets (usually one group)."""
    groups: dict[int, list[int]] = {}
    for cell_id in cells:
        groups.setdefault(policies[cell_id].minimum_regular_minutes, []).append(cell_id)
    return groups


def cell_figures(
    cells: dict[int, Any],
    root: Organization,
    year: int,
    as_of: datetime.date,
    policies: dict[int, member_queries.EffectivePolicy] | None = None,
    *,
    all_cells: bool = True,
) -> dict[int, Figures]:
    """The figures of every cell in `cells` (all under `root`; only those if not `all_cells`)
    for `year`, in three queries (five when some held meeting has no attendance summary), plus
    one for the policies unless the caller gives them (`member_queries.effective_policies`).

    Per cell in SQL (GROUP BY cell): the held meetings, those of each kind in each local month,
    the attendance summaries added up, the minutes not signed or signed late against each
    signing deadline the cells' policies set, the meetings shorter than the charter's minimum
    under each regular minimum they set, and the online and hybrid meetings with and without a
    recorded approval. Then the votes blocked for want of quorum, per cell, and the days the
    meetings with unsigned minutes ended (which are overdue is judged on the day: `_judge_as_of`).
    """
    if policies is None:
        policies = member_queries.effective_policies(root)
    held = _held(root, year)
    if not all_cells:  # only some of the subtree's cells
        held = held.filter(cell_id__in=list(cells))
    deadlines = sorted({policies[cell_id].minutes_signing_days for cell_id in cells})

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
    per_policy = {}
    for days in deadlines:
        # Signed after the deadline's day. (Overdue, not signed and the day over by as_of, is
        # counted in Python from the days the unsigned meetings ended: `_judge_as_of`.)
        per_policy[f"late_{days}"] = _count(Q(lag__gt=datetime.timedelta(days=days)))
    for regular in _by_regular_minimum(cells, policies):
        per_policy[f"short_{regular}"] = _count(_shorter_than_minimum(regular))
    recorded = ~Q(approval_number__regex=r"^\s*$")
    online_groups = [(str(mode), has) for mode in sorted(ONLINE_MODES) for has in (True, False)]
    for mode, has in online_groups:
        per_policy[f"online_{mode}_{has}"] = _count(Q(mode=mode) & (recorded if has else ~recorded))
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
            **per_policy,
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
    unsummarised = False
    without_approval = [
        f"online_{mode}_{has}" for mode, has in online_groups if not _approved(mode, has)
    ]
    online_columns = [f"online_{mode}_{has}" for mode, has in online_groups]
    for row in _counts(totals):
        f = figures.get(row["cell_id"])
        if f is None:
            continue
        policy = policies[row["cell_id"]]
        f.held = row["held"]
        f.counted, f.present = row["counted"], row["present"]
        f.rated, f.criterion_met = row["rated"], row["criterion_met"]
        f.unsigned = row["held"] - row["signed"]
        f.signed_late = row[f"late_{policy.minutes_signing_days}"]
        f.short = row[f"short_{policy.minimum_regular_minutes}"]
        f.online = sum(row[column] for column in online_columns)
        f.online_without_approval = sum(row[column] for column in without_approval)
        f.months_held = row["months_held"]
        unsummarised = unsummarised or row["summarised"] < row["held"]
    for cell_id, n in blocked:
        if cell_id in figures:
            figures[cell_id].blocked_votes = n
    unsigned_days = signing.filter(unsigned).annotate(ended_on=TruncDate("ended"))
    for cell_id, day in unsigned_days.values_list("cell_id", "ended_on").order_by("ended_on"):
        if cell_id in figures:
            figures[cell_id].unsigned_ended_on.append(day)

    if unsummarised:
        # A held meeting without a summary (rows written by hand, not through the meeting's end;
        # the migration summarised those that ended before): its roll, summarised the same way.
        # Two more queries, only then.
        bare = held.filter(attendance_summary__isnull=True)
        kept = figures_by_meeting(RollLine.objects.filter(meeting__in=bare))
        for pk, cell_id in bare.values_list("pk", "cell_id"):
            if cell_id in figures and pk in kept:
                k = kept[pk]
                figures[cell_id].add_attendance(k.roll, k.denominator, k.present, k.criterion_met)

    for cell_id, f in figures.items():
        _judge_as_of(f, year, as_of, policies[cell_id].minutes_signing_days)
    return figures


def _judge_as_of(f: Figures, year: int, as_of: datetime.date, signing_days: int) -> None:
    """What depends on the day: one cell's yearly compliance (R-M1, R-M3) from the months it
    held meetings in, and its unsigned minutes past the deadline — those of meetings that ended
    before the local day `signing_days` before `as_of` (on the last day is in time)."""
    last_day = as_of - datetime.timedelta(days=signing_days)
    f.overdue = sum(1 for day in f.unsigned_ended_on if day < last_day)
    marks = _year_marks(year, f.months_held, as_of)
    f.explanation = marks.compliance.explanation
    f.compliant_cells = int(marks.compliance.compliant)
    f.missing_months = len(marks.compliance.missing_months)
    f.missing_quarters = len(marks.compliance.missing_quarters)
    f.regular_months.update(marks.regular_months)
    f.thematic_quarters.update(marks.thematic_quarters)


def kept_cell_figures(
    cells: dict[int, Any],
    root: Organization,
    year: int,
    as_of: datetime.date,
    policies: dict[int, member_queries.EffectivePolicy],
) -> dict[int, Figures]:
    """`cell_figures`, from the rows kept for the cells whose records, deadline and minimum
    have not changed since (minutes.review.kept), computing and keeping the others: one query
    when every row is still good, five more otherwise (seven when some held meeting has no
    attendance summary)."""
    current = Coalesce("cell__records_version__version", 0, output_field=PositiveBigIntegerField())
    kept = {
        row.cell_id: row
        for row in CellYearFigures.objects.filter(
            year=year, cell__path__startswith=root.path
        ).annotate(current=current)
    }
    figures: dict[int, Figures] = {}
    stale: dict[int, Any] = {}
    for cell_id, cell in cells.items():
        row, policy = kept.get(cell_id), policies[cell_id]
        valid_for = (policy.minutes_signing_days, policy.minimum_regular_minutes)
        if row is None or (row.current, *valid_for) != tuple(getattr(row, k) for k in KEY_FIELDS):
            stale[cell_id] = cell
            continue
        f = figures[cell_id] = Figures(cells=1)
        for name in KEPT_FIGURES:
            setattr(f, name, getattr(row, name))
        f.unsigned_ended_on = [datetime.date.fromisoformat(day) for day in row.unsigned_ended_on]
        _judge_as_of(f, year, as_of, policy.minutes_signing_days)
    if not stale:
        return figures
    # The versions before the figures: a write committed in between leaves the row behind.
    versions = dict(
        CellRecordsVersion.objects.filter(cell__path__startswith=root.path).values_list(
            "cell_id", "version"
        )
    )
    computed = cell_figures(stale, root, year, as_of, policies, all_cells=len(stale) == len(cells))
    CellYearFigures.objects.bulk_create(
        [
            CellYearFigures(
                cell_id=cell_id,
                year=year,
                records_version=versions.get(cell_id, 0),
                signing_days=policies[cell_id].minutes_signing_days,
                regular_minimum=policies[cell_id].minimum_regular_minutes,
                unsigned_ended_on=[day.isoformat() for day in f.unsigned_ended_on],
                **{name: getattr(f, name) for name in KEPT_FIGURES},
            )
            for cell_id, f in sorted(computed.items())  # one lock order for every writer
        ],
        update_conflicts=True,
        unique_fields=["cell", "year"],
        update_fields=[*KEY_FIELDS, *KEPT_FIGURES, "unsigned_ended_on", "computed_at"],
    )
    return figures | computed


def listed_meetings(
    cells: dict[int, Any],
    root: Organization,
    year: int,
    policies: dict[int, member_queries.EffectivePolicy],
) -> tuple[list[ShortMeeting], list[OnlineMeeting]]:
    """The first LISTED meetings of the subtree, by local day, shorter than the charter's
    minimum, and the first LISTED online or hybrid ones with the charter's verdict on their
    approval: two queries."""
    held = _held(root, year).annotate(day=TruncDate("starts_at")).order_by("starts_at", "pk")
    groups = _by_regular_minimum(cells, policies)
    shorter = [
        _shorter_than_minimum(regular) & (Q(cell_id__in=ids) if len(groups) > 1 else Q())
        for regular, ids in groups.items()
    ]
    short = []
    if shorter:
        rows = held.filter(functools.reduce(operator.or_, shorter))
        for pk, cell_id, kind, day, lasted, reason in rows.values_list(
            "pk", "cell_id", "kind", "day", "lasted", "early_end_reason"
        )[:LISTED]:
            if cell_id not in cells:
                continue
            minutes = int(lasted.total_seconds() // 60)
            met, minimum = _duration_met(kind, minutes, policies[cell_id].minimum_regular_minutes)
            if not met:
                short.append(ShortMeeting(pk, cell_id, day, minutes, minimum, reason))
    online = [
        OnlineMeeting(pk, cell_id, day, mode, number, approval_date, _online_allowed(mode, number))
        for pk, cell_id, day, mode, number, approval_date in held.filter(
            mode__in=ONLINE_MODES
        ).values_list("pk", "cell_id", "day", "mode", "approval_number", "approval_date")[:LISTED]
        if cell_id in cells
    ]
    return short, online


def dashboard(organization: Organization, year: int, as_of: datetime.date) -> Dashboard:
    """The organisation's subtree: a row per direct child (a cell, or its cells added up)."""
    # The subtree and its ancestors in one query, with the policy fields they inherit, as
    # named rows (a thousand model instances cost more than the rest of the Python here).
    known = list(member_queries.policy_tree(organization).values_list(*TREE_FIELDS, named=True))
    policies = member_queries.effective_policies(organization, known)
    subtree = [o for o in known if o.path.startswith(organization.path)]
    cells = {o.pk: o for o in subtree if o.level == Level.CELL}
    per_cell = kept_cell_figures(cells, organization, year, as_of, policies)
    short, online = listed_meetings(cells, organization, year, policies)
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
    return Dashboard(organization, year, as_of, total, rows, cells, short, online)
