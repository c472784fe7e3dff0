"""Votes as the minutes print them: each closed vote's record copied from the charter's
decision (R-V1–R-V3), with a secret ballot's count as the counting board writes it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from meetings import charter
from meetings.charter.thresholds import (
    FORM_LABELS,
    KIND_RULES,
    SEVERITY_ORDER,
    THRESHOLD_LABELS,
    THRESHOLDS,
)
from meetings.models import Vote
from meetings.models.voting import VoteKind, VoteStatus
from meetings.room import roster_entries
from meetings.snapshots import member_key, policy_for
from minutes import document_votes

# A secret ballot's options as the counting board writes them (never the code's words), as they
# read mid-sentence in its count line ("…, không hợp lệ 0; tán thành: 3 phiếu; …"): lower case,
# as the charter words discipline forms (FORM_LABELS); candidates are named as written.
CHOICE_LABELS = {"yes": "tán thành", "no": "không tán thành", "abstain": "không biểu quyết"}
CHOICE_ORDER = {"yes": 0, "no": 1, "abstain": 2}

# Who named a secret ballot's vote-counting board (meetings.enums.BoardChoice), as the
# counting record says it.
BOARD_CHOSEN = {
    "elected": "do hội nghị bầu bằng biểu quyết giơ tay",
    "chair": "do đồng chí chủ trì chỉ định",
    "default": "theo mặc định (đồng chí chủ trì và các đồng chí có mặt đầu tiên)",
}


def vote_record(vote: Vote, names: dict[int, str], put_again: int = 0) -> document_votes.VoteRecord:
    """One closed vote as the minutes print it, copied from the charter's decision;
    `put_again`: the void votes on the same question before it (`put_again_counts`)."""
    if vote.status == VoteStatus.VOID:
        return replace(_void_record(vote), put_again=put_again)
    result = vote.result
    decision = result.get("decision") or {}
    tally = result.get("tally", {})
    kind = charter.DecisionKind(vote.kind) if vote.kind != VoteKind.MINUTES_APPROVAL else None
    threshold = THRESHOLDS.get(kind) if kind else None
    ballot_count = None
    if vote.is_secret:
        labels: Mapping[Any, str] = (
            FORM_LABELS if vote.kind == VoteKind.DISCIPLINE else CHOICE_LABELS
        )
        choices = _choices_of(vote)
        choices += sorted(
            (k for k in tally if k not in choices), key=lambda k: (CHOICE_ORDER.get(k, 3), k)
        )
        options = tuple(
            document_votes.OptionCount(
                labels.get(k) or names.get(int(k), k) if k.isdigit() else labels.get(k, k),
                tally.get(k, 0),
            )
            for k in choices
        )
        cast = result.get("cast", 0)
        board = getattr(vote, "board", None) if result.get("fingerprint") else None
        ballot_count = document_votes.BallotCount(
            board=tuple(names.get(m, str(m)) for m in board.members) if board else (),
            fingerprint=result.get("fingerprint", ""),
            chosen=BOARD_CHOSEN.get(board.chosen_by, "") if board else "",
            issued=len(vote.eligible),
            received=cast,
            valid=cast,
            invalid=0,
            options=options,
        )
    yes = tally.get("yes", decision.get("yes") or 0)
    return document_votes.VoteRecord(
        question=vote.question,
        method=document_votes.VotingMethod(vote.method),
        vote_base=len(vote.eligible) if kind is None else _vote_base_of(vote),
        participants=result.get("cast", 0),
        yes=yes,
        no=tally.get("no", 0),
        abstain=tally.get("abstain", 0),
        threshold_label=THRESHOLD_LABELS[threshold] if threshold else "",
        required=decision.get("required") or 0,
        rule_ids=tuple(decision.get("rules", ())),
        passed=decision.get("status") == "passed",
        explanation=_remarks(
            decision,
            charter.for_members(
                decision.get("explanation", ""),
                {member_key(pk): name for pk, name in names.items()},
            ),
        ),
        wording=document_votes.OutcomeWording.ADOPTION
        if vote.kind in (VoteKind.RESOLUTION, VoteKind.MINUTES_APPROVAL, VoteKind.BOARD)
        else document_votes.OutcomeWording.THRESHOLD,
        ballot_count=ballot_count,
        kind_label=str(vote.get_kind_display()),
        # The threshold's own texts (a blocked decision's rules say why it was refused).
        basis=charter.sources_of(KIND_RULES[kind]) if kind else "",
        blocked=decision.get("status") == "blocked",
        is_conclusion=vote.is_conclusion,
        board_members=tuple(names.get(m, str(m)) for m in vote.options.get("members", ()))
        if vote.kind == VoteKind.BOARD
        else (),
        put_again=put_again,
    )


def _choices_of(vote: Vote) -> list[str]:
    """The ballot's options in its own order, so that the count lists each, zeros included (as
    the room does): the forms put to the vote then "none", the candidates, or yes/no/abstain."""
    if vote.kind == VoteKind.DISCIPLINE:
        # Most severe first, as the charter adds them up (R-D3), whatever order they came in.
        forms = vote.options.get("forms", [])
        return [*(f.value for f in SEVERITY_ORDER if f in forms), "none"]
    if vote.kind == VoteKind.ELECTION:
        return [str(c) for c in vote.options.get("candidates", [])]
    return list(CHOICE_ORDER)


def put_again_counts(votes: list[Vote]) -> dict[int, int]:
    """Per vote (in the order taken), how many void votes on the same question and attempt
    came before it: "Bỏ phiếu lại" opens the question again with the attempt number of the void
    vote (meetings/services/voting/opening.py), so only this tells the minutes' two apart."""
    voids: dict[tuple[Any, ...], int] = {}
    counts = {}
    for vote in votes:
        key = (vote.item_id, vote.kind, vote.attempt, vote.question)
        counts[vote.pk] = voids.get(key, 0)
        if vote.status == VoteStatus.VOID:
            voids[key] = counts[vote.pk] + 1
    return counts


def _void_record(vote: Vote) -> document_votes.VoteRecord:
    """A vote that could not be counted (meetings.services.secret_ballot.counting.annul): who
    took part, and why there is no result; no counts, no threshold."""
    kind = charter.DecisionKind(vote.kind) if vote.kind != VoteKind.MINUTES_APPROVAL else None
    return document_votes.VoteRecord(
        question=vote.question,
        method=document_votes.VotingMethod(vote.method),
        vote_base=len(vote.eligible) if kind is None else _vote_base_of(vote),
        participants=vote.result.get("cast", 0),
        yes=0,
        no=0,
        abstain=0,
        threshold_label="",
        required=0,
        rule_ids=(),
        passed=False,
        explanation=vote.result["void"]["explanation"],
        kind_label=str(vote.get_kind_display()),
        is_conclusion=vote.is_conclusion,
        void=True,
    )


# The charter's explanation opens with the threshold and the verdict, and a blocked decision's
# ends with what it would have needed: the minutes state both once, in their "Ngưỡng áp dụng"
# line, and print of the explanation only what it adds (ignored ballots, warnings, why a vote was
# refused, an election's or a discipline vote's count).
_THRESHOLD_STATEMENT = re.compile(r"^.*?đều không tính là tán thành\.\s*", re.DOTALL)
_REQUIREMENT_STATEMENT = re.compile(
    r"\s*Nếu được biểu quyết, cần ít nhất \d+/\d+ phiếu \([^)]*\)\."
)
_THRESHOLD_ONLY = (
    charter.DecisionReason.THRESHOLD_REACHED,
    charter.DecisionReason.THRESHOLD_NOT_REACHED,
)


def _remarks(decision: dict[str, Any], explanation: str) -> str:
    if decision.get("reason") in _THRESHOLD_ONLY:
        explanation = _THRESHOLD_STATEMENT.sub("", explanation, count=1)
    return _REQUIREMENT_STATEMENT.sub("", explanation).strip()


def _vote_base_of(vote: Vote) -> int:
    """N as the charter computed it when deciding: recomputed from the roll frozen at opening."""
    meeting = vote.meeting
    attendance = {m: charter.Attendance(s) for m, s in vote.roll.items()}
    return charter.vote_base(roster_entries(meeting), attendance, policy_for(meeting.cell)).size
