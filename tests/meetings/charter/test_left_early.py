"""A member who attended and then left with the chair's approval ("xin về sớm"):
`Attendance.LEFT_WITH_REASON`.

The reference removes from N only official members absent for the WHOLE meeting with an
approved reason (24-QĐ/TW 9.3.2, R-V1); it is silent on the leaver otherwise. The engine's
reading (docs/charter.md): in N whatever the exempt or temporarily-out flags (they attended;
keeping them never makes a threshold easier), except an exempt leaver who did not vote under
`exempt_counted_when = voting`; not a voter present (no vote, no quorum); present for R-Q1.
"""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from meetings.charter import (
    DEFAULT_POLICY,
    Attendance,
    Choice,
    DecisionKind,
    DecisionStatus,
    Exclusion,
    ExemptCountedWhen,
    MeetingSnapshot,
    Policy,
    QuorumRule,
    RosterEntry,
    Tally,
    VoteBasePolicy,
    VotingMethod,
    WarningCode,
    YesNoVote,
    assess,
    attendance_criterion,
    attended,
    decide,
    evaluate_case,
    longest_excused_streaks,
    vote_base,
    yearly_attendance,
)

from .builders import (
    EXCUSED,
    LEFT,
    PRESENT,
    UNEXCUSED,
    attendance,
    case,
    official,
    officials,
    probationary,
    temporary_in,
)

pytestmark = pytest.mark.unit

STRICT = Policy(vote_base=VoteBasePolicy.STRICT)
VOTING = Policy(exempt_counted_when=ExemptCountedWhen.VOTING)
TWO = (official("o01"), official("o02"))


def row(
    rule: str,
    third: RosterEntry,
    size: int,
    *,
    policy: Policy = DEFAULT_POLICY,
    voted: frozenset[str] | None = None,
) -> pytest.ParameterSet:
    """Two official members present, and a third member `third` who left early."""
    presence = {"o01": PRESENT, "o02": PRESENT, third.member_id: LEFT}
    return pytest.param((*TWO, third), presence, policy, voted, size, id=rule)


CASES = [
    row("R-V1 a leaver attended: in N", official("o03"), 3),
    row("R-V1 a leaver in N under strict too", official("o03"), 3, policy=STRICT),
    row("R-R2 an exempt leaver attended: in N", official("o03", exempt=True), 3),
    row(
        "R-R2 an exempt leaver counted under voting while the turnout is unknown",
        official("o03", exempt=True),
        3,
        policy=VOTING,
    ),
    row(
        "R-R2 an exempt leaver who did not vote left out under voting",
        official("o03", exempt=True),
        2,
        policy=VOTING,
        voted=frozenset({"o01", "o02"}),
    ),
    row(
        "R-R2 an exempt leaver counted under present although not voting",
        official("o03", exempt=True),
        3,
        voted=frozenset({"o01", "o02"}),
    ),
    row("R-R3 a temporarily-out leaver came back: in N", official("o03", temporarily_out=True), 3),
    row("R-R4 a suspended leaver is never in N", official("o03", suspended=True), 2),
    row("R-R1 a probationary leaver is never in N", probationary("p01"), 2),
    row("R-R3 a temporary-in leaver is never in N", temporary_in("t01"), 2),
]


@pytest.mark.parametrize(("roster", "presence", "policy", "voted", "size"), CASES)
def test_a_leaver_in_n_but_never_among_the_voters_present(
    roster: tuple[RosterEntry, ...],
    presence: Mapping[str, Attendance],
    policy: Policy,
    voted: frozenset[str] | None,
    size: int,
) -> None:
    base = vote_base(roster, presence, policy, voted=voted)

    assert (base.size, base.voters_present) == (size, 2)
    assert not base.may_vote(roster[2].member_id)


def test_only_the_whole_meeting_absentee_is_left_out_and_the_explanation_says_why() -> None:
    roster = officials(4)
    presence = attendance(roster, o03=LEFT, o04=EXCUSED)

    base = vote_base(roster, presence)

    assert base.excluded == (("o04", Exclusion.APPROVED_ABSENCE),)
    assert (base.size, base.voters_present) == (3, 2)
    assert base.explanation.endswith(
        "Có mặt và có quyền biểu quyết: 2. Vẫn tính vào N nhưng không còn biểu quyết: 1 đảng "
        "viên đã dự rồi xin về sớm có lý do (R-V1: chỉ không tính đảng viên vắng mặt cả buổi "
        "có lý do)."
    )


def test_an_exempt_leaver_under_voting_with_unknown_turnout_is_warned() -> None:
    roster = (*officials(4), official("e01", exempt=True))
    policy = Policy(quorum=QuorumRule.NONE, exempt_counted_when=ExemptCountedWhen.VOTING)
    vote = YesNoVote(
        kind=DecisionKind.RESOLUTION, method=VotingMethod.SECRET_BALLOT, tally=Tally(yes=3)
    )

    decision = decide(vote, roster=roster, attendance=attendance(roster, e01=LEFT), policy=policy)

    assert (decision.required, decision.warnings) == (3, (WarningCode.EXEMPT_VOTES_UNKNOWN,))


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        pytest.param(EXCUSED, (DecisionStatus.PASSED, 3), id="absent all along: N = 5 needs 3"),
        pytest.param(LEFT, (DecisionStatus.FAILED, 4), id="left early: N = 6 needs 4"),
    ],
)
def test_leaving_early_keeps_the_threshold_of_the_whole_cell(
    status: Attendance, outcome: tuple[DecisionStatus, int]
) -> None:
    """R-V1, R-V3: three yes votes of the five still in the room."""
    roster = officials(6)
    yes, no = Choice.YES, Choice.NO
    ballots = {"o01": yes, "o02": yes, "o03": yes, "o04": no, "o05": no}
    vote = YesNoVote(
        kind=DecisionKind.RESOLUTION, method=VotingMethod.SHOW_OF_HANDS, ballots=ballots
    )

    decision = decide(vote, roster=roster, attendance=attendance(roster, o06=status))

    assert (decision.status, decision.required) == outcome


def test_a_leaver_is_not_counted_for_the_quorum_of_later_votes() -> None:
    """R-V4: two of three left early; N = 3 still needs two voters present."""
    roster = officials(3)

    left = assess(MeetingSnapshot(roster, attendance(roster, o02=LEFT, o03=LEFT)))
    away = assess(MeetingSnapshot(roster, attendance(roster, o02=EXCUSED, o03=EXCUSED)))

    assert (left.quorum.required, left.quorum.voters_present, left.quorum.met) == (2, 1, False)
    assert (away.quorum.required, away.quorum.met) == (1, True)


def test_a_leaver_attended_for_the_attendance_rate() -> None:
    """R-Q1: "dự sinh hoạt"; leaving with approval is no absence, with or without reason."""
    roster = (*officials(6), probationary("p01"))

    criterion = attendance_criterion(roster, attendance(roster, o01=LEFT, p01=LEFT))

    assert (criterion.present, criterion.denominator, criterion.criterion_met) == (7, 7, True)
    assert criterion.absent_without_reason == ()
    assert criterion.explanation.endswith(
        "Tính là có dự: 2 đảng viên đã dự rồi xin về sớm có lý do."
    )


def test_leaving_early_breaks_a_run_of_excused_absences() -> None:
    meetings = [{"o01": EXCUSED}, {"o01": EXCUSED}, {"o01": LEFT}, {"o01": EXCUSED}]

    assert longest_excused_streaks(meetings) == {"o01": 2}
    assert yearly_attendance([*meetings, {"o01": EXCUSED}]).criterion_met is True


def test_attended_is_present_or_left_early() -> None:
    assert [attended(status) for status in Attendance] == [
        status in (PRESENT, LEFT) for status in Attendance
    ]
    assert attended("left_with_reason")  # type: ignore[arg-type]
    assert not attended(UNEXCUSED)


def test_the_evaluator_accepts_left_with_reason() -> None:
    roster = officials(6)
    ballots = {"o01": "yes", "o02": "yes", "o03": "yes", "o04": "no", "o05": "no"}
    document = case(
        roster,
        attendance(roster, o06=LEFT),
        decision={"kind": "resolution", "method": "show_of_hands", "ballots": ballots},
    )

    result = evaluate_case(document)

    assert (result["vote_base"], result["voters_present"]) == (6, 5)
    assert result["decision"]["status"] == "failed"  # type: ignore[index]
    assert result["decision"]["required"] == 4  # type: ignore[index]
    assert result["attendance"] == {"rate_percent": 100.0, "criterion_met": True}
    assert "xin về sớm" in str(result["explanation"])
