"""Quorum: how many voters must be present before any vote is taken (R-V4, a policy)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from meetings.charter.roster import QuorumRule
from meetings.charter.texts import met_word
from meetings.charter.thresholds import more_than_half, two_thirds


def _no_quorum(_base: int) -> int:
    return 0


QUORUM_REQUIRED: Mapping[QuorumRule, Callable[[int], int]] = {
    QuorumRule.NONE: _no_quorum,
    QuorumRule.HALF: more_than_half,
    QuorumRule.TWO_THIRDS: two_thirds,
}

_QUORUM_FORMULAS: Mapping[QuorumRule, str] = {
    QuorumRule.HALF: "quá nửa N",
    QuorumRule.TWO_THIRDS: "ít nhất hai phần ba N",
}


@dataclass(frozen=True, slots=True)
class Quorum:
    rule: QuorumRule
    required: int
    voters_present: int
    met: bool
    rules: tuple[str, ...]
    explanation: str


def quorum(rule: QuorumRule, base: int, voters_present: int) -> Quorum:
    """R-V4: is the quorum met? `base` is N, `voters_present` the members of N who are present."""
    required = QUORUM_REQUIRED[rule](base)
    met = voters_present >= required
    if rule == QuorumRule.NONE:
        explanation = "Không áp dụng điều kiện số lượng có mặt (R-V4)."
    else:
        explanation = (
            f"Điều kiện số lượng có mặt (R-V4): cần ít nhất {required} đảng viên "
            f"có quyền biểu quyết có mặt ({_QUORUM_FORMULAS[rule]}, N = {base}), "
            f"có {voters_present}: {met_word(met)}."
        )
        if not met:
            explanation += " Hội nghị vẫn có thể tiếp tục nhưng không được biểu quyết."
    return Quorum(
        rule=rule,
        required=required,
        voters_present=voters_present,
        met=met,
        rules=("R-V4",),
        explanation=explanation,
    )
