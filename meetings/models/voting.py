import uuid
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from meetings.enums import BoardChoice, BoardPhase, VoteKind, VoteMethod, VoteStatus


class Vote(models.Model):
    """One question put to the meeting. `eligible` is the roll of voters frozen when it opened."""

    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.CASCADE, related_name="votes")
    item = models.ForeignKey("meetings.AgendaItem", on_delete=models.PROTECT, related_name="votes")
    kind = models.CharField(max_length=20, choices=VoteKind.choices)
    method = models.CharField(max_length=20, choices=VoteMethod.choices)
    question = models.CharField(_("nội dung biểu quyết"), max_length=500)
    attempt = models.PositiveSmallIntegerField(default=1)
    # Kind-specific: {"subject": id, "subject_standing", "forms": [...]},
    # {"candidates": [ids], "seats": n}, or {"conclusion": true} for the conclusion's vote.
    options = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=VoteStatus.choices, default=VoteStatus.OPEN)
    eligible = models.JSONField(default=list)  # member ids who may vote, frozen at opening
    roll = models.JSONField(default=dict)  # member id → attendance when it opened (for N)
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    # Filled at close: counts, the charter's decision and its explanation.
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["opened_at", "pk"]

    def __str__(self) -> str:
        return self.question

    @property
    def is_conclusion(self) -> bool:
        """The chair opened it as the vote on the conclusion (options `conclusion`)."""
        return self.kind == VoteKind.RESOLUTION and self.options.get("conclusion") is True

    @property
    def is_secret(self) -> bool:
        return self.method == VoteMethod.SECRET_BALLOT

    @property
    def post_label(self) -> str:
        """For an election: the post being filled (a CellRoleKind label)."""
        from members.enums import CellRoleKind

        post = self.options.get("post", CellRoleKind.COMMITTEE_MEMBER)
        return str(CellRoleKind(post).label) if post in CellRoleKind.values else post


class Ballot(models.Model):
    """A named vote (show of hands): who chose what is public in the minutes."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="ballots")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    choice = models.JSONField()
    client_ballot_id = models.UUIDField()
    cast_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["vote", "member"], name="ballot_once_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.member}: {self.choice}"


class BallotReceipt(models.Model):
    """Secret ballot, part one: that this member voted (stops double voting). Never what."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="receipts")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    client_ballot_id = models.UUIDField()
    cast_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["vote", "member"], name="receipt_once_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.member} đã bỏ phiếu"


class SecretBallot(models.Model):
    """Secret ballot, part two: what was chosen. No voter, no time, and a random key, so
    nothing joins it to a `BallotReceipt`. `receipt` is a code only the voter knows."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="secret_ballots")
    choice = models.JSONField()
    receipt = models.CharField(max_length=16)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["vote", "receipt"], name="secret_ballot_receipt_unique")
        ]

    def __str__(self) -> str:
        return self.receipt


class BallotBoard(models.Model):
    """The vote-counting board (ban kiểm phiếu) of an encrypted secret ballot and everything
    public about it (docs/secret-ballot.md). Only public parts are stored: the members' private
    key shares stay in their browsers; the shares they deal each other are sealed to the
    recipient. `record` is the canonical export, `fingerprint` its SHA-256 (in the minutes)."""

    vote = models.OneToOneField(Vote, on_delete=models.CASCADE, related_name="board")
    manifest = models.JSONField()
    members = models.JSONField()  # member ids; board member i is members[i - 1]
    threshold = models.PositiveSmallIntegerField()
    phase = models.CharField(max_length=10, choices=BoardPhase.choices, default=BoardPhase.KEYING)
    commitments = models.JSONField(default=dict)  # "i" → round 1 (public)
    sealed = models.JSONField(default=dict)  # "i" → round 2 (shares sealed to each recipient)
    key = models.CharField(max_length=64, blank=True)
    tally = models.JSONField(default=list)  # the product of the ballots, at close
    decryptions = models.JSONField(default=dict)  # "i" → partial decryption with proofs
    record = models.TextField(blank=True)
    fingerprint = models.CharField(max_length=64, blank=True)
    # Who named the board: by default, the meeting's show of hands (`elected_by`, the board
    # vote), or the chair (`board.change`); `note` says why an elected board was not used.
    chosen_by = models.CharField(
        max_length=10, choices=BoardChoice.choices, default=BoardChoice.DEFAULT
    )
    elected_by = models.ForeignKey(
        Vote, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.vote}: {self.phase}"

    def public(self) -> dict[str, Any]:
        """What every page sees of the board (`vote.opened`, `board.changed`, the snapshot)."""
        return {
            "phase": self.phase,
            "manifest": self.manifest,
            "members": self.members,
            "threshold": self.threshold,
            "commitments": self.commitments,
            "sealed": self.sealed,
            "key": self.key,
            "tally": self.tally,
            "decrypted": sorted(int(i) for i in self.decryptions),
            "fingerprint": self.fingerprint,
            "chosen_by": self.chosen_by,
            "elected_by": self.elected_by_id,
            "note": self.note,
        }

    def index_of(self, member_id: int | None) -> int | None:
        """The board number (1..n) of a member, or None."""
        return self.members.index(member_id) + 1 if member_id in self.members else None


class EncryptedBallot(models.Model):
    """An encrypted secret ballot: ciphertexts and proofs, and its tracker (SHA-256 of the
    ballot). No voter, no time, a random key; nothing in it can be read without the board."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="encrypted_ballots")
    ballot = models.JSONField()
    tracker = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["vote", "tracker"], name="encrypted_ballot_unique")
        ]

    def __str__(self) -> str:
        return self.tracker
