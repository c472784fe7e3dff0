"""Board members' and voters' pages, played in Python: what static/js/secret-ballot.js does,
through the same services the websocket commands call, from the public board state only."""

import uuid

from meetings.models import BallotBoard
from meetings.secret_ballot import protocol
from meetings.services.secret_ballot import ceremony, counting
from meetings.services.voting import casting


class BoardPage:
    def __init__(self, scene, member, vote_id):
        self.scene, self.member, self.vote_id = scene, member, vote_id
        board = self.board()
        self.index = board.index_of(member.pk)
        ctx = protocol.manifest_hash(board.manifest)
        self.private = protocol.BoardMember.new(ctx, self.index, board.threshold)

    def board(self):
        return BallotBoard.objects.get(vote_id=self.vote_id)

    def call(self, service, **kwargs):
        return service(
            meeting_id=self.scene.meeting.pk,
            actor=self.member.user,
            vote_id=self.vote_id,
            **kwargs,
        )

    def commit(self):
        # The page keeps its round-1 message and sends the same one again after a reconnect.
        if not hasattr(self, "sent"):
            self.sent = self.private.commitment()
        return self.call(ceremony.commit, commitment=self.sent)

    def deal(self):
        commitments = {int(i): c for i, c in self.board().commitments.items()}
        return self.call(ceremony.deal, shares=self.private.shares(commitments)["shares"])

    def receive(self):
        board = self.board()
        for i, message in board.sealed.items():
            if int(i) != self.index:
                self.private.receive(int(i), message, board.commitments[i]["commitments"])

    def decrypt(self):
        partial = self.private.partial_decryption(self.board().tally)
        return self.call(counting.decrypt, partial=partial)


def key_ceremony(scene, vote_id, members):
    pages = [BoardPage(scene, m, vote_id) for m in members]
    for page in pages:
        page.commit()
    for page in pages:
        page.deal()
    for page in pages:
        page.receive()
    return pages


def encrypted_ballot(vote_id, chosen):
    board = BallotBoard.objects.get(vote_id=vote_id)
    options = board.manifest["options"]
    positions = [options.index(c) for c in chosen]
    return protocol.encrypt_ballot(board.manifest, bytes.fromhex(board.key), positions)


def cast_encrypted(scene, member, vote_id, chosen, ballot=None, ballot_id=None):
    return casting.cast_ballot(
        meeting_id=scene.meeting.pk,
        actor=member.user,
        vote_id=vote_id,
        ballot_id=ballot_id or str(uuid.uuid4()),
        encrypted=ballot or encrypted_ballot(vote_id, chosen),
    )
