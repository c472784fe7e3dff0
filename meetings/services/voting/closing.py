"""The chair closes a vote: its ballots counted (named, or by receipt code when secret) and
decided by the charter engine against the roll frozen at opening; an encrypted secret ballot
goes to its board to count."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from meetings.errors import RuleViolation
from meetings.models import Ballot, BallotBoard, BallotReceipt, SecretBallot, Vote
from meetings.models.voting import VoteKind, VoteStatus
from meetings.services import deciding
from meetings.services.participants import lock_meeting, participant, require_chair
from meetings.services.secret_ballot import counting
from meetings.snapshots import member_key
from members.models import User


def _counts(vote: Vote) -> tuple[dict[str, Any], frozenset[str], dict[str, Any]]:
    """(counts for the charter, who voted, what the minutes publish)."""
    if vote.is_secret:
        choices = list(SecretBallot.objects.filter(vote=vote).values_list("choice", "receipt"))
        voters = frozenset(
            member_key(m)
            for m in BallotReceipt.objects.filter(vote=vote).values_list("member_id", flat=True)
        )
        published: dict[str, object] = {"receipts": sorted(receipt for _, receipt in choices)}
        picked = [c for c, _ in choices]
    else:
        rows = list(Ballot.objects.filter(vote=vote).values_list("member_id", "choice"))
        voters = frozenset(member_key(m) for m, _ in rows)
        published = {"named": {member_key(m): c for m, c in sorted(rows)}}
        picked = [c for _, c in rows]
        if vote.kind not in (VoteKind.DISCIPLINE, VoteKind.ELECTION):
            return (
                {"ballots": published["named"]},
                voters,
                published | {"tally": dict(Counter(picked))},
            )
    if vote.kind == VoteKind.DISCIPLINE:
        tally = dict(Counter(picked))
        return (
            {"forms": {f: n for f, n in tally.items() if f != "none"}},
            voters,
            published | {"tally": tally},
        )
    if vote.kind == VoteKind.ELECTION:
        tally = Counter(str(c) for ballot in picked for c in ballot)
        return {"candidates": dict(tally)}, voters, published | {"tally": dict(tally)}
    tally = dict(Counter(picked))
    return tally, voters, published | {"tally": tally}


@transaction.atomic
def close_vote(*, meeting_id: int, actor: User, vote_id: int) -> dict[str, Any]:
    """The chair closes the vote; the charter engine decides it against the roll frozen at
    opening. The result lists named ballots (show of hands) or counted receipt codes (secret).
    Event `vote.closed`.
    """
    meeting = lock_meeting(meeting_id)
    require_chair(participant(meeting, actor))
    vote = Vote.objects.select_for_update().filter(meeting=meeting, pk=vote_id).first()
    if vote is None:
        raise RuleViolation(_("Không có biểu quyết này."), reason="not_found")
    if vote.status != VoteStatus.OPEN:
        raise RuleViolation(_("Biểu quyết này đã kết thúc."), reason="vote_closed")
    if vote.is_secret and BallotBoard.objects.filter(vote=vote).exists():
        # Encrypted: the board decrypts the tally; the vote closes with its counts.
        return counting.start_count(meeting, vote, actor)
    counts, voters, published = _counts(vote)
    return deciding.decide(meeting, vote, counts, voters, published, actor)
