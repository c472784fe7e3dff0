"""The vote-counting board of an encrypted secret ballot: who sits on it, its key ceremony
(commitments, then sealed shares; the vote's key follows) and a change of board while the key is
being made (package docstring: the phases)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from meetings import charter, events
from meetings.errors import RuleViolation
from meetings.models import BallotBoard, BoardChoice, BoardPhase, Meeting, Vote
from meetings.models.voting import VoteKind, VoteStatus
from meetings.room import live_attendance, roster_entries
from meetings.secret_ballot import protocol
from meetings.secret_ballot.group import GroupError, decode_element, decode_scalar
from meetings.secret_ballot.protocol import ProtocolError
from meetings.services.participants import lock_meeting, participant, require_chair
from meetings.snapshots import policy_for
from members.models import Member, User

BOARD_SIZE = 3
THRESHOLD = 2
YES_NO = ["yes", "no", "abstain"]
BOARD_CHANGED = events.BOARD_CHANGED
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
    """The board of a vote just opened. The board the meeting elected by show of hands (R-V5,
    the latest adopted `board` vote in this meeting) while all its members may still serve;
    otherwise the default: the chair, then the first members present (by id), and a note saying
    why the elected board could not be used. Only members who may vote in this vote
    (`vote.eligible`: official members present, so never a probationary member, R-R1) sit on
    it."""
    members = default_members(meeting.chair_id, vote.eligible)
    chosen_by, elected_by, note = BoardChoice.DEFAULT, None, ""
    elected = elected_board(meeting)
    if elected is not None:
        absent = [m for m in elected.options["members"] if m not in vote.eligible]
        if absent:
            names = ", ".join(_names(absent))
            note = _(
                "Ban kiểm phiếu hội nghị đã bầu không dùng được: đồng chí %(names)s không còn có "
                "mặt hoặc không có quyền biểu quyết ở lần này; ban kiểm phiếu theo mặc định."
            ) % {"names": names}
        else:
            members = list(elected.options["members"])
            chosen_by, elected_by = BoardChoice.ELECTED, elected
    if not members:
        raise RuleViolation(
            _("Không có ai có mặt để làm ban kiểm phiếu."), reason="board_unavailable"
        )
    m, threshold = _manifest(meeting, vote, members)
    return BallotBoard.objects.create(
        vote=vote,
        manifest=m,
        members=members,
        threshold=threshold,
        chosen_by=chosen_by,
        elected_by=elected_by,
        note=note,
    )


def elected_board(meeting: Meeting) -> Vote | None:
    """The meeting's latest board vote that passed (a show of hands adopting the proposed
    vote-counting board), or None."""
    return (
        Vote.objects.filter(
            meeting=meeting,
            kind=VoteKind.BOARD,
            status=VoteStatus.CLOSED,
            result__decision__status=charter.DecisionStatus.PASSED.value,
        )
        .order_by("-closed_at", "-pk")
        .first()
    )


def _names(member_ids: list[int]) -> list[str]:
    names = dict(Member.objects.filter(pk__in=member_ids).values_list("pk", "full_name"))
    return [names.get(m, str(m)) for m in member_ids]


def may_serve(meeting: Meeting, vote: Vote) -> list[int]:
    """Who may sit on the vote's board now: members who may vote in it (eligible when it opened:
    official members present) and are still on the cell's roll and present in the meeting (the
    charter's vote base as of now). A member who left the cell or was marked absent may not."""
    base = charter.vote_base(
        roster_entries(meeting), live_attendance(meeting), policy_for(meeting.cell)
    )
    now = {int(m) for m in base.present}
    return [m for m in vote.eligible if m in now]


def check_members(
    ids: list[int] | None, allowed: list[int], name_of: Callable[[int], str]
) -> list[int]:
    """A board as the chair names it (`board.change`, or proposed to a show of hands): 1 to 3
    distinct members (`ids`: None when what was sent is not a list of member ids), each one who
    may serve (`allowed`), as many as those allow up to three. The chair chooses who, not how
    few: a board of one or two only when no more may serve, or the chair could take the whole
    key alone (t = 1)."""
    if ids is None or not 1 <= len(ids) <= BOARD_SIZE or len(set(ids)) != len(ids):
        raise RuleViolation(
            _("Ban kiểm phiếu gồm từ 1 đến 3 đồng chí, không trùng nhau."),
            reason="bad_message",
            field="members",
        )
    for member_id in ids:
        if member_id not in allowed:
            raise RuleViolation(
                _(
                    "Đồng chí %(name)s không thể vào ban kiểm phiếu: thành viên ban kiểm phiếu "
                    "phải là đảng viên chính thức đang có mặt và có quyền biểu quyết."
                )
                % {"name": name_of(member_id)},
                reason="not_eligible",
                field="members",
            )
    size = min(BOARD_SIZE, len(allowed))
    if len(ids) != size:
        raise RuleViolation(
            _(
                "Ban kiểm phiếu phải có %(n)s đồng chí: đủ 3 khi có từ 3 đồng chí có mặt có quyền "
                "biểu quyết."
            )
            % {"n": size},
            reason="bad_message",
            field="members",
        )
    return ids


def _name(member_id: int, vote: Vote) -> str:
    """A refused board member's name, if the vote's roll knows them (never another cell's)."""
    known = str(member_id) in vote.roll  # the roll when the vote opened (JSON: string keys)
    return _names([member_id])[0] if known else str(member_id)


def public_state(board: BallotBoard) -> dict[str, Any]:
    return board.public()


def board_for(meeting: Meeting, actor: User, vote_id: int) -> tuple[BallotBoard, int]:
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


def is_number(value: Any, index: int) -> bool:
    """A board member's number as sent: the JSON integer itself (`true` is not 1)."""
    return type(value) is int and value == index


def require_phase(board: BallotBoard, phase: str) -> None:
    if board.phase != phase:
        raise RuleViolation(_("Ban kiểm phiếu đã sang bước khác: hãy tải lại."), reason="conflict")


def changed(meeting: Meeting, board: BallotBoard, actor: User | None) -> dict[str, Any]:
    payload = {"vote": board.vote_id, "board": public_state(board)}
    events.append_event(meeting=meeting, event=BOARD_CHANGED, payload=payload, actor=actor)
    return payload


@transaction.atomic
def commit(*, meeting_id: int, actor: User, vote_id: int, commitment: Any) -> dict[str, Any]:
    """Round 1: a board member's commitments and transport key, with their proofs. Sent again
    after a reconnect, the same message is accepted once; a different one is refused."""
    meeting = lock_meeting(meeting_id)
    board, index = board_for(meeting, actor, vote_id)
    require_phase(board, BoardPhase.KEYING)
    if not isinstance(commitment, dict) or not is_number(commitment.get("member"), index):
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
    return changed(meeting, board, actor)


@transaction.atomic
def deal(*, meeting_id: int, actor: User, vote_id: int, shares: Any) -> dict[str, Any]:
    """Round 2: a board member's shares for each other member, each sealed to its recipient's
    transport key (the server cannot open them). When every member has dealt, the vote's key
    is the sum of the members' first commitments and ballots may be cast."""
    meeting = lock_meeting(meeting_id)
    board, index = board_for(meeting, actor, vote_id)
    require_phase(board, BoardPhase.KEYING)
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
    return changed(meeting, board, actor)


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
    ids = members if isinstance(members, list) and all(type(m) is int for m in members) else None
    allowed = may_serve(meeting, board.vote)
    members = check_members(ids, allowed, lambda member_id: _name(member_id, board.vote))
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
    # Named by the chair now, whoever named the board before (the minutes say so).
    board.chosen_by, board.elected_by, board.note = BoardChoice.CHAIR, None, ""
    board.save(
        update_fields=[
            *("manifest", "threshold", "members", "commitments", "sealed", "key"),
            *("chosen_by", "elected_by", "note"),
        ]
    )
    payload = {"vote": board.vote_id, "board": public_state(board), "replaced": replaced}
    events.append_event(meeting=meeting, event=BOARD_CHANGED, payload=payload, actor=actor)
    return payload
