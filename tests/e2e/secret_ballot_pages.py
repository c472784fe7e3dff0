"""An encrypted secret ballot's pages over the room's websocket, for the tests that stop, kill or
restart servers under it: `BoardPage` is tests/e2e/test_scale_out.py's `RoomClient` (reconnects,
resends unacknowledged ballots) plus what static/js/secret-ballot-room.js does on a board
member's page: it takes its part by itself from the board's public state (round 1, round 2,
opening its shares, the partial decryption once the vote is closed), keeps its private values
across reconnects (the browser's localStorage) and, on a new connection, forgets what it had sent
on the old one without an answer, so it sends it again. A voter's page encrypts its choice
(`encrypted_ballot`); the choice itself never leaves the client.
"""

from __future__ import annotations

import asyncio
import io
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.core.management import call_command

from meetings.models import Ballot, BallotBoard, BallotReceipt, EncryptedBallot, Vote
from meetings.secret_ballot import protocol, record
from tests.e2e.test_scale_out import RoomClient, eventually

BOARD_EVENTS = ("vote.opened", "board.changed", "vote.counting")  # carry the board's state


@dataclass
class BoardPage(RoomClient):
    member: int = 0
    # By vote: the board's public state as this page has it, and the seq it is from.
    boards: dict[int, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    private: dict[int, protocol.BoardMember] = field(default_factory=dict)  # vote → its values
    kept: dict[tuple[int, str], dict[str, Any]] = field(default_factory=dict)  # rounds 1 and 2
    in_flight: set[tuple[int, str]] = field(default_factory=set)  # sent, not yet answered
    held: bool = False  # the page's part held back (a test times it; a slow browser)
    parts: list[tuple[str, int]] = field(default_factory=list)  # (command, connection) sent

    async def handle(self, frame: dict[str, Any]) -> None:
        if frame["type"] == "hello":
            # A new connection: what the old one sent without an answer is sent again.
            self.in_flight.clear()
        self.note_board(frame)
        await super().handle(frame)
        await self.take_part()

    def note_board(self, frame: dict[str, Any]) -> None:
        """The board's public state, from the snapshot or a later event, as the page applies it."""
        found: list[tuple[int, dict[str, Any]]] = []
        if frame["type"] == "snapshot":
            found = [(v["vote"], v["board"]) for v in frame["state"]["votes"] if v.get("board")]
        elif (
            frame["type"] == "event"
            and frame["event"] in BOARD_EVENTS
            and "board" in frame["payload"]
        ):
            found = [(frame["payload"]["vote"], frame["payload"]["board"])]
        for vote, board in found:
            if frame["seq"] >= self.boards.get(vote, (-1, {}))[0]:
                self.boards[vote] = (frame["seq"], board)

    def board(self, vote: int) -> dict[str, Any]:
        return self.boards[vote][1]

    async def take_part(self) -> None:
        if self.held:
            return
        for vote, (_, board) in list(self.boards.items()):
            if self.member in board["members"] and board["phase"] not in ("counted", "void"):
                await self.part(vote, board)

    async def part(self, vote: int, board: dict[str, Any]) -> None:
        """secret-ballot-room.js's `takePart`."""
        index = board["members"].index(self.member) + 1
        ctx = protocol.manifest_hash(board["manifest"])
        member = self.private.get(vote)
        if member is None or member.ctx != ctx:
            member = protocol.BoardMember.new(ctx, index, board["threshold"])
            self.private[vote] = member
            self.kept = {k: m for k, m in self.kept.items() if k[0] != vote}
        commitments = board["commitments"]
        if board["phase"] == "keying":
            if str(index) not in commitments:
                await self.send_part(vote, "board.commit", "commitment", member.commitment)
            elif len(commitments) == len(board["members"]) and str(index) not in board["sealed"]:
                published = {int(i): c for i, c in commitments.items()}
                await self.send_part(
                    vote, "board.deal", "shares", lambda: member.shares(published)["shares"]
                )
            return
        for dealer, sealed in board["sealed"].items():
            if int(dealer) != index:
                member.receive(int(dealer), sealed, commitments[dealer]["commitments"])
        if board["phase"] == "counting" and index not in board["decrypted"]:
            await self.send_part(
                vote, "board.decrypt", "partial", lambda: member.partial_decryption(board["tally"])
            )

    async def send_part(self, vote: int, kind: str, name: str, make: Any) -> None:
        if (vote, kind) in self.in_flight:
            return
        self.in_flight.add((vote, kind))
        # Rounds 1 and 2 are kept and sent again as they were (the server takes the same message
        # once and refuses another); a partial decryption is made afresh.
        value = self.kept.get((vote, kind)) or make()
        if kind != "board.decrypt":
            self.kept[(vote, kind)] = value
        message = {"id": f"{self.name}-{next(self.ids)}", "type": kind, "vote": vote, name: value}
        reply = asyncio.get_running_loop().create_future()
        reply.add_done_callback(lambda _, key=(vote, kind): self.in_flight.discard(key))
        self.replies[message["id"]] = reply
        self.parts.append((kind, self.hellos))
        await self.send(message)


def encrypted_ballot(board: dict[str, Any], choice: str) -> dict[str, Any]:
    """A voter page's `ballot.cast` of `choice`, encrypted under the board's key."""
    positions = [board["manifest"]["options"].index(choice)]
    encrypted = protocol.encrypt_ballot(board["manifest"], bytes.fromhex(board["key"]), positions)
    vote, ballot = board["manifest"]["vote"], str(uuid.uuid4())
    return {"type": "ballot.cast", "vote": vote, "ballot": ballot, "encrypted": encrypted}


async def key_made(pages: list[BoardPage], vote: int) -> dict[str, Any]:
    """Waits until every page holds the vote's key (the ceremony done); the board as they see it."""
    for page in pages:
        await eventually(
            lambda p=page: vote in p.boards and p.board(vote)["phase"] == "voting",
            f"{page.name} sees the board's key",
        )
    return pages[0].board(vote)


def assert_counted_once(vote_id: int, choices: dict[int, str], trackers: list[str]) -> None:
    """Every voter's ballot stored once, as they cast it (their trackers), the board's count the
    choices cast, and the published record verifies (`manage.py verify_ballot`)."""
    vote = Vote.objects.get(pk=vote_id)
    assert vote.status == "closed", vote.status
    assert not Ballot.objects.filter(vote_id=vote_id).exists()  # no choice in the clear
    receipts = BallotReceipt.objects.filter(vote_id=vote_id)  # who voted: once each
    assert sorted(receipts.values_list("member_id", flat=True)) == sorted(choices)
    assert receipts.values("client_ballot_id").distinct().count() == len(choices)
    stored = sorted(
        EncryptedBallot.objects.filter(vote_id=vote_id).values_list("tracker", flat=True)
    )
    assert stored == sorted(trackers)
    assert len(set(stored)) == len(choices)
    board = BallotBoard.objects.get(vote_id=vote_id)
    verified = record.verify(board.record.encode())
    expected = dict.fromkeys(board.manifest["options"], 0)
    for choice in choices.values():
        expected[choice] += 1
    assert verified.counts == expected
    assert verified.trackers == stored
    assert vote.result["fingerprint"] == verified.fingerprint
    said = io.StringIO()
    call_command("verify_ballot", str(vote_id), stdout=said)
    assert "HỢP LỆ: kết quả tính lại đúng" in said.getvalue()
