"""Monthly rules such as "first Tuesday of the month, 19:30": pure date arithmetic, no Django."""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterator
from dataclasses import dataclass

LAST = -1  # the ordinal of "the last <weekday> of the month"


@dataclass(frozen=True, slots=True)
class MonthlyRule:
    ordinal: int  # 1..4, or LAST
    weekday: int  # 0 = Monday … 6 = Sunday (Python's numbering)
    time: datetime.time

    def __post_init__(self) -> None:
        if self.ordinal not in (1, 2, 3, 4, LAST):
            raise ValueError("ordinal must be 1..4 or LAST")
        if not 0 <= self.weekday <= 6:
            raise ValueError("weekday must be 0..6")

    def day_in(self, year: int, month: int) -> datetime.date:
        days = [
            week[self.weekday]
            for week in calendar.Calendar().monthdatescalendar(year, month)
            if week[self.weekday].month == month
        ]
        return days[-1] if self.ordinal == LAST else days[self.ordinal - 1]

    def days_in_year(self, year: int) -> Iterator[datetime.date]:
        for month in range(1, 13):
            yield self.day_in(year, month)
