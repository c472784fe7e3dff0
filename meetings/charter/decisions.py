"""Yes/no decisions (resolution, admission, recognition) and `decide`, the entry point for every
decision kind (R-V2, R-V3, R-A1, R-A3)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeAlias

from meetings.charter.discipline import DisciplineVote, decide_discipline
from meetings.charter.elections import ElectionVote, decide_election
from meetings.charter.outcomes import (
    Decision,
    DecisionReason,
    DecisionStatus,
    Requirement,
    common_warnings,
    gate,
    with_warnings,
)
from meetings.charter.quorum import Quorum, quorum
from meetings.charter.roster import DEFAULT_POLICY, Attendance, Policy, RosterEntry
from meetings.charter.texts import id_list
from meetings.charter.thresholds import (
    ESCALATION_ATTEMPT,
    KIND_LABELS,
    KIND_RULES,
    THRESHOLD_LABELS,
    THRESHOLDS,
    DecisionKind,
    VotingMethod,
    required_yes,
)
from meetings.charter.vote_base import VoteBase, vote_base

YES_NO_KINDS: frozenset[DecisionKind] = frozenset(
    {DecisionKind.RESOLUTION, DecisionKind.ADMISSION, DecisionKind.RECOGNITION, DecisionKind.BOARD}
)

# The words the minutes use for each outcome (see shared/domain/minutes-template.md).
VERDICT_WORDS: Mapping[DecisionKind, tuple[str, str]] = {
    DecisionKind.RESOLUTION: ("THÔNG QUA", "KHÔNG THÔNG QUA"),
    DecisionKind.ADMISSION: ("ĐẠT", "KHÔNG ĐẠT"),
    DecisionKind.RECOGNITION: ("ĐẠT", "KHÔNG ĐẠT"),
    DecisionKind.BOARD: ("THÔNG QUA", "KHÔNG THÔNG QUA"),
}


class Choice(StrEnum):
    YES = "yes"  # tán thành
    NO = "no"  # không tán thành
    ABSTAIN = "abstain"  # không biểu quyết


@dataclass(frozen=True, slots=True)
class Tally:
    """Counts of a vote whose individual ballots are not known (e.g. a secret ballot)."""

    yes: int
    no: int = 0
    abstain: int = 0

    def __post_init__(self) -> None:
        if min(self.yes, self.no, self.abstain) < 0:
            raise ValueError("a tally cannot be negative")

    @property
    def total(self) -> int:
        return self.yes + self.no + self.abstain


@dataclass(frozen=True, slots=True)
class YesNoVote:
    """A resolution, admission or recognition vote: per-member `ballots` or a `tally`."""

    kind: DecisionKind
    method: VotingMethod
    ballots: Mapping[str, Choice] | None = None
    tally: Tally | None = None
    attempt: int = 1
    # Who cast a ballot, when only a tally is known (matters for exempt_counted_when = voting).
    voters: frozenset[str] | None = None

    def __post_init__(self) -> None:
        if self.kind not in YES_NO_KINDS:
            raise ValueError(f"{self.kind} is not a yes/no decision")
        if (self.ballots is None) == (self.tally is None):
            raise ValueError("give either ballots or a tally")
        if self.attempt < 1:
            raise ValueError("attempt starts at 1")


Vote: TypeAlias = YesNoVote | DisciplineVote | ElectionVote


def voters_of(vote: Vote) -> frozenset[str] | None:
    """Who voted, when known: the ballots' authors, or the vote's turnout list."""
    if isinstance(vote, YesNoVote) and vote.ballots is not None:
        return frozenset(vote.ballots)
    return vote.voters


def decide(
    vote: Vote,
    *,
    roster: Sequence[RosterEntry],
    attendance: Mapping[str, Attendance],
    policy: Policy = DEFAULT_POLICY,
) -> Decision:
    """Decide `vote` for a meeting: computes N (R-V1) and the quorum (R-V4) first."""
    base = vote_base(roster, attendance, policy, voted=voters_of(vote))
    return decide_on(
        vote,
        base=base,
        quorum=quorum(policy.quorum, base.size, base.voters_present),
        roster=roster,
    )


def decide_on(
    vote: Vote,
    *,
    base: VoteBase,
    quorum: Quorum,
    roster: Sequence[RosterEntry],
) -> Decision:
    """Decide `vote` against an already computed vote base and quorum."""
    if isinstance(vote, DisciplineVote):
        return decide_discipline(vote, base=base, quorum=quorum)
    if isinstance(vote, ElectionVote):
        return decide_election(vote, base=base, quorum=quorum, roster=roster)
    return decide_yes_no(vote, base=base, quorum=quorum)


def decide_yes_no(vote: YesNoVote, *, base: VoteBase, quorum: Quorum) -> Decision:
    """R-V3 (more than half of N), R-A1 and R-A3 (two thirds of N); a tie never passes."""
    required = required_yes(vote.kind, base.size)
    stop = gate(
        vote.kind,
        vote.method,
        base,
        quorum,
        Requirement(required, base.size, THRESHOLDS[vote.kind]),
    )
    if stop is not None:
        return stop
    ignored: tuple[str, ...] = ()
    if vote.tally is not None:
        yes = vote.tally.yes
        recorded = vote.tally.total
    else:
        ballots = vote.ballots or {}
        valid = [choice for member, choice in ballots.items() if base.may_vote(member)]
        # Ballots of members who may not vote are set aside, never counted (R-V1).
        ignored = tuple(sorted(member for member in ballots if not base.may_vote(member)))
        yes = sum(1 for choice in valid if choice == Choice.YES)
        recorded = len(valid)
    rules = KIND_RULES[vote.kind]
    reached, not_reached = VERDICT_WORDS[vote.kind]
    if yes >= required:
        status, reason, verdict = (
            DecisionStatus.PASSED,
            DecisionReason.THRESHOLD_REACHED,
            reached,
        )
    elif vote.kind == DecisionKind.RECOGNITION and vote.attempt >= ESCALATION_ATTEMPT:
        status, reason, verdict = (
            DecisionStatus.ESCALATED,
            DecisionReason.ESCALATED_AFTER_THIRD_ATTEMPT,
            f"{not_reached} lần thứ {vote.attempt}: báo cáo cấp ủy cấp trên xem xét, quyết định",
        )
    else:
        status, reason, verdict = (
            DecisionStatus.FAILED,
            DecisionReason.THRESHOLD_NOT_REACHED,
            not_reached,
        )
    attempt = f", lần {vote.attempt}" if vote.kind == DecisionKind.RECOGNITION else ""
    explanation = (
        f"{KIND_LABELS[vote.kind]}{attempt} ({', '.join(rules)}): cần ít nhất {required}/"
        f"{base.size} phiếu tán thành ({THRESHOLD_LABELS[THRESHOLDS[vote.kind]]}); có {yes} "
        f"phiếu tán thành: {verdict}. Không tán thành, không biểu quyết, vắng mặt đều không "
        "tính là tán thành."
    )
    if ignored:
        explanation += (
            f" Không tính phiếu của người không có quyền biểu quyết: {id_list(ignored)} (R-V1)."
        )
    warnings = common_warnings(
        base, votes_recorded_exceed=recorded > base.voters_present, required=required
    )
    return Decision(
        kind=vote.kind,
        status=status,
        reason=reason,
        required=required,
        yes=yes,
        ignored_ballots=ignored,
        warnings=warnings,
        rules=rules,
        explanation=with_warnings(explanation, warnings),
    )
