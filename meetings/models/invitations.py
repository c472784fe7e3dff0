from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from meetings.enums import AbsenceDecision, DeliveryKind, Reply
from members import names


class Invitation(models.Model):
    """A person invited to a meeting, and their answer: attend, or absent with a reason that the
    secretary approves or rejects. Guests are superior committee members following the cell."""

    meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.CASCADE, related_name="invitations"
    )
    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="invitations"
    )
    is_guest = models.BooleanField(_("đại biểu cấp trên"), default=False)
    reply = models.CharField(
        _("trả lời"), max_length=20, choices=Reply.choices, default=Reply.PENDING
    )
    absence_reason = models.CharField(_("lý do vắng mặt"), max_length=500, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    absence_decision = models.CharField(
        _("xét lý do vắng mặt"), max_length=20, choices=AbsenceDecision.choices, blank=True
    )
    decision_note = models.CharField(_("ghi chú của chi bộ"), max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("giấy mời")
        verbose_name_plural = _("giấy mời")
        ordering = ["meeting", *names.by_name("member__")]  # Vietnamese order of names
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="invitation_once_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.meeting}: {self.member}"

    @property
    def is_approved_absence(self) -> bool:
        return self.reply == Reply.ABSENT and self.absence_decision == AbsenceDecision.APPROVED


class Delivery(models.Model):
    """One notice sent to one person about one meeting: the record that makes sending idempotent.

    `key` says which version of the notice it was: an invitation or a postponement is sent once
    per calendar version of the meeting (`seq<sequence>`), a reminder once per offset and start
    time (`<minutes>m@<start>`), so moving the meeting sends fresh ones and nothing else does.
    """

    meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.CASCADE, related_name="deliveries"
    )
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=DeliveryKind.choices)
    key = models.CharField(max_length=64)
    email = models.EmailField(blank=True)  # empty: the member has no address; in-app only
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("thư đã gửi")
        verbose_name_plural = _("thư đã gửi")
        ordering = ["sent_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "member", "kind", "key"], name="delivery_sent_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.member}"
