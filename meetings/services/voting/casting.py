"""Ballots cast in the live room: one at a time, or a burst of one meeting's ballots in one
transaction (meetings.intake). Secret ballots are written in two unlinked halves; an encrypted
one's proofs are checked by `secret_ballot.proofs`."""

from __future__ import annotations

import random
import re
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings import events
from meetings.errors import RuleViolation
from meetings.models import (
    Ballot,
    BallotBoard,
    BallotReceipt,
    EncryptedBallot,
    Meeting,
    SecretBallot,
    Vote,
)
from meetings.models.voting import VoteStatus
from meetings.services.participants import Participant, lock_meeting, participants
from meetings.services.secret_ballot import proofs
from meetings.services.voting.options import valid_choice
from members.models import User

_shuffle = random.SystemRandom()
# Checked with fullmatch: "$" also matches before a final newline, and "CODE\n" was counted and
# published beside "CODE".
RECEIPT = re.compile(r"[A-Z2-7]{10}")


@dataclass(frozen=True)
class BallotRequest:
    """One `ballot.cast` message: who sends it and what it says."""

    actor: User
    vote_id: int
    ballot_id: str
    choice: Any = None
    receipt: str | None = None
    encrypted: Any = None  # an encrypted ballot with its proofs (services.secret_ballot.proofs)


def cast_ballot(
    *,
    meeting_id: int,
    actor: User,
    vote_id: int,
    ballot_id: str,
    choice: Any = None,
    receipt: str | None = None,
    encrypted: Any = None,
) -> dict[str, Any]:
    """An eligible member votes once. The same `ballot_id` sent again is acknowledged as a
    duplicate and counted once (a client resending across a reconnect).

    Secret ballots write a BallotReceipt (who) and a SecretBallot (what) with nothing in common;
    the event names no one (actor None) and carries only the number of ballots cast.
    """
    request = BallotRequest(actor, vote_id, ballot_id, choice, receipt, encrypted)
    outcome = cast_ballots(meeting_id=meeting_id, requests=[request])[0]
    if isinstance(outcome, RuleViolation):
        raise outcome
    return outcome


@dataclass
class _Tally:
    """One vote's ballots as a batch sees them: cast so far, and who voted with which id."""

    vote: Vote
    cast: int
    voted: dict[int, uuid.UUID]  # member id → client ballot id
    receipts: set[str]  # secret ballots: receipt codes taken (trackers when encrypted)
    board: BallotBoard | None = None  # an encrypted secret ballot's board


@transaction.atomic
def cast_ballots(
    *, meeting_id: int, requests: list[BallotRequest]
) -> list[dict[str, Any] | RuleViolation]:
    """`cast_ballot` for several ballots of one meeting in one transaction (a burst, gathered
    by meetings.intake): the lock, the votes, who already voted and the count are read
    once, each ballot is checked by the same rules in the order sent, and the ballots and their
    events (one `ballot.counted` per ballot, as one at a time) are written in bulk. Each
    request gets its own answer: the ack's result, or the violation that refused it.
    """
    # Encrypted ballots' proofs are checked before the lock (milliseconds each): a burst holds
    # the meeting only for the rules and the writes.
    checked = proofs.precheck(meeting_id, requests)
    meeting = lock_meeting(meeting_id)
    who = participants(meeting, [r.actor for r in requests])
    tallies = _tallies(meeting, {r.vote_id for r in requests})
    outcomes: list[dict[str, Any] | RuleViolation] = []
    ballots: list[Ballot] = []
    receipts: list[BallotReceipt] = []
    secret: list[SecretBallot] = []
    encrypted: list[EncryptedBallot] = []
    counted: list[tuple[str, dict[str, Any], User | None]] = []
    now = timezone.now()
    for request, found, prechecked in zip(requests, who, checked, strict=True):
        tally = tallies.get(request.vote_id)
        try:
            if isinstance(found, RuleViolation):
                raise found
            accepted = _accept(request, found, tally, prechecked)
        except RuleViolation as violation:
            outcomes.append(violation)
            continue
        if accepted is None:
            outcomes.append({"vote": request.vote_id, "duplicate": True})
            continue
        client_id, choice = accepted
        assert tally is not None  # noqa: S101 -- _accept refuses a ballot of no vote
        vote, member = tally.vote, found.member
        outcome: dict[str, Any] = {"vote": vote.pk, "duplicate": False, "cast": tally.cast}
        outcomes.append(outcome)
        if tally.board is not None:
            # Who voted, and a ballot nobody can read: the tracker is the voter's to check.
            outcome["tracker"] = choice
            receipts.append(
                BallotReceipt(vote=vote, member=member, client_ballot_id=client_id, cast_at=now)
            )
            encrypted.append(EncryptedBallot(vote=vote, ballot=request.encrypted, tracker=choice))
        elif vote.is_secret:
            receipts.append(
                BallotReceipt(vote=vote, member=member, client_ballot_id=client_id, cast_at=now)
            )
            assert request.receipt is not None  # noqa: S101 -- _accept checked a secret one's
            secret.append(SecretBallot(vote=vote, choice=choice, receipt=request.receipt))
        else:
            ballots.append(
                Ballot(
                    vote=vote, member=member, choice=choice, client_ballot_id=client_id, cast_at=now
                )
            )
        payload = {"vote": vote.pk, "cast": tally.cast, "eligible": len(vote.eligible)}
        counted.append((events.BALLOT_COUNTED, payload, None if vote.is_secret else request.actor))
    # The halves of secret ballots are written in an order of their own: nothing about where a
    # choice lies in the table follows the order of the receipts.
    _shuffle.shuffle(secret)
    Ballot.objects.bulk_create(ballots)
    BallotReceipt.objects.bulk_create(receipts)
    SecretBallot.objects.bulk_create(secret)
    _shuffle.shuffle(encrypted)
    EncryptedBallot.objects.bulk_create(encrypted)
    if counted:
        events.append_events(meeting=meeting, entries=counted)
    return outcomes


def _tallies(meeting: Meeting, vote_ids: set[int]) -> dict[int, _Tally]:
    """The votes asked for, each with its ballots so far (under the meeting lock)."""
    tallies = {}
    for vote in Vote.objects.filter(meeting=meeting, pk__in=vote_ids):
        voters = BallotReceipt if vote.is_secret else Ballot
        voted = dict(voters.objects.filter(vote=vote).values_list("member_id", "client_ballot_id"))
        board = BallotBoard.objects.filter(vote=vote).first() if vote.is_secret else None
        if board is not None:
            taken = set(EncryptedBallot.objects.filter(vote=vote).values_list("tracker", flat=True))
        elif vote.is_secret:
            taken = set(SecretBallot.objects.filter(vote=vote).values_list("receipt", flat=True))
        else:
            taken = set()
        tallies[vote.pk] = _Tally(vote, len(voted), voted, taken, board)
    return tallies


def _accept(
    request: BallotRequest,
    who: Participant,
    tally: _Tally | None,
    prechecked: str | RuleViolation | None = None,
) -> tuple[uuid.UUID, Any] | None:
    """Checks one ballot against the vote as the batch has it so far and counts it there:
    (client ballot id, the choice as stored), or None for a ballot already counted (resent)."""
    if tally is None:
        raise RuleViolation(_("Không có biểu quyết này."), reason="not_found")
    vote = tally.vote
    try:
        client_id = uuid.UUID(str(request.ballot_id))
    except ValueError:
        raise RuleViolation(_("Mã phiếu không hợp lệ."), reason="bad_message") from None
    voted = tally.voted.get(who.member.pk) if who.member else None
    if voted is not None and voted == client_id:
        return None
    if vote.status != VoteStatus.OPEN:
        raise RuleViolation(
            _("Biểu quyết đã kết thúc: phiếu của đồng chí không được ghi nhận."),
            reason="vote_closed",
        )
    if who.member is None or who.member.pk not in vote.eligible:
        raise RuleViolation(
            _("Đồng chí không có quyền biểu quyết ở lần này."), reason="not_eligible"
        )
    if voted is not None:
        raise RuleViolation(_("Đồng chí đã biểu quyết rồi."), reason="already_voted")
    if tally.board is not None:
        # Encrypted: the "choice" kept is the ballot's tracker; its proofs are checked here.
        choice = proofs.check_ballot(tally.board, request.encrypted, prechecked)
        if choice in tally.receipts:
            raise RuleViolation(_("Phiếu này đã được gửi."), reason="conflict")
        tally.receipts.add(choice)
    elif request.encrypted is not None:
        raise RuleViolation(_("Biểu quyết này không nhận phiếu mã hóa."), reason="bad_message")
    else:
        choice = valid_choice(vote, request.choice)
    if vote.is_secret and tally.board is None:
        receipt = request.receipt
        if not isinstance(receipt, str) or not RECEIPT.fullmatch(receipt):
            raise RuleViolation(_("Mã biên nhận phiếu kín không hợp lệ."), reason="bad_message")
        if receipt in tally.receipts:
            raise RuleViolation(_("Mã biên nhận bị trùng, hãy gửi lại."), reason="conflict")
        tally.receipts.add(receipt)
    tally.voted[who.member.pk] = client_id
    tally.cast += 1
    return client_id, choice
