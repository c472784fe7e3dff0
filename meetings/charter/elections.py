"""Elections at a cell congress: more than half of N, not of valid ballots (R-E1..R-E7)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

from meetings.charter.outcomes import (
    Decision,
    DecisionReason,
    DecisionStatus,
    Requirement,
    blocked,
    common_warnings,
    gate,
    with_warnings,
)
from meetings.charter.quorum import Quorum
from meetings.charter.roster import RosterEntry
from meetings.charter.texts import id_list
from meetings.charter.thresholds import (
    ESCALATION_ATTEMPT,
    KIND_LABELS,
    KIND_RULES,
    DecisionKind,
    Threshold,
    VotingMethod,
    more_than_half,
)
from meetings.charter.vote_base import VoteBase


@dataclass(frozen=True, slots=True)
class ElectionVote:
    kind: ClassVar[DecisionKind] = DecisionKind.ELECTION

    method: VotingMethod
    seats: int
    candidates: tuple[str, ...]
    tally: Mapping[str, int]  # votes per candidate; a missing candidate got none
    invalid: int = 0  # invalid ballots count for nobody and do not shrink N (R-E4)
    attempt: int = 1  # the round of voting for these seats
    voters: frozenset[str] | None = None

    def __post_init__(self) -> None:
        if self.seats < 1:
            raise ValueError("an election fills at least one seat")
        if not self.candidates:
            raise ValueError("an election needs at least one candidate")
        if len(set(self.candidates)) != len(self.candidates):
            raise ValueError("a candidate appears twice")
        if not set(self.tally) <= set(self.candidates):
            raise ValueError("the tally counts someone who is not a candidate")
        if self.invalid < 0 or any(count < 0 for count in self.tally.values()):
            raise ValueError("a tally cannot be negative")
        if self.attempt < 1:
            raise ValueError("attempt starts at 1")


@dataclass(frozen=True, slots=True)
class SeatAllocation:
    elected: tuple[str, ...]  # by votes, highest first; ties by id
    runoff: tuple[str, ...]  # sorted by id


def allocate_seats(votes: Mapping[str, int], seats: int, required: int) -> SeatAllocation:
    """R-E1, R-E7: those reaching `required` qualify; if more qualify than there are seats, the
    highest win, and a tie across the last seat sends the tied candidates to a runoff."""
    qualified = sorted(
        (candidate for candidate, count in votes.items() if count >= required),
        key=lambda candidate: (-votes[candidate], candidate),
    )
    if len(qualified) <= seats:
        return SeatAllocation(elected=tuple(qualified), runoff=())
    last_seat = votes[qualified[seats - 1]]
    if votes[qualified[seats]] < last_seat:
        return SeatAllocation(elected=tuple(qualified[:seats]), runoff=())
    return SeatAllocation(
        elected=tuple(c for c in qualified if votes[c] > last_seat),
        runoff=tuple(sorted(c for c in qualified if votes[c] == last_seat)),
    )


def _ineligible_candidates(
    vote: ElectionVote, roster: Sequence[RosterEntry], requirement: Requirement
) -> Decision | None:
    """The election blocked when a candidate may not stand (R-E6); None when all may."""
    entries = {entry.member_id: entry for entry in roster}
    ineligible = sorted(
        candidate
        for candidate in vote.candidates
        if candidate not in entries or not entries[candidate].may_stand
    )
    if not ineligible:
        return None
    return blocked(
        DecisionKind.ELECTION,
        DecisionReason.INELIGIBLE_CANDIDATE,
        ("R-E6",),
        "chỉ đảng viên chính thức của chi bộ, không bị đình chỉ sinh hoạt, mới được ứng cử "
        f"(R-E6); không đủ điều kiện: {id_list(ineligible)}.",
        requirement,
    )


def decide_election(
    vote: ElectionVote,
    *,
    base: VoteBase,
    quorum: Quorum,
    roster: Sequence[RosterEntry],
) -> Decision:
    kind = DecisionKind.ELECTION
    required = more_than_half(base.size)
    requirement = Requirement(required, base.size, Threshold.MORE_THAN_HALF)
    stop = gate(kind, vote.method, base, quorum, requirement)
    if stop is not None:
        return stop
    stop = _ineligible_candidates(vote, roster, requirement)
    if stop is not None:
        return stop
    votes = {candidate: vote.tally.get(candidate, 0) for candidate in vote.candidates}
    allocation = allocate_seats(votes, vote.seats, required)
    elected, runoff = allocation.elected, allocation.runoff
    rules = list(KIND_RULES[kind])
    if vote.invalid:
        rules.append("R-E4")
    explanation = (
        f"{KIND_LABELS[kind]} {vote.seats} chỗ, vòng {vote.attempt} (R-E1): người trúng cử "
        f"phải được ít nhất {required}/{base.size} phiếu (quá nửa N, không phải quá nửa số "
        "phiếu hợp lệ)"
    )
    if vote.invalid:
        explanation += f"; {vote.invalid} phiếu không hợp lệ không làm giảm N (R-E4)"
    explanation += ". Trúng cử: " + (
        ", ".join(f"{c} ({votes[c]} phiếu)" for c in elected) if elected else "không có"
    )
    explanation += "."
    # A runoff implies this too: it happens only when more qualify than there are seats.
    if sum(1 for count in votes.values() if count >= required) > vote.seats:
        rules.append("R-E7")
        explanation += " Số người đạt quá nửa N nhiều hơn số chỗ: lấy người nhiều phiếu hơn (R-E7)."
    if len(elected) == vote.seats:
        status, reason = DecisionStatus.PASSED, DecisionReason.ALL_SEATS_FILLED
    elif runoff:
        status, reason = DecisionStatus.PARTIAL, DecisionReason.RUNOFF_NEEDED
        explanation += f" Bằng phiếu nhau ở chỗ cuối cùng: bầu lại giữa {id_list(runoff)} (R-E7)."
    elif elected:
        status, reason = DecisionStatus.PARTIAL, DecisionReason.SEATS_PARTLY_FILLED
        explanation += f" Còn {vote.seats - len(elected)} chỗ chưa có người trúng cử."
    elif vote.seats == 1 and vote.attempt >= ESCALATION_ATTEMPT:
        status, reason = DecisionStatus.ESCALATED, DecisionReason.ESCALATED_AFTER_THIRD_ATTEMPT
        rules.append("R-E3")
        explanation += (
            f" Sau vòng thứ {vote.attempt} vẫn không ai trúng cử: cấp ủy cấp trên chỉ định (R-E3)."
        )
    else:
        status, reason = DecisionStatus.FAILED, DecisionReason.NOBODY_ELECTED
    most_votes = max(votes.values())
    warnings = common_warnings(
        base,
        votes_recorded_exceed=(
            most_votes + vote.invalid > base.voters_present
            or sum(votes.values()) > vote.seats * base.voters_present
        ),
        required=required,
    )
    return Decision(
        kind=kind,
        status=status,
        reason=reason,
        required=required,
        elected=elected,
        runoff=runoff,
        warnings=warnings,
        rules=tuple(rules),
        explanation=with_warnings(explanation, warnings),
    )
