"""The dashboard's per-cell yearly figures, kept between requests (minutes.review.kept): used
while the cell's records, deadline and minimum are unchanged, computed again as soon as one of
them changes, on both databases."""

import datetime

import pytest

from meetings.models import AttendanceSummary
from minutes.models import CellYearFigures
from minutes.review import counting
from minutes.review.dashboard import dashboard
from minutes.review.kept import records_changed
from tests.review.seed import YEAR, at, blocked_vote, held_meeting, seed_year, sign

pytestmark = pytest.mark.integration

AS_OF = datetime.date(YEAR + 1, 1, 15)


def a1_a2(tree, as_of=AS_OF):
    board = dashboard(tree.grassroots, YEAR, as_of)
    per_cell = {row.organization.name: row.figures for row in board.rows}
    return per_cell["Chi bộ A1"], per_cell["Chi bộ A2"]


def kept_at(cell):
    return CellYearFigures.objects.get(cell=cell, year=YEAR).computed_at


@pytest.fixture
def seeded(tree):
    tree.meetings = seed_year(tree).meetings
    return tree


def test_the_second_view_reads_what_the_first_kept(seeded, django_assert_num_queries):
    first = a1_a2(seeded)

    # The organisations, the kept figures, the listed short and online meetings.
    with django_assert_num_queries(4):
        again = a1_a2(seeded)

    assert again == first
    assert CellYearFigures.objects.filter(year=YEAR).count() == 2
    assert (again[0].held, again[0].missing_months, again[0].signed_late) == (14, 1, 1)
    assert "thiếu sinh hoạt thường kỳ tháng 6" in again[0].explanation


def test_a_new_meeting_is_counted_and_only_its_cell_computed_again(seeded):
    before, _ = a1_a2(seeded)
    a2_kept = kept_at(seeded.neighbour_cell)

    held_meeting(seeded.cell, "regular", at(6, 20))
    after, _ = a1_a2(seeded)

    assert after.held == before.held + 1
    assert after.missing_months == before.missing_months - 1  # June is no longer missing
    assert kept_at(seeded.neighbour_cell) == a2_kept


def test_minutes_archived_after_a_view_are_counted_signed(seeded):
    before, _ = a1_a2(seeded)
    december = seeded.meetings[-1]

    sign(december, at(12, 6))
    after, _ = a1_a2(seeded)

    assert (before.unsigned, after.unsigned) == (1, 0)


def test_an_attendance_summary_written_again_moves_the_rate(seeded):
    before, _ = a1_a2(seeded)
    january = AttendanceSummary.objects.get(meeting=seeded.meetings[0])
    january.present -= 1
    january.save()
    assert a1_a2(seeded)[0].present == before.present - 1

    january.delete()  # counted from its roll again
    after, _ = a1_a2(seeded)

    assert after.present == before.present


def test_a_vote_blocked_in_a_held_meeting_is_counted(seeded):
    before, _ = a1_a2(seeded)
    blocked_vote(seeded.meetings[0], position=9)

    after, _ = a1_a2(seeded)

    assert after.blocked_votes == before.blocked_votes + 1


def test_a_new_deadline_or_minimum_counts_again_without_any_new_record(seeded):
    before, _ = a1_a2(seeded)
    seeded.grassroots.minutes_signing_days = 15  # August's minutes, 10 days late, in time now
    seeded.grassroots.minimum_regular_minutes = 110  # every 100-minute meeting short now
    seeded.grassroots.save()

    after, _ = a1_a2(seeded)

    assert (before.signed_late, after.signed_late) == (1, 0)
    assert before.short == 1  # March's 60 minutes
    assert after.short == after.held == 14


def test_the_overdue_minutes_are_judged_on_the_day_of_the_view_from_what_was_kept(seeded):
    before, _ = a1_a2(seeded, as_of=datetime.date(YEAR, 12, 10))  # December's: 5 days, in time
    kept = kept_at(seeded.cell)
    after, _ = a1_a2(seeded, as_of=datetime.date(YEAR, 12, 11))

    assert (before.unsigned, before.overdue) == (1, 0)
    assert (after.unsigned, after.overdue) == (1, 1)
    assert kept_at(seeded.cell) == kept  # nothing computed again for another day


def test_a_change_made_while_the_figures_are_computed_is_counted_at_the_next_view(
    seeded, monkeypatch
):
    compute = counting.cell_figures

    def racing(cells, *args, **kwargs):
        figures = compute(cells, *args, **kwargs)
        # Committed after the versions were read and the figures computed, before they are kept.
        held_meeting(seeded.cell, "regular", at(6, 20))
        return figures

    monkeypatch.setattr(counting, "cell_figures", racing)
    first, _ = a1_a2(seeded)
    monkeypatch.setattr(counting, "cell_figures", compute)

    second, _ = a1_a2(seeded)

    assert second.held == first.held + 1


def test_bumping_a_cell_never_seen_creates_its_version(tree):
    records_changed(tree.cell.pk)
    records_changed(tree.cell.pk)

    assert tree.cell.records_version.version == 2


def test_a_held_meeting_moved_to_another_cell_leaves_its_former_cell(seeded):
    a1_before, a2_before = a1_a2(seeded)
    moved = seeded.meetings[1]

    moved.cell = seeded.neighbour_cell
    moved.save()
    a1_after, a2_after = a1_a2(seeded)

    assert (a1_after.held, a2_after.held) == (a1_before.held - 1, a2_before.held + 1)
