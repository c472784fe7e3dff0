"""The votes of a document (section III of the minutes, the resolution's adoption): frozen values
copied from the charter engine's decisions, no Django (minutes.document)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from minutes.wording import percent


class VotingMethod(StrEnum):
    SHOW_OF_HANDS = "show_of_hands"
    SECRET_BALLOT = "secret_ballot"  # noqa: S105 -- bỏ phiếu kín, not a password
    ELECTRONIC = "electronic"


METHOD_LABELS = {
    VotingMethod.SHOW_OF_HANDS: "giơ tay",
    VotingMethod.SECRET_BALLOT: "bỏ phiếu kín",
    VotingMethod.ELECTRONIC: "biểu quyết điện tử",
}


class OutcomeWording(StrEnum):
    """Resolutions and conclusions are THÔNG QUA or not; admissions, recognitions and other
    threshold checks are ĐẠT or not (template §III.6 and §III.8)."""

    ADOPTION = "adoption"
    THRESHOLD = "threshold"


OUTCOME_WORDS = {
    (OutcomeWording.ADOPTION, True): "THÔNG QUA",
    (OutcomeWording.ADOPTION, False): "KHÔNG THÔNG QUA",
    (OutcomeWording.THRESHOLD, True): "ĐẠT",
    (OutcomeWording.THRESHOLD, False): "KHÔNG ĐẠT",
}


@dataclass(frozen=True, slots=True)
class OptionCount:
    label: str
    votes: int


@dataclass(frozen=True, slots=True)
class BallotCount:
    """The counting board's record (biên bản kiểm phiếu) of a secret ballot. Counts only: who
    voted how is never stored (ARCHITECTURE decision 5)."""

    board: tuple[str, ...]
    issued: int
    received: int
    valid: int
    invalid: int
    options: tuple[OptionCount, ...]
    # An encrypted secret ballot: the SHA-256 of its published record (docs/secret-ballot.md),
    # which `manage.py verify_ballot` recomputes; printed so the signed minutes commit to it.
    fingerprint: str = ""
    # Who named the board, in words: elected by the meeting's show of hands, named by the
    # chair, or by default (meetings.enums.BoardChoice).
    chosen: str = ""


@dataclass(frozen=True, slots=True)
class VoteRecord:
    """One vote as the charter engine decided it.

    `threshold_label` ("quá nửa N", "ít nhất hai phần ba N"), `required`, `rule_ids`, `passed`
    and `explanation` are copied from the engine's `Decision`; the percentage is yes / N.
    """

    question: str
    method: VotingMethod
    vote_base: int
    participants: int
    yes: int
    no: int
    abstain: int
    threshold_label: str
    required: int
    rule_ids: tuple[str, ...]
    passed: bool
    explanation: str
    wording: OutcomeWording = OutcomeWording.ADOPTION
    ballot_count: BallotCount | None = None
    # The kind of decision in words ("Nghị quyết, kết luận"), the Party texts the threshold
    # comes from, and whether the chair opened it as the vote on the conclusion (R-V3).
    kind_label: str = ""
    basis: str = ""
    is_conclusion: bool = False
    # The charter refused the vote (no quorum, an invalid ballot, an ineligible candidate): no
    # ballot was cast; the record states why and what it would have needed.
    blocked: bool = False
    # An encrypted secret ballot its board could not count, annulled by the chair: no outcome;
    # `explanation` says why (who on the board had not done their part). Not an attempt.
    void: bool = False
    # A show of hands on the vote-counting board (R-V5): the members proposed, by name.
    board_members: tuple[str, ...] = ()
    # How many void votes on the same question came before this one ("Bỏ phiếu lại"): the
    # minutes tell it from them, as it has the same attempt number (a void vote is no attempt).
    put_again: int = 0

    @property
    def method_label(self) -> str:
        return METHOD_LABELS[self.method]

    @property
    def percentage(self) -> str:
        return percent(self.yes, self.vote_base)

    @property
    def outcome(self) -> str:
        if self.blocked:
            return "KHÔNG ĐƯỢC BIỂU QUYẾT"
        if self.void:
            return "KHÔNG KIỂM ĐƯỢC PHIẾU"
        return OUTCOME_WORDS[(self.wording, self.passed)]

    @property
    def rules(self) -> str:
        return ", ".join(self.rule_ids)

    @property
    def heading(self) -> str:
        """What was put to the vote; a conclusion vote says so unless its question already does
        (no "Thông qua kết luận … (biểu quyết thông qua kết luận …)"), and a question put again
        after a void vote says so ("(bỏ phiếu lại)", then "(bỏ phiếu lại lần 2)" …)."""
        heading = self.question
        if self.is_conclusion and "kết luận" not in self.question.casefold():
            heading = f"{heading} (biểu quyết thông qua kết luận của đồng chí chủ trì)"
        if self.put_again == 1:
            heading = f"{heading} (bỏ phiếu lại)"
        elif self.put_again > 1:
            heading = f"{heading} (bỏ phiếu lại lần {self.put_again})"
        return heading
