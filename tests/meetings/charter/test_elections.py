from __future__ import annotations

from collections.abc import Mapping

import pytest

from meetings.charter import (
    DecisionReason,
    DecisionStatus,
    ElectionVote,
    Policy,
    QuorumRule,
    RosterEntry,
    VotingMethod,
    WarningCode,
    allocate_seats,
    decide,
)

from .builders import (
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

SECRET = VotingMethod.SECRET_BALLOT
HANDS = VotingMethod.SHOW_OF_HANDS
NO_QUORUM = Policy(quorum=QuorumRule.NONE)
PASSED = DecisionStatus.PASSED
PARTIAL = DecisionStatus.PARTIAL
FAILED = DecisionStatus.FAILED
ESCALATED = DecisionStatus.ESCALATED
BLOCKED = DecisionStatus.BLOCKED


def row(
    rule: str,
    base: int,
    seats: int,
    tally: Mapping[str, int],
    expected: tuple[DecisionStatus, int | None, tuple[str, ...], tuple[str, ...]],
    *,
    invalid: int = 0,
    attempt: int = 1,
    method: VotingMethod = SECRET,
) -> pytest.ParameterSet:
    """`expected` is (status, required, elected, runoff). N official members, all present; the
    candidates are everyone in the tally."""
    return pytest.param(base, seats, tally, invalid, attempt, method, expected, id=rule)


O1, O1_O2 = ("o01",), ("o01", "o02")

CASES = [
    row("R-E1 single candidate over half of N elected", 8, 1, {"o01": 5}, (PASSED, 5, O1, ())),
    row("R-E1 half of N is not enough", 8, 1, {"o01": 4, "o02": 4}, (FAILED, 5, (), ())),
    row(
        "R-E4 more than half of N, not of valid ballots (invalid do not shrink N)",
        10,
        1,
        {"o01": 5, "o02": 3},
        (FAILED, 6, (), ()),
        invalid=2,
    ),
    row(
        "R-E7 the highest win when more qualify than seats",
        9,
        2,
        {"o01": 8, "o02": 7, "o03": 6},
        (PASSED, 5, O1_O2, ()),
    ),
    row(
        "R-E1 three seats filled by those above half of N",
        13,
        3,
        {"o01": 12, "o02": 10, "o03": 7, "o04": 6},
        (PASSED, 7, ("o01", "o02", "o03"), ()),
    ),
    row(
        "R-E7 tie across the last seat: runoff",
        13,
        3,
        {"o01": 11, "o02": 10, "o03": 8, "o04": 8},
        (PARTIAL, 7, O1_O2, ("o03", "o04")),
    ),
    row(
        "R-E7 runoff with three tied candidates for the last seat",
        13,
        2,
        {"o01": 9, "o02": 8, "o03": 8, "o04": 8},
        (PARTIAL, 7, O1, ("o02", "o03", "o04")),
    ),
    row(
        "R-E7 three tied for two seats: all to a runoff",
        7,
        2,
        {"o01": 4, "o02": 4, "o03": 4},
        (PARTIAL, 4, (), ("o01", "o02", "o03")),
    ),
    row(
        "R-E7 a tie below the cut does not matter",
        11,
        2,
        {"o01": 9, "o02": 8, "o03": 6, "o04": 6},
        (PASSED, 6, O1_O2, ()),
    ),
    row(
        "R-E7 a tie among the elected does not matter",
        13,
        2,
        {"o01": 8, "o02": 8, "o03": 7},
        (PASSED, 7, O1_O2, ()),
    ),
    row(
        "R-E1 some seats filled: partial",
        13,
        3,
        {"o01": 9, "o02": 8, "o03": 6},
        (PARTIAL, 7, O1_O2, ()),
    ),
    row(
        "R-E1 fewer candidates than seats: partial",
        13,
        3,
        {"o01": 9, "o02": 8},
        (PARTIAL, 7, O1_O2, ()),
    ),
    row(
        "R-E3 single seat failing a 3rd round escalates",
        10,
        1,
        {"o01": 5, "o02": 5},
        (ESCALATED, 6, (), ()),
        attempt=3,
    ),
    row(
        "R-E3 single seat failing a 2nd round fails",
        10,
        1,
        {"o01": 5, "o02": 5},
        (FAILED, 6, (), ()),
        attempt=2,
    ),
    row(
        "R-E3 several seats failing a 3rd round only fails",
        10,
        2,
        {"o01": 5, "o02": 5},
        (FAILED, 6, (), ()),
        attempt=3,
    ),
    row(
        "R-E3 single seat filled at the 3rd round passes",
        10,
        1,
        {"o01": 6},
        (PASSED, 6, O1, ()),
        attempt=3,
    ),
    row(
        "R-V5 election by show of hands is blocked",
        10,
        1,
        {"o01": 9},
        (BLOCKED, 6, (), ()),
        method=HANDS,
    ),
    row("R-E1 N = 1", 1, 1, {"o01": 1}, (PASSED, 1, O1, ())),
]


@pytest.mark.parametrize(
    ("base", "seats", "tally", "invalid", "attempt", "method", "expected"), CASES
)
def test_elections(
    base: int,
    seats: int,
    tally: Mapping[str, int],
    invalid: int,
    attempt: int,
    method: VotingMethod,
    expected: tuple[DecisionStatus, int | None, tuple[str, ...], tuple[str, ...]],
) -> None:
    roster = officials(base)
    vote = ElectionVote(
        method=method,
        seats=seats,
        candidates=tuple(tally),
        tally=tally,
        invalid=invalid,
        attempt=attempt,
    )

    decision = decide(vote, roster=roster, attendance=all_present(roster), policy=NO_QUORUM)

    assert (decision.status, decision.required, decision.elected, decision.runoff) == expected
    assert decision.yes is None


@pytest.mark.parametrize(
    "candidate",
    [
        probationary("c01"),
        official("c01", suspended=True),
        temporary_in("c01"),
    ],
    ids=[
        "R-E6 a probationary candidate blocks the ballot",
        "R-E6 a suspended candidate blocks the ballot",
        "R-E6 a temporary-in candidate blocks the ballot",
    ],
)
def test_ineligible_candidates_block_the_election(candidate: RosterEntry) -> None:
    roster = (*officials(5), candidate)
    vote = ElectionVote(
        method=SECRET, seats=1, candidates=("o01", "c01"), tally={"o01": 4, "c01": 1}
    )

    decision = decide(vote, roster=roster, attendance=all_present(roster), policy=NO_QUORUM)

    assert (decision.status, decision.reason) == (
        DecisionStatus.BLOCKED,
        DecisionReason.INELIGIBLE_CANDIDATE,
    )
    assert decision.rules == ("R-E6",)
    # The threshold it would have needed, so the room and the minutes can state it (issue 13).
    assert decision.required == 3
    assert "không đủ điều kiện: c01." in decision.explanation
    assert "Nếu được biểu quyết, cần ít nhất 3/5 phiếu (quá nửa N)." in decision.explanation


def test_candidate_not_on_the_roster_is_ineligible() -> None:
    roster = officials(3)
    vote = ElectionVote(method=SECRET, seats=1, candidates=("zz",), tally={"zz": 3})

    decision = decide(vote, roster=roster, attendance=all_present(roster))

    assert decision.reason is DecisionReason.INELIGIBLE_CANDIDATE


def test_exempt_and_absent_official_may_still_stand() -> None:
    roster = (*officials(5), official("e01", exempt=True))
    vote = ElectionVote(method=SECRET, seats=1, candidates=("e01",), tally={"e01": 3})

    decision = decide(vote, roster=roster, attendance=attendance(roster, e01=UNEXCUSED))

    assert (decision.status, decision.elected) == (DecisionStatus.PASSED, ("e01",))


def test_election_explanations() -> None:
    roster = officials(13)
    runoff = ElectionVote(
        method=SECRET,
        seats=3,
        candidates=("o01", "o02", "o03", "o04"),
        tally={"o01": 11, "o02": 10, "o03": 8, "o04": 8},
        invalid=1,
    )
    escalation = ElectionVote(
        method=SECRET, seats=1, candidates=("o01",), tally={"o01": 2}, attempt=3
    )

    first = decide(runoff, roster=roster, attendance=all_present(roster))
    second = decide(escalation, roster=roster, attendance=all_present(roster))

    assert first.rules == ("R-E1", "R-V2", "R-E4", "R-E7")
    assert first.explanation == (
        "Bầu cử 3 chỗ, vòng 1 (R-E1): người trúng cử phải được ít nhất 7/13 phiếu (quá nửa N, "
        "không phải quá nửa số phiếu hợp lệ); 1 phiếu không hợp lệ không làm giảm N (R-E4). "
        "Trúng cử: o01 (11 phiếu), o02 (10 phiếu). Số người đạt quá nửa N nhiều hơn số chỗ: "
        "lấy người nhiều phiếu hơn (R-E7). Bằng phiếu nhau ở chỗ cuối cùng: bầu lại giữa o03, "
        "o04 (R-E7)."
    )
    assert second.rules == ("R-E1", "R-V2", "R-E3")
    assert second.explanation.endswith(
        "Trúng cử: không có. Sau vòng thứ 3 vẫn không ai trúng cử: cấp ủy cấp trên chỉ định (R-E3)."
    )


def test_partly_filled_election_says_how_many_seats_remain() -> None:
    roster = officials(13)
    vote = ElectionVote(
        method=SECRET, seats=3, candidates=("o01", "o02", "o03"), tally={"o01": 9, "o02": 8}
    )

    decision = decide(vote, roster=roster, attendance=all_present(roster))

    assert decision.reason is DecisionReason.SEATS_PARTLY_FILLED
    assert decision.explanation.endswith("Còn 1 chỗ chưa có người trúng cử.")


@pytest.mark.parametrize(
    ("tally", "invalid", "present", "warnings"),
    [
        ({"o01": 9}, 2, 10, (WarningCode.TALLY_EXCEEDS_VOTERS_PRESENT,)),
        ({"o01": 5, "o02": 5, "o03": 5}, 0, 7, (WarningCode.TALLY_EXCEEDS_VOTERS_PRESENT,)),
        ({"o01": 4}, 0, 4, (WarningCode.THRESHOLD_UNREACHABLE,)),
        ({"o01": 6, "o02": 4}, 0, 10, ()),
    ],
    ids=[
        "a candidate's votes plus invalid ballots exceed the voters present",
        "more votes than seats times voters present",
        "R-V4 too few voters present to elect anyone",
        "a consistent tally",
    ],
)
def test_election_warnings(
    tally: Mapping[str, int], invalid: int, present: int, warnings: tuple[WarningCode, ...]
) -> None:
    roster = officials(10)
    presence = {
        entry.member_id: PRESENT if number < present else UNEXCUSED
        for number, entry in enumerate(roster)
    }
    vote = ElectionVote(
        method=SECRET, seats=2, candidates=tuple(tally), tally=tally, invalid=invalid
    )

    decision = decide(vote, roster=roster, attendance=presence, policy=NO_QUORUM)

    assert decision.warnings == warnings


@pytest.mark.parametrize(
    ("votes", "seats", "required", "elected", "runoff"),
    [
        ({}, 1, 1, (), ()),
        ({"b": 5, "a": 5}, 2, 3, ("a", "b"), ()),
        ({"b": 5, "a": 5}, 1, 3, (), ("a", "b")),
        ({"c": 7, "b": 5, "a": 5, "d": 2}, 2, 3, ("c",), ("a", "b")),
    ],
    ids=[
        "no candidates",
        "R-E7 ties inside the seats are all elected, ordered by id",
        "R-E7 tie for a single seat",
        "R-E7 highest first, runoff for the tie",
    ],
)
def test_allocate_seats(
    votes: Mapping[str, int],
    seats: int,
    required: int,
    elected: tuple[str, ...],
    runoff: tuple[str, ...],
) -> None:
    allocation = allocate_seats(votes, seats, required)

    assert (allocation.elected, allocation.runoff) == (elected, runoff)


@pytest.mark.parametrize(
    ("seats", "candidates", "tally", "invalid", "attempt"),
    [
        (0, ("a",), {}, 0, 1),
        (1, (), {}, 0, 1),
        (1, ("a", "a"), {}, 0, 1),
        (1, ("a",), {"b": 1}, 0, 1),
        (1, ("a",), {"a": -1}, 0, 1),
        (1, ("a",), {}, -1, 1),
        (1, ("a",), {}, 0, 0),
    ],
    ids=[
        "no seat",
        "no candidate",
        "a candidate twice",
        "tally for a non-candidate",
        "negative votes",
        "negative invalid ballots",
        "attempt 0",
    ],
)
def test_election_vote_rejects_impossible_values(
    seats: int, candidates: tuple[str, ...], tally: Mapping[str, int], invalid: int, attempt: int
) -> None:
    with pytest.raises(ValueError, match=r"."):
        ElectionVote(
            method=SECRET,
            seats=seats,
            candidates=candidates,
            tally=tally,
            invalid=invalid,
            attempt=attempt,
        )
