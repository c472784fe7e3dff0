"""The minutes of a meeting (the recorder's words on top of the record) and their versions."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from minutes.enums import (
    ApprovalKind,
    MinutesStatus,
)


class ArchivedDocumentError(Exception):
    """Raised when code tries to change or delete a signed, archived document."""


class Minutes(models.Model):
    """The minutes (biên bản) of one meeting: the recorder's words on top of the record.

    `edits` is `minutes.drafting.Edits` as JSON; every save is also kept as a `MinutesVersion`.
    Once approved the words no longer change; corrections after signing are signed addenda.
    """

    meeting = models.OneToOneField(
        "meetings.Meeting",
        verbose_name=_("buổi sinh hoạt"),
        on_delete=models.PROTECT,
        related_name="minutes",
    )
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=MinutesStatus.choices, default=MinutesStatus.DRAFT
    )
    edits = models.JSONField(_("nội dung thư ký ghi"), default=dict, blank=True)
    version = models.PositiveIntegerField(_("phiên bản"), default=0)
    approval_kind = models.CharField(
        _("hình thức thông qua"), max_length=20, choices=ApprovalKind.choices, blank=True
    )
    approval_vote = models.ForeignKey(
        "meetings.Vote",
        verbose_name=_("biểu quyết thông qua biên bản"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("thông qua lúc"), null=True, blank=True)
    chair_approved_by = models.ForeignKey(
        "members.Member",
        verbose_name=_("chủ trì thông qua"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    chair_approved_at = models.DateTimeField(_("chủ trì thông qua lúc"), null=True, blank=True)
    recorder_approved_by = models.ForeignKey(
        "members.Member",
        verbose_name=_("thư ký thông qua"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorder_approved_at = models.DateTimeField(_("thư ký thông qua lúc"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("biên bản")
        verbose_name_plural = _("biên bản")

    def __str__(self) -> str:
        return str(_("Biên bản %(meeting)s") % {"meeting": self.meeting})

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Once archived, the words and the approval are final (corrections are addenda)."""
        if self.pk is not None:
            stored = Minutes.objects.filter(pk=self.pk, status=MinutesStatus.ARCHIVED).first()
            if stored is not None and (
                stored.edits != self.edits
                or stored.version != self.version
                or self.status != MinutesStatus.ARCHIVED
            ):
                raise ArchivedDocumentError("archived minutes cannot be changed")
        super().save(*args, **kwargs)

    @property
    def is_editable(self) -> bool:
        return self.status == MinutesStatus.DRAFT


class MinutesVersion(models.Model):
    """One saved version of the recorder's text, never changed afterwards."""

    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("phiên bản"))
    edits = models.JSONField(_("nội dung"), default=dict)
    author = models.ForeignKey(
        "members.Member",
        verbose_name=_("người sửa"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("lưu lúc"))

    class Meta:
        verbose_name = _("phiên bản biên bản")
        verbose_name_plural = _("các phiên bản biên bản")
        ordering = ["minutes", "number"]
        constraints = [
            models.UniqueConstraint(fields=["minutes", "number"], name="minutes_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.minutes_id} v{self.number}"
