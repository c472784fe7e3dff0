"""The compliance dashboard: one organisation's subtree, one year, per cell and rolled up.

The page's figures come from minutes.review.figures, through the rows kept between views
(minutes.review.kept): one query for the organisations with their policies, the kept figures
(and, for the cells whose records or policy changed since, the figures computed again), then
the first LISTED short and the first LISTED online meetings of the subtree, the ones the page
lists.
"""

from __future__ import annotations

import datetime
import functools
import operator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.db.models import (
    Q,
)
from django.db.models.functions import TruncDate

from meetings import charter
from meetings.enums import ONLINE_MODES
from meetings.models import Meeting
from meetings.snapshots import meeting_kind
from members import queries as member_queries
from members.enums import Level
from members.models import PATH_STEP, Organization
from minutes.review.counting import by_regular_minimum, held_meetings
from minutes.review.figures import Figures, online_allowed, shorter_than_minimum
from minutes.review.kept import kept_cell_figures

TREE_FIELDS = ("pk", "name", "level", "path", *member_queries.POLICY_FIELDS)
LISTED = 50  # short and online meetings listed, the first of the subtree by day


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


@lru_cache(maxsize=4096)
def _duration_met(kind: str, lasted: int, regular_minimum: int) -> tuple[bool, int]:
    """R-P4 by the charter engine, cached: meetings share a handful of lengths."""
    check = charter.check_duration(
        meeting_kind(kind), lasted, minimums=charter.DurationMinimums(regular=regular_minimum)
    )
    return check.met, check.minimum or 0


def listed_meetings(
    cells: dict[int, Any],
    root: Organization,
    year: int,
    policies: dict[int, member_queries.EffectivePolicy],
) -> tuple[list[ShortMeeting], list[OnlineMeeting]]:
    """The first LISTED meetings of the subtree, by local day, shorter than the charter's
    minimum, and the first LISTED online or hybrid ones with the charter's verdict on their
    approval: two queries."""
    held = (
        held_meetings(root, year).annotate(day=TruncDate("starts_at")).order_by("starts_at", "pk")
    )
    groups = by_regular_minimum(cells, policies)
    shorter = [
        shorter_than_minimum(regular) & (Q(cell_id__in=ids) if len(groups) > 1 else Q())
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
        OnlineMeeting(pk, cell_id, day, mode, number, approval_date, online_allowed(mode, number))
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
