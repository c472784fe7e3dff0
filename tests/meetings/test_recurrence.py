import datetime

import pytest

from meetings.recurrence import LAST, MonthlyRule

pytestmark = pytest.mark.unit

TUESDAY, SATURDAY = 1, 5


@pytest.mark.parametrize(
    ("ordinal", "weekday", "year", "month", "expected"),
    [
        (1, TUESDAY, 2027, 3, datetime.date(2027, 3, 2)),
        (1, TUESDAY, 2027, 6, datetime.date(2027, 6, 1)),
        (2, TUESDAY, 2027, 6, datetime.date(2027, 6, 8)),
        (LAST, SATURDAY, 2027, 7, datetime.date(2027, 7, 31)),
        (4, SATURDAY, 2027, 7, datetime.date(2027, 7, 24)),
        (LAST, TUESDAY, 2027, 2, datetime.date(2027, 2, 23)),
    ],
    ids=["first-tuesday", "month-starts-on-tuesday", "second", "last-is-31st", "fourth", "feb"],
)
def test_monthly_rule_finds_the_day(ordinal, weekday, year, month, expected):
    rule = MonthlyRule(ordinal=ordinal, weekday=weekday, time=datetime.time(19, 30))

    assert rule.day_in(year, month) == expected


def test_monthly_rule_gives_one_day_per_month_in_order():
    rule = MonthlyRule(ordinal=1, weekday=TUESDAY, time=datetime.time(19, 30))

    days = list(rule.days_in_year(2027))

    assert [day.month for day in days] == list(range(1, 13))
    assert all(day.weekday() == TUESDAY and day.day <= 7 for day in days)


@pytest.mark.parametrize(("ordinal", "weekday"), [(0, 1), (5, 1), (1, 7), (1, -1)])
def test_monthly_rule_refuses_impossible_rules(ordinal, weekday):
    with pytest.raises(ValueError, match="must be"):
        MonthlyRule(ordinal=ordinal, weekday=weekday, time=datetime.time(19, 30))
