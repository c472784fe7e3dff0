from __future__ import annotations

from collections.abc import Mapping

import pytest

from meetings.charter import (
    DecisionReason,
    DecisionStatus,
    DisciplineForm,
    DisciplineVote,
    Policy,
    QuorumRule,
    Standing,
    VotingMethod,
    WarningCode,
    decide,
)
from meetings.charter.discipline import AccumulationStep, accumulate

from .builders import UNEXCUSED, all_present, attendance, officials

pytestmark = pytest.mark.unit

KHAI_TRU = DisciplineForm.KHAI_TRU
CACH_CHUC = DisciplineForm.CACH_CHUC
CANH_CAO = DisciplineForm.CANH_CAO
KHIEN_TRACH = DisciplineForm.KHIEN_TRACH
NONE = DisciplineForm.NONE
OFFICIAL = Standing.OFFICIAL
PROBATIONARY = Standing.PROBATIONARY
SECRET = VotingMethod.SECRET_BALLOT
HANDS = VotingMethod.SHOW_OF_HANDS
NO_QUORUM = Policy(quorum=QuorumRule.NONE)
ALL_FORMS = (KHAI_TRU, CACH_CHUC, CANH_CAO, KHIEN_TRACH, NONE)

PASSED, FAILED, BLOCKED = DecisionStatus.PASSED, DecisionStatus.FAILED, DecisionStatus.BLOCKED
MILD = (CANH_CAO, KHIEN_TRACH, NONE)
WITH_EXPULSION = (KHAI_TRU, CANH_CAO, KHIEN_TRACH, NONE)


def row(
    rule: str,
    base: int,
    forms: tuple[DisciplineForm, ...],
    tally: Mapping[DisciplineForm, int],
    expected: tuple[DecisionStatus, int | None, DisciplineForm | None],
    *,
    subject: Standing = OFFICIAL,
    holds_post: bool | None = None,
    method: VotingMethod = SECRET,
) -> pytest.ParameterSet:
    """`expected` is (status, required, form decided); N official members, all present."""
    return pytest.param(base, subject, forms, tally, holds_post, method, expected, id=rule)


CASES = [
    row(
        "R-V5 discipline by show of hands is blocked",
        10,
        MILD,
        {CANH_CAO: 6, KHIEN_TRACH: 2, NONE: 2},
        (BLOCKED, 6, None),
        method=HANDS,
    ),
    row(
        "R-D2 a single form with more than half passes",
        10,
        MILD,
        {CANH_CAO: 6, KHIEN_TRACH: 2, NONE: 2},
        (PASSED, 6, CANH_CAO),
    ),
    row(
        "R-D3 accumulate canh_cao into khien_trach",
        10,
        MILD,
        {CANH_CAO: 3, KHIEN_TRACH: 4, NONE: 3},
        (PASSED, 6, KHIEN_TRACH),
    ),
    row(
        "R-D3 none is never added: no form reached",
        10,
        MILD,
        {CANH_CAO: 2, KHIEN_TRACH: 3, NONE: 5},
        (FAILED, 6, None),
    ),
    row(
        "R-D2 khai_tru needs two thirds: 6 of 9",
        9,
        WITH_EXPULSION,
        {KHAI_TRU: 6, CANH_CAO: 2, NONE: 1},
        (PASSED, 6, KHAI_TRU),
    ),
    row(
        "R-D3 khai_tru 5 of 9 short, accumulates into canh_cao",
        9,
        WITH_EXPULSION,
        {KHAI_TRU: 5, CANH_CAO: 0, NONE: 4},
        (PASSED, 5, CANH_CAO),
    ),
    row(
        "R-D3 khai_tru 5 of 9 accumulates into cach_chuc first",
        9,
        ALL_FORMS,
        {KHAI_TRU: 5, NONE: 4},
        (PASSED, 5, CACH_CHUC),
        holds_post=True,
    ),
    row(
        "R-D2 khai_tru alone short of two thirds fails",
        9,
        (KHAI_TRU, NONE),
        {KHAI_TRU: 5, NONE: 4},
        (FAILED, 6, None),
    ),
    row(
        "R-D2 a tie never passes",
        10,
        (KHIEN_TRACH, NONE),
        {KHIEN_TRACH: 5, NONE: 5},
        (FAILED, 6, None),
    ),
    row("R-D3 a ballot offering only none fails", 10, (NONE,), {NONE: 10}, (FAILED, 6, None)),
    row(
        "R-D1 probationary with khai_tru on the ballot is blocked",
        9,
        WITH_EXPULSION,
        {KHAI_TRU: 6, NONE: 3},
        (BLOCKED, 5, None),
        subject=PROBATIONARY,
    ),
    row(
        "R-D1 probationary with cach_chuc on the ballot is blocked",
        9,
        (CACH_CHUC, CANH_CAO, NONE),
        {CANH_CAO: 6, NONE: 3},
        (BLOCKED, 5, None),
        subject=PROBATIONARY,
    ),
    row(
        "R-D1 probationary may be warned",
        9,
        MILD,
        {CANH_CAO: 5, NONE: 4},
        (PASSED, 5, CANH_CAO),
        subject=PROBATIONARY,
    ),
    row(
        "R-D1 cach_chuc for a subject without a post is blocked",
        9,
        (CACH_CHUC, CANH_CAO, NONE),
        {CACH_CHUC: 6, NONE: 3},
        (BLOCKED, 5, None),
        holds_post=False,
    ),
    row(
        "R-D1 no post but no cach_chuc on the ballot is fine",
        9,
        MILD,
        {CANH_CAO: 6, NONE: 3},
        (PASSED, 5, CANH_CAO),
        holds_post=False,
    ),
    row("R-D2 N = 1", 1, (CANH_CAO, NONE), {CANH_CAO: 1}, (PASSED, 1, CANH_CAO)),
    row(
        "R-D2 khai_tru with N = 3 (multiple of 3) needs 2",
        3,
        (KHAI_TRU, NONE),
        {KHAI_TRU: 2, NONE: 1},
        (PASSED, 2, KHAI_TRU),
    ),
]


@pytest.mark.parametrize(
    ("base", "subject", "forms", "tally", "holds_post", "method", "expected"), CASES
)
def test_discipline_decisions(
    base: int,
    subject: Standing,
    forms: tuple[DisciplineForm, ...],
    tally: Mapping[DisciplineForm, int],
    holds_post: bool | None,
    method: VotingMethod,
    expected: tuple[DecisionStatus, int | None, DisciplineForm | None],
) -> None:
    roster = officials(base)
    vote = DisciplineVote(
        method=method,
        subject_standing=subject,
        forms_on_ballot=forms,
        tally=tally,
        subject_holds_post=holds_post,
    )

    decision = decide(vote, roster=roster, attendance=all_present(roster), policy=NO_QUORUM)

    assert (decision.status, decision.required, decision.form) == expected
    assert decision.yes is None


def test_accumulation_runs_from_the_most_severe_form_down() -> None:
    steps = accumulate(
        (KHIEN_TRACH, NONE, KHAI_TRU, CANH_CAO),
        {KHAI_TRU: 2, CANH_CAO: 1, KHIEN_TRACH: 4, NONE: 3},
        10,
    )

    assert steps == (
        AccumulationStep(form=KHAI_TRU, running_total=2, required=7),
        AccumulationStep(form=CANH_CAO, running_total=3, required=6),
        AccumulationStep(form=KHIEN_TRACH, running_total=7, required=6),
    )


def test_discipline_explanations() -> None:
    roster = officials(9)
    expulsion = DisciplineVote(
        method=SECRET,
        subject_standing=OFFICIAL,
        forms_on_ballot=(KHAI_TRU, CANH_CAO, NONE),
        tally={KHAI_TRU: 5, CANH_CAO: 1, NONE: 3},
    )
    probation = DisciplineVote(
        method=SECRET,
        subject_standing=PROBATIONARY,
        forms_on_ballot=(KHAI_TRU, CACH_CHUC, CANH_CAO, NONE),
        tally={},
    )

    decided = decide(expulsion, roster=roster, attendance=all_present(roster))
    refused = decide(probation, roster=roster, attendance=all_present(roster))

    assert decided.rules == ("R-D2", "R-D3")
    assert decided.explanation == (
        "Bỏ phiếu kỷ luật (R-D2, R-D3): cộng dồn phiếu từ hình thức nặng nhất xuống, phiếu "
        "không kỷ luật không được cộng; N = 9: khai trừ 5 (cần 6); cảnh cáo 6 (cần 5). Hình "
        "thức được biểu quyết: CẢNH CÁO."
    )
    assert refused.reason is DecisionReason.FORM_NOT_ALLOWED_FOR_PROBATIONARY
    assert refused.explanation == (
        "Bỏ phiếu kỷ luật: đảng viên dự bị chỉ có thể bị khiển trách hoặc cảnh cáo (R-D1); "
        "phiếu có hình thức khai trừ, cách chức không hợp lệ. Nếu được biểu quyết, cần ít nhất "
        "5/9 phiếu (quá nửa N)."
    )


def test_expulsion_is_a_proposal_to_the_higher_body() -> None:
    roster = officials(9)
    vote = DisciplineVote(
        method=SECRET,
        subject_standing=OFFICIAL,
        forms_on_ballot=(KHAI_TRU, NONE),
        tally={KHAI_TRU: 7, NONE: 2},
    )

    decision = decide(vote, roster=roster, attendance=all_present(roster))

    assert decision.explanation.endswith(
        "KHAI TRỪ (chi bộ đề nghị, cấp có thẩm quyền quyết định, R-D1)."
    )


def test_discipline_failure_explains_that_nothing_was_reached() -> None:
    roster = officials(4)
    vote = DisciplineVote(
        method=SECRET, subject_standing=OFFICIAL, forms_on_ballot=(NONE,), tally={NONE: 4}
    )

    decision = decide(vote, roster=roster, attendance=all_present(roster))

    assert decision.explanation == (
        "Bỏ phiếu kỷ luật (R-D2, R-D3): cộng dồn phiếu từ hình thức nặng nhất xuống, phiếu "
        "không kỷ luật không được cộng; N = 4. Không hình thức nào đạt số phiếu cần thiết: "
        "KHÔNG KỶ LUẬT."
    )


def test_discipline_warnings() -> None:
    roster = officials(10)
    presence = attendance(roster, o07=UNEXCUSED, o08=UNEXCUSED, o09=UNEXCUSED, o10=UNEXCUSED)
    too_many = DisciplineVote(
        method=SECRET,
        subject_standing=OFFICIAL,
        forms_on_ballot=(CANH_CAO, NONE),
        tally={CANH_CAO: 6, NONE: 2},
    )
    unreachable = DisciplineVote(
        method=SECRET,
        subject_standing=OFFICIAL,
        forms_on_ballot=(KHAI_TRU, NONE),
        tally={KHAI_TRU: 7},
    )

    first = decide(too_many, roster=roster, attendance=presence, policy=NO_QUORUM)
    second = decide(unreachable, roster=roster, attendance=presence, policy=NO_QUORUM)

    assert first.warnings == (WarningCode.TALLY_EXCEEDS_VOTERS_PRESENT,)
    assert second.warnings == (
        WarningCode.TALLY_EXCEEDS_VOTERS_PRESENT,
        WarningCode.THRESHOLD_UNREACHABLE,
    )


def test_removal_without_post_explanation() -> None:
    roster = officials(9)
    vote = DisciplineVote(
        method=SECRET,
        subject_standing=OFFICIAL,
        forms_on_ballot=(CACH_CHUC, NONE),
        tally={},
        subject_holds_post=False,
    )

    decision = decide(vote, roster=roster, attendance=all_present(roster))

    assert decision.reason is DecisionReason.REMOVAL_WITHOUT_POST
    assert decision.rules == ("R-D1",)


@pytest.mark.parametrize(
    ("forms", "tally", "attempt"),
    [
        ((), {}, 1),
        ((CANH_CAO, CANH_CAO), {}, 1),
        ((CANH_CAO,), {KHAI_TRU: 1}, 1),
        ((CANH_CAO,), {CANH_CAO: -1}, 1),
        ((CANH_CAO,), {}, 0),
    ],
    ids=["no form", "a form twice", "tally off the ballot", "negative tally", "attempt 0"],
)
def test_discipline_vote_rejects_impossible_ballots(
    forms: tuple[DisciplineForm, ...], tally: Mapping[DisciplineForm, int], attempt: int
) -> None:
    with pytest.raises(ValueError, match=r"."):
        DisciplineVote(
            method=SECRET,
            subject_standing=OFFICIAL,
            forms_on_ballot=forms,
            tally=tally,
            attempt=attempt,
        )
