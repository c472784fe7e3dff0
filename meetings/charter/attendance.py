"""The attendance criterion of a meeting's quality, for one meeting and across a year (R-Q1)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from meetings.charter.roster import Attendance, Membership, RosterEntry, attendance_of, attended
from meetings.charter.texts import id_list, met_word

CRITERION_PERCENT = 85  # the rate must be strictly above this
EXCUSED_STREAK_LIMIT = 3  # more than 3 meetings in a row absent with reason fails the year


@dataclass(frozen=True, slots=True)
class AttendanceCriterion:
    denominator: int  # home members, official and probationary, neither exempt nor suspended
    present: int
    absent_without_reason: tuple[str, ...]
    rate_tenths: int | None  # the rate in tenths of a percent, rounded half up; None if no one
    criterion_met: bool
    rules: tuple[str, ...]
    explanation: str

    @property
    def rate_percent(self) -> float | None:
        """For display only; the criterion is decided on integers."""
        return None if self.rate_tenths is None else self.rate_tenths / 10


def counts_for_attendance(entry: RosterEntry) -> bool:
    """R-Q1: home members, official or probationary, who are neither exempt nor suspended."""
    return entry.membership == Membership.HOME and not entry.exempt and not entry.suspended


def rate_in_tenths(present: int, denominator: int) -> int:
    """present / denominator as a percentage in tenths, rounded half up (denominator > 0)."""
    return (2000 * present + denominator) // (2 * denominator)


def format_tenths(tenths: int) -> str:
    return f"{tenths // 10},{tenths % 10}"


def attendance_criterion(
    roster: Sequence[RosterEntry],
    attendance: Mapping[str, Attendance],
) -> AttendanceCriterion:
    """R-Q1 for one meeting: rate strictly above 85 % and nobody absent without reason."""
    counted = [entry for entry in roster if counts_for_attendance(entry)]
    statuses = {entry.member_id: attendance_of(attendance, entry.member_id) for entry in counted}
    denominator = len(counted)
    # A member who attended and left early with the chair's approval took part ("dự sinh
    # hoạt"): present for the rate, not absent with reason (docs/charter.md).
    present = sum(1 for status in statuses.values() if attended(status))
    left = sum(1 for status in statuses.values() if status == Attendance.LEFT_WITH_REASON)
    unexcused = tuple(
        sorted(m for m, status in statuses.items() if status == Attendance.ABSENT_WITHOUT_REASON)
    )
    if denominator == 0:
        return AttendanceCriterion(
            denominator=0,
            present=0,
            absent_without_reason=(),
            rate_tenths=None,
            criterion_met=False,
            rules=("R-Q1",),
            explanation=(
                "Tỷ lệ đảng viên dự sinh hoạt (R-Q1): không có đảng viên nào thuộc diện tính "
                "tỷ lệ; tiêu chí không đạt."
            ),
        )
    rate_tenths = rate_in_tenths(present, denominator)
    # Strictly above 85 %, compared exactly: 100 * present > 85 * denominator.
    above = 100 * present > CRITERION_PERCENT * denominator
    met = above and not unexcused
    explanation = (
        f"Tỷ lệ đảng viên dự sinh hoạt (R-Q1): {present}/{denominator} = "
        f"{format_tenths(rate_tenths)}% (không tính đảng viên miễn sinh hoạt, đình chỉ sinh hoạt "
        f"và sinh hoạt tạm thời tại chi bộ); tiêu chí trên {CRITERION_PERCENT}% và không ai vắng "
        f"không lý do: {met_word(met)}."
    )
    if left:
        explanation += f" Tính là có dự: {left} đảng viên đã dự rồi xin về sớm có lý do."
    if unexcused:
        explanation += f" Vắng không lý do: {id_list(unexcused)}."
    return AttendanceCriterion(
        denominator=denominator,
        present=present,
        absent_without_reason=unexcused,
        rate_tenths=rate_tenths,
        criterion_met=met,
        rules=("R-Q1",),
        explanation=explanation,
    )


@dataclass(frozen=True, slots=True)
class YearlyAttendance:
    longest_excused_streaks: tuple[tuple[str, int], ...]  # (member, streak) when streak > 0
    over_limit: tuple[str, ...]  # members absent with reason more than 3 meetings in a row
    criterion_met: bool
    rules: tuple[str, ...]
    explanation: str


def longest_excused_streaks(meetings: Sequence[Mapping[str, Attendance]]) -> dict[str, int]:
    """The longest run of consecutive meetings each member missed with a reason.

    `meetings` are the year's meetings in date order, each mapping the members counted at that
    meeting to their attendance. A meeting where a member is not listed (not yet a member,
    exempt at the time) breaks their run. So does a meeting they attended and left early with the
    chair's approval (LEFT_WITH_REASON): they took part in it.
    """
    current: dict[str, int] = {}
    longest: dict[str, int] = {}
    for meeting in meetings:
        current = {
            member: current.get(member, 0) + 1
            for member, status in meeting.items()
            if status == Attendance.ABSENT_WITH_REASON
        }
        for member, run in current.items():
            longest[member] = max(longest.get(member, 0), run)
    return longest


def yearly_attendance(meetings: Sequence[Mapping[str, Attendance]]) -> YearlyAttendance:
    """R-Q1 across a year: nobody absent with reason more than 3 meetings in a row."""
    longest = longest_excused_streaks(meetings)
    over_limit = tuple(sorted(m for m, run in longest.items() if run > EXCUSED_STREAK_LIMIT))
    met = not over_limit
    explanation = (
        f"Trong năm (R-Q1): không đảng viên nào vắng có lý do quá {EXCUSED_STREAK_LIMIT} "
        f"kỳ sinh hoạt liên tiếp: {met_word(met)}."
    )
    if over_limit:
        explanation += " Vắng có lý do liên tiếp: " + ", ".join(
            f"{member} ({longest[member]} kỳ)" for member in over_limit
        )
        explanation += "."
    return YearlyAttendance(
        longest_excused_streaks=tuple(sorted(longest.items())),
        over_limit=over_limit,
        criterion_met=met,
        rules=("R-Q1",),
        explanation=explanation,
    )
