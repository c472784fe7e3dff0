from __future__ import annotations

from collections.abc import Mapping

import pytest

from meetings.charter import (
    Attendance,
    Choice,
    DecisionKind,
    DecisionReason,
    DecisionStatus,
    ExemptCountedWhen,
    Policy,
    QuorumRule,
    RosterEntry,
    Tally,
    VoteBasePolicy,
    VotingMethod,
    WarningCode,
    YesNoVote,
    decide,
)

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

RESOLUTION = DecisionKind.RESOLUTION
ADMISSION = DecisionKind.ADMISSION
RECOGNITION = DecisionKind.RECOGNITION
HANDS = VotingMethod.SHOW_OF_HANDS
SECRET = VotingMethod.SECRET_BALLOT
NO_QUORUM = Policy(quorum=QuorumRule.NONE)
Y, N, A = Choice.YES, Choice.NO, Choice.ABSTAIN

TEN = officials(10)
NINE = officials(9)
MIXED = (
    *officials(3),
    probationary("p01"),
    temporary_in("t01"),
    official("s01", suspended=True),
)


def ballots(yes: int, no: int = 0, abstain: int = 0, prefix: str = "o") -> dict[str, Choice]:
    choices = [Y] * yes + [N] * no + [A] * abstain
    return {f"{prefix}{number:02d}": choice for number, choice in enumerate(choices, start=1)}


def row(
    rule: str,
    kind: DecisionKind,
    votes: Mapping[str, Choice] | Tally,
    expected: tuple[DecisionStatus, int | None, int | None, tuple[str, ...]],
    *,
    roster: tuple[RosterEntry, ...] = TEN,
    presence: Mapping[str, Attendance] | None = None,
    attempt: int = 1,
    policy: Policy = NO_QUORUM,
) -> pytest.ParameterSet:
    """`expected` is (status, required, yes, ignored ballots); everyone attends by default."""
    presence = all_present(roster) if presence is None else presence
    return pytest.param(kind, roster, presence, votes, attempt, policy, expected, id=rule)


PASSED, FAILED = DecisionStatus.PASSED, DecisionStatus.FAILED
BLOCKED, ESCALATED = DecisionStatus.BLOCKED, DecisionStatus.ESCALATED
STRICT = Policy(quorum=QuorumRule.NONE, vote_base=VoteBasePolicy.STRICT)
ONE = (official("o01"),)
ABSENT_TWO = attendance(TEN, o09=UNEXCUSED, o10=UNEXCUSED)
EXCUSED_TWO = attendance(TEN, o09=EXCUSED, o10=EXCUSED)
TWELVE = officials(12)
SEVEN_OF_TWELVE = attendance(
    TWELVE, o08=UNEXCUSED, o09=UNEXCUSED, o10=UNEXCUSED, o11=UNEXCUSED, o12=UNEXCUSED
)

CASES = [
    row("R-V3 more than half of N passes", RESOLUTION, ballots(6, 4), (PASSED, 6, 6, ())),
    row("R-V2 abstentions are not yes", RESOLUTION, ballots(5, 2, 3), (FAILED, 6, 5, ())),
    row("R-V2 a tie never passes", RESOLUTION, ballots(5, 5), (FAILED, 6, 5, ())),
    row(
        "R-V2 absentees count as not yes",
        RESOLUTION,
        ballots(5, 3),
        (FAILED, 6, 5, ()),
        presence=ABSENT_TWO,
        policy=Policy(),
    ),
    row(
        "R-V1 approved absentees leave N (exclude_approved_absentees)",
        RESOLUTION,
        ballots(5, 3),
        (PASSED, 5, 5, ()),
        presence=EXCUSED_TWO,
    ),
    row(
        "R-V1 approved absentees stay in N under strict",
        RESOLUTION,
        ballots(5, 3),
        (FAILED, 6, 5, ()),
        presence=EXCUSED_TWO,
        policy=STRICT,
    ),
    row("R-V1 N = 1 with a yes passes", RESOLUTION, {"o01": Y}, (PASSED, 1, 1, ()), roster=ONE),
    row("R-V1 N = 1 abstaining fails", RESOLUTION, {"o01": A}, (FAILED, 1, 0, ()), roster=ONE),
    row(
        "R-V1 N = 0 blocks the vote",
        RESOLUTION,
        {"p01": Y, "t01": Y},
        (BLOCKED, 1, None, ()),
        roster=(probationary("p01"), temporary_in("t01")),
    ),
    row(
        "R-V1 all ballots from ineligible members are ignored",
        RESOLUTION,
        {"p01": Y, "t01": Y, "s01": Y},
        (FAILED, 2, 0, ("p01", "s01", "t01")),
        roster=MIXED,
    ),
    row(
        "R-V1 a ballot from an absent member is ignored",
        RESOLUTION,
        {"o01": Y, "o03": Y},
        (FAILED, 2, 1, ("o03",)),
        roster=officials(3),
        presence=attendance(officials(3), o03=UNEXCUSED),
    ),
    row(
        "R-V4 quorum not met blocks the vote",
        RESOLUTION,
        ballots(7),
        (BLOCKED, 7, None, ()),
        roster=TWELVE,
        presence=SEVEN_OF_TWELVE,
        policy=Policy(),
    ),
    row("R-V5 resolution by secret ballot tally", RESOLUTION, Tally(6, 4), (PASSED, 6, 6, ())),
    row(
        "R-A1 admission at exactly two thirds (N multiple of 3) passes",
        ADMISSION,
        ballots(6, 3),
        (PASSED, 6, 6, ()),
        roster=NINE,
    ),
    row(
        "R-A1 admission failing a 3rd time only fails",
        ADMISSION,
        ballots(5, 4),
        (FAILED, 6, 5, ()),
        roster=NINE,
        attempt=3,
    ),
    row("R-A1 admission one below two thirds fails", ADMISSION, ballots(6, 4), (FAILED, 7, 6, ())),
    row(
        "R-A3 recognition failing a 2nd time fails",
        RECOGNITION,
        ballots(5, 4),
        (FAILED, 6, 5, ()),
        roster=NINE,
        attempt=2,
    ),
    row(
        "R-A3 recognition failing a 3rd time escalates",
        RECOGNITION,
        ballots(5, 4),
        (ESCALATED, 6, 5, ()),
        roster=NINE,
        attempt=3,
    ),
    row(
        "R-A3 recognition failing a 4th time escalates",
        RECOGNITION,
        ballots(5, 4),
        (ESCALATED, 6, 5, ()),
        roster=NINE,
        attempt=4,
    ),
    row(
        "R-A3 recognition passing at the 3rd attempt passes",
        RECOGNITION,
        ballots(6, 3),
        (PASSED, 6, 6, ()),
        roster=NINE,
        attempt=3,
    ),
    row(
        "R-A3 recognition by tally failing a 3rd time escalates",
        RECOGNITION,
        Tally(5, 4),
        (ESCALATED, 6, 5, ()),
        roster=NINE,
        attempt=3,
    ),
]


@pytest.mark.parametrize(
    ("kind", "roster", "presence", "votes", "attempt", "policy", "expected"), CASES
)
def test_yes_no_decisions(
    kind: DecisionKind,
    roster: tuple[RosterEntry, ...],
    presence: Mapping[str, Attendance],
    votes: Mapping[str, Choice] | Tally,
    attempt: int,
    policy: Policy,
    expected: tuple[DecisionStatus, int | None, int | None, tuple[str, ...]],
) -> None:
    if isinstance(votes, Tally):
        vote = YesNoVote(kind=kind, method=SECRET, tally=votes, attempt=attempt)
    else:
        vote = YesNoVote(kind=kind, method=HANDS, ballots=votes, attempt=attempt)

    decision = decide(vote, roster=roster, attendance=presence, policy=policy)

    assert (decision.status, decision.required, decision.yes, decision.ignored_ballots) == expected


def test_passing_resolution_explains_the_threshold() -> None:
    roster = (*officials(6), probationary("p01"))
    vote = YesNoVote(kind=RESOLUTION, method=HANDS, ballots={**ballots(4, 2), "p01": Y})

    decision = decide(vote, roster=roster, attendance=all_present(roster))

    assert decision.reason is DecisionReason.THRESHOLD_REACHED
    assert decision.rules == ("R-V3", "R-V2")
    assert decision.explanation == (
        "Biểu quyết nghị quyết, kết luận (R-V3, R-V2): cần ít nhất 4/6 phiếu tán thành (quá nửa "
        "N); có 4 phiếu tán thành: THÔNG QUA. Không tán thành, không biểu quyết, vắng mặt đều "
        "không tính là tán thành. Không tính phiếu của người không có quyền biểu quyết: p01 "
        "(R-V1)."
    )


def test_escalated_recognition_explains_the_referral() -> None:
    vote = YesNoVote(kind=RECOGNITION, method=HANDS, ballots=ballots(5, 4), attempt=3)

    decision = decide(vote, roster=NINE, attendance=all_present(NINE))

    assert decision.reason is DecisionReason.ESCALATED_AFTER_THIRD_ATTEMPT
    assert "lần 3" in decision.explanation
    assert "KHÔNG ĐẠT lần thứ 3: báo cáo cấp ủy cấp trên xem xét, quyết định" in (
        decision.explanation
    )


def test_board_is_adopted_by_more_than_half_of_n() -> None:
    """The vote-counting board, a procedural vote by show of hands (R-V5): the domain reference
    gives it no threshold, so it is adopted as an ordinary resolution is (R-V3, R-V2)."""
    vote = YesNoVote(kind=DecisionKind.BOARD, method=HANDS, ballots=ballots(5, 4))

    decision = decide(vote, roster=NINE, attendance=all_present(NINE))

    assert (decision.status, decision.required, decision.yes) == (DecisionStatus.PASSED, 5, 5)
    assert decision.rules == ("R-V5", "R-V3", "R-V2")
    assert decision.explanation.startswith(
        "Biểu quyết thông qua ban kiểm phiếu (R-V5, R-V3, R-V2): cần ít nhất 5/9 phiếu tán thành"
    )
    tie = decide(
        YesNoVote(kind=DecisionKind.BOARD, method=HANDS, ballots=ballots(4, 5)),
        roster=NINE,
        attendance=all_present(NINE),
    )
    assert (tie.status, tie.explanation.split(": ")[-1][:15]) == (
        DecisionStatus.FAILED,
        "KHÔNG THÔNG QUA",
    )


def test_board_by_secret_ballot_is_blocked() -> None:
    vote = YesNoVote(kind=DecisionKind.BOARD, method=VotingMethod.SECRET_BALLOT, tally=Tally(9))

    decision = decide(vote, roster=NINE, attendance=all_present(NINE))

    assert (decision.status, decision.reason) == (
        DecisionStatus.BLOCKED,
        DecisionReason.SHOW_OF_HANDS_REQUIRED,
    )
    assert decision.explanation == (
        "Biểu quyết thông qua ban kiểm phiếu: biểu quyết giơ tay, không bỏ phiếu kín (R-V5); "
        "không được biểu quyết. Nếu được biểu quyết, cần ít nhất 5/9 phiếu (quá nửa N)."
    )


@pytest.mark.parametrize(
    ("roster", "presence", "votes", "policy", "reason"),
    [
        (
            (probationary("p01"),),
            {"p01": PRESENT},
            {"p01": Y},
            Policy(),
            DecisionReason.EMPTY_VOTE_BASE,
        ),
        (
            officials(3),
            {"o01": PRESENT},
            {"o01": Y},
            Policy(quorum=QuorumRule.HALF),
            DecisionReason.QUORUM_NOT_MET,
        ),
    ],
    ids=["R-V1 N = 0 is blocked as empty", "R-V4 quorum half not met"],
)
def test_blocked_decisions_give_their_reason(
    roster: tuple[RosterEntry, ...],
    presence: Mapping[str, Attendance],
    votes: Mapping[str, Choice],
    policy: Policy,
    reason: DecisionReason,
) -> None:
    vote = YesNoVote(kind=RESOLUTION, method=HANDS, ballots=votes)

    decision = decide(vote, roster=roster, attendance=presence, policy=policy)

    assert (decision.status, decision.reason) == (DecisionStatus.BLOCKED, reason)
    assert decision.explanation.startswith("Biểu quyết nghị quyết, kết luận: ")


@pytest.mark.parametrize(
    ("votes", "present", "warnings"),
    [
        (Tally(yes=6, no=3, abstain=2), 10, (WarningCode.TALLY_EXCEEDS_VOTERS_PRESENT,)),
        (Tally(yes=4), 4, (WarningCode.THRESHOLD_UNREACHABLE,)),
        (Tally(yes=6, no=4), 10, ()),
    ],
    ids=[
        "tally larger than the voters present",
        "R-V4 too few present to reach the threshold",
        "a consistent tally gives no warning",
    ],
)
def test_yes_no_warnings(votes: Tally, present: int, warnings: tuple[WarningCode, ...]) -> None:
    presence = {
        entry.member_id: PRESENT if number < present else UNEXCUSED
        for number, entry in enumerate(TEN)
    }
    vote = YesNoVote(kind=RESOLUTION, method=SECRET, tally=votes)

    decision = decide(vote, roster=TEN, attendance=presence, policy=NO_QUORUM)

    assert decision.warnings == warnings


def test_exempt_turnout_unknown_is_warned_and_counted() -> None:
    roster = (official("o01", exempt=True), *officials(4, prefix="x"))
    policy = Policy(quorum=QuorumRule.NONE, exempt_counted_when=ExemptCountedWhen.VOTING)
    vote = YesNoVote(kind=RESOLUTION, method=SECRET, tally=Tally(yes=3, no=2))

    decision = decide(vote, roster=roster, attendance=all_present(roster), policy=policy)

    assert (decision.required, decision.warnings) == (3, (WarningCode.EXEMPT_VOTES_UNKNOWN,))
    assert "chỉ tính đảng viên miễn sinh hoạt khi có biểu quyết" in decision.explanation


def test_exempt_turnout_from_voters_list_under_voting_policy() -> None:
    roster = (official("o01", exempt=True), *officials(4, prefix="x"))
    policy = Policy(quorum=QuorumRule.NONE, exempt_counted_when=ExemptCountedWhen.VOTING)
    vote = YesNoVote(
        kind=RESOLUTION,
        method=SECRET,
        tally=Tally(yes=3, no=1),
        voters=frozenset({"x01", "x02", "x03", "x04"}),
    )

    decision = decide(vote, roster=roster, attendance=all_present(roster), policy=policy)

    assert (decision.status, decision.required, decision.warnings) == (
        DecisionStatus.PASSED,
        3,
        (),
    )


@pytest.mark.parametrize(
    "arguments",
    [
        {"kind": DecisionKind.DISCIPLINE, "tally": Tally(yes=1)},
        {"kind": RESOLUTION},
        {"kind": RESOLUTION, "tally": Tally(yes=1), "ballots": {}},
        {"kind": RESOLUTION, "tally": Tally(yes=1), "attempt": 0},
    ],
    ids=["not a yes/no kind", "neither ballots nor tally", "both ballots and tally", "attempt 0"],
)
def test_yes_no_vote_rejects_impossible_values(arguments: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=r"."):
        YesNoVote(method=HANDS, **arguments)  # type: ignore[arg-type]


def test_tally_rejects_negative_counts() -> None:
    with pytest.raises(ValueError, match="negative"):
        Tally(yes=1, no=-1)
