"""Casting and counting votes in tests the way the room's pages do.

Every secret ballot is encrypted (settings.SECRET_BALLOT_ENCRYPTED, docs/secret-ballot.md): the
board's pages make the vote's key, each voter's page encrypts the choice, and at close the board's
pages decrypt the total. `cast` and `close` play those pages through the same services the
websocket commands call (tests/meetings/secret_ballot/pages.py), so a test that only cares about
the outcome of a secret ballot reads like one of a show of hands. Votes that are not encrypted
(show of hands, electronic, and secret ballots where a test turns the setting off) go through
unchanged.
"""

import uuid
from types import SimpleNamespace
from typing import Any

from meetings.models import BallotBoard, BoardPhase, Vote
from meetings.services.voting import casting, closing
from members.models import Member
from tests.meetings.secret_ballot.pages import encrypted_ballot, key_ceremony

# The board's pages of each keyed vote, by the vote's public key (random per vote): they hold
# the private shares, as the board members' browsers do, until the count.
_board_pages: dict[str, list[Any]] = {}


def _board(vote_id: int) -> BallotBoard | None:
    return BallotBoard.objects.filter(vote_id=vote_id).first()


def _keyed(board: BallotBoard) -> BallotBoard:
    """The board's key, made by its members' pages if it is not made yet."""
    if board.phase == BoardPhase.KEYING:
        members = [Member.objects.get(pk=pk) for pk in board.members]
        meeting = Vote.objects.get(pk=board.vote_id).meeting
        pages = key_ceremony(SimpleNamespace(meeting=meeting), board.vote_id, members)
        board.refresh_from_db()
        _board_pages[board.key] = pages
    return board


def _chosen(choice: Any) -> list[str]:
    """A choice as the ballot's options name it (the manifest's options are strings)."""
    if isinstance(choice, list):
        return [str(c) for c in choice]
    return [str(choice)]


def cast(
    meeting_id: int,
    member: Member,
    vote_id: int,
    choice: Any,
    *,
    ballot_id: str | None = None,
    receipt: str | None = None,
) -> dict[str, Any]:
    """`member` votes `choice`; an encrypted secret ballot is encrypted as the member's page
    does it (the receipt is then the ballot's tracker, made by the page)."""
    ballot_id = ballot_id or str(uuid.uuid4())
    board = _board(vote_id)
    if board is None:
        return casting.cast_ballot(
            meeting_id=meeting_id,
            actor=member.user,
            vote_id=vote_id,
            ballot_id=ballot_id,
            choice=choice,
            receipt=receipt,
        )
    _keyed(board)
    return casting.cast_ballot(
        meeting_id=meeting_id,
        actor=member.user,
        vote_id=vote_id,
        ballot_id=ballot_id,
        encrypted=encrypted_ballot(vote_id, _chosen(choice)),
    )


def close(meeting_id: int, chair: Member, vote_id: int) -> dict[str, Any]:
    """The chair closes the vote; an encrypted one is then counted by its board's pages (the
    first `threshold` of them), and the answer is the closed vote's, as for any other."""
    closed = closing.close_vote(meeting_id=meeting_id, actor=chair.user, vote_id=vote_id)
    board = _board(vote_id)
    if board is None or board.phase != BoardPhase.COUNTING:
        return closed
    for page in _board_pages.pop(board.key)[: board.threshold]:
        closed = page.decrypt()
    return closed
