"""The evaluator contract: a case as parsed JSON in, the result as JSON-ready data out.

Every malformed input raises `CaseError` naming the case and the field path; nothing else
escapes for input that came from `json.loads`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeAlias

from meetings.charter.assessment import Assessment, MeetingSnapshot, assess
from meetings.charter.decisions import Choice, Tally, Vote, YesNoVote
from meetings.charter.discipline import DisciplineVote
from meetings.charter.elections import ElectionVote
from meetings.charter.errors import CaseError, DocumentError
from meetings.charter.outcomes import Decision
from meetings.charter.reading import Reader, case_label, json_type
from meetings.charter.roster import (
    Attendance,
    ExemptCountedWhen,
    Membership,
    Policy,
    QuorumRule,
    RosterEntry,
    Standing,
    VoteBasePolicy,
)
from meetings.charter.thresholds import DecisionKind, DisciplineForm, VotingMethod

JSONValue: TypeAlias = bool | int | float | str | list["JSONValue"] | dict[str, "JSONValue"] | None

# `expected` belongs to the shared worked cases; the evaluator ignores it.
IGNORED_CASE_FIELDS = frozenset({"expected"})
ROSTER_REQUIRED = ("id", "standing", "membership")
ROSTER_OPTIONAL = ("exempt", "temporarily_out", "suspended")
POLICY_FIELDS = ("vote_base", "quorum", "exempt_counted_when")
DECISION_OPTIONAL = ("attempt", "voters")
DECISION_FIELDS: Mapping[DecisionKind, tuple[str, ...]] = {
    DecisionKind.RESOLUTION: ("ballots", "tally"),
    DecisionKind.ADMISSION: ("ballots", "tally"),
    DecisionKind.RECOGNITION: ("ballots", "tally"),
    DecisionKind.DISCIPLINE: ("subject_standing", "subject_holds_post", "forms_on_ballot", "tally"),
    DecisionKind.ELECTION: ("seats", "candidates", "tally", "invalid"),
    DecisionKind.BOARD: ("ballots", "tally"),
}
DECISION_REQUIRED: Mapping[DecisionKind, tuple[str, ...]] = {
    DecisionKind.RESOLUTION: (),
    DecisionKind.ADMISSION: (),
    DecisionKind.RECOGNITION: (),
    DecisionKind.DISCIPLINE: ("subject_standing", "forms_on_ballot", "tally"),
    DecisionKind.ELECTION: ("seats", "candidates", "tally"),
    DecisionKind.BOARD: (),
}


def parse_case(case: object, *, index: int | None = None) -> MeetingSnapshot:
    """Validate one case and build its snapshot; raises `CaseError`."""
    read = Reader(case_label(case, index))
    fields = read.record(
        case,
        "",
        required=("roster", "attendance"),
        optional=("id", "description", "policy", "decision"),
        ignored=IGNORED_CASE_FIELDS,
    )
    if "id" in fields:
        read.string(fields["id"], "id")
    if "description" in fields and not isinstance(fields["description"], str):
        read.fail("description", f"expected a string, got {json_type(fields['description'])}")
    roster = _roster(read, fields["roster"])
    known = frozenset(entry.member_id for entry in roster)
    attendance = {
        read.member_key(member_id, f"attendance.{member_id}", known): read.choice(
            status, f"attendance.{member_id}", Attendance
        )
        for member_id, status in read.mapping(fields["attendance"], "attendance").items()
    }
    policy = _policy(read, fields.get("policy", {}))
    vote = None if "decision" not in fields else _vote(read, fields["decision"], known)
    return MeetingSnapshot(roster=roster, attendance=attendance, policy=policy, vote=vote)


def _roster(read: Reader, value: object) -> tuple[RosterEntry, ...]:
    entries: list[RosterEntry] = []
    seen: set[str] = set()
    for position, item in enumerate(read.array(value, "roster")):
        path = f"roster[{position}]"
        fields = read.record(item, path, required=ROSTER_REQUIRED, optional=ROSTER_OPTIONAL)
        member_id = read.string(fields["id"], f"{path}.id")
        if member_id in seen:
            read.fail(f"{path}.id", f"duplicate member id {member_id!r}")
        seen.add(member_id)
        flags = {
            name: read.boolean(fields[name], f"{path}.{name}")
            for name in ROSTER_OPTIONAL
            if name in fields
        }
        entries.append(
            RosterEntry(
                member_id=member_id,
                standing=read.choice(fields["standing"], f"{path}.standing", Standing),
                membership=read.choice(fields["membership"], f"{path}.membership", Membership),
                exempt=flags.get("exempt", False),
                temporarily_out=flags.get("temporarily_out", False),
                suspended=flags.get("suspended", False),
            )
        )
    return tuple(entries)


def _policy(read: Reader, value: object) -> Policy:
    fields = read.record(value, "policy", optional=POLICY_FIELDS)
    policy = Policy()
    return Policy(
        vote_base=(
            read.choice(fields["vote_base"], "policy.vote_base", VoteBasePolicy)
            if "vote_base" in fields
            else policy.vote_base
        ),
        quorum=(
            read.choice(fields["quorum"], "policy.quorum", QuorumRule)
            if "quorum" in fields
            else policy.quorum
        ),
        exempt_counted_when=(
            read.choice(
                fields["exempt_counted_when"], "policy.exempt_counted_when", ExemptCountedWhen
            )
            if "exempt_counted_when" in fields
            else policy.exempt_counted_when
        ),
    )


def _vote(read: Reader, value: object, known: frozenset[str]) -> Vote:
    raw = read.mapping(value, "decision")
    if "kind" not in raw:
        read.fail("decision.kind", "missing required field")
    kind = read.choice(raw["kind"], "decision.kind", DecisionKind)
    fields = read.record(
        value,
        "decision",
        required=("kind", "method", *DECISION_REQUIRED[kind]),
        optional=(*DECISION_OPTIONAL, *DECISION_FIELDS[kind]),
    )
    method = read.choice(fields["method"], "decision.method", VotingMethod)
    attempt = read.integer(fields.get("attempt", 1), "decision.attempt", minimum=1)
    voters = (
        frozenset(read.member_list(fields["voters"], "decision.voters", known))
        if "voters" in fields
        else None
    )
    if kind is DecisionKind.DISCIPLINE:
        return _discipline(read, fields, method, attempt, voters)
    if kind is DecisionKind.ELECTION:
        return _election(read, fields, method, attempt, voters, known)
    return _yes_no(read, fields, kind, method, attempt, voters, known)


def _yes_no(
    read: Reader,
    fields: dict[str, object],
    kind: DecisionKind,
    method: VotingMethod,
    attempt: int,
    voters: frozenset[str] | None,
    known: frozenset[str],
) -> YesNoVote:
    if "ballots" in fields and "tally" in fields:
        read.fail("decision.tally", "give either 'ballots' or 'tally', not both")
    if "ballots" in fields:
        ballots = {
            read.member_key(member_id, f"decision.ballots.{member_id}", known): read.choice(
                choice, f"decision.ballots.{member_id}", Choice
            )
            for member_id, choice in read.mapping(fields["ballots"], "decision.ballots").items()
        }
        return YesNoVote(kind=kind, method=method, ballots=ballots, attempt=attempt, voters=voters)
    if "tally" not in fields:
        read.fail("decision.ballots", "missing required field (give 'ballots' or 'tally')")
    counts = read.record(
        fields["tally"], "decision.tally", required=("yes",), optional=("no", "abstain")
    )
    tally = Tally(
        yes=read.integer(counts["yes"], "decision.tally.yes", minimum=0),
        no=read.integer(counts.get("no", 0), "decision.tally.no", minimum=0),
        abstain=read.integer(counts.get("abstain", 0), "decision.tally.abstain", minimum=0),
    )
    return YesNoVote(kind=kind, method=method, tally=tally, attempt=attempt, voters=voters)


def _discipline(
    read: Reader,
    fields: dict[str, object],
    method: VotingMethod,
    attempt: int,
    voters: frozenset[str] | None,
) -> DisciplineVote:
    forms: list[DisciplineForm] = []
    for position, item in enumerate(
        read.array(fields["forms_on_ballot"], "decision.forms_on_ballot", non_empty=True)
    ):
        path = f"decision.forms_on_ballot[{position}]"
        form = read.choice(item, path, DisciplineForm)
        if form in forms:
            read.fail(path, f"form {form.value!r} appears twice")
        forms.append(form)
    tally: dict[DisciplineForm, int] = {}
    for name, count in read.mapping(fields["tally"], "decision.tally").items():
        path = f"decision.tally.{name}"
        form = read.choice(name, path, DisciplineForm)
        if form not in forms:
            read.fail(path, f"form {name!r} is not on the ballot")
        tally[form] = read.integer(count, path, minimum=0)
    holds_post = (
        read.boolean(fields["subject_holds_post"], "decision.subject_holds_post")
        if "subject_holds_post" in fields
        else None
    )
    return DisciplineVote(
        method=method,
        subject_standing=read.choice(
            fields["subject_standing"], "decision.subject_standing", Standing
        ),
        forms_on_ballot=tuple(forms),
        tally=tally,
        subject_holds_post=holds_post,
        attempt=attempt,
        voters=voters,
    )


def _election(
    read: Reader,
    fields: dict[str, object],
    method: VotingMethod,
    attempt: int,
    voters: frozenset[str] | None,
    known: frozenset[str],
) -> ElectionVote:
    seats = read.integer(fields["seats"], "decision.seats", minimum=1)
    candidates = read.member_list(fields["candidates"], "decision.candidates", known)
    tally: dict[str, int] = {}
    for member_id, count in read.mapping(fields["tally"], "decision.tally").items():
        path = f"decision.tally.{member_id}"
        read.member_key(member_id, path, known)
        if member_id not in candidates:
            read.fail(path, f"member {member_id!r} is not a candidate")
        tally[member_id] = read.integer(count, path, minimum=0)
    invalid = read.integer(fields.get("invalid", 0), "decision.invalid", minimum=0)
    return ElectionVote(
        method=method,
        seats=seats,
        candidates=candidates,
        tally=tally,
        invalid=invalid,
        attempt=attempt,
        voters=voters,
    )


# ---------------------------------------------------------------- output


def render(assessment: Assessment, *, case_id: str | None = None) -> dict[str, JSONValue]:
    """The contract's output. Its objects hold exactly the contract's keys; anything more sits
    at the top level (`policy`, `details`, `rules`, `explanation`)."""
    base = assessment.vote_base
    result: dict[str, JSONValue] = {} if case_id is None else {"id": case_id}
    result.update(
        {
            "vote_base": base.size,
            "voters_present": base.voters_present,
            "quorum": {
                "rule": assessment.quorum.rule.value,
                "required": assessment.quorum.required,
                "met": assessment.quorum.met,
            },
            "attendance": {
                "rate_percent": assessment.attendance.rate_percent,
                "criterion_met": assessment.attendance.criterion_met,
            },
            "cell": {
                "official_count": assessment.cell.official_count,
                "requires_committee": assessment.cell.requires_committee,
                "below_minimum": assessment.cell.below_minimum,
            },
            "warnings": [code.value for code in assessment.warnings],
        }
    )
    details: dict[str, JSONValue] = {
        "vote_base": {"excluded": {member: reason.value for member, reason in base.excluded}},
        "attendance": {
            "present": assessment.attendance.present,
            "denominator": assessment.attendance.denominator,
            "absent_without_reason": list(assessment.attendance.absent_without_reason),
        },
    }
    if assessment.decision is not None:
        result["decision"] = render_decision(assessment.decision)
        details["decision"] = {
            "reason": assessment.decision.reason.value,
            "rules": list(assessment.decision.rules),
            "explanation": assessment.decision.explanation,
        }
    result["policy"] = {
        "vote_base": base.policy.vote_base.value,
        "quorum": base.policy.quorum.value,
        "exempt_counted_when": base.policy.exempt_counted_when.value,
    }
    result["details"] = details
    result["rules"] = list(assessment.rules)
    result["explanation"] = assessment.explanation
    return result


def render_decision(decision: Decision) -> dict[str, JSONValue]:
    return {
        "kind": decision.kind.value,
        "status": decision.status.value,
        "required": decision.required,
        "yes": decision.yes,
        "form": None if decision.form is None else decision.form.value,
        "elected": list(decision.elected),
        "runoff": list(decision.runoff),
        "ignored_ballots": list(decision.ignored_ballots),
    }


def evaluate_case(case: object, *, index: int | None = None) -> dict[str, JSONValue]:
    """The contract for one case object; raises `CaseError` when it is malformed."""
    snapshot = parse_case(case, index=index)
    case_id = case.get("id") if isinstance(case, dict) else None
    return render(assess(snapshot), case_id=case_id if isinstance(case_id, str) else None)


def evaluate_document(document: object) -> JSONValue:
    """A case object gives one result; a list of cases gives a list of results.

    Raises `DocumentError` listing every malformed case; then no result is given at all.
    """
    if isinstance(document, dict):
        try:
            return evaluate_case(document)
        except CaseError as error:
            raise DocumentError((error,)) from None
    if not isinstance(document, list):
        raise DocumentError(
            (
                CaseError(
                    "document",
                    "",
                    f"expected a case object or a list of cases, got {json_type(document)}",
                ),
            )
        )
    results: list[JSONValue] = []
    errors: list[CaseError] = []
    for index, case in enumerate(document):
        try:
            results.append(evaluate_case(case, index=index))
        except CaseError as error:
            errors.append(error)
    if errors:
        raise DocumentError(tuple(errors))
    return results
