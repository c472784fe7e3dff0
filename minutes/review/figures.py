"""A cell's compliance figures for one year, and the charter's verdicts on them.

`Figures` holds what was counted (minutes.review.counting counts it in SQL; minutes.review.kept
keeps it between views), for one cell or several added up. The charter engine decides every
rule (yearly compliance R-M1/R-M3, the attendance criterion R-Q1 — kept per meeting when it
ends, see meetings.attendance_summary —, the minimum duration R-P4, online approval R-O3); this
module turns its answers into SQL conditions and judges what depends on the day.
"""

from __future__ import annotations

import datetime
import functools
import operator
from dataclasses import dataclass, field
from functools import lru_cache

from django.db.models import (
    Q,
)

from meetings import charter
from meetings.charter.attendance import format_tenths, rate_in_tenths
from meetings.charter.meetings import quarter_of
from meetings.enums import MeetingKind
from meetings.models import Meeting

MONTHS = tuple(range(1, 13))
# The charter's kinds by their stored value, and the cell's own meetings among them.
CHARTER_KINDS = {kind.value: kind for kind in charter.MeetingKind}
CELL_MEETING_KINDS = [kind for kind in MeetingKind.values if kind != MeetingKind.COMMITTEE]
QUARTERS = (1, 2, 3, 4)
# The kinds the yearly rules count (R-M1 monthly, R-M3 quarterly). The months in which a cell
# held each of them come out of SQL as one number, a bit per kind and month (`month_bit`).
YEARLY_KINDS = (charter.MeetingKind.REGULAR, charter.MeetingKind.THEMATIC)


def month_bit(kind_index: int, month: int) -> int:
    return 1 << (kind_index * 12 + month - 1)


@lru_cache(maxsize=64)
def online_allowed(mode: str, number: str) -> bool:
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
        if mask & month_bit(index, month)
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


def shorter_than_minimum(regular: int) -> Q:
    """Meetings (annotated with `lasted`) that lasted less than the charter's minimum for their
    kind (R-P4) under a policy whose regular minimum is `regular`. The charter counts whole
    minutes, so less than the minimum in minutes is less than that many whole minutes. A meeting
    without a recorded start or end, or ending before it started, has no duration to judge."""
    shorter = [
        Q(kind=kind, lasted__lt=datetime.timedelta(minutes=minimum))
        for kind, minimum in _minimums(regular)
    ]
    return functools.reduce(operator.or_, shorter) & Q(lasted__gte=datetime.timedelta(0))


def online_approved(mode: str, recorded: bool) -> bool:
    """R-O3 by the charter engine for an online or hybrid meeting with or without a recorded
    approval. Its verdict turns on whether a reference is recorded, not on its wording, so SQL
    sorts the meetings into those two groups and the charter decides for each."""
    return online_allowed(mode, "1" if recorded else "")


def judge_as_of(f: Figures, year: int, as_of: datetime.date, signing_days: int) -> None:
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
