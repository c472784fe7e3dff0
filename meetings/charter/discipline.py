"""Discipline votes: secret ballot only, accumulated from the most severe form (R-D1..R-D3)."""

from __future__ import annotations

from collections.abc import Mapping
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
from meetings.charter.roster import Standing
from meetings.charter.thresholds import (
    FORM_LABELS,
    FORM_THRESHOLDS,
    KIND_LABELS,
    KIND_RULES,
    PROBATIONARY_FORMS,
    PROPOSED_FORMS,
    SEVERITY_ORDER,
    THRESHOLD_FUNCTIONS,
    DecisionKind,
    DisciplineForm,
    Threshold,
    VotingMethod,
)
from meetings.charter.vote_base import VoteBase


@dataclass(frozen=True, slots=True)
class DisciplineVote:
    kind: ClassVar[DecisionKind] = DecisionKind.DISCIPLINE

    method: VotingMethod
    subject_standing: Standing
    forms_on_ballot: tuple[DisciplineForm, ...]
    tally: Mapping[DisciplineForm, int]
    # None when unknown; False rules out removal from post (cách chức).
    subject_holds_post: bool | None = None
    attempt: int = 1
    voters: frozenset[str] | None = None

    def __post_init__(self) -> None:
        if not self.forms_on_ballot:
            raise ValueError("a discipline ballot offers at least one form")
        if len(set(self.forms_on_ballot)) != len(self.forms_on_ballot):
            raise ValueError("a form appears twice on the ballot")
        if not set(self.tally) <= set(self.forms_on_ballot):
            raise ValueError("the tally counts a form that is not on the ballot")
        if any(count < 0 for count in self.tally.values()):
            raise ValueError("a tally cannot be negative")
        if self.attempt < 1:
            raise ValueError("attempt starts at 1")


@dataclass(frozen=True, slots=True)
class AccumulationStep:
    form: DisciplineForm
    running_total: int
    required: int


def accumulate(
    forms_on_ballot: tuple[DisciplineForm, ...],
    tally: Mapping[DisciplineForm, int],
    base: int,
) -> tuple[AccumulationStep, ...]:
    """R-D3: running totals from the most severe form on the ballot down, stopping at the first
    form that reaches its threshold (R-D2). "none" is never added."""
    steps: list[AccumulationStep] = []
    running = 0
    for form in SEVERITY_ORDER:
        if form not in forms_on_ballot:
            continue
        running += tally.get(form, 0)
        required = THRESHOLD_FUNCTIONS[FORM_THRESHOLDS[form]](base)
        steps.append(AccumulationStep(form=form, running_total=running, required=required))
        if running >= required:
            break
    return tuple(steps)


def mildest_requirement(forms: tuple[DisciplineForm, ...], base: int) -> Requirement:
    """The lowest threshold on the ballot (the mildest form's): what a discipline decision needs
    at the least, reported when nothing is reached or the ballot is blocked."""
    on_ballot = {FORM_THRESHOLDS[form] for form in forms if form != DisciplineForm.NONE}
    threshold = min(
        (t for t in (Threshold.MORE_THAN_HALF, Threshold.TWO_THIRDS) if t in on_ballot),
        key=lambda t: THRESHOLD_FUNCTIONS[t](base),
        default=Threshold.MORE_THAN_HALF,
    )
    return Requirement(THRESHOLD_FUNCTIONS[threshold](base), base, threshold)


def decide_discipline(vote: DisciplineVote, *, base: VoteBase, quorum: Quorum) -> Decision:
    kind = DecisionKind.DISCIPLINE
    requirement = mildest_requirement(vote.forms_on_ballot, base.size)
    lowest = requirement.required
    stop = gate(kind, vote.method, base, quorum, requirement)
    if stop is not None:
        return stop
    too_severe = [form for form in vote.forms_on_ballot if form not in PROBATIONARY_FORMS]
    if vote.subject_standing == Standing.PROBATIONARY and too_severe:
        labels = ", ".join(FORM_LABELS[form] for form in SEVERITY_ORDER if form in too_severe)
        return blocked(
            kind,
            DecisionReason.FORM_NOT_ALLOWED_FOR_PROBATIONARY,
            ("R-D1",),
            "đảng viên dự bị chỉ có thể bị khiển trách hoặc cảnh cáo (R-D1); phiếu có hình thức "
            f"{labels} không hợp lệ.",
            requirement,
        )
    if vote.subject_holds_post is False and DisciplineForm.CACH_CHUC in vote.forms_on_ballot:
        return blocked(
            kind,
            DecisionReason.REMOVAL_WITHOUT_POST,
            ("R-D1",),
            "đồng chí không giữ chức vụ nên không thể áp dụng hình thức cách chức (R-D1); "
            "phiếu không hợp lệ.",
            requirement,
        )
    steps = accumulate(vote.forms_on_ballot, vote.tally, base.size)
    rules = KIND_RULES[kind]
    described = "; ".join(
        f"{FORM_LABELS[step.form]} {step.running_total} (cần {step.required})" for step in steps
    )
    explanation = (
        f"{KIND_LABELS[kind]} ({', '.join(rules)}): cộng dồn phiếu từ hình thức nặng nhất xuống, "
        f"phiếu không kỷ luật không được cộng; N = {base.size}"
    )
    if described:
        explanation += f": {described}"
    decided = steps[-1] if steps and steps[-1].running_total >= steps[-1].required else None
    if decided is None:
        # Nothing reached: report the lowest threshold on the ballot (the mildest form's).
        required = lowest
        status, reason, form = (
            DecisionStatus.FAILED,
            DecisionReason.THRESHOLD_NOT_REACHED,
            None,
        )
        explanation += ". Không hình thức nào đạt số phiếu cần thiết: KHÔNG KỶ LUẬT."
    else:
        required = decided.required
        status, reason, form = (
            DecisionStatus.PASSED,
            DecisionReason.THRESHOLD_REACHED,
            decided.form,
        )
        explanation += f". Hình thức được biểu quyết: {FORM_LABELS[decided.form].upper()}"
        if decided.form in PROPOSED_FORMS:
            explanation += " (chi bộ đề nghị, cấp có thẩm quyền quyết định, R-D1)"
        explanation += "."
    warnings = common_warnings(
        base,
        votes_recorded_exceed=sum(vote.tally.values()) > base.voters_present,
        required=lowest,
    )
    return Decision(
        kind=kind,
        status=status,
        reason=reason,
        required=required,
        form=form,
        warnings=warnings,
        rules=rules,
        explanation=with_warnings(explanation, warnings),
    )
