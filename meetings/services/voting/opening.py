"""The chair puts a question to the meeting: the vote opens on the current agenda item, or the
charter blocks it and the attempt is recorded closed."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from meetings import charter, events, snapshots
from meetings.errors import RuleViolation
from meetings.models import AgendaItem, Meeting, Vote
from meetings.models.voting import VoteKind, VoteMethod, VoteStatus
from meetings.room import live_attendance, online_verdict, roster_entries
from meetings.services.deciding import charter_vote, decision_dict
from meetings.services.participants import (
    current_item,
    lock_meeting,
    participant,
    require_chair,
    require_in_progress,
)
from meetings.services.secret_ballot import ceremony
from meetings.services.voting import options as vote_options
from meetings.snapshots import member_key, policy_for
from members.models import Member, User

QUESTION_MAX_LENGTH = 500
# The round a question names: " — vòng 2" (and " — round 2", as an English page once named it).
ROUND_SUFFIX = re.compile(r" — (?:vòng|round) \d+$")
DEFAULT_METHOD: dict[str, str] = {
    VoteKind.DISCIPLINE: VoteMethod.SECRET_BALLOT,
    VoteKind.ELECTION: VoteMethod.SECRET_BALLOT,
}


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

    An `encrypted` secret ballot gets a vote-counting board (services.secret_ballot.ceremony):
    ballots are cast once the board's key is made, encrypted in the voters' pages.

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
    question, method = _checked_question(meeting, item, kind, question, method)
    roster = roster_entries(meeting)
    attendance = live_attendance(meeting)
    policy = policy_for(meeting.cell)
    base = charter.vote_base(roster, attendance, policy)
    roll = {m.pk: m for m in Member.objects.filter(pk__in=[int(e.member_id) for e in roster])}
    attempt = _next_attempt(meeting, item, kind, question)
    eligible = sorted(int(m) for m in base.present)
    cleaned, attempt = vote_options.clean(meeting, kind, options or {}, roll, attempt, eligible)
    if "follows" in cleaned:
        question = _round_question(cleaned["follows"], attempt)
    now = timezone.now()
    vote = Vote.objects.create(
        meeting=meeting,
        item=item,
        kind=kind,
        method=method,
        question=question,
        attempt=attempt,
        options=cleaned,
        eligible=eligible,
        roll={member: str(status) for member, status in attendance.items()},
        opened_at=now,
    )
    if kind != VoteKind.MINUTES_APPROVAL:
        gate = charter.decide_on(
            charter_vote(vote, {}, frozenset()),
            base=base,
            quorum=charter.quorum(policy.quorum, base.size, base.voters_present),
            roster=roster,
        )
        if gate.status == charter.DecisionStatus.BLOCKED:
            names = {member_key(pk): member.full_name for pk, member in roll.items()}
            return _blocked(meeting, vote, decision_dict(gate, names), actor)
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
        board = ceremony.create_board(meeting, vote)
        payload["board"] = ceremony.public_state(board)
    events.append_event(meeting=meeting, event=events.VOTE_OPENED, payload=payload, actor=actor)
    return payload


def _round_question(follows: int, attempt: int) -> str:
    """The question of an election's next round (a runoff, or another round for seats still
    empty): the first round's question and the round's number, "Bầu chi ủy — vòng 2". Named here
    in the product's language, not by the chair's page: it is the minutes' record."""
    previous = ROUND_SUFFIX.sub("", Vote.objects.values_list("question", flat=True).get(pk=follows))
    with translation.override(settings.LANGUAGE_CODE):
        suffix = _(" — vòng %(n)s") % {"n": attempt}
    return previous[: QUESTION_MAX_LENGTH - len(suffix)] + suffix


def _next_attempt(meeting: Meeting, item: AgendaItem, kind: str, question: str) -> int:
    """The attempt number of a vote of `kind` on `item` now. A void vote (a board that could
    not count, secret_ballot.counting.annul) is no attempt. A recognition is counted per member
    (R-A3: each considered separately; a 3rd failed vote goes to the committee above), and the
    room names the member in the question and puts the same question again to vote again: so
    only the earlier votes with this question count, not another member's on the same item."""
    earlier = Vote.objects.filter(meeting__cell=meeting.cell, item=item, kind=kind).exclude(
        status=VoteStatus.VOID
    )
    if kind == VoteKind.RECOGNITION:
        earlier = earlier.filter(question=question)
    return 1 + earlier.count()


def _checked_question(
    meeting: Meeting, item: AgendaItem, kind: str, question: str, method: str | None
) -> tuple[str, str]:
    """(question, method) as the vote keeps them, or the refusal: a kind that may be voted on
    here, a question of 1 to 500 characters, a known method, no other vote still open."""
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
    if kind == VoteKind.BOARD and method != VoteMethod.SHOW_OF_HANDS:
        raise RuleViolation(
            _("Ban kiểm phiếu được bầu bằng biểu quyết giơ tay."),
            reason="bad_message",
            field="method",
        )
    if Vote.objects.filter(meeting=meeting, status=VoteStatus.OPEN).exists():
        raise RuleViolation(_("Đang có một biểu quyết chưa kết thúc."), reason="vote_open")
    return question, method


def _blocked(meeting: Meeting, vote: Vote, decision: dict[str, Any], actor: User) -> dict[str, Any]:
    """The charter blocked the vote as it opened: the attempt is recorded closed with the
    charter's explanation (event `vote.closed`, `blocked`)."""
    vote.status = VoteStatus.CLOSED
    vote.closed_at = vote.opened_at
    vote.result = {"decision": decision, "cast": 0}
    vote.save(update_fields=["status", "closed_at", "result"])
    payload = {"vote": vote.pk, "blocked": True, "result": vote.result}
    events.append_event(meeting=meeting, event=events.VOTE_CLOSED, payload=payload, actor=actor)
    return payload
