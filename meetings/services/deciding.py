"""A vote decided: the charter engine's view of a vote and its counts, its decision as the room,
the pages and the minutes keep it, and the vote closed with it (`vote.closed`).

Below both ways a vote ends: `voting.closing` (ballots counted in the clear) and
`secret_ballot.counting` (an encrypted tally decrypted by its board), so neither imports the
other.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from meetings import charter, events
from meetings.models import Meeting, Vote
from meetings.models.voting import VoteKind, VoteStatus
from meetings.room import roster_entries, roster_members
from meetings.snapshots import member_key, policy_for
from members.models import User

YES_NO = ("yes", "no", "abstain")


def charter_vote(vote: Vote, counts: dict[str, Any], voters: frozenset[str]) -> charter.Vote:
    """The charter's view of `vote` with the given counts (ballots by member, or a tally)."""
    kind = charter.DecisionKind(vote.kind)
    method = charter.VotingMethod(vote.method)
    if kind == charter.DecisionKind.DISCIPLINE:
        return charter.DisciplineVote(
            method=method,
            subject_standing=charter.Standing(vote.options["subject_standing"]),
            forms_on_ballot=tuple(charter.DisciplineForm(f) for f in vote.options["forms"]),
            tally={charter.DisciplineForm(form): n for form, n in counts.get("forms", {}).items()},
            subject_holds_post=vote.options.get("subject_holds_post"),
            attempt=vote.attempt,
            voters=voters,
        )
    if kind == charter.DecisionKind.ELECTION:
        return charter.ElectionVote(
            method=method,
            seats=vote.options["seats"],
            candidates=tuple(member_key(c) for c in vote.options["candidates"]),
            tally={member_key(int(c)): n for c, n in counts.get("candidates", {}).items()},
            attempt=vote.attempt,
            voters=voters,
        )
    if "ballots" in counts:
        ballots = {member: charter.Choice(choice) for member, choice in counts["ballots"].items()}
        return charter.YesNoVote(kind=kind, method=method, ballots=ballots, attempt=vote.attempt)
    tally = charter.Tally(**{choice: counts.get(choice, 0) for choice in YES_NO})
    return charter.YesNoVote(
        kind=kind, method=method, tally=tally, attempt=vote.attempt, voters=voters
    )


def _member_names(meeting: Meeting) -> dict[str, str]:
    """Member key → name, for the members an explanation lists."""
    return {member_key(m.pk): m.full_name for m in roster_members(meeting)}


def decision_dict(decision: charter.Decision, names: dict[str, str]) -> dict[str, Any]:
    return {
        "status": str(decision.status),
        "reason": str(decision.reason),
        "required": decision.required,
        "yes": decision.yes,
        "form": decision.form and str(decision.form),
        "elected": [int(m) for m in decision.elected],
        "runoff": [int(m) for m in decision.runoff],
        "warnings": [str(w) for w in decision.warnings],
        "rules": list(decision.rules),  # the rule ids, for audit
        # What members read, in the room, on the pages and in the minutes: the Party's texts.
        "explanation": charter.for_members(decision.explanation, names),
    }


def decide(
    meeting: Meeting,
    vote: Vote,
    counts: dict[str, Any],
    voters: frozenset[str],
    published: dict[str, Any],
    actor: User,
) -> dict[str, Any]:
    """The charter engine decides the vote from its counts; the vote closes (`vote.closed`).
    Under the meeting lock."""
    result: dict[str, Any] = {"cast": len(voters), "eligible": len(vote.eligible), **published}
    if vote.kind != VoteKind.MINUTES_APPROVAL:
        attendance = {m: charter.Attendance(s) for m, s in vote.roll.items()}
        roster, policy = roster_entries(meeting), policy_for(meeting.cell)
        decision = charter.decide(
            charter_vote(vote, counts, voters), roster=roster, attendance=attendance, policy=policy
        )
        result["decision"] = decision_dict(decision, _member_names(meeting))
        # N, the base the requirement is stated against, so the room shows every count
        # against it too (R-V1).
        result["base"] = charter.vote_base(roster, attendance, policy, voted=voters).size
    vote.status = VoteStatus.CLOSED
    vote.closed_at = timezone.now()
    vote.result = result
    vote.save(update_fields=["status", "closed_at", "result"])
    payload = {"vote": vote.pk, "blocked": False, "result": result}
    events.append_event(meeting=meeting, event=events.VOTE_CLOSED, payload=payload, actor=actor)
    return payload
