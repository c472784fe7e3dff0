"""Encrypted secret ballots in the live room: the board's key ceremony, the ballots' proofs,
the count by partial decryptions (docs/secret-ballot.md; the protocol itself is
meetings/secret_ballot, plain Python).

A vote opened with `encrypted` gets a vote-counting board (ban kiểm phiếu): the chair and two
members present, any two of the three able to count. Its phases: `keying` (each board member's
page publishes its commitments, then its sealed shares; the vote's key follows), `voting`
(ballots arrive encrypted with their proofs), `counting` (the chair closed the vote; the
ballots' product is published and the board members' pages send partial decryptions) and
`counted` (the counts decided by the charter as for any vote, the record and its fingerprint
published).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from meetings import events
from meetings.errors import RuleViolation
from meetings.models import BallotBoard, BoardPhase, EncryptedBallot, Meeting, Vote
from meetings.models.voting import VoteKind
from meetings.secret_ballot import protocol, record
from meetings.secret_ballot.group import GroupError, decode_element, decode_scalar
from meetings.secret_ballot.protocol import ProtocolError
from meetings.services.participants import lock_meeting, participant
from members.models import User

BOARD_SIZE = 3
THRESHOLD = 2
YES_NO = ["yes", "no", "abstain"]
BOARD_CHANGED = events.BOARD_CHANGED
VOTE_COUNTING = events.VOTE_COUNTING
# Anything a page could send that the protocol refuses (a malformed part raises one of these).
MALFORMED = (ProtocolError, GroupError, KeyError, TypeError, ValueError, AttributeError)


def option_labels(vote: Vote) -> tuple[list[str], int, int]:
    """What a ballot of this vote chooses among: (options, fewest, most chosen)."""
    if vote.kind == VoteKind.DISCIPLINE:
        return [*vote.options["forms"], "none"], 1, 1
    if vote.kind == VoteKind.ELECTION:
        return [str(c) for c in vote.options["candidates"]], 0, vote.options["seats"]
    return list(YES_NO), 1, 1


def create_board(meeting: Meeting, vote: Vote) -> BallotBoard:
    """The board of a vote just opened: the chair, then the first members present (by id)."""
    present = [m for m in vote.eligible if m != meeting.chair_id]
    first = [meeting.chair_id] if meeting.chair_id in vote.eligible else []
    members = (first + present)[:BOARD_SIZE]
    if not members:
        raise RuleViolation(
            _("Không có ai có mặt để làm ban kiểm phiếu."), reason="board_unavailable"
        )
    threshold = min(THRESHOLD, len(members))
    options, fewest, most = option_labels(vote)
    m = protocol.manifest(
        vote=vote.pk,
        meeting=meeting.pk,
        question=vote.question,
        options=options,
        minimum=fewest,
        maximum=most,
        board=members,
        threshold=threshold,
    )
    return BallotBoard.objects.create(vote=vote, manifest=m, members=members, threshold=threshold)


def public_state(board: BallotBoard) -> dict[str, Any]:
    return board.public()


def _board_for(meeting: Meeting, actor: User, vote_id: int) -> tuple[BallotBoard, int]:
    """The vote's board, locked, and the actor's board number; refuses anyone else."""
    who = participant(meeting, actor)
    board = (
        BallotBoard.objects.select_for_update()
        .select_related("vote")
        .filter(vote__meeting=meeting, vote_id=vote_id)
        .first()
    )
    if board is None:
        raise RuleViolation(_("Không có biểu quyết này."), reason="not_found")
    index = board.index_of(who.member.pk if who.member else None)
    if index is None:
        raise RuleViolation(
            _("Chỉ thành viên ban kiểm phiếu làm được việc này."), reason="forbidden"
        )
    return board, index


def _is_number(value: Any, index: int) -> bool:
    """A board member's number as sent: the JSON integer itself (`true` is not 1)."""
    return type(value) is int and value == index


def _require_phase(board: BallotBoard, phase: str) -> None:
    if board.phase != phase:
        raise RuleViolation(_("Ban kiểm phiếu đã sang bước khác: hãy tải lại."), reason="conflict")


def _changed(meeting: Meeting, board: BallotBoard, actor: User | None) -> dict[str, Any]:
    payload = {"vote": board.vote_id, "board": public_state(board)}
    events.append_event(meeting=meeting, event=BOARD_CHANGED, payload=payload, actor=actor)
    return payload


@transaction.atomic
def commit(*, meeting_id: int, actor: User, vote_id: int, commitment: Any) -> dict[str, Any]:
    """Round 1: a board member's commitments and transport key, with their proofs. Sent again
    after a reconnect, the same message is accepted once; a different one is refused."""
    meeting = lock_meeting(meeting_id)
    board, index = _board_for(meeting, actor, vote_id)
    _require_phase(board, BoardPhase.KEYING)
    if not isinstance(commitment, dict) or not _is_number(commitment.get("member"), index):
        raise RuleViolation(_("Khóa của ban kiểm phiếu không hợp lệ."), reason="bad_message")
    known = board.commitments.get(str(index))
    if known is not None:
        if known == commitment:
            return {"vote": vote_id, "duplicate": True}
        raise RuleViolation(_("Đồng chí đã gửi phần khóa của mình."), reason="conflict")
    try:
        protocol.check_commitment(board.manifest, commitment)
    except MALFORMED:
        raise RuleViolation(
            _("Phần khóa gửi lên không kiểm chứng được."), reason="bad_proof"
        ) from None
    board.commitments[str(index)] = commitment
    board.save(update_fields=["commitments"])
    return _changed(meeting, board, actor)


@transaction.atomic
def deal(*, meeting_id: int, actor: User, vote_id: int, shares: Any) -> dict[str, Any]:
    """Round 2: a board member's shares for each other member, each sealed to its recipient's
    transport key (the server cannot open them). When every member has dealt, the vote's key
    is the sum of the members' first commitments and ballots may be cast."""
    meeting = lock_meeting(meeting_id)
    board, index = _board_for(meeting, actor, vote_id)
    _require_phase(board, BoardPhase.KEYING)
    if len(board.commitments) < len(board.members):
        raise RuleViolation(
            _("Chưa đủ thành viên ban kiểm phiếu gửi phần khóa."), reason="conflict"
        )
    others = {str(j) for j in range(1, len(board.members) + 1) if j != index}
    message = {"member": index, "shares": shares}
    try:
        if not isinstance(shares, dict) or set(shares) != others:
            raise ValueError("one share for each other member")
        for sealed in shares.values():
            if set(sealed) != {"ephemeral", "share"}:
                raise ValueError("fields")
            decode_element(sealed["ephemeral"])
            decode_scalar(sealed["share"])
    except MALFORMED:
        raise RuleViolation(_("Phần chia khóa không hợp lệ."), reason="bad_message") from None
    known = board.sealed.get(str(index))
    if known is not None:
        if known == message:
            return {"vote": vote_id, "duplicate": True}
        raise RuleViolation(_("Đồng chí đã gửi phần chia khóa."), reason="conflict")
    board.sealed[str(index)] = message
    if len(board.sealed) == len(board.members):
        commitments = {int(i): c for i, c in board.commitments.items()}
        board.key = protocol.joint_key(commitments).hex()
        board.phase = BoardPhase.VOTING
    board.save(update_fields=["sealed", "key", "phase"])
    return _changed(meeting, board, actor)


def precheck(meeting_id: int, requests: list[Any]) -> list[str | RuleViolation | None]:
    """The proofs of the encrypted ballots among `requests`, checked before the meeting lock
    (the key does not change once the vote takes ballots): per request its tracker, the
    refusal, or None (nothing to check yet: checked under the lock). A request whose proofs
    were checked already as it arrived (`proofs`, meetings.intake) keeps that outcome."""
    ids = {r.vote_id for r in requests if r.encrypted is not None and r.proofs is None}
    boards = {
        b.vote_id: b
        for b in BallotBoard.objects.filter(vote__meeting_id=meeting_id, vote_id__in=ids)
    }
    out: list[str | RuleViolation | None] = []
    for request in requests:
        board = boards.get(request.vote_id)
        if request.encrypted is not None and request.proofs is not None:
            out.append(request.proofs)
        elif request.encrypted is None or board is None or board.phase != BoardPhase.VOTING:
            out.append(None)
        else:
            out.append(check_proofs(board.manifest, bytes.fromhex(board.key), request.encrypted))
    return out


def ballot_key(meeting_id: int, vote_id: int) -> tuple[dict[str, Any], bytes] | None:
    """What an encrypted ballot of the vote is checked against, once it takes ballots: the
    manifest and the key (neither changes after); None before, or for a vote of no board."""
    board = (
        BallotBoard.objects.filter(vote__meeting_id=meeting_id, vote_id=vote_id)
        .only("phase", "manifest", "key")
        .first()
    )
    if board is None or board.phase != BoardPhase.VOTING:
        return None
    return board.manifest, bytes.fromhex(board.key)


def check_proofs(manifest: dict[str, Any], key: bytes, encrypted: Any) -> str | RuleViolation:
    """An encrypted ballot's proofs against the vote's manifest and key: its tracker, or the
    refusal (`bad_proof`). Plain computation, no database: meetings.intake runs it in threads
    of their own as each ballot arrives."""
    try:
        return protocol.check_ballot(manifest, key, encrypted)
    except MALFORMED:
        return RuleViolation(
            _("Phiếu mã hóa không hợp lệ: bằng chứng kèm phiếu không đúng."), reason="bad_proof"
        )


def check_ballot(
    board: BallotBoard, encrypted: Any, checked: str | RuleViolation | None = None
) -> str:
    """An encrypted ballot's proofs against the vote's manifest and key: its tracker, or a
    refusal that says the ballot is not well formed (a choice other than 0 or 1, too many
    choices, a ballot made for another vote). `checked`: the outcome of `precheck`, used when
    the vote still takes ballots."""
    if board.phase in (BoardPhase.COUNTING, BoardPhase.COUNTED):
        raise RuleViolation(
            _("Biểu quyết đã kết thúc: phiếu của đồng chí không được ghi nhận."),
            reason="vote_closed",
        )
    if board.phase != BoardPhase.VOTING:
        raise RuleViolation(
            _("Ban kiểm phiếu chưa tạo xong khóa: chưa bỏ phiếu được."), reason="not_ready"
        )
    if checked is None:
        checked = check_proofs(board.manifest, bytes.fromhex(board.key), encrypted)
    if isinstance(checked, RuleViolation):
        raise checked
    return checked


def start_count(meeting: Meeting, vote: Vote, actor: User) -> dict[str, Any]:
    """The chair closed an encrypted vote: no more ballots; the product of the ballots is
    published for the board to decrypt (under the meeting lock, from voting.close_vote)."""
    board = BallotBoard.objects.select_for_update().get(vote=vote)
    if board.phase == BoardPhase.KEYING:
        # Closed before the board made the key (a board member dropped out): no ballot could
        # be cast; the vote closes with none, and the chair may open it again.
        from meetings.services import voting

        board.phase = BoardPhase.COUNTED
        board.save(update_fields=["phase"])
        return voting.finish_vote(
            meeting=meeting, vote=vote, counts={}, trackers=[], fingerprint="", actor=actor
        )
    _require_phase(board, BoardPhase.VOTING)
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
    vote is decided by the charter engine as any other (voting.finish_vote)."""
    from meetings.services import voting

    meeting = lock_meeting(meeting_id)
    board, index = _board_for(meeting, actor, vote_id)
    if board.phase == BoardPhase.COUNTED and str(index) in board.decryptions:
        return {"vote": vote_id, "duplicate": True}
    _require_phase(board, BoardPhase.COUNTING)
    if not isinstance(partial, dict) or not _is_number(partial.get("member"), index):
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
        return _changed(meeting, board, actor)
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
    _changed(meeting, board, actor)
    return voting.finish_vote(
        meeting=meeting,
        vote=vote,
        counts=published["counts"],
        trackers=[b["tracker"] for b in published["ballots"]],
        fingerprint=board.fingerprint,
        actor=actor,
    )
