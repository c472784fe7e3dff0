from django.conf import settings
from django.db import models


class MeetingEvent(models.Model):
    """The meeting's append-only log: one row per change, numbered without gaps, hash-chained.

    `hash` = SHA-256 of the previous event's hash, the sequence number, the event name and the
    canonical JSON payload (see meetings.events.chain_hash).
    """

    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField()
    event = models.CharField(max_length=40)
    payload = models.JSONField(default=dict)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField()
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["meeting", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "seq"], name="event_seq_unique_per_meeting")
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.event}"
