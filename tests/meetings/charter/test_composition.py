from __future__ import annotations

import pytest

from meetings.charter import RosterEntry, cell_composition

from .builders import official, officials, probationary, temporary_in

pytestmark = pytest.mark.unit

CASES = [
    pytest.param((), 0, True, False, id="R-S1 an empty cell is below the minimum"),
    pytest.param(
        officials(2), 2, True, False, id="R-S1 two official members are below the minimum"
    ),
    pytest.param(
        (*officials(2), probationary("p01"), temporary_in("t01")),
        2,
        True,
        False,
        id="R-S1 probationary and temporary-in members do not make up the minimum",
    ),
    pytest.param(officials(3), 3, False, False, id="R-S1 three official members are enough"),
    pytest.param(
        officials(8), 8, False, False, id="R-S2 eight official members elect a secretary, no chi uy"
    ),
    pytest.param(
        (*officials(8), probationary("p01")),
        8,
        False,
        False,
        id="R-S2 probationary members do not count towards nine",
    ),
    pytest.param(officials(9), 9, False, True, id="R-S2 nine official members require a chi uy"),
    pytest.param(
        (*officials(7), official("e01", exempt=True), official("e02", exempt=True)),
        9,
        False,
        True,
        id="R-S2 exempt members count towards nine",
    ),
    pytest.param(
        (*officials(8), official("x01", temporarily_out=True)),
        9,
        False,
        True,
        id="R-S2 temporarily-out members stay on the roll and count",
    ),
    pytest.param(
        (*officials(8), official("s01", suspended=True)),
        9,
        False,
        True,
        id="R-S2 suspended members stay on the roll and count",
    ),
    pytest.param(
        (*officials(8), temporary_in("t01")),
        8,
        False,
        False,
        id="R-S2 temporary-in members are not on this cell's roll",
    ),
]


@pytest.mark.parametrize(("roster", "count", "below", "committee"), CASES)
def test_cell_composition(
    roster: tuple[RosterEntry, ...], count: int, below: bool, committee: bool
) -> None:
    cell = cell_composition(roster)

    assert (cell.official_count, cell.below_minimum, cell.requires_committee) == (
        count,
        below,
        committee,
    )
    assert cell.rules == ("R-S1", "R-S2")


def test_cell_composition_explanations() -> None:
    assert cell_composition(officials(2)).explanation == (
        "Chi bộ có 2 đảng viên chính thức (R-S1, R-S2), dưới mức tối thiểu 3: báo cáo cấp ủy "
        "cấp trên xem xét; bầu bí thư và tối đa 1 phó bí thư, không bầu chi ủy."
    )
    assert cell_composition(officials(9)).explanation == (
        "Chi bộ có 9 đảng viên chính thức (R-S1, R-S2); bầu chi ủy (tối đa 7 đồng chí)."
    )
