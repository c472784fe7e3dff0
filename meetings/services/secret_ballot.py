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

Nothing here may leave a meeting stuck: while the key is being made, the chair may change the
board (`change_board`: a board member dropped out; the ceremony restarts for a new manifest);
once closed, if too few board members remain to decrypt, the chair annuls the count
(`annul`: the vote ends `void`, no decision, and the question may be put again). A vote closed
before the key was made ends `void` the same way (no ballot could be cast).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings import charter, events
from meetings.errors import RuleViolation
from meetings.models import (
    BallotBoard,
    BallotReceipt,
    BoardPhase,
    EncryptedBallot,
    Meeting,
    Vote,
)
from meetings.models.voting import VoteKind, VoteStatus
from meetings.room import live_attendance, roster_entries, roster_members
from meetings.secret_ballot import protocol, record
from meetings.secret_ballot.group import GroupError, decode_element, decode_scalar
from meetings.secret_ballot.protocol import ProtocolError
from meetings.services.participants import lock_meeting, participant, require_chair
from meetings.snapshots import member_key, policy_for
from members.models import User

BOARD_SIZE = 3
THRESHOLD = 2
YES_NO = ["yes", "no", "abstain"]
BOARD_CHANGED = events.BOARD_CHANGED
VOTE_COUNTING = events.VOTE_COUNTING
VOTE_VOIDED = events.VOTE_VOIDED
# Anything a page could send that the protocol refuses (a malformed part raises one of these).
MALFORMED = (ProtocolError, GroupError, KeyError, TypeError, ValueError, AttributeError)


def option_labels(vote: Vote) -> tuple[list[str], int, int]:
    """What a ballot of this vote chooses among: (options, fewest, most chosen)."""
    if vote.kind == VoteKind.DISCIPLINE:
        return [*vote.options["forms"], "none"], 1, 1
    if vote.kind == VoteKind.ELECTION:
        return [str(c) for c in vote.options["candidates"]], 0, vote.options["seats"]
    return list(YES_NO), 1, 1


def default_members(chair_id: int | None, eligible: list[int]) -> list[int]:
    """The default board: the chair, then the first other members who may vote (by id)."""
    first = [chair_id] if chair_id in eligible else []
    return (first + [m for m in eligible if m != chair_id])[:BOARD_SIZE]


def _manifest(meeting: Meeting, vote: Vote, members: list[int]) -> tuple[dict[str, Any], int]:
    """The manifest a board of `members` works under, and its threshold: 2 of 3, 2 of 2, or
    1 of 1 (a board of one holds the whole key: the chair alone may vote)."""
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
    return m, threshold


def create_board(meeting: Meeting, vote: Vote) -> BallotBoard:
    """The board of a vote just opened: the chair, then the first members present (by id).
    Only members who may vote in this vote (`vote.eligible`: official members present, so never
    a probationary member, R-R1) sit on it."""
    members = default_members(meeting.chair_id, vote.eligible)
    if not members:
        raise RuleViolation(
            _("Không có ai có mặt để làm ban kiểm phiếu."), reason="board_unavailable"
        )
    m, threshold = _manifest(meeting, vote, members)
    return BallotBoard.objects.create(vote=vote, manifest=m, members=members, threshold=threshold)


def may_serve(meeting: Meeting, vote: Vote) -> list[int]:
    """Who may sit on the vote's board now: members who may vote in it (eligible when it opened:
    official members present) and are still on the cell's roll and present in the meeting (the
    charter's vote base as of now). A member who left the cell or was marked absent may not."""
    base = charter.vote_base(
        roster_entries(meeting), live_attendance(meeting), policy_for(meeting.cell)
    )
    now = {int(m) for m in base.present}
    return [m for m in vote.eligible if m in now]


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
    if board.phase in (BoardPhase.COUNTING, BoardPhase.COUNTED, BoardPhase.VOID):
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
        # be cast; the vote ends void, not as a failed attempt, and may be put again.
        return _void(meeting, vote, board, actor)
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


@transaction.atomic
def change_board(*, meeting_id: int, actor: User, vote_id: int, members: Any) -> dict[str, Any]:
    """The chair names another board while the key is being made (a board member dropped out
    before dealing: no ballot can be cast yet). Distinct members who may serve (`may_serve`),
    as many as there are up to three (fewer only when fewer may serve: the chair alone may not
    hold the whole key while others could share it); the threshold is min(2, n). The ceremony
    restarts under a new manifest: the commitments and sealed shares made so far are discarded
    (they prove knowledge only under the old manifest's hash, so none can be replayed into the
    new one) and the event log keeps the old board, its manifest's hash and its public commitments
    (`board.changed`'s `replaced`). Naming the same members again restarts the ceremony too (a
    member's page lost its private values)."""
    meeting = lock_meeting(meeting_id)
    require_chair(participant(meeting, actor))
    board = (
        BallotBoard.objects.select_for_update()
        .select_related("vote")
        .filter(vote__meeting=meeting, vote_id=vote_id)
        .first()
    )
    if board is None:
        raise RuleViolation(_("Không có biểu quyết này."), reason="not_found")
    if board.phase != BoardPhase.KEYING:
        raise RuleViolation(
            _("Chỉ đổi được ban kiểm phiếu khi đang tạo khóa, trước khi có phiếu nào."),
            reason="conflict",
        )
    if (
        not isinstance(members, list)
        or not 1 <= len(members) <= BOARD_SIZE
        or any(type(m) is not int for m in members)
        or len(set(members)) != len(members)
    ):
        raise RuleViolation(
            _("Ban kiểm phiếu gồm từ 1 đến 3 đồng chí, không trùng nhau."),
            reason="bad_message",
            field="members",
        )
    allowed = may_serve(meeting, board.vote)
    # As large as those present allow: the chair chooses who, not how few. A board of one (or
    # two) only when no more may serve, or the chair could take the whole key alone (t = 1).
    size = min(BOARD_SIZE, len(allowed))
    if len(members) != size:
        raise RuleViolation(
            _(
                "Ban kiểm phiếu phải có %(n)s đồng chí: đủ 3 khi có từ 3 đồng chí có mặt có quyền "
                "biểu quyết."
            )
            % {"n": size},
            reason="bad_message",
            field="members",
        )
    if not set(members) <= set(allowed):
        raise RuleViolation(
            _(
                "Thành viên ban kiểm phiếu phải là đảng viên chính thức đang có mặt và có quyền "
                "biểu quyết ở lần này."
            ),
            reason="not_eligible",
            field="members",
        )
    replaced = {
        "members": board.members,
        "threshold": board.threshold,
        "manifest": protocol.manifest_hash(board.manifest),
        "commitments": board.commitments,
        "dealt": sorted(int(i) for i in board.sealed),
    }
    board.manifest, board.threshold = _manifest(meeting, board.vote, members)
    board.members = members
    board.commitments, board.sealed, board.key = {}, {}, ""
    board.save(update_fields=["manifest", "threshold", "members", "commitments", "sealed", "key"])
    payload = {"vote": board.vote_id, "board": public_state(board), "replaced": replaced}
    events.append_event(meeting=meeting, event=BOARD_CHANGED, payload=payload, actor=actor)
    return payload


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
    # N, as for a counted vote (voting._decide), so the room states the number cast against it.
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
