from __future__ import annotations

from collections.abc import Mapping, Sequence

import pytest

from meetings.charter import (
    Attendance,
    RosterEntry,
    attendance_criterion,
    longest_excused_streaks,
    yearly_attendance,
)
from meetings.charter.attendance import rate_in_tenths

from .builders import (
    EXCUSED,
    PRESENT,
    UNEXCUSED,
    all_present,
    attendance,
    official,
    officials,
    probationary,
    temporary_in,
)

pytestmark = pytest.mark.unit

TWENTY = (*officials(16), *(probationary(f"p{n:02d}") for n in range(1, 5)))

# (roster, attendance) → (rate percent, criterion met, denominator)
CASES = [
    pytest.param(
        officials(10), all_present(officials(10)), (100.0, True, 10), id="R-Q1 everyone present"
    ),
    pytest.param(
        TWENTY,
        attendance(TWENTY, o01=EXCUSED, o02=EXCUSED, o03=EXCUSED),
        (85.0, False, 20),
        id="R-Q1 exactly 85 % is not above 85 %",
    ),
    pytest.param(
        TWENTY,
        attendance(TWENTY, o01=EXCUSED, o02=EXCUSED),
        (90.0, True, 20),
        id="R-Q1 90 % with excused absences only",
    ),
    pytest.param(
        officials(7),
        attendance(officials(7), o07=EXCUSED),
        (85.7, True, 7),
        id="R-Q1 85.7 % is above 85 %",
    ),
    pytest.param(
        officials(10),
        attendance(officials(10), o10=UNEXCUSED),
        (90.0, False, 10),
        id="R-Q1 anyone absent without reason fails the criterion",
    ),
    pytest.param(
        officials(10),
        {f"o{n:02d}": PRESENT for n in range(1, 10)},
        (90.0, False, 10),
        id="R-Q1 a missing attendance record is an absence without reason",
    ),
    pytest.param(
        (*officials(9), official("e01", exempt=True), official("e02", exempt=True)),
        attendance(officials(9), e01=UNEXCUSED, e02=PRESENT),
        (100.0, True, 9),
        id="R-Q1 exempt members are left out either way",
    ),
    pytest.param(
        (*officials(9), official("s01", suspended=True)),
        all_present(officials(9)),
        (100.0, True, 9),
        id="R-Q1 suspended members are left out",
    ),
    pytest.param(
        (*officials(9), temporary_in("t01")),
        all_present(officials(9)),
        (100.0, True, 9),
        id="R-Q1 temporary-in members are left out",
    ),
    pytest.param(
        (*officials(8), official("x01", temporarily_out=True)),
        all_present(officials(8)),
        (88.9, False, 9),
        id="R-Q1 temporarily-out members count and are absent without reason",
    ),
    pytest.param(
        (*officials(8), official("x01", temporarily_out=True)),
        attendance(officials(8), x01=EXCUSED),
        (88.9, True, 9),
        id="R-Q1 temporarily-out members absent with reason",
    ),
    pytest.param(
        officials(3),
        attendance(officials(3), o03=UNEXCUSED),
        (66.7, False, 3),
        id="R-Q1 one of three absent: 66.7 %",
    ),
    pytest.param(
        officials(12),
        attendance(
            officials(12), o08=UNEXCUSED, o09=UNEXCUSED, o10=UNEXCUSED, o11=UNEXCUSED, o12=UNEXCUSED
        ),
        (58.3, False, 12),
        id="R-Q1 58.3 % rounds to one decimal",
    ),
    pytest.param(
        (official("e01", exempt=True),),
        {"e01": PRESENT},
        (None, False, 0),
        id="R-Q1 no one to count: no rate, criterion not met",
    ),
    pytest.param((), {}, (None, False, 0), id="R-Q1 empty roster"),
]


@pytest.mark.parametrize(("roster", "presence", "expected"), CASES)
def test_attendance_criterion(
    roster: tuple[RosterEntry, ...],
    presence: Mapping[str, Attendance],
    expected: tuple[float | None, bool, int],
) -> None:
    result = attendance_criterion(roster, presence)

    assert (result.rate_percent, result.criterion_met, result.denominator) == expected
    assert result.rules == ("R-Q1",)


@pytest.mark.parametrize(
    ("present", "denominator", "tenths"),
    [(17, 20, 850), (13, 14, 929), (8, 9, 889), (2, 3, 667), (7, 12, 583), (1, 8, 125), (0, 5, 0)],
    ids=["85.0", "92.9", "88.9", "66.7", "58.3", "12.5 half rounds up", "0.0"],
)
def test_rate_is_rounded_half_up_in_integer_tenths(
    present: int, denominator: int, tenths: int
) -> None:
    assert rate_in_tenths(present, denominator) == tenths


def test_attendance_explanation_names_the_absentees() -> None:
    roster = officials(10)

    result = attendance_criterion(roster, attendance(roster, o09=UNEXCUSED, o10=UNEXCUSED))

    assert result.absent_without_reason == ("o09", "o10")
    assert result.explanation == (
        "Tỷ lệ đảng viên dự sinh hoạt (R-Q1): 8/10 = 80,0% (không tính đảng viên miễn sinh "
        "hoạt, đình chỉ sinh hoạt và sinh hoạt tạm thời tại chi bộ); tiêu chí trên 85% và không "
        "ai vắng không lý do: không đạt. Vắng không lý do: o09, o10."
    )


YEAR_CASES = [
    pytest.param([], {}, (), id="R-Q1 no meetings"),
    pytest.param(
        [{"a": EXCUSED}] * 3, {"a": 3}, (), id="R-Q1 three excused absences in a row are allowed"
    ),
    pytest.param(
        [{"a": EXCUSED}] * 4,
        {"a": 4},
        ("a",),
        id="R-Q1 four excused absences in a row fail the year",
    ),
    pytest.param(
        [{"a": EXCUSED}] * 2 + [{"a": PRESENT}] + [{"a": EXCUSED}] * 3,
        {"a": 3},
        (),
        id="R-Q1 attending breaks the run",
    ),
    pytest.param(
        [{"a": EXCUSED}] * 2 + [{"a": UNEXCUSED}] + [{"a": EXCUSED}] * 2,
        {"a": 2},
        (),
        id="R-Q1 an unexcused absence breaks the excused run",
    ),
    pytest.param(
        [{"a": EXCUSED}] * 2 + [{}] + [{"a": EXCUSED}] * 2,
        {"a": 2},
        (),
        id="R-Q1 a meeting the member was not counted at breaks the run",
    ),
    pytest.param(
        [{"a": EXCUSED, "b": EXCUSED}] * 4 + [{"a": PRESENT, "b": EXCUSED}],
        {"a": 4, "b": 5},
        ("a", "b"),
        id="R-Q1 every member over the limit is named",
    ),
]


@pytest.mark.parametrize(("meetings", "longest", "over"), YEAR_CASES)
def test_yearly_excused_absence_streaks(
    meetings: Sequence[Mapping[str, Attendance]], longest: dict[str, int], over: tuple[str, ...]
) -> None:
    result = yearly_attendance(meetings)

    assert longest_excused_streaks(meetings) == longest
    assert result.over_limit == over
    assert result.criterion_met is (not over)
    assert result.longest_excused_streaks == tuple(sorted(longest.items()))


def test_yearly_attendance_explanations() -> None:
    assert yearly_attendance([]).explanation == (
        "Trong năm (R-Q1): không đảng viên nào vắng có lý do quá 3 kỳ sinh hoạt liên tiếp: đạt."
    )
    assert yearly_attendance([{"a": EXCUSED}] * 5).explanation == (
        "Trong năm (R-Q1): không đảng viên nào vắng có lý do quá 3 kỳ sinh hoạt liên tiếp: "
        "không đạt. Vắng có lý do liên tiếp: a (5 kỳ)."
    )
