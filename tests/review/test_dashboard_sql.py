"""The dashboard's figures where its SQL aggregation has edges of its own: a signing deadline per
cell, the deadline day itself, a meeting that ends after midnight, local months and days (the
database compares instants in UTC), a minimum duration per cell, meetings without a summary.

The figures are asked of `dashboard()` with an explicit `as_of`, on both databases.
"""

import datetime

import pytest
from django.db import connection

from meetings.models import Attendance, AttendanceSummary
from minutes.review import dashboard as dashboard_module
from minutes.review.dashboard import dashboard
from tests.review.seed import YEAR, ZONE, at, held_meeting, roll, sign

pytestmark = pytest.mark.integration

END_OF_YEAR = datetime.date(YEAR + 1, 1, 15)


def figures_of(tree, as_of=END_OF_YEAR):
    """Per cell (by name) and in total, for Đảng bộ A."""
    board = dashboard(tree.grassroots, YEAR, as_of)
    per_cell = {row.organization.name: row.figures for row in board.rows}
    return per_cell["Chi bộ A1"], per_cell["Chi bộ A2"], board.total


def listed(tree, as_of=END_OF_YEAR):
    """The short and the online meetings Đảng bộ A's dashboard lists."""
    board = dashboard(tree.grassroots, YEAR, as_of)
    return board.short, board.online


@pytest.fixture
def deadlines(tree):
    """Đảng bộ A gives 5 days to sign (A1 inherits it); Chi bộ A2 sets 10 of its own."""
    tree.grassroots.minutes_signing_days = 5
    tree.grassroots.save()
    tree.neighbour_cell.minutes_signing_days = 10
    tree.neighbour_cell.save()
    return tree


def signed_after(cell, days: int, month: int = 3):
    """A meeting on the 5th that ends the same evening, signed `days` days later at 09:00."""
    meeting = held_meeting(cell, "regular", at(month, 5))
    sign(meeting, at(month, 5 + days, 9, 0))
    return meeting


def test_each_cell_is_held_to_its_own_signing_deadline(deadlines):
    tree = deadlines
    signed_after(tree.cell, 5)  # on A1's deadline day: in time
    signed_after(tree.cell, 6, month=4)  # a day after: late
    signed_after(tree.neighbour_cell, 6)  # in time for A2
    signed_after(tree.neighbour_cell, 10, month=4)  # on A2's deadline day: in time
    signed_after(tree.neighbour_cell, 11, month=5)  # late

    a1, a2, total = figures_of(tree)

    assert (a1.held, a1.unsigned, a1.signed_late) == (2, 0, 1)
    assert (a2.held, a2.unsigned, a2.signed_late) == (3, 0, 1)
    assert total.signed_late == 2


@pytest.mark.parametrize(
    ("as_of", "a1_overdue", "a2_overdue"),
    [
        (datetime.date(YEAR, 3, 10), 0, 0),  # A1's deadline day (5 + 5): not overdue yet
        (datetime.date(YEAR, 3, 11), 1, 0),
        (datetime.date(YEAR, 3, 15), 1, 0),  # A2's deadline day (5 + 10)
        (datetime.date(YEAR, 3, 16), 1, 1),
    ],
)
def test_unsigned_minutes_are_overdue_from_the_day_after_the_cells_deadline(
    deadlines, as_of, a1_overdue, a2_overdue
):
    tree = deadlines
    held_meeting(tree.cell, "regular", at(3, 5))
    held_meeting(tree.neighbour_cell, "regular", at(3, 5))

    a1, a2, total = figures_of(tree, as_of)

    assert (a1.unsigned, a1.overdue) == (1, a1_overdue)
    assert (a2.unsigned, a2.overdue) == (1, a2_overdue)
    assert total.overdue == a1_overdue + a2_overdue


def test_the_deadline_counts_from_the_local_day_the_meeting_ended(deadlines):
    tree = deadlines
    # 23:30 to 01:10 local time: it ended on 6 March (still 5 March in UTC).
    late_night = held_meeting(tree.cell, "regular", at(3, 5, 23, 30), minutes=100)
    assert late_night.ended_at.astimezone(datetime.UTC).day == 5
    sign(late_night, at(3, 11, 9, 0))  # 5 days after the end, 6 after the start: in time
    # Signed at 00:30 local on the day after the deadline (still the deadline day in UTC): late.
    sign(held_meeting(tree.cell, "regular", at(4, 5)), at(4, 11, 0, 30))
    # Not signed, ended 6 May 01:10 local: overdue from 12 May, not on 11 May.
    held_meeting(tree.cell, "regular", at(5, 5, 23, 30), minutes=100)

    a1, _, _ = figures_of(tree, datetime.date(YEAR, 5, 11))
    assert (a1.held, a1.signed_late, a1.unsigned, a1.overdue) == (3, 1, 1, 0)
    a1, _, _ = figures_of(tree, datetime.date(YEAR, 5, 12))
    assert a1.overdue == 1


def test_meetings_count_in_the_local_month_they_started(tree):
    # 31 January 23:30 local is 16:30 UTC: January. 1 March 00:30 local is 28 February in UTC:
    # March, so February has no regular meeting. A thematic meeting on 1 April 00:15 local
    # (31 March in UTC) is the second quarter's.
    held_meeting(tree.cell, "regular", at(1, 31, 23, 30))
    held_meeting(tree.cell, "regular", at(3, 1, 0, 30))
    held_meeting(tree.cell, "thematic", at(4, 1, 0, 15))
    # And the year's edges: 1 January 00:10 local is 2024 in UTC; 1 January next year is not
    # this year's, though it is 31 December in UTC.
    held_meeting(tree.cell, "thematic", at(1, 1, 0, 10))
    held_meeting(tree.cell, "regular", datetime.datetime(YEAR + 1, 1, 1, 0, 20, tzinfo=ZONE))

    a1, _, _ = figures_of(tree)

    assert a1.held == 4
    assert [m for m, n in a1.regular_months.items() if n] == [1, 3]
    assert [q for q, n in a1.thematic_quarters.items() if n] == [1, 2]
    assert a1.missing_months == 10
    assert a1.missing_quarters == 2
    assert "thiếu sinh hoạt thường kỳ tháng 2, 4, 5," in a1.explanation
    assert a1.short == 0


def test_each_cell_meeting_is_held_to_its_own_minimum_duration(tree):
    tree.neighbour_cell.minimum_regular_minutes = 120
    tree.neighbour_cell.save()
    held_meeting(tree.cell, "regular", at(1, 5), minutes=90)  # exactly A1's 90: not short
    just_short = held_meeting(tree.cell, "regular", at(2, 5), minutes=90)
    just_short.ended_at -= datetime.timedelta(seconds=1)  # 89 minutes 59 seconds
    just_short.save()
    held_meeting(tree.cell, "regular", at(3, 5), minutes=100)  # A1: long enough
    short_in_a2 = held_meeting(tree.neighbour_cell, "regular", at(3, 5), minutes=100)
    held_meeting(tree.neighbour_cell, "regular", at(4, 5), minutes=120)
    held_meeting(tree.neighbour_cell, "extraordinary", at(5, 5), minutes=20)  # no minimum

    a1, a2, total = figures_of(tree)
    short, _ = listed(tree)

    assert (a1.short, a2.short, total.short) == (1, 1, 2)
    assert [(s.meeting_id, s.cell_id, s.minutes, s.minimum) for s in short] == [
        (just_short.pk, tree.cell.pk, 89, 90),
        (short_in_a2.pk, tree.neighbour_cell.pk, 100, 120),
    ]


def test_a_meeting_without_a_duration_is_not_short(tree):
    held_meeting(tree.cell, "regular", at(1, 5), minutes=30)
    unrecorded = held_meeting(tree.cell, "regular", at(2, 5))
    unrecorded.ended_at = None
    unrecorded.save()
    backwards = held_meeting(tree.cell, "regular", at(3, 5))
    backwards.ended_at = backwards.started_at - datetime.timedelta(minutes=5)
    backwards.save()

    a1, _, _ = figures_of(tree)
    short, _ = listed(tree)

    assert (a1.held, a1.short) == (3, 1)
    assert [s.minutes for s in short] == [30]


def test_online_meetings_are_listed_with_the_charters_verdict(tree):
    approved = held_meeting(
        tree.cell, "regular", at(2, 5), mode="online", approval_number=" 7-CV/ĐU "
    )
    blank = held_meeting(tree.cell, "regular", at(1, 5), mode="hybrid", approval_number="   ")
    held_meeting(tree.cell, "regular", at(3, 5))  # in person: not listed

    a1, _, total = figures_of(tree)
    _, online = listed(tree)

    assert [(o.meeting_id, o.mode, o.approved) for o in online] == [
        (blank.pk, "hybrid", False),
        (approved.pk, "online", True),
    ]
    assert online[1].approval_reference == "văn bản số 7-CV/ĐU"
    assert (a1.online, a1.online_without_approval) == (2, 1)
    assert (total.online, total.online_without_approval) == (2, 1)


def test_meetings_without_a_summary_are_counted_from_their_roll(tree, django_assert_num_queries):
    members = [tree.secretary, tree.member]
    summarised = held_meeting(tree.cell, "regular", at(1, 5))
    roll(summarised, members)
    # Written by hand, not through the end of the meeting: no summary. One with a roll (one of
    # two absent without reason: criterion not met), one short, online and without a roll.
    by_hand = held_meeting(tree.cell, "regular", at(2, 5))
    Attendance.objects.create(meeting=by_hand, member=tree.secretary, status="present")
    Attendance.objects.create(meeting=by_hand, member=tree.member, status="absent_without_reason")
    bare = held_meeting(tree.cell, "regular", at(3, 5), minutes=30, mode="online")
    AttendanceSummary.objects.filter(meeting__in=[by_hand, bare]).delete()
    held_meeting(tree.neighbour_cell, "regular", at(1, 5))  # summarised, no roll

    # The organisations, the kept figures (none yet), the records' versions, the cells' totals,
    # the blocked votes, the unsigned minutes' days, the meetings without a summary, their roll,
    # the kept rows' INSERT, the listed short and online meetings.
    with django_assert_num_queries(11):
        a1, a2, total = figures_of(tree)

    assert (a1.held, a1.present, a1.counted, a1.rated, a1.criterion_met) == (3, 3, 4, 2, 1)
    assert (a1.short, a1.online) == (1, 1)
    assert (a2.held, a2.counted, a2.rated) == (1, 0, 0)
    assert total.rate_label == "75,0%"


def test_a_year_without_meetings_has_every_figure_at_zero(tree, django_assert_num_queries):
    # The organisations, the kept figures (none yet), the records' versions, the cells' totals,
    # the blocked votes, the unsigned minutes' days, the kept rows' INSERT, the listed short
    # and online meetings.
    with django_assert_num_queries(9):
        a1, _, total = figures_of(tree)

    assert (total.cells, total.held, total.unsigned, total.missing_months) == (2, 0, 0, 24)
    assert a1.explanation.startswith(f"Năm {YEAR} (R-M1, R-M3): thiếu sinh hoạt thường kỳ tháng 1,")
    assert total.rate_label == "—"


def test_the_first_meetings_of_the_subtree_are_listed_and_the_rest_counted(tree, monkeypatch):
    monkeypatch.setattr(dashboard_module, "LISTED", 2)
    late = held_meeting(tree.cell, "regular", at(3, 5), minutes=30, mode="online")
    first = held_meeting(tree.neighbour_cell, "regular", at(1, 5), minutes=30, mode="hybrid")
    second = held_meeting(tree.cell, "regular", at(2, 5), minutes=30, mode="online")

    board = dashboard(tree.grassroots, YEAR, END_OF_YEAR)

    assert [s.meeting_id for s in board.short] == [first.pk, second.pk]
    assert [o.meeting_id for o in board.online] == [first.pk, second.pk]
    assert (board.total.short, board.total.online) == (3, 3)
    assert late.pk not in {s.meeting_id for s in board.short}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="statistics are PostgreSQL's")
def test_postgresql_keeps_statistics_on_how_long_meetings_last(db):
    # Without them the planner thinks short meetings rare and sorts the whole year to list the
    # first 50 (meetings 0006).
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT stxname FROM pg_statistic_ext WHERE stxrelid = 'meetings_meeting'::regclass"
        )
        names = [name for (name,) in cursor.fetchall()]

    assert "meeting_duration_stats" in names
