"""Votes in the live room: the chair opens and closes, eligible members cast ballots.

The charter engine decides who may vote (the members of N who are present when the vote opens),
which method a kind of decision needs, and the outcome. Secret ballots are stored in two
unlinked halves (BallotReceipt: who voted; SecretBallot: what was chosen), see docs/protocol.md.
"""

from __future__ import annotations

import random
import re
import uuid
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings import charter, events, snapshots
from meetings.charter.thresholds import PROBATIONARY_FORMS, SEVERITY_ORDER
from meetings.errors import RuleViolation
from meetings.models import (
    AgendaItem,
    Ballot,
    BallotBoard,
    BallotReceipt,
    EncryptedBallot,
    Meeting,
    SecretBallot,
    Vote,
)
from meetings.models.voting import VoteKind, VoteMethod, VoteStatus
from meetings.room import live_attendance, online_verdict, roster_entries, roster_members
from meetings.services import secret_ballot
from meetings.services.participants import (
    Participant,
    current_item,
    lock_meeting,
    participant,
    participants,
    require_chair,
    require_in_progress,
)
from meetings.snapshots import member_key, policy_for
from members import queries as member_queries
from members.enums import CellRoleKind
from members.models import Member, User

_shuffle = random.SystemRandom()
# Checked with fullmatch: "$" also matches before a final newline, and "CODE\n" was counted and
# published beside "CODE".
RECEIPT = re.compile(r"[A-Z2-7]{10}")
YES_NO = ("yes", "no", "abstain")
QUESTION_MAX_LENGTH = 500
DEFAULT_METHOD: dict[str, str] = {
    VoteKind.DISCIPLINE: VoteMethod.SECRET_BALLOT,
    VoteKind.ELECTION: VoteMethod.SECRET_BALLOT,
}


def _charter_vote(vote: Vote, counts: dict[str, Any], voters: frozenset[str]) -> charter.Vote:
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


def _decision_dict(decision: charter.Decision, names: dict[str, str]) -> dict[str, Any]:
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


def allowed_forms(standing: str, holds_post: bool) -> list[str]:
    """The forms a discipline ballot offers by default, most severe first: a probationary
    member only khiển trách or cảnh cáo (R-D1), cách chức only for someone holding a post."""
    forms = [f for f in SEVERITY_ORDER if f != charter.DisciplineForm.CACH_CHUC or holds_post]
    if standing == charter.Standing.PROBATIONARY:
        forms = [f for f in forms if f in PROBATIONARY_FORMS]
    return [f.value for f in forms]


def _clean_discipline(
    meeting: Meeting, options: dict[str, Any], roll: dict[int, Member]
) -> dict[str, Any]:
    subject_id = _int(options.get("subject"))
    subject = roll.get(subject_id) if subject_id is not None else None
    if subject is None:
        raise RuleViolation(_("Hãy chọn đảng viên được xem xét kỷ luật."), reason="bad_message")
    holds_post = options.get("subject_holds_post")
    if not isinstance(holds_post, bool):
        holds_post = (
            member_queries.current_roles(meeting.cell, meeting.local_day)
            .filter(member=subject)
            .exists()
        )
    forms = options.get("forms") or allowed_forms(subject.standing, holds_post)
    if not isinstance(forms, list) or not set(forms) <= set(charter.DisciplineForm) - {"none"}:
        raise RuleViolation(_("Hình thức kỷ luật không hợp lệ."), reason="bad_message")
    return {
        "subject": subject.pk,
        "subject_standing": subject.standing,
        "forms": forms,
        "subject_holds_post": holds_post,
    }


def _clean_election(
    meeting: Meeting, options: dict[str, Any], roll: dict[int, Member]
) -> tuple[dict[str, Any], int]:
    """(options, attempt). A new election is round 1; `follows` names the round before (closed,
    for the same post, not all seats filled): the runoff among those tied on the last seat
    (R-E7), or another round for the seats still empty; its round number counts on, so the
    charter sees a single seat failing its 3rd round (R-E3)."""
    attempt, seats, candidates = 1, _int(options.get("seats")), options.get("candidates")
    follows = options.get("follows")
    previous = None
    if follows is not None and (follows_id := _int(follows)) is not None:
        previous = Vote.objects.filter(
            meeting=meeting, pk=follows_id, kind=VoteKind.ELECTION, status=VoteStatus.CLOSED
        ).first()
    default_post = previous.options.get("post") if previous else CellRoleKind.COMMITTEE_MEMBER
    post = options.get("post", default_post)
    if post not in CellRoleKind.values:
        raise RuleViolation(_("Chức danh bầu không hợp lệ."), reason="bad_message", field="post")
    if follows is not None:
        decision = (previous.result.get("decision") or {}) if previous else {}
        if previous is None or previous.options.get("post", post) != post:
            raise RuleViolation(
                _("Không có vòng bầu trước này."), reason="not_found", field="follows"
            )
        if decision.get("status") in ("passed", "escalated", "blocked"):
            raise RuleViolation(
                _("Vòng bầu này đã có kết quả cuối cùng; không bầu tiếp."),
                reason="conflict",
                field="follows",
            )
        elected = decision.get("elected", [])
        runoff = decision.get("runoff", [])
        remaining = [c for c in previous.options["candidates"] if c not in elected]
        candidates = candidates or runoff or remaining
        seats = seats or previous.options["seats"] - len(elected)
        if runoff and not {_int(c) for c in candidates} <= set(runoff):
            raise RuleViolation(
                _("Bầu lại chỉ giữa những người bằng phiếu nhau ở chỗ cuối cùng."),
                reason="bad_message",
                field="candidates",
            )
        attempt = previous.attempt + 1
    if not isinstance(candidates, list) or not candidates or seats is None or seats < 1:
        raise RuleViolation(
            _("Hãy ghi danh sách ứng cử viên và số lượng cần bầu."), reason="bad_message"
        )
    ids = [_int(c) for c in candidates]
    if None in ids or len(set(ids)) != len(ids) or not set(ids) <= set(roll):
        raise RuleViolation(_("Ứng cử viên phải là đảng viên của chi bộ."), reason="bad_message")
    cleaned = {"candidates": ids, "seats": seats, "post": post}
    return cleaned | ({"follows": previous.pk} if previous is not None else {}), attempt


def _clean_resolution(options: dict[str, Any]) -> dict[str, Any]:
    """`conclusion`: the chair puts the conclusion (kết luận) to the vote (R-V3); the minutes
    and the resolution take this vote as its adoption, whatever item it is held on."""
    conclusion = options.get("conclusion", False)
    if not isinstance(conclusion, bool):
        raise RuleViolation(
            _("Hãy cho biết đây có phải biểu quyết thông qua kết luận không."),
            reason="bad_message",
            field="conclusion",
        )
    return {"conclusion": True} if conclusion else {}


def _int(value: Any) -> int | None:
    """A member or vote id given as a number or a string of ASCII digits; None otherwise.
    ("²".isdigit() is true, and int("²") raises: a whole batch of ballots failed on one.)"""
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if type(value) is not int or not 0 < value < 2**63:
        return None
    return value


def _check_online(meeting: Meeting, item: AgendaItem, kind: str) -> None:
    """What may not be on an online or hybrid agenda may not be voted on there either (R-O4)."""
    verdict = online_verdict(meeting, item, kind, snapshots.online_policy_for(meeting.cell))
    if not verdict.allowed:
        raise RuleViolation(verdict.explanation, reason=verdict.reason)


@transaction.atomic
def open_vote(
    *,
    meeting_id: int,
    actor: User,
    kind: str,
    question: str,
    method: str | None = None,
    options: dict[str, Any] | None = None,
    encrypted: bool | None = None,
) -> dict[str, Any]:
    """The chair puts a question to the meeting on the current agenda item.

    An `encrypted` secret ballot gets a vote-counting board (services.secret_ballot): ballots
    are cast once the board's key is made, encrypted in the voters' pages.

    The charter fixes who may vote (the members of N present now) and refuses a method the kind
    does not allow. When the charter blocks the vote (no quorum, N = 0, a form a probationary
    member may not be given, an ineligible candidate) the attempt is recorded closed as
    `blocked` with the charter's explanation, so the minutes and the dashboards see it.
    Event `vote.opened` (or `vote.closed` when blocked).
    """
    meeting = lock_meeting(meeting_id)
    require_chair(participant(meeting, actor))
    require_in_progress(meeting)
    item = current_item(meeting)
    if item is None:
        raise RuleViolation(
            _("Hãy mở một nội dung trong chương trình trước."), reason="no_current_item"
        )
    if kind not in VoteKind.values:
        raise RuleViolation(_("Loại biểu quyết không hợp lệ."), reason="bad_message")
    _check_online(meeting, item, kind)
    question = question.strip()
    if not question or len(question) > QUESTION_MAX_LENGTH:
        raise RuleViolation(
            _("Hãy ghi nội dung biểu quyết (tối đa 500 ký tự)."), reason="bad_message"
        )
    method = method or DEFAULT_METHOD.get(kind, VoteMethod.SHOW_OF_HANDS)
    if method not in VoteMethod.values:
        raise RuleViolation(_("Hình thức biểu quyết không hợp lệ."), reason="bad_message")
    if Vote.objects.filter(meeting=meeting, status=VoteStatus.OPEN).exists():
        raise RuleViolation(_("Đang có một biểu quyết chưa kết thúc."), reason="vote_open")

    roster = roster_entries(meeting)
    attendance = live_attendance(meeting)
    policy = policy_for(meeting.cell)
    base = charter.vote_base(roster, attendance, policy)
    roll = {m.pk: m for m in Member.objects.filter(pk__in=[int(e.member_id) for e in roster])}
    options = options or {}
    # A void vote (a board that could not count) is no attempt (secret_ballot.annul).
    attempt = 1 + (
        Vote.objects.filter(meeting__cell=meeting.cell, item=item, kind=kind)
        .exclude(status=VoteStatus.VOID)
        .count()
    )
    cleaned: dict[str, Any] = {}
    if kind == VoteKind.DISCIPLINE:
        cleaned = _clean_discipline(meeting, options, roll)
    elif kind == VoteKind.ELECTION:
        cleaned, attempt = _clean_election(meeting, options, roll)
    elif kind == VoteKind.RESOLUTION:
        cleaned = _clean_resolution(options)
    now = timezone.now()
    vote = Vote.objects.create(
        meeting=meeting,
        item=item,
        kind=kind,
        method=method,
        question=question,
        attempt=attempt,
        options=cleaned,
        eligible=sorted(int(m) for m in base.present),
        roll={member: str(status) for member, status in attendance.items()},
        opened_at=now,
    )
    if kind != VoteKind.MINUTES_APPROVAL:
        gate = charter.decide_on(
            _charter_vote(vote, {}, frozenset()),
            base=base,
            quorum=charter.quorum(policy.quorum, base.size, base.voters_present),
            roster=roster,
        )
        if gate.status == charter.DecisionStatus.BLOCKED:
            vote.status = VoteStatus.CLOSED
            vote.closed_at = now
            names = {member_key(pk): member.full_name for pk, member in roll.items()}
            vote.result = {"decision": _decision_dict(gate, names), "cast": 0}
            vote.save(update_fields=["status", "closed_at", "result"])
            payload = {"vote": vote.pk, "blocked": True, "result": vote.result}
            events.append_event(
                meeting=meeting, event=events.VOTE_CLOSED, payload=payload, actor=actor
            )
            return payload
    payload = {
        "vote": vote.pk,
        "item": item.pk,
        "kind": kind,
        "method": method,
        "question": question,
        "attempt": attempt,
        "options": cleaned,
        "eligible": vote.eligible,
        "vote_base": base.size,
    }
    # The deployment's setting encrypts every secret ballot; a chair may ask for encryption
    # where it is off, never opt out where it is on (issue 18: a plain secret ballot can be
    # linked to its voter through the database).
    encrypted = settings.SECRET_BALLOT_ENCRYPTED or bool(encrypted)
    if encrypted and method == VoteMethod.SECRET_BALLOT:
        board = secret_ballot.create_board(meeting, vote)
        payload["board"] = secret_ballot.public_state(board)
    events.append_event(meeting=meeting, event=events.VOTE_OPENED, payload=payload, actor=actor)
    return payload


def _valid_choice(vote: Vote, choice: Any) -> Any:
    if vote.kind == VoteKind.DISCIPLINE:
        if choice in [*vote.options["forms"], "none"]:
            return choice
    elif vote.kind == VoteKind.ELECTION:
        ids = [_int(c) for c in choice] if isinstance(choice, list) else [None]
        distinct = None not in ids and len(set(ids)) == len(ids)
        if (
            distinct
            and len(ids) <= vote.options["seats"]
            and set(ids) <= set(vote.options["candidates"])
        ):
            return sorted(ids)
    elif choice in YES_NO:
        return choice
    raise RuleViolation(_("Lựa chọn không hợp lệ với phiếu biểu quyết này."), reason="bad_choice")


@dataclass(frozen=True)
class BallotRequest:
    """One `ballot.cast` message: who sends it and what it says."""

    actor: User
    vote_id: int
    ballot_id: str
    choice: Any = None
    receipt: str | None = None
    encrypted: Any = None  # an encrypted ballot with its proofs (services.secret_ballot)
    # Its proofs' outcome when checked as it arrived (meetings.intake): the tracker or the
    # refusal; None: checked here.
    proofs: str | RuleViolation | None = None


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
    checked = secret_ballot.precheck(meeting_id, requests)
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
    for request, found, proofs in zip(requests, who, checked, strict=True):
        tally = tallies.get(request.vote_id)
        try:
            if isinstance(found, RuleViolation):
                raise found
            accepted = _accept(request, found, tally, proofs)
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
    proofs: str | RuleViolation | None = None,
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
        choice = secret_ballot.check_ballot(tally.board, request.encrypted, proofs)
        if choice in tally.receipts:
            raise RuleViolation(_("Phiếu này đã được gửi."), reason="conflict")
        tally.receipts.add(choice)
    elif request.encrypted is not None:
        raise RuleViolation(_("Biểu quyết này không nhận phiếu mã hóa."), reason="bad_message")
    else:
        choice = _valid_choice(vote, request.choice)
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
        return secret_ballot.start_count(meeting, vote, actor)
    counts, voters, published = _counts(vote)
    return _decide(meeting, vote, counts, voters, published, actor)


def finish_vote(
    *,
    meeting: Meeting,
    vote: Vote,
    counts: dict[str, int],
    trackers: list[str],
    fingerprint: str,
    actor: User,
) -> dict[str, Any]:
    """An encrypted secret ballot's counts, decrypted by its board, decided like any vote's
    (under the meeting lock). The result lists the counted trackers and the record's
    fingerprint instead of receipt codes."""
    voters = frozenset(
        member_key(m)
        for m in BallotReceipt.objects.filter(vote=vote).values_list("member_id", flat=True)
    )
    tally = {option: n for option, n in counts.items() if n}
    published = {"trackers": trackers, "tally": tally, "fingerprint": fingerprint}
    if vote.kind == VoteKind.DISCIPLINE:
        charter_counts: dict[str, Any] = {"forms": {f: n for f, n in tally.items() if f != "none"}}
    elif vote.kind == VoteKind.ELECTION:
        charter_counts = {"candidates": tally}
    else:
        charter_counts = tally
    return _decide(meeting, vote, charter_counts, voters, published, actor)


def _decide(
    meeting: Meeting,
    vote: Vote,
    counts: dict[str, Any],
    voters: frozenset[str],
    published: dict[str, Any],
    actor: User,
) -> dict[str, Any]:
    """The charter engine decides the vote from its counts; the vote closes (`vote.closed`)."""
    result: dict[str, Any] = {"cast": len(voters), "eligible": len(vote.eligible), **published}
    if vote.kind != VoteKind.MINUTES_APPROVAL:
        attendance = {m: charter.Attendance(s) for m, s in vote.roll.items()}
        charter_vote = _charter_vote(vote, counts, voters)
        roster, policy = roster_entries(meeting), policy_for(meeting.cell)
        decision = charter.decide(charter_vote, roster=roster, attendance=attendance, policy=policy)
        result["decision"] = _decision_dict(decision, _member_names(meeting))
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
