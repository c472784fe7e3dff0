from django.db import models
from django.utils.translation import gettext_lazy as _

from meetings.enums import AttendanceStatus, PresenceMode


class Attendance(models.Model):
    """One line of the roll: a member of the cell (home or meeting here temporarily) at a meeting.

    The roll is written when the meeting starts; a member who never joins stays absent.
    """

    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.CASCADE, related_name="roll")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=30,
        choices=AttendanceStatus.choices,
        default=AttendanceStatus.ABSENT_WITHOUT_REASON,
    )
    mode = models.CharField(max_length=10, choices=PresenceMode.choices, blank=True)
    reason = models.CharField(_("lý do vắng mặt"), max_length=500, blank=True)
    first_joined_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="attendance_once_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.member}: {self.get_status_display()}"


class PresenceSpan(models.Model):
    """One connection of a member to the live room: joined, and left (or still there)."""

    attendance = models.ForeignKey(Attendance, on_delete=models.CASCADE, related_name="spans")
    connection = models.CharField(max_length=200)  # the websocket's channel name
    # The server process holding the connection (its PresenceLease); blank when recorded
    # outside a server (tests, scripts). A span whose server stopped renewing is closed.
    server = models.CharField(max_length=100, blank=True)
    joined_at = models.DateTimeField()
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["joined_at", "pk"]
        indexes = [
            models.Index(fields=["connection"], name="presence_connection_idx"),
            models.Index(
                fields=["server"], condition=models.Q(left_at=None), name="presence_open_server_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.attendance.member}: {self.joined_at}–{self.left_at or '…'}"


class WaitingConnection(models.Model):
    """A member of the roll in the room before the meeting starts: present from the start.

    The roll is written when the meeting starts; until then a connection is kept here, and the
    start makes it a PresenceSpan in the same transaction (so a vote opened at once counts it).
    """

    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    connection = models.CharField(max_length=200, unique=True)
    server = models.CharField(max_length=100, blank=True)
    since = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.member} waiting since {self.since}"


class PresenceLease(models.Model):
    """A server process's hold on its open connections, renewed while it runs
    (meetings.leases). When it stops being renewed (the process was killed, or restarted), the
    spans it held are closed at the moment it was last renewed."""

    server = models.CharField(max_length=100, primary_key=True)
    renewed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.server} at {self.renewed_at}"
