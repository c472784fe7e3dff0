from __future__ import annotations

import pytest

from meetings.charter import (
    DecisionStatus,
    MeetingSnapshot,
    Policy,
    QuorumRule,
    Tally,
    VotingMethod,
    WarningCode,
    YesNoVote,
    assess,
)
from meetings.charter.thresholds import DecisionKind

from .builders import UNEXCUSED, all_present, attendance, official, officials

pytestmark = pytest.mark.unit


def test_assessment_without_a_vote() -> None:
    roster = officials(9)

    result = assess(MeetingSnapshot(roster=roster, attendance=all_present(roster)))

    assert (result.vote_base.size, result.quorum.met, result.decision, result.warnings) == (
        9,
        True,
        None,
        (),
    )
    assert result.rules == ("R-V1", "R-V4", "R-Q1", "R-S1", "R-S2")
    assert result.explanation.count("\n") == 3


def test_assessment_carries_the_decision_and_its_warnings() -> None:
    roster = officials(10)
    vote = YesNoVote(
        kind=DecisionKind.RESOLUTION,
        method=VotingMethod.SECRET_BALLOT,
        tally=Tally(yes=5, no=5, abstain=1),
    )

    result = assess(
        MeetingSnapshot(
            roster=roster,
            attendance=attendance(roster, o10=UNEXCUSED),
            policy=Policy(quorum=QuorumRule.HALF),
            vote=vote,
        )
    )

    assert result.decision is not None
    assert result.decision.status is DecisionStatus.FAILED
    assert result.warnings == (WarningCode.TALLY_EXCEEDS_VOTERS_PRESENT,)
    assert result.rules == ("R-V1", "R-V4", "R-Q1", "R-S1", "R-S2", "R-V3", "R-V2")
    assert result.explanation.splitlines()[-1].startswith("Biểu quyết nghị quyết, kết luận")


def test_snapshot_rejects_a_member_listed_twice() -> None:
    with pytest.raises(ValueError, match="twice"):
        MeetingSnapshot(roster=(official("o01"), official("o01")), attendance={})
