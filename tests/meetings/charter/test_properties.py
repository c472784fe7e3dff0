"""Properties that hold for every case, checked with hypothesis."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from meetings.charter import evaluate_case

pytestmark = pytest.mark.unit

PROPERTY_SETTINGS = settings(max_examples=200, database=None, deadline=None)
MEMBER_IDS = [f"m{number:02d}" for number in range(1, 16)]
ATTENDANCE = ["present", "present", "present", "absent_with_reason", "absent_without_reason"]
CHOICES = ["yes", "no", "abstain"]
Case = dict[str, object]


def may_vote_somewhere(entry: dict[str, object]) -> bool:
    """Probationary, temporary-in and suspended members never vote."""
    return (
        entry["standing"] == "official"
        and entry["membership"] == "home"
        and not entry.get("suspended", False)
    )


# (standing, membership, flags): official home members are the most common.
PROFILES: list[tuple[str, str, tuple[str, ...]]] = [
    ("official", "home", ()),
    ("official", "home", ()),
    ("official", "home", ()),
    ("official", "home", ("exempt",)),
    ("official", "home", ("temporarily_out",)),
    ("official", "home", ("suspended",)),
    ("official", "home", ("exempt", "suspended")),
    ("probationary", "home", ()),
    ("official", "temporary_in", ()),
]
# One draw per member: (id, profile, attendance, ballot or None).
members = st.lists(
    st.tuples(
        st.sampled_from(MEMBER_IDS),
        st.sampled_from(PROFILES),
        st.sampled_from(ATTENDANCE),
        st.sampled_from([*CHOICES, None]),
    ),
    unique_by=lambda member: member[0],
    min_size=1,
    max_size=12,
)
policies = st.fixed_dictionaries(
    {
        "vote_base": st.sampled_from(["exclude_approved_absentees", "strict"]),
        "quorum": st.sampled_from(["none", "half", "two_thirds"]),
        "exempt_counted_when": st.sampled_from(["present", "voting"]),
    }
)


def roster_of(drawn: list[tuple[str, tuple[str, str, tuple[str, ...]], str, str | None]]) -> Case:
    return {
        "roster": [
            {"id": member_id, "standing": standing, "membership": membership}
            | dict.fromkeys(flags, True)
            for member_id, (standing, membership, flags), _, _ in drawn
        ],
        "attendance": {member_id: status for member_id, _, status, _ in drawn},
    }


@st.composite
def yes_no_cases(draw: st.DrawFn) -> Case:
    drawn = draw(members)
    return {
        "id": "P",
        "policy": draw(policies),
        **roster_of(drawn),
        "decision": {
            "kind": draw(st.sampled_from(["resolution", "admission", "recognition"])),
            "method": draw(st.sampled_from(["show_of_hands", "secret_ballot"])),
            "attempt": draw(st.integers(min_value=1, max_value=4)),
            "ballots": {member_id: ballot for member_id, _, _, ballot in drawn if ballot},
        },
    }


@st.composite
def election_cases(draw: st.DrawFn) -> Case:
    drawn = draw(members)
    case = roster_of(drawn)
    roster: list[dict[str, object]] = case["roster"]  # type: ignore[assignment]
    eligible = [str(entry["id"]) for entry in roster if may_vote_somewhere(entry)]
    candidates = draw(
        st.lists(st.sampled_from(eligible or [str(roster[0]["id"])]), unique=True, min_size=1)
    )
    return {
        "id": "E",
        "policy": draw(policies),
        **case,
        "decision": {
            "kind": "election",
            "method": "secret_ballot",
            "seats": draw(st.integers(min_value=1, max_value=3)),
            "attempt": draw(st.integers(min_value=1, max_value=4)),
            "candidates": candidates,
            "tally": {c: draw(st.integers(min_value=0, max_value=12)) for c in candidates},
            "invalid": draw(st.integers(min_value=0, max_value=2)),
        },
    }


def decision_of(case: Case) -> dict[str, object]:
    decision = evaluate_case(case)["decision"]
    assert isinstance(decision, dict)
    return decision


@PROPERTY_SETTINGS
@given(case=yes_no_cases(), data=st.data())
def test_one_more_yes_never_turns_a_pass_into_a_fail(case: Case, data: st.DataObject) -> None:
    member = data.draw(st.sampled_from([entry["id"] for entry in case["roster"]]))  # type: ignore[union-attr]
    more = copy.deepcopy(case)
    more["decision"]["ballots"][member] = "yes"  # type: ignore[index]

    before, after = decision_of(case), decision_of(more)

    if before["status"] == "passed":
        assert after["status"] == "passed"
    if before["status"] not in ("blocked",) and after["status"] != "blocked":
        assert after["yes"] >= before["yes"]  # type: ignore[operator]


@PROPERTY_SETTINGS
@given(case=yes_no_cases(), extra=st.integers(min_value=0, max_value=3))
def test_one_more_yes_in_a_tally_never_turns_a_pass_into_a_fail(case: Case, extra: int) -> None:
    ballots = case["decision"].pop("ballots")  # type: ignore[attr-defined]
    counts = {choice: list(ballots.values()).count(choice) for choice in CHOICES}
    case["decision"]["tally"] = {**counts, "no": counts["no"] + extra}  # type: ignore[index]
    more = copy.deepcopy(case)
    more["decision"]["tally"]["yes"] += 1  # type: ignore[index]

    if decision_of(case)["status"] == "passed":
        assert decision_of(more)["status"] == "passed"


@PROPERTY_SETTINGS
@given(case=election_cases(), data=st.data())
def test_one_more_vote_never_unseats_an_elected_candidate(case: Case, data: st.DataObject) -> None:
    before = decision_of(case)
    if not before["elected"]:
        return
    winner = data.draw(st.sampled_from(before["elected"]))  # type: ignore[arg-type]
    more = copy.deepcopy(case)
    more["decision"]["tally"][winner] += 1  # type: ignore[index]

    assert winner in decision_of(more)["elected"]  # type: ignore[operator]


@PROPERTY_SETTINGS
@given(case=yes_no_cases(), data=st.data())
def test_ballots_of_members_who_may_not_vote_never_change_an_outcome(
    case: Case, data: st.DataObject
) -> None:
    roster: list[dict[str, object]] = case["roster"]  # type: ignore[assignment]
    ineligible = [str(entry["id"]) for entry in roster if not may_vote_somewhere(entry)]
    ballots: dict[str, str] = case["decision"]["ballots"]  # type: ignore[index]
    without = copy.deepcopy(case)
    without["decision"]["ballots"] = {  # type: ignore[index]
        member: choice for member, choice in ballots.items() if member not in ineligible
    }
    extra = data.draw(st.lists(st.sampled_from(ineligible), unique=True)) if ineligible else []
    with_extra = copy.deepcopy(without)
    for member in extra:
        with_extra["decision"]["ballots"][member] = data.draw(st.sampled_from(CHOICES))  # type: ignore[index]

    plain, noisy = evaluate_case(without), evaluate_case(with_extra)

    for key in ("vote_base", "voters_present", "quorum", "warnings"):
        assert noisy[key] == plain[key]
    noisy_decision, plain_decision = noisy["decision"], plain["decision"]
    assert isinstance(noisy_decision, dict)
    assert isinstance(plain_decision, dict)
    for key in ("status", "required", "yes"):
        assert noisy_decision[key] == plain_decision[key]
    if noisy_decision["status"] != "blocked":
        assert noisy_decision["ignored_ballots"] == sorted(
            set(plain_decision["ignored_ballots"]) | set(extra)  # type: ignore[arg-type]
        )


@PROPERTY_SETTINGS
@given(case=st.one_of(yes_no_cases(), election_cases()), data=st.data())
def test_the_result_never_depends_on_the_order_of_the_roster(
    case: Case, data: st.DataObject
) -> None:
    shuffled = copy.deepcopy(case)
    shuffled["roster"] = data.draw(st.permutations(case["roster"]))  # type: ignore[arg-type]
    shuffled["attendance"] = dict(reversed(list(case["attendance"].items())))  # type: ignore[attr-defined]
    decision = shuffled["decision"]
    assert isinstance(decision, dict)
    for field in ("ballots", "tally"):
        if field in decision:
            decision[field] = dict(reversed(list(decision[field].items())))

    assert evaluate_case(shuffled) == evaluate_case(case)
