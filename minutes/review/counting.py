"""The figures of a subtree's cells for one year, counted in SQL.

Every figure is read in a fixed number of queries whatever the size of the subtree (the tests
count them): the held meetings aggregated per cell (months held per kind, attendance summaries
added up, minutes signed and signed late against each signing deadline, meetings shorter than
the charter's minimum, online and hybrid meetings with and without an approval reference), the
blocked votes and the days the meetings with unsigned minutes ended, grouped per cell (and,
only if some held meeting has no attendance summary, those meetings and their roll). The rules
are the charter's (minutes.review.figures); this module turns rows into its inputs, and adds up.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
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
    Q,
    QuerySet,
    Sum,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from meetings import charter
from meetings.attendance_summary import figures_by_meeting
from meetings.enums import HELD_STATUSES, ONLINE_MODES
from meetings.models import Attendance as RollLine
from meetings.models import Meeting, Vote
from members import queries as member_queries
from members.models import Organization
from minutes.models import DocumentKind, DocumentStatus
from minutes.review.figures import (
    CELL_MEETING_KINDS,
    MONTHS,
    YEARLY_KINDS,
    Figures,
    judge_as_of,
    month_bit,
    online_approved,
    shorter_than_minimum,
)


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


def held_meetings(root: Organization, year: int) -> QuerySet[Meeting]:
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


def by_regular_minimum(
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
    meetings with unsigned minutes ended (which are overdue is judged on the day: `judge_as_of`).
    """
    if policies is None:
        policies = member_queries.effective_policies(root)
    held = held_meetings(root, year)
    if not all_cells:  # only some of the subtree's cells
        held = held.filter(cell_id__in=list(cells))
    signing = _with_signing(held)
    figures = {cell_id: Figures(cells=1) for cell_id in cells}
    totals = _totals(signing, year, _per_policy_counts(cells, policies))
    unsummarised = _fill_from_totals(figures, totals, policies)
    _add_blocked_votes(figures, held)
    _add_unsigned_days(figures, signing)
    if unsummarised:
        _add_unsummarised(figures, held)
    for cell_id, f in figures.items():
        judge_as_of(f, year, as_of, policies[cell_id].minutes_signing_days)
    return figures


def _with_signing(held: QuerySet[Meeting]) -> QuerySet[Meeting]:
    """The held meetings with their archived minutes document (one per minutes) joined, the day
    each ended and `lag`: whole days from that day to the day its minutes were signed.

    Local days (Asia/Ho_Chi_Minh) computed by the database. A meeting whose end was not
    recorded counts from the day it started."""
    return held.annotate(
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


def _months_held(year: int) -> Sum:
    """SUM of the DISTINCT bits of a cell's meetings: the months (per kind) in which it held one.
    A meeting's bit is that of the first month not over when it started, shifted by its kind."""
    month_of_start = Case(
        *(
            When(starts_at__lt=_month_bounds(year, month)[1], then=month_bit(0, month))
            for month in MONTHS
        ),
        output_field=IntegerField(),
    )
    kind_shift = Case(
        *(
            When(kind=kind.value, then=month_bit(index, 1))
            for index, kind in enumerate(YEARLY_KINDS)
        ),
        output_field=IntegerField(),
    )
    return Sum(month_of_start * kind_shift, distinct=True, default=0)


def _online_groups() -> list[tuple[str, bool]]:
    """The online and hybrid modes, each with and without a recorded approval."""
    return [(str(mode), has) for mode in sorted(ONLINE_MODES) for has in (True, False)]


def _per_policy_counts(
    cells: dict[int, Any], policies: dict[int, member_queries.EffectivePolicy]
) -> dict[str, Count]:
    """The counts whose condition depends on a cell's policy, one column per value the cells'
    policies set, and the online meetings per mode, with and without a recorded approval."""
    per_policy = {}
    for days in sorted({policies[cell_id].minutes_signing_days for cell_id in cells}):
        # Signed after the deadline's day. (Overdue, not signed and the day over by as_of, is
        # counted in Python from the days the unsigned meetings ended: `judge_as_of`.)
        per_policy[f"late_{days}"] = _count(Q(lag__gt=datetime.timedelta(days=days)))
    for regular in by_regular_minimum(cells, policies):
        per_policy[f"short_{regular}"] = _count(shorter_than_minimum(regular))
    recorded = ~Q(approval_number__regex=r"^\s*$")
    for mode, has in _online_groups():
        per_policy[f"online_{mode}_{has}"] = _count(Q(mode=mode) & (recorded if has else ~recorded))
    return per_policy


def _totals(
    signing: QuerySet[Meeting], year: int, per_policy: dict[str, Count]
) -> QuerySet[Any, Any]:
    """The held meetings' figures per cell, in one aggregate query."""
    return (
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
            months_held=_months_held(year),
            **per_policy,
        )
    )


def _fill_from_totals(
    figures: dict[int, Figures],
    totals: QuerySet[Any, Any],
    policies: dict[int, member_queries.EffectivePolicy],
) -> bool:
    """Each cell's figures from its row of `totals`, reading the columns of its own policy.
    True when some held meeting has no attendance summary."""
    online_groups = _online_groups()
    without_approval = [
        f"online_{mode}_{has}" for mode, has in online_groups if not online_approved(mode, has)
    ]
    online_columns = [f"online_{mode}_{has}" for mode, has in online_groups]
    unsummarised = False
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
    return unsummarised


def _add_blocked_votes(figures: dict[int, Figures], held: QuerySet[Meeting]) -> None:
    """The votes blocked for want of quorum, per cell: one query."""
    blocked = (
        Vote.objects.filter(
            meeting__in=held,
            result__decision__status=str(charter.DecisionStatus.BLOCKED),
            result__decision__reason=str(charter.DecisionReason.QUORUM_NOT_MET),
        )
        .values_list("meeting__cell_id")
        .annotate(n=Count("pk"))
    )
    for cell_id, n in blocked:
        if cell_id in figures:
            figures[cell_id].blocked_votes = n


def _add_unsigned_days(figures: dict[int, Figures], signing: QuerySet[Meeting]) -> None:
    """The local days the meetings with unsigned minutes ended, per cell: one query."""
    unsigned = Q(signed_minutes__archived_at__isnull=True)
    unsigned_days = signing.filter(unsigned).annotate(ended_on=TruncDate("ended"))
    for cell_id, day in unsigned_days.values_list("cell_id", "ended_on").order_by("ended_on"):
        if cell_id in figures:
            figures[cell_id].unsigned_ended_on.append(day)


def _add_unsummarised(figures: dict[int, Figures], held: QuerySet[Meeting]) -> None:
    """A held meeting without a summary (rows written by hand, not through the meeting's end;
    the migration summarised those that ended before): its roll, summarised the same way. Two
    more queries, only then."""
    bare = held.filter(attendance_summary__isnull=True)
    kept = figures_by_meeting(RollLine.objects.filter(meeting__in=bare))
    for pk, cell_id in bare.values_list("pk", "cell_id"):
        if cell_id in figures and pk in kept:
            k = kept[pk]
            figures[cell_id].add_attendance(k.roll, k.denominator, k.present, k.criterion_met)
