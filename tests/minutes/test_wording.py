"""How documents write numbers, dates and times (minutes.wording)."""

import datetime

import pytest

from minutes.wording import percent, vietnamese_date

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [
        (14, 15, "93,33%"),
        (1, 2, "50%"),
        (2, 3, "66,67%"),
        (1, 8, "12,5%"),
        (12, 12, "100%"),
        (0, 5, "0%"),
        (3, 0, "0%"),
    ],
    ids=[
        "thirds-round-down",
        "half",
        "two-thirds-round-up",
        "one-decimal",
        "all",
        "none",
        "empty-base",
    ],
)
def test_percent_uses_two_decimals_and_a_decimal_comma(part, whole, expected):
    assert percent(part, whole) == expected


def test_vietnamese_date_writes_day_and_month_in_two_digits():
    assert vietnamese_date(datetime.date(2026, 3, 5)) == "ngày 05 tháng 03 năm 2026"


def test_a_label_inside_a_sentence_starts_in_lower_case_and_keeps_its_capitals():
    from minutes.wording import in_sentence

    assert in_sentence("Trừ đảng viên vắng mặt (Quy định 24-QĐ/TW)") == (
        "trừ đảng viên vắng mặt (Quy định 24-QĐ/TW)"
    )
    assert in_sentence("") == ""
