from django.db import models
from django.utils.translation import gettext_lazy as _

from meetings.enums import FloorRequestKind, FloorRequestStatus


class FloorRequest(models.Model):
    """A member asking for the floor on the current agenda item (đăng ký phát biểu)."""

    meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.CASCADE, related_name="floor_requests"
    )
    item = models.ForeignKey("meetings.AgendaItem", on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=FloorRequestKind.choices)
    status = models.CharField(
        max_length=20, choices=FloorRequestStatus.choices, default=FloorRequestStatus.PENDING
    )
    requested_at = models.DateTimeField()
    # The chair's order; ties (never reordered) fall back to the charter's order.
    position = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "pk"]

    def __str__(self) -> str:
        return f"{self.member}: {self.get_kind_display()}"


class SpeakingTurn(models.Model):
    """A member speaking, from the chair's grant to the end of the turn; the recorder's note."""

    meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.CASCADE, related_name="speaking_turns"
    )
    item = models.ForeignKey("meetings.AgendaItem", on_delete=models.CASCADE, related_name="turns")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    request = models.OneToOneField(
        FloorRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="turn"
    )
    kind = models.CharField(max_length=20, choices=FloorRequestKind.choices)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(_("ý kiến (thư ký ghi)"), blank=True)
    is_reserved_opinion = models.BooleanField(_("ý kiến bảo lưu"), default=False)

    class Meta:
        ordering = ["started_at", "pk"]

    def __str__(self) -> str:
        return f"{self.member} ({self.started_at})"
