"""The charter's attendance figures of a meeting (R-Q1), from its roll, kept per meeting.

Written once when the meeting ends (`meetings.services.lifecycle.on_meeting_ended`, in the
transaction that ends it) into `AttendanceSummary`: after that the roll no longer changes (the
room's join and mark need a meeting in progress; a meeting never goes back to in progress), so
the compliance dashboard reads one row per meeting instead of every line of the year's rolls.

The rules are the charter engine's (`charter.attendance_criterion`): this module only turns
roll lines into its inputs, as `meetings.snapshots.roster_entry` does for the live room — the
members on the roll, home or meeting here temporarily, exempt or suspended on the meeting's
local day, and each line's status as `meetings.snapshots.roll_attendance` reads it (a member
marked absent with a reason after joining left early: present). The roll lines are read with
plain lookups so that the data migration that fills in the meetings ended before the summary
existed can run the same code on its historical models.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import BooleanField, Case, F, Q, QuerySet, When
from django.db.models.functions import TruncDate

from meetings import charter
from meetings.snapshots import member_key, roll_attendance


@dataclass(frozen=True, slots=True)
class Figures:
    """One meeting's attendance as the charter counts it (fields of `AttendanceSummary`)."""

    roll: int  # lines on the roll; 0 when no roll was taken
    denominator: int  # who counts for the rate (R-Q1): home members, not exempt nor suspended
    present: int  # of the denominator
    absent_with_reason: int  # of the denominator
    absent_without_reason: int  # of the denominator
    rate_tenths: int | None  # None when nobody counts
    criterion_met: bool


NO_ROLL = Figures(0, 0, 0, 0, 0, None, False)


def _on(day: object, start: str, end: str) -> Q:
    """The member's period `start`..`end` (open-ended when `end` is empty) covers `day`
    (`Member.is_exempt_on`, `is_suspended_on`)."""
    return Q(**{f"member__{start}__lte": day}) & (
        Q(**{f"member__{end}__isnull": True}) | Q(**{f"member__{end}__gte": day})
    )


def _flag(condition: Q) -> Case:
    return Case(When(condition, then=True), default=False, output_field=BooleanField())


def roll_lines(lines: QuerySet) -> QuerySet:
    """(meeting, member, standing, home, exempt, suspended, status, first joined) per line, by
    meeting."""
    day = TruncDate("meeting__starts_at")  # the meeting's local day (Asia/Ho_Chi_Minh)
    return (
        lines.annotate(
            home=_flag(Q(member__home_cell=F("meeting__cell"))),
            exempt=_flag(_on(day, "exempt_from", "exempt_until")),
            suspended=_flag(_on(day, "suspended_from", "suspended_until")),
        )
        .order_by("meeting_id", "member_id")
        .values_list(
            "meeting_id",
            "member_id",
            "member__standing",
            "home",
            "exempt",
            "suspended",
            "status",
            "first_joined_at",
        )
    )


def figures_of(lines: Iterable[tuple[Any, ...]]) -> Figures:
    """R-Q1 by the charter engine on one meeting's roll lines (as `roll_lines` gives them)."""
    roster: list[charter.RosterEntry] = []
    attendance: dict[str, charter.Attendance] = {}
    for _, member_id, standing, home, exempt, suspended, status, first_joined_at in lines:
        key = member_key(member_id)
        roster.append(
            charter.RosterEntry(
                member_id=key,
                standing=charter.Standing(standing),
                membership=charter.Membership.HOME if home else charter.Membership.TEMPORARY_IN,
                # As roster_entry: exemption is a home cell's decision. Being temporarily away
                # (temporarily_out) plays no part in the attendance criterion.
                exempt=bool(exempt) and bool(home),
                suspended=bool(suspended),
            )
        )
        # Absent with a reason after joining: left early, and present for the rate (R-Q1).
        attendance[key] = roll_attendance(status, first_joined_at)
    if not roster:
        return NO_ROLL
    criterion = charter.attendance_criterion(tuple(roster), attendance)
    unexcused = len(criterion.absent_without_reason)
    return Figures(
        roll=len(roster),
        denominator=criterion.denominator,
        present=criterion.present,
        # Everyone counted is present (a member who left early included), absent with reason or
        # absent without reason.
        absent_with_reason=criterion.denominator - criterion.present - unexcused,
        absent_without_reason=unexcused,
        rate_tenths=criterion.rate_tenths,
        criterion_met=criterion.criterion_met,
    )


def figures_by_meeting(lines: QuerySet) -> dict[int, Figures]:
    """The figures of every meeting that has lines in `lines`, in one query."""
    rows = roll_lines(lines).iterator(chunk_size=5000)
    return {
        meeting_id: figures_of(group)
        for meeting_id, group in itertools.groupby(rows, key=lambda row: row[0])
    }


def write_summary(meeting: Any) -> Any:
    """Record the meeting's figures as its roll stands now (called when the meeting ends)."""
    from meetings.models import Attendance, AttendanceSummary

    figures = figures_by_meeting(Attendance.objects.filter(meeting=meeting)).get(
        meeting.pk, NO_ROLL
    )
    summary, _ = AttendanceSummary.objects.update_or_create(
        meeting=meeting, defaults=dataclasses.asdict(figures)
    )
    return summary


def write_summaries(meetings: QuerySet, *, summary_model: Any, roll_model: Any) -> int:
    """Record the figures of every meeting in `meetings` at once (the data migration for the
    meetings ended before summaries existed, and bulk-seeded benchmarks). The models are
    passed in so that a migration can give its historical ones."""
    by_meeting = figures_by_meeting(roll_model.objects.filter(meeting__in=meetings))
    summary_model.objects.filter(meeting__in=meetings).delete()
    ids = list(meetings.values_list("pk", flat=True))
    summary_model.objects.bulk_create(
        (
            summary_model(meeting_id=pk, **dataclasses.asdict(by_meeting.get(pk, NO_ROLL)))
            for pk in ids
        ),
        batch_size=2000,
    )
    return len(ids)
