"""The count of an encrypted secret ballot: the chair closes the vote and the ballots'
product is published (`start_count`), the board members' partial decryptions combine into the
counts, decided by the charter as any vote's (`decrypt`); or the chair annuls a count the board
cannot finish (`annul`: the vote ends void and the question may be put again)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings import charter, events
from meetings.errors import RuleViolation
from meetings.models import BallotBoard, BallotReceipt, BoardPhase, EncryptedBallot, Meeting, Vote
from meetings.models.voting import VoteKind, VoteStatus
from meetings.room import roster_entries, roster_members
from meetings.secret_ballot import protocol, record
from meetings.services import deciding
from meetings.services.participants import lock_meeting, participant, require_chair
from meetings.services.secret_ballot.ceremony import (
    MALFORMED,
    board_for,
    changed,
    is_number,
    public_state,
    require_phase,
)
from meetings.snapshots import member_key, policy_for
from members.models import User

VOTE_COUNTING = events.VOTE_COUNTING
VOTE_VOIDED = events.VOTE_VOIDED


def start_count(meeting: Meeting, vote: Vote, actor: User) -> dict[str, Any]:
    """The chair closed an encrypted vote: no more ballots; the product of the ballots is
    published for the board to decrypt (under the meeting lock, from voting.closing.close_vote)."""
    board = BallotBoard.objects.select_for_update().get(vote=vote)
    if board.phase == BoardPhase.KEYING:
        # Closed before the board made the key (a board member dropped out): no ballot could
        # be cast; the vote ends void, not as a failed attempt, and may be put again.
        return _void(meeting, vote, board, actor)
    if board.phase == BoardPhase.COUNTING:
        # Closed again (a double click, or a page that had not yet heard of the count).
        raise RuleViolation(
            _("Biểu quyết đã kết thúc; ban kiểm phiếu đang kiểm phiếu."), reason="vote_closed"
        )
    require_phase(board, BoardPhase.VOTING)
    ballots = list(EncryptedBallot.objects.filter(vote=vote).values_list("ballot", flat=True))
    board.tally = protocol.encrypted_tally(board.manifest, ballots)
    board.phase = BoardPhase.COUNTING
    board.save(update_fields=["tally", "phase"])
    trackers = sorted(EncryptedBallot.objects.filter(vote=vote).values_list("tracker", flat=True))
    payload = {"vote": vote.pk, "board": public_state(board), "trackers": trackers}
    events.append_event(meeting=meeting, event=VOTE_COUNTING, payload=payload, actor=actor)
    return payload


@transaction.atomic
def decrypt(*, meeting_id: int, actor: User, vote_id: int, partial: Any) -> dict[str, Any]:
    """A board member's partial decryption of the tally. A wrong one is refused, naming the
    member. With the threshold reached the counts are combined, the record is built and the
    vote is decided by the charter engine as any other (`finish_vote`)."""
    meeting = lock_meeting(meeting_id)
    board, index = board_for(meeting, actor, vote_id)
    if board.phase == BoardPhase.COUNTED and str(index) in board.decryptions:
        return {"vote": vote_id, "duplicate": True}
    require_phase(board, BoardPhase.COUNTING)
    if not isinstance(partial, dict) or not is_number(partial.get("member"), index):
        raise RuleViolation(_("Phần giải mã không hợp lệ."), reason="bad_message")
    commitments = {int(i): c for i, c in board.commitments.items()}
    try:
        protocol.check_partial_decryption(board.manifest, commitments, board.tally, partial)
    except MALFORMED:
        name = board.members[index - 1]
        raise RuleViolation(
            _("Phần giải mã của thành viên ban kiểm phiếu số %(n)s không đúng.") % {"n": index},
            reason="bad_decryption",
            field=f"member.{name}",
        ) from None
    board.decryptions[str(index)] = partial
    if len(board.decryptions) < board.threshold:
        board.save(update_fields=["decryptions"])
        return changed(meeting, board, actor)
    vote = Vote.objects.select_for_update().get(pk=board.vote_id)
    ballots = list(EncryptedBallot.objects.filter(vote=vote).values_list("ballot", flat=True))
    published = record.build(
        board.manifest, commitments, ballots, [board.decryptions[i] for i in board.decryptions]
    )
    data = record.serialise(published)
    board.record = data.decode()
    board.fingerprint = record.fingerprint(data)
    board.phase = BoardPhase.COUNTED
    board.save(update_fields=["decryptions", "record", "fingerprint", "phase"])
    # Pages apply the board's state from its events (static/js/room.js): the counted one too.
    changed(meeting, board, actor)
    return finish_vote(
        meeting=meeting,
        vote=vote,
        counts=published["counts"],
        trackers=[b["tracker"] for b in published["ballots"]],
        fingerprint=board.fingerprint,
        actor=actor,
    )


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
    return deciding.decide(meeting, vote, charter_counts, voters, published, actor)


@transaction.atomic
def annul(*, meeting_id: int, actor: User, vote_id: int) -> dict[str, Any]:
    """ "Hủy kết quả, bỏ phiếu lại": the chair ends a vote the board cannot count (fewer than the
    threshold of board members remain to decrypt, or the key was never made). The vote ends
    `void`: no decision, the charter engine never sees it (it is no attempt: the next vote on
    the question has the attempt number this one had), and the chair may put the question
    again. Nothing is deleted: the receipts, the encrypted ballots, the published total and any
    partial decryptions stay, but a void vote is final and is never counted later.

    The domain reference says only that the board is "elected by show of hands" and that its
    record goes with the minutes; it is silent on a board that cannot finish. The rule applied
    is that of a count that cannot be completed: the ballot is held again (re-vote), and the
    minutes record the failed count and its reason (docs/secret-ballot.md)."""
    meeting = lock_meeting(meeting_id)
    require_chair(participant(meeting, actor))
    vote = Vote.objects.select_for_update().filter(meeting=meeting, pk=vote_id).first()
    board = BallotBoard.objects.select_for_update().filter(vote=vote).first() if vote else None
    if vote is None or board is None:
        raise RuleViolation(_("Không có biểu quyết bỏ phiếu kín mã hóa này."), reason="not_found")
    if vote.status != VoteStatus.OPEN:
        raise RuleViolation(_("Biểu quyết này đã kết thúc."), reason="vote_closed")
    if board.phase == BoardPhase.VOTING:
        raise RuleViolation(
            _("Biểu quyết đang nhận phiếu: hãy kết thúc biểu quyết trước."), reason="conflict"
        )
    return _void(meeting, vote, board, actor)


def _void(meeting: Meeting, vote: Vote, board: BallotBoard, actor: User) -> dict[str, Any]:
    """The vote ends void (under the meeting lock), saying who on the board had not done their
    part. Event `vote.voided`."""
    names = {m.pk: m.full_name for m in roster_members(meeting)}
    keying = board.phase == BoardPhase.KEYING
    done = board.sealed if keying else board.decryptions
    missing = [m for i, m in enumerate(board.members, start=1) if str(i) not in done]
    who = ", ".join(names.get(m, str(m)) for m in missing)
    if keying:
        explanation = _(
            "Ban kiểm phiếu chưa tạo xong khóa nên chưa ai bỏ phiếu được (chưa xong phần "
            "của mình: %(who)s). Biểu quyết không có kết quả và không tính là một lần biểu "
            "quyết; chủ trì cho bỏ phiếu lại."
        ) % {"who": who}
    else:
        explanation = _(
            "Không kiểm được phiếu: cần %(t)s trong %(n)s thành viên ban kiểm phiếu giải mã "
            "kết quả, chỉ có %(k)s (chưa giải mã: %(who)s). Biểu quyết không có kết quả và "
            "không tính là một lần biểu quyết; chủ trì cho bỏ phiếu lại."
        ) % {"t": board.threshold, "n": len(board.members), "k": len(done), "who": who}
    trackers = sorted(EncryptedBallot.objects.filter(vote=vote).values_list("tracker", flat=True))
    voters = frozenset(
        member_key(m)
        for m in BallotReceipt.objects.filter(vote=vote).values_list("member_id", flat=True)
    )
    # N, as for a counted vote (deciding.decide), so the room states the number cast against it.
    attendance = {m: charter.Attendance(s) for m, s in vote.roll.items()}
    base = charter.vote_base(
        roster_entries(meeting), attendance, policy_for(meeting.cell), voted=voters
    ).size
    result = {
        "cast": len(voters),
        "eligible": len(vote.eligible),
        "base": base,
        "trackers": trackers,
        "void": {
            "reason": "board_keying" if keying else "board_short",
            "board": board.members,
            "threshold": board.threshold,
            "missing": missing,
            "explanation": explanation,
        },
    }
    board.phase = BoardPhase.VOID
    board.save(update_fields=["phase"])
    vote.status = VoteStatus.VOID
    vote.closed_at = timezone.now()
    vote.result = result
    vote.save(update_fields=["status", "closed_at", "result"])
    payload = {"vote": vote.pk, "board": public_state(board), "result": result}
    events.append_event(meeting=meeting, event=VOTE_VOIDED, payload=payload, actor=actor)
    return payload
