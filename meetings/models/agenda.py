from django.db import models
from django.utils.translation import gettext_lazy as _

from meetings.enums import AgendaItemKind, Classification


class AgendaItem(models.Model):
    """One item of a meeting's agenda (chương trình), in order."""

    meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.CASCADE, related_name="agenda_items"
    )
    position = models.PositiveSmallIntegerField(_("thứ tự"))
    kind = models.CharField(_("loại nội dung"), max_length=20, choices=AgendaItemKind.choices)
    title = models.CharField(_("nội dung"), max_length=300)
    presenter = models.ForeignKey(
        "members.Member",
        verbose_name=_("người trình bày"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    planned_minutes = models.PositiveSmallIntegerField(_("thời gian dự kiến (phút)"), default=10)
    draft_resolution = models.TextField(_("dự thảo nghị quyết, kết luận"), blank=True)
    personnel = models.BooleanField(
        _("nội dung về nhân sự"),
        default=False,
        help_text=_("Đánh dấu nếu nội dung bàn về công tác cán bộ, nhân sự."),
    )
    classification = models.CharField(
        _("độ mật"),
        max_length=20,
        choices=Classification.choices,
        default=Classification.UNCLASSIFIED,
    )

    # The live room: when the chair opened this item and when it closed.
    opened_at = models.DateTimeField(null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("nội dung chương trình")
        verbose_name_plural = _("chương trình sinh hoạt")
        ordering = ["meeting", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"
