from __future__ import annotations

import pytest

from meetings.charter import (
    DecisionKind,
    QuorumRule,
    VotingMethod,
    more_than_half,
    quorum,
    required_yes,
    two_thirds,
)
from meetings.charter.thresholds import may_use_method

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("base", "expected"),
    [(0, 1), (1, 1), (2, 2), (3, 2), (8, 5), (9, 5), (10, 6), (12, 7), (13, 7)],
    ids=[
        "R-V3 N=0 needs 1 (nothing passes)",
        "R-V3 N=1 needs 1",
        "R-V3 N=2 needs 2 (a 1-1 tie fails)",
        "R-V3 N=3 needs 2",
        "R-V3 N=8 needs 5 (4-4 fails)",
        "R-V3 N=9 needs 5",
        "R-V3 N=10 needs 6",
        "R-V3 N=12 needs 7",
        "R-E1 N=13 needs 7",
    ],
)
def test_more_than_half_is_floor_half_plus_one(base: int, expected: int) -> None:
    assert more_than_half(base) == expected


@pytest.mark.parametrize(
    ("base", "expected"),
    [(0, 0), (1, 1), (2, 2), (3, 2), (6, 4), (9, 6), (10, 7), (12, 8), (13, 9)],
    ids=[
        "R-A1 N=0 needs 0",
        "R-A1 N=1 needs 1",
        "R-A1 N=2 needs 2",
        "R-A1 N=3 (multiple of 3) needs 2",
        "R-A1 N=6 (multiple of 3) needs 4",
        "R-A1 N=9 (multiple of 3) needs 6",
        "R-A1 N=10 needs 7",
        "R-A1 N=12 (multiple of 3) needs 8",
        "R-A1 N=13 needs 9",
    ],
)
def test_two_thirds_is_ceiling_of_two_n_over_three(base: int, expected: int) -> None:
    assert two_thirds(base) == expected
    assert 3 * expected >= 2 * base
    assert 3 * (expected - 1) < 2 * base or expected == 0


@pytest.mark.parametrize(
    ("kind", "base", "expected"),
    [
        (DecisionKind.RESOLUTION, 10, 6),
        (DecisionKind.ADMISSION, 10, 7),
        (DecisionKind.RECOGNITION, 9, 6),
        (DecisionKind.ELECTION, 13, 7),
        (DecisionKind.BOARD, 9, 5),
    ],
    ids=[
        "R-V3 resolution needs more than half",
        "R-A1 admission needs two thirds",
        "R-A3 recognition needs two thirds",
        "R-E1 election needs more than half of N",
        "R-V3 the vote-counting board, a procedural vote, needs more than half of N",
    ],
)
def test_required_yes_per_kind(kind: DecisionKind, base: int, expected: int) -> None:
    assert required_yes(kind, base) == expected


@pytest.mark.parametrize(
    ("kind", "method", "allowed"),
    [
        (DecisionKind.RESOLUTION, VotingMethod.SHOW_OF_HANDS, True),
        (DecisionKind.RESOLUTION, VotingMethod.SECRET_BALLOT, True),
        (DecisionKind.ADMISSION, VotingMethod.SHOW_OF_HANDS, True),
        (DecisionKind.RECOGNITION, VotingMethod.SECRET_BALLOT, True),
        (DecisionKind.DISCIPLINE, VotingMethod.SHOW_OF_HANDS, False),
        (DecisionKind.DISCIPLINE, VotingMethod.SECRET_BALLOT, True),
        (DecisionKind.ELECTION, VotingMethod.SHOW_OF_HANDS, False),
        (DecisionKind.ELECTION, VotingMethod.SECRET_BALLOT, True),
        (DecisionKind.BOARD, VotingMethod.SHOW_OF_HANDS, True),
        (DecisionKind.BOARD, VotingMethod.SECRET_BALLOT, False),
    ],
    ids=[
        "R-V5 resolution by show of hands",
        "R-V5 resolution by secret ballot allowed",
        "R-V5 admission either way",
        "R-V5 recognition either way",
        "R-V5 discipline never by show of hands",
        "R-V5 discipline by secret ballot",
        "R-V5 election never by show of hands",
        "R-V5 election by secret ballot",
        "R-V5 the vote-counting board by show of hands",
        "R-V5 the vote-counting board never by secret ballot",
    ],
)
def test_voting_method_per_kind(kind: DecisionKind, method: VotingMethod, allowed: bool) -> None:
    assert may_use_method(kind, method) is allowed


QUORUM_CASES = [
    pytest.param(QuorumRule.NONE, 10, 0, 0, True, id="R-V4 none is always met"),
    pytest.param(
        QuorumRule.HALF, 10, 5, 6, False, id="R-V4 half: exactly half present is not enough"
    ),
    pytest.param(QuorumRule.HALF, 10, 6, 6, True, id="R-V4 half: more than half present"),
    pytest.param(
        QuorumRule.TWO_THIRDS, 12, 7, 8, False, id="R-V4 two thirds: 7 of 12 is not enough"
    ),
    pytest.param(QuorumRule.TWO_THIRDS, 12, 8, 8, True, id="R-V4 two thirds: 8 of 12"),
    pytest.param(QuorumRule.TWO_THIRDS, 3, 2, 2, True, id="R-V4 two thirds: 2 of 3"),
    pytest.param(
        QuorumRule.TWO_THIRDS, 9, 5, 6, False, id="R-V4 two thirds: N=9 (multiple of 3) needs 6"
    ),
    pytest.param(QuorumRule.TWO_THIRDS, 0, 0, 0, True, id="R-V4 two thirds: N=0 needs nobody"),
    pytest.param(QuorumRule.HALF, 0, 0, 1, False, id="R-V4 half: N=0 needs one"),
    pytest.param(QuorumRule.TWO_THIRDS, 1, 1, 1, True, id="R-V4 two thirds: N=1 needs the one"),
]


@pytest.mark.parametrize(("rule", "base", "present", "required", "met"), QUORUM_CASES)
def test_quorum_per_policy(
    rule: QuorumRule, base: int, present: int, required: int, met: bool
) -> None:
    result = quorum(rule, base, present)

    assert (result.required, result.met) == (required, met)
    assert result.rules == ("R-V4",)


def test_quorum_explanations_name_the_policy() -> None:
    assert quorum(QuorumRule.NONE, 5, 1).explanation == (
        "Không áp dụng điều kiện số lượng có mặt (R-V4)."
    )
    assert quorum(QuorumRule.HALF, 10, 6).explanation == (
        "Điều kiện số lượng có mặt (R-V4): cần ít nhất 6 đảng viên có quyền biểu "
        "quyết có mặt (quá nửa N, N = 10), có 6: đạt."
    )
    assert quorum(QuorumRule.TWO_THIRDS, 12, 7).explanation == (
        "Điều kiện số lượng có mặt (R-V4): cần ít nhất 8 đảng viên có quyền "
        "biểu quyết có mặt (ít nhất hai phần ba N, N = 12), có 7: không đạt. Hội nghị vẫn có "
        "thể tiếp tục nhưng không được biểu quyết."
    )
