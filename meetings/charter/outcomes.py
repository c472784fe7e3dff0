"""Result values shared by every decision kind, and the checks every vote passes first."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from meetings.charter.quorum import Quorum
from meetings.charter.thresholds import (
    KIND_LABELS,
    METHOD_LABELS,
    THRESHOLD_LABELS,
    DecisionKind,
    DisciplineForm,
    Threshold,
    VotingMethod,
    may_use_method,
)
from meetings.charter.vote_base import VoteBase


class DecisionStatus(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    BLOCKED = "blocked"  # no vote may be taken, or the ballot itself is invalid
    ESCALATED = "escalated"  # goes to the superior committee
    PARTIAL = "partial"  # an election that filled some seats or needs a runoff


class DecisionReason(StrEnum):
    """Stable reason codes; the explanation text describes them."""

    THRESHOLD_REACHED = "threshold_reached"
    THRESHOLD_NOT_REACHED = "threshold_not_reached"
    ESCALATED_AFTER_THIRD_ATTEMPT = "escalated_after_third_attempt"
    SECRET_BALLOT_REQUIRED = "secret_ballot_required"  # noqa: S105 -- a reason code
    SHOW_OF_HANDS_REQUIRED = "show_of_hands_required"
    EMPTY_VOTE_BASE = "empty_vote_base"
    QUORUM_NOT_MET = "quorum_not_met"
    FORM_NOT_ALLOWED_FOR_PROBATIONARY = "form_not_allowed_for_probationary"
    REMOVAL_WITHOUT_POST = "removal_without_post"
    INELIGIBLE_CANDIDATE = "ineligible_candidate"
    ALL_SEATS_FILLED = "all_seats_filled"
    SEATS_PARTLY_FILLED = "seats_partly_filled"
    RUNOFF_NEEDED = "runoff_needed"
    NOBODY_ELECTED = "nobody_elected"


class WarningCode(StrEnum):
    # More votes recorded than voters present: the tally does not match the room.
    TALLY_EXCEEDS_VOTERS_PRESENT = "tally_exceeds_voters_present"
    # Too few voters present for the threshold ever to be reached (R-V4 suggests warning).
    THRESHOLD_UNREACHABLE = "threshold_unreachable"
    # exempt_counted_when = voting, but the vote does not say who voted: exempt members who
    # attend were counted in N.
    EXEMPT_VOTES_UNKNOWN = "exempt_votes_unknown"


WARNING_TEXTS: Mapping[WarningCode, str] = {
    WarningCode.TALLY_EXCEEDS_VOTERS_PRESENT: (
        "Cảnh báo: số phiếu ghi nhận nhiều hơn số đảng viên có quyền biểu quyết có mặt."
    ),
    WarningCode.THRESHOLD_UNREACHABLE: (
        "Cảnh báo: số đảng viên có quyền biểu quyết có mặt ít hơn số phiếu cần đạt (R-V2, R-V4)."
    ),
    WarningCode.EXEMPT_VOTES_UNKNOWN: (
        "Cảnh báo: cách tính chỉ tính đảng viên miễn sinh hoạt khi có biểu quyết nhưng không rõ ai "
        "đã bỏ phiếu; đảng viên "
        "miễn sinh hoạt có mặt được tính vào N (R-R2)."
    ),
}


@dataclass(frozen=True, slots=True)
class Decision:
    kind: DecisionKind
    status: DecisionStatus
    reason: DecisionReason
    required: int | None = None
    yes: int | None = None
    form: DisciplineForm | None = None
    elected: tuple[str, ...] = ()
    runoff: tuple[str, ...] = ()
    ignored_ballots: tuple[str, ...] = ()
    warnings: tuple[WarningCode, ...] = ()
    rules: tuple[str, ...] = ()
    explanation: str = ""


@dataclass(frozen=True, slots=True)
class Verdict:
    """May something be done? `reason` is a stable code."""

    allowed: bool
    reason: str
    rules: tuple[str, ...]
    explanation: str


@dataclass(frozen=True, slots=True)
class Requirement:
    """The yes votes a decision needs against N, and which threshold that is: stated even when
    the decision is blocked, so the room and the minutes can say what it would have needed."""

    required: int
    base: int
    threshold: Threshold

    @property
    def sentence(self) -> str:
        return (
            f"Nếu được biểu quyết, cần ít nhất {self.required}/{self.base} phiếu "
            f"({THRESHOLD_LABELS[self.threshold]})."
        )


def blocked(
    kind: DecisionKind,
    reason: DecisionReason,
    rules: tuple[str, ...],
    explanation: str,
    requirement: Requirement,
) -> Decision:
    return Decision(
        kind=kind,
        status=DecisionStatus.BLOCKED,
        reason=reason,
        required=requirement.required,
        rules=rules,
        explanation=f"{KIND_LABELS[kind]}: {explanation} {requirement.sentence}",
    )


def gate(
    kind: DecisionKind,
    method: VotingMethod,
    base: VoteBase,
    quorum: Quorum,
    requirement: Requirement,
) -> Decision | None:
    """The checks before any count: voting method (R-V5), an empty N (R-V1), quorum (R-V4)."""
    if not may_use_method(kind, method):
        if method == VotingMethod.SECRET_BALLOT:
            # A procedural vote (the vote-counting board): by show of hands (R-V5).
            reason, words = (
                DecisionReason.SHOW_OF_HANDS_REQUIRED,
                "biểu quyết giơ tay, không bỏ phiếu kín (R-V5)",
            )
        else:
            reason, words = (
                DecisionReason.SECRET_BALLOT_REQUIRED,
                f"bắt buộc bỏ phiếu kín, không được {METHOD_LABELS[method]} (R-V5)",
            )
        return blocked(kind, reason, ("R-V5",), f"{words}; không được biểu quyết.", requirement)
    if base.size == 0:
        return blocked(
            kind,
            DecisionReason.EMPTY_VOTE_BASE,
            ("R-V1",),
            "N = 0, không có đảng viên nào có quyền biểu quyết (R-V1); không thể biểu quyết.",
            requirement,
        )
    if not quorum.met:
        return blocked(
            kind,
            DecisionReason.QUORUM_NOT_MET,
            ("R-V4",),
            f"chưa đủ số lượng có mặt (R-V4): cần {quorum.required}, "
            f"có {quorum.voters_present}; không được biểu quyết.",
            requirement,
        )
    return None


def common_warnings(
    base: VoteBase,
    *,
    votes_recorded_exceed: bool,
    required: int,
) -> tuple[WarningCode, ...]:
    warnings: list[WarningCode] = []
    if votes_recorded_exceed:
        warnings.append(WarningCode.TALLY_EXCEEDS_VOTERS_PRESENT)
    if required > base.voters_present:
        warnings.append(WarningCode.THRESHOLD_UNREACHABLE)
    if base.exempt_votes_unknown:
        warnings.append(WarningCode.EXEMPT_VOTES_UNKNOWN)
    return tuple(warnings)


def with_warnings(explanation: str, warnings: tuple[WarningCode, ...]) -> str:
    return " ".join([explanation, *(WARNING_TEXTS[code] for code in warnings)])
