"""An encrypted ballot's proofs, checked against its vote's manifest and key: before the
meeting lock for a burst (`precheck`), and as each ballot is accepted (`check_ballot`, from
`voting.casting`)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from meetings.errors import RuleViolation
from meetings.models import BallotBoard, BoardPhase
from meetings.secret_ballot import protocol
from meetings.services.secret_ballot.ceremony import MALFORMED


def precheck(meeting_id: int, requests: list[Any]) -> list[str | RuleViolation | None]:
    """The proofs of the encrypted ballots among `requests`, checked before the meeting lock
    (the key does not change once the vote takes ballots): per request its tracker, the
    refusal, or None (nothing to check yet: checked under the lock)."""
    ids = {r.vote_id for r in requests if r.encrypted is not None}
    boards = {
        b.vote_id: b
        for b in BallotBoard.objects.filter(vote__meeting_id=meeting_id, vote_id__in=ids)
    }
    out: list[str | RuleViolation | None] = []
    for request in requests:
        board = boards.get(request.vote_id)
        if request.encrypted is None or board is None or board.phase != BoardPhase.VOTING:
            out.append(None)
        else:
            out.append(check_proofs(board.manifest, bytes.fromhex(board.key), request.encrypted))
    return out


def check_proofs(manifest: dict[str, Any], key: bytes, encrypted: Any) -> str | RuleViolation:
    """An encrypted ballot's proofs against the vote's manifest and key: its tracker, or the
    refusal (`bad_proof`). Plain computation, no database."""
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
