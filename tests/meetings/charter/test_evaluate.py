from __future__ import annotations

import copy
from collections.abc import Sequence

import pytest

from meetings.charter import CaseError, DocumentError, evaluate_case, evaluate_document

pytestmark = pytest.mark.unit

DELETE = object()

BASE: dict[str, object] = {
    "id": "T1",
    "description": "three officials and a probationary member",
    "policy": {"quorum": "none"},
    "roster": [
        {"id": "o01", "standing": "official", "membership": "home"},
        {"id": "o02", "standing": "official", "membership": "home", "exempt": False},
        {"id": "o03", "standing": "official", "membership": "home"},
        {"id": "p01", "standing": "probationary", "membership": "home"},
    ],
    "attendance": {"o01": "present", "o02": "present", "o03": "present", "p01": "present"},
    "decision": {
        "kind": "resolution",
        "method": "show_of_hands",
        "ballots": {"o01": "yes", "o02": "yes", "o03": "no", "p01": "yes"},
    },
}
DISCIPLINE: dict[str, object] = {
    "kind": "discipline",
    "method": "secret_ballot",
    "subject_standing": "official",
    "forms_on_ballot": ["canh_cao", "khien_trach", "none"],
    "tally": {"canh_cao": 2, "none": 1},
}
ELECTION: dict[str, object] = {
    "kind": "election",
    "method": "secret_ballot",
    "seats": 1,
    "candidates": ["o01", "o02"],
    "tally": {"o01": 2, "o02": 1},
}


def variant(*changes: tuple[Sequence[str | int], object]) -> dict[str, object]:
    """BASE with each (path, value) applied; DELETE removes the field."""
    case = copy.deepcopy(BASE)
    for path, value in changes:
        target: object = case
        for key in path[:-1]:
            target = target[key]  # type: ignore[index]
        if value is DELETE:
            del target[path[-1]]  # type: ignore[attr-defined]
        else:
            target[path[-1]] = copy.deepcopy(value)  # type: ignore[index]
    return case


MALFORMED = [
    pytest.param(
        variant((("decision", "ballots", "zz"), "yes")),
        "decision.ballots.zz: unknown member id 'zz' (not on the roster)",
        id="unknown member id in ballots",
    ),
    pytest.param(
        variant((("decision", "kind"), "vote")),
        "decision.kind: unknown value 'vote' (expected one of: resolution, admission, "
        "recognition, discipline, election, board)",
        id="unknown decision kind",
    ),
    pytest.param(
        variant((("decision", "kind"), DELETE)),
        "decision.kind: missing required field",
        id="missing decision kind",
    ),
    pytest.param(
        variant((("decision", "method"), "raised_cards")),
        "decision.method: unknown value 'raised_cards' (expected one of: show_of_hands, "
        "secret_ballot)",
        id="unknown voting method",
    ),
    pytest.param(
        variant((("decision", "method"), DELETE)),
        "decision.method: missing required field",
        id="missing voting method",
    ),
    pytest.param(
        variant((("roster", 2, "standing"), "offical")),
        "roster[2].standing: unknown value 'offical' (expected one of: official, probationary)",
        id="unknown standing",
    ),
    pytest.param(
        variant((("roster", 2, "membership"), "guest")),
        "roster[2].membership: unknown value 'guest' (expected one of: home, temporary_in)",
        id="unknown membership",
    ),
    pytest.param(
        variant((("roster", 1, "standing"), DELETE)),
        "roster[1].standing: missing required field",
        id="missing standing",
    ),
    pytest.param(
        variant((("roster", 1, "exempt"), "yes")),
        "roster[1].exempt: expected a boolean, got string",
        id="flag of the wrong type",
    ),
    pytest.param(
        variant((("roster", 1, "suspend"), True)),
        "roster[1].suspend: unknown field (expected one of: id, standing, membership, exempt, "
        "temporarily_out, suspended)",
        id="misspelt roster field",
    ),
    pytest.param(
        variant((("roster", 3, "id"), "o01")),
        "roster[3].id: duplicate member id 'o01'",
        id="duplicate member id",
    ),
    pytest.param(
        variant((("roster", 0, "id"), 7)),
        "roster[0].id: expected a string, got number",
        id="member id of the wrong type",
    ),
    pytest.param(
        variant((("roster", 0, "id"), "")), "roster[0].id: must not be empty", id="empty member id"
    ),
    pytest.param(
        variant((("roster", 0), "o01")),
        "roster[0]: expected an object, got string",
        id="roster entry not an object",
    ),
    pytest.param(
        variant((("roster",), DELETE)), "roster: missing required field", id="missing roster"
    ),
    pytest.param(
        variant((("roster",), {})),
        "roster: expected an array, got object",
        id="roster not an array",
    ),
    pytest.param(
        variant((("attendance", "o03"), "late")),
        "attendance.o03: unknown value 'late' (expected one of: present, absent_with_reason, "
        "absent_without_reason, left_with_reason)",
        id="unknown attendance value",
    ),
    pytest.param(
        variant((("attendance", "o03"), None)),
        "attendance.o03: expected a string, got null",
        id="attendance value of the wrong type",
    ),
    pytest.param(
        variant((("attendance", "zz"), "present")),
        "attendance.zz: unknown member id 'zz' (not on the roster)",
        id="attendance for an unknown member",
    ),
    pytest.param(
        variant((("attendance",), DELETE)),
        "attendance: missing required field",
        id="missing attendance",
    ),
    pytest.param(
        variant((("attendance",), [])),
        "attendance: expected an object, got array",
        id="attendance not an object",
    ),
    pytest.param(
        variant((("policy", "quorum"), "most")),
        "policy.quorum: unknown value 'most' (expected one of: none, half, two_thirds)",
        id="unknown quorum policy",
    ),
    pytest.param(
        variant((("policy", "vote_base"), "loose")),
        "policy.vote_base: unknown value 'loose' (expected one of: exclude_approved_absentees, "
        "strict)",
        id="unknown vote base policy",
    ),
    pytest.param(
        variant((("policy", "exempt_counted_when"), "always")),
        "policy.exempt_counted_when: unknown value 'always' (expected one of: present, voting)",
        id="unknown exempt policy",
    ),
    pytest.param(
        variant((("policy", "quorom"), "none")),
        "policy.quorom: unknown field (expected one of: vote_base, quorum, exempt_counted_when)",
        id="misspelt policy field",
    ),
    pytest.param(
        variant((("decision", "ballots", "o01"), "maybe")),
        "decision.ballots.o01: unknown value 'maybe' (expected one of: yes, no, abstain)",
        id="unknown ballot choice",
    ),
    pytest.param(
        variant((("decision", "ballots"), ["o01"])),
        "decision.ballots: expected an object, got array",
        id="ballots not an object",
    ),
    pytest.param(
        variant((("decision", "ballots"), DELETE)),
        "decision.ballots: missing required field (give 'ballots' or 'tally')",
        id="neither ballots nor tally",
    ),
    pytest.param(
        variant((("decision", "tally"), {"yes": 1})),
        "decision.tally: give either 'ballots' or 'tally', not both",
        id="both ballots and tally",
    ),
    pytest.param(
        variant((("decision", "ballots"), DELETE), (("decision", "tally"), {"yes": -1})),
        "decision.tally.yes: must be a non-negative integer, got -1",
        id="negative yes tally",
    ),
    pytest.param(
        variant((("decision", "ballots"), DELETE), (("decision", "tally"), {"yes": 2, "no": "1"})),
        "decision.tally.no: expected an integer, got string",
        id="tally count of the wrong type",
    ),
    pytest.param(
        variant((("decision", "ballots"), DELETE), (("decision", "tally"), {"yes": True})),
        "decision.tally.yes: expected an integer, got boolean",
        id="tally count is a boolean",
    ),
    pytest.param(
        variant((("decision", "ballots"), DELETE), (("decision", "tally"), {"yes": 2.0})),
        "decision.tally.yes: expected an integer, got number",
        id="tally count is a float",
    ),
    pytest.param(
        variant((("decision", "ballots"), DELETE), (("decision", "tally"), {"no": 2})),
        "decision.tally.yes: missing required field",
        id="tally without yes",
    ),
    pytest.param(
        variant((("decision", "ballots"), DELETE), (("decision", "tally"), {"yes": 2, "blank": 1})),
        "decision.tally.blank: unknown field (expected one of: yes, no, abstain)",
        id="unknown tally field",
    ),
    pytest.param(
        variant((("decision", "seats"), 1)),
        "decision.seats: unknown field (expected one of: kind, method, attempt, voters, ballots, "
        "tally)",
        id="field of another decision kind",
    ),
    pytest.param(
        variant((("decision", "attempt"), 0)),
        "decision.attempt: must be an integer >= 1, got 0",
        id="attempt 0",
    ),
    pytest.param(
        variant((("decision", "voters"), ["o01", "zz"])),
        "decision.voters[1]: unknown member id 'zz' (not on the roster)",
        id="unknown voter",
    ),
    pytest.param(
        variant((("decision", "voters"), ["o01", "o01"])),
        "decision.voters[1]: duplicate member id 'o01'",
        id="voter listed twice",
    ),
    pytest.param(
        variant((("decision", "voters"), [])),
        "decision.voters: must not be empty",
        id="empty voters list",
    ),
    pytest.param(
        variant((("decision",), "resolution")),
        "decision: expected an object, got string",
        id="decision not an object",
    ),
    pytest.param(
        variant((("decision",), DISCIPLINE), (("decision", "tally", "khai_tru"), 1)),
        "decision.tally.khai_tru: form 'khai_tru' is not on the ballot",
        id="discipline tally for a form not on the ballot",
    ),
    pytest.param(
        variant((("decision",), DISCIPLINE), (("decision", "tally", "expel"), 1)),
        "decision.tally.expel: unknown value 'expel' (expected one of: none, khien_trach, "
        "canh_cao, cach_chuc, khai_tru)",
        id="unknown discipline form",
    ),
    pytest.param(
        variant((("decision",), DISCIPLINE), (("decision", "tally", "canh_cao"), -2)),
        "decision.tally.canh_cao: must be a non-negative integer, got -2",
        id="negative discipline tally",
    ),
    pytest.param(
        variant(
            (("decision",), DISCIPLINE), (("decision", "forms_on_ballot"), ["canh_cao", "canh_cao"])
        ),
        "decision.forms_on_ballot[1]: form 'canh_cao' appears twice",
        id="form on the ballot twice",
    ),
    pytest.param(
        variant((("decision",), DISCIPLINE), (("decision", "forms_on_ballot"), [])),
        "decision.forms_on_ballot: must not be empty",
        id="empty ballot of forms",
    ),
    pytest.param(
        variant((("decision",), DISCIPLINE), (("decision", "forms_on_ballot"), "canh_cao")),
        "decision.forms_on_ballot: expected an array, got string",
        id="forms on ballot not an array",
    ),
    pytest.param(
        variant((("decision",), DISCIPLINE), (("decision", "subject_standing"), DELETE)),
        "decision.subject_standing: missing required field",
        id="missing subject standing",
    ),
    pytest.param(
        variant((("decision",), DISCIPLINE), (("decision", "subject_standing"), "member")),
        "decision.subject_standing: unknown value 'member' (expected one of: official, "
        "probationary)",
        id="unknown subject standing",
    ),
    pytest.param(
        variant((("decision",), DISCIPLINE), (("decision", "subject_holds_post"), "no")),
        "decision.subject_holds_post: expected a boolean, got string",
        id="subject holds post of the wrong type",
    ),
    pytest.param(
        variant((("decision",), ELECTION), (("decision", "tally", "zz"), 1)),
        "decision.tally.zz: unknown member id 'zz' (not on the roster)",
        id="election tally for an unknown member",
    ),
    pytest.param(
        variant((("decision",), ELECTION), (("decision", "tally", "o03"), 1)),
        "decision.tally.o03: member 'o03' is not a candidate",
        id="election tally for a non-candidate",
    ),
    pytest.param(
        variant((("decision",), ELECTION), (("decision", "tally", "o01"), -1)),
        "decision.tally.o01: must be a non-negative integer, got -1",
        id="negative election tally",
    ),
    pytest.param(
        variant((("decision",), ELECTION), (("decision", "candidates"), ["o01", "zz"])),
        "decision.candidates[1]: unknown member id 'zz' (not on the roster)",
        id="unknown candidate",
    ),
    pytest.param(
        variant((("decision",), ELECTION), (("decision", "candidates"), ["o01", "o01"])),
        "decision.candidates[1]: duplicate member id 'o01'",
        id="candidate listed twice",
    ),
    pytest.param(
        variant((("decision",), ELECTION), (("decision", "candidates"), [])),
        "decision.candidates: must not be empty",
        id="no candidates",
    ),
    pytest.param(
        variant((("decision",), ELECTION), (("decision", "seats"), 0)),
        "decision.seats: must be an integer >= 1, got 0",
        id="zero seats",
    ),
    pytest.param(
        variant((("decision",), ELECTION), (("decision", "seats"), DELETE)),
        "decision.seats: missing required field",
        id="missing seats",
    ),
    pytest.param(
        variant((("decision",), ELECTION), (("decision", "invalid"), -1)),
        "decision.invalid: must be a non-negative integer, got -1",
        id="negative invalid ballots",
    ),
    pytest.param(
        variant((("decision",), ELECTION), (("decision", "ballots"), {})),
        "decision.ballots: unknown field (expected one of: kind, method, seats, candidates, "
        "tally, attempt, voters, invalid)",
        id="ballots in an election",
    ),
    pytest.param(
        variant((("id",), 12)), "id: expected a string, got number", id="case id of the wrong type"
    ),
    pytest.param(
        variant((("description",), ["x"])),
        "description: expected a string, got array",
        id="description of the wrong type",
    ),
    pytest.param(
        variant((("expectations",), {})),
        "expectations: unknown field (expected one of: roster, attendance, id, description, "
        "policy, decision)",
        id="unknown top-level field",
    ),
]


@pytest.mark.parametrize(("case", "message"), MALFORMED)
def test_malformed_case_names_the_case_and_the_field(case: dict[str, object], message: str) -> None:
    with pytest.raises(DocumentError) as raised:
        evaluate_document(case)

    label = 'case "T1"' if isinstance(case.get("id"), str) else "case"
    assert [str(error) for error in raised.value.errors] == [f"{label}: {message}"]


def test_errors_in_a_list_name_each_case_by_id_and_index() -> None:
    without_id = variant((("id",), DELETE), (("roster", 0, "standing"), "x"))
    document = [BASE, variant((("attendance", "o01"), "late")), without_id, "not a case"]

    with pytest.raises(DocumentError) as raised:
        evaluate_document(document)

    assert [str(error) for error in raised.value.errors] == [
        "case \"T1\" (index 1): attendance.o01: unknown value 'late' (expected one of: present, "
        "absent_with_reason, absent_without_reason, left_with_reason)",
        "case at index 2: roster[0].standing: unknown value 'x' (expected one of: official, "
        "probationary)",
        "case at index 3: expected an object, got string",
    ]
    assert raised.value.errors[0].path == "attendance.o01"
    assert raised.value.errors[0].case == 'case "T1" (index 1)'


def test_a_document_must_be_a_case_or_a_list() -> None:
    with pytest.raises(DocumentError) as raised:
        evaluate_document(42)

    assert str(raised.value) == "document: expected a case object or a list of cases, got number"


def test_evaluate_case_raises_case_error_for_direct_callers() -> None:
    with pytest.raises(CaseError, match=r"roster: missing required field"):
        evaluate_case({"attendance": {}}, index=5)


def test_expected_is_ignored_and_defaults_apply() -> None:
    case = variant((("expected",), {"anything": 1}), (("policy",), DELETE))

    result = evaluate_case(case)

    assert result["policy"] == {
        "vote_base": "exclude_approved_absentees",
        "quorum": "two_thirds",
        "exempt_counted_when": "present",
    }


def test_output_of_a_yes_no_case() -> None:
    result = evaluate_document(BASE)

    assert result == {
        "id": "T1",
        "vote_base": 3,
        "voters_present": 3,
        "quorum": {"rule": "none", "required": 0, "met": True},
        "attendance": {"rate_percent": 100.0, "criterion_met": True},
        "cell": {"official_count": 3, "requires_committee": False, "below_minimum": False},
        "warnings": [],
        "decision": {
            "kind": "resolution",
            "status": "passed",
            "required": 2,
            "yes": 2,
            "form": None,
            "elected": [],
            "runoff": [],
            "ignored_ballots": ["p01"],
        },
        "policy": {
            "vote_base": "exclude_approved_absentees",
            "quorum": "none",
            "exempt_counted_when": "present",
        },
        "details": {
            "vote_base": {"excluded": {"p01": "probationary"}},
            "attendance": {"present": 4, "denominator": 4, "absent_without_reason": []},
            "decision": {
                "reason": "threshold_reached",
                "rules": ["R-V3", "R-V2"],
                "explanation": (
                    "Biểu quyết nghị quyết, kết luận (R-V3, R-V2): cần ít nhất 2/3 phiếu tán "
                    "thành (quá nửa N); có 2 phiếu tán thành: THÔNG QUA. Không tán thành, không "
                    "biểu quyết, vắng mặt đều không tính là tán thành. Không tính phiếu của người "
                    "không có quyền biểu quyết: p01 (R-V1)."
                ),
            },
        },
        "rules": ["R-V1", "R-R1", "R-V4", "R-Q1", "R-S1", "R-S2", "R-V3", "R-V2"],
        "explanation": "\n".join(
            [
                "Số thành viên làm căn cứ biểu quyết N = 3 (R-V1; cách tính: không tính đảng viên "
                "vắng mặt cả buổi có lý do được chấp thuận, đảng viên miễn sinh hoạt được tính "
                "khi có mặt): 3 đảng viên "
                "chính thức sinh hoạt chính thức tại chi bộ. Có mặt và có quyền biểu quyết: 3. "
                "Không thuộc N và không biểu quyết: 1 đảng viên dự bị (R-R1).",
                "Không áp dụng điều kiện số lượng có mặt (R-V4).",
                "Tỷ lệ đảng viên dự sinh hoạt (R-Q1): 4/4 = 100,0% (không tính đảng viên miễn "
                "sinh hoạt, đình chỉ sinh hoạt và sinh hoạt tạm thời tại chi bộ); tiêu chí trên "
                "85% và không ai vắng không lý do: đạt.",
                "Chi bộ có 3 đảng viên chính thức (R-S1, R-S2); bầu bí thư và tối đa 1 phó bí "
                "thư, không bầu chi ủy.",
                "Biểu quyết nghị quyết, kết luận (R-V3, R-V2): cần ít nhất 2/3 phiếu tán thành "
                "(quá nửa N); có 2 phiếu tán thành: THÔNG QUA. Không tán thành, không biểu quyết, "
                "vắng mặt đều không tính là tán thành. Không tính phiếu của người không có quyền "
                "biểu quyết: p01 (R-V1).",
            ]
        ),
    }


@pytest.mark.parametrize(
    ("decision", "expected"),
    [
        (
            {
                **DISCIPLINE,
                "tally": {"canh_cao": 1, "none": 2},
                "subject_holds_post": True,
                "attempt": 2,
                "voters": ["o01", "o02", "o03"],
            },
            {"status": "failed", "required": 2, "form": None},
        ),
        (
            {**DISCIPLINE, "tally": {"canh_cao": 1, "khien_trach": 1}},
            {"status": "passed", "required": 2, "form": "khien_trach"},
        ),
        (
            {**ELECTION, "invalid": 0, "attempt": 1},
            {"status": "passed", "required": 2, "elected": ["o01"]},
        ),
        (
            {
                "kind": "admission",
                "method": "secret_ballot",
                "tally": {"yes": 2, "no": 1, "abstain": 0},
            },
            {"status": "passed", "required": 2, "yes": 2},
        ),
    ],
    ids=[
        "R-D3 discipline: one vote of three reaches no form",
        "R-D3 discipline: canh_cao 1 + khien_trach 1 reach 2",
        "R-E1 election through the contract",
        "R-A1 admission by tally through the contract",
    ],
)
def test_each_decision_kind_through_the_contract(
    decision: dict[str, object], expected: dict[str, object]
) -> None:
    case = variant((("decision",), decision))
    if decision["kind"] == "discipline":
        case = variant((("decision",), decision), (("roster", 3), DELETE))
        del case["attendance"]["p01"]  # type: ignore[attr-defined]

    result = evaluate_case(case)

    rendered = result["decision"]
    assert isinstance(rendered, dict)
    assert {key: rendered[key] for key in expected} == expected


def test_a_case_without_a_decision_has_no_decision_output() -> None:
    result = evaluate_case(variant((("decision",), DELETE), (("id",), DELETE)))

    assert "decision" not in result
    assert "id" not in result
    assert result["details"] == {
        "vote_base": {"excluded": {"p01": "probationary"}},
        "attendance": {"present": 4, "denominator": 4, "absent_without_reason": []},
    }
