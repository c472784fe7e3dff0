"""The compliance dashboard's per-cell yearly figures, kept between requests.

Aggregating a year of a thousand cells' meetings is most of what the dashboard costs
(docs/benchmarks.md, "Archive"), while a cell's figures only change when its records do. So each
cell's figures for a year are kept in `CellYearFigures`, with what they were computed from: the
cell's records version, its signing deadline and its minimum duration. The dashboard uses a
kept row only when all three are still the same, and computes the others again in one pass
(`counting.cell_figures`, restricted to them), keeping the new rows. What depends on the day
is judged on every view from what is kept: the yearly compliance from the months held, the
overdue minutes from the days the meetings with unsigned minutes ended.

The records version (`CellRecordsVersion`) is bumped here, by signal receivers, whenever a held
meeting of the cell is saved or deleted (and, for a held meeting moved to another cell or no
longer held, its former cell), or the attendance summary, a vote or the archived minutes of
one. The bump is an upsert in the writer's transaction. The version is read before
the figures are computed, so a write that commits in between leaves the kept row one version
behind, and the next request computes it again: a kept row is never newer than its version.
Writes that bypass signals (QuerySet.update, bulk_create) on those four models are made only
by migrations and the benchmark's seed, before any row is kept. Roll lines are not watched: once
a meeting has ended its summary counts, not its roll (meetings.attendance_summary).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import connection
from django.db.models import PositiveBigIntegerField
from django.db.models.functions import Coalesce
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from meetings.enums import HELD_STATUSES
from meetings.models import AttendanceSummary, Meeting, Vote
from members import queries as member_queries
from members.models import Organization
from minutes.models import (
    CellRecordsVersion,
    CellYearFigures,
    DocumentKind,
    DocumentStatus,
    SignedDocument,
)
from minutes.review import counting
from minutes.review.figures import Figures, judge_as_of

# The figures kept as they are; the months held are kept as their bits.
KEPT_FIGURES = (
    "held",
    "present",
    "counted",
    "rated",
    "criterion_met",
    "blocked_votes",
    "short",
    "online",
    "online_without_approval",
    "unsigned",
    "signed_late",
    "months_held",
)
KEY_FIELDS = ("records_version", "signing_days", "regular_minimum")


def records_changed(cell_id: int) -> None:
    """One more version of the cell's records (an upsert: PostgreSQL and SQLite alike)."""
    table = connection.ops.quote_name(CellRecordsVersion._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (cell_id, version) VALUES (%s, 1) "  # noqa: S608 (our table)
            f"ON CONFLICT (cell_id) DO UPDATE SET version = {table}.version + 1",
            [cell_id],
        )


def _held_meeting_changed(**lookup: Any) -> None:
    for cell_id in Meeting.objects.filter(status__in=HELD_STATUSES, **lookup).values_list(
        "cell_id", flat=True
    ):
        records_changed(cell_id)


@receiver(pre_save, sender=Meeting)
def _meeting_before(instance: Meeting, update_fields: Any = None, **kwargs: Any) -> None:
    """A held meeting moved to another cell, or no longer held: its former cell is bumped too
    (after the write, in post_save). Saves that touch neither field are not looked at."""
    instance._held_in_cell = None
    if instance.pk is None or (
        update_fields is not None and not {"cell", "status"} & {*update_fields}
    ):
        return
    instance._held_in_cell = (
        Meeting.objects.filter(pk=instance.pk, status__in=HELD_STATUSES)
        .values_list("cell_id", flat=True)
        .first()
    )


@receiver(post_save, sender=Meeting)
def _meeting_saved(instance: Meeting, **kwargs: Any) -> None:
    before = getattr(instance, "_held_in_cell", None)
    if before is not None and before != instance.cell_id:
        records_changed(before)
    if instance.status in HELD_STATUSES or before is not None:
        records_changed(instance.cell_id)


@receiver(post_delete, sender=Meeting)
def _meeting_deleted(instance: Meeting, **kwargs: Any) -> None:
    if instance.status in HELD_STATUSES:
        records_changed(instance.cell_id)


@receiver([post_save, post_delete], sender=AttendanceSummary)
def _summary(instance: AttendanceSummary, **kwargs: Any) -> None:
    _held_meeting_changed(pk=instance.meeting_id)


@receiver([post_save, post_delete], sender=Vote)
def _vote(instance: Vote, **kwargs: Any) -> None:
    _held_meeting_changed(pk=instance.meeting_id)


@receiver([post_save, post_delete], sender=SignedDocument)
def _minutes_document(instance: SignedDocument, **kwargs: Any) -> None:
    # Only the archived minutes document counts (signed, or signed late); archived, it never
    # changes again (SignedDocument.save).
    if instance.kind == DocumentKind.MINUTES and instance.status == DocumentStatus.ARCHIVED:
        _held_meeting_changed(minutes__pk=instance.minutes_id)


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
        judge_as_of(f, year, as_of, policy.minutes_signing_days)
    if not stale:
        return figures
    # The versions before the figures: a write committed in between leaves the row behind.
    versions = dict(
        CellRecordsVersion.objects.filter(cell__path__startswith=root.path).values_list(
            "cell_id", "version"
        )
    )
    computed = counting.cell_figures(
        stale, root, year, as_of, policies, all_cells=len(stale) == len(cells)
    )
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
