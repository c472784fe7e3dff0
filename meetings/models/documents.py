from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from meetings.enums import Classification, DocumentType


class Document(models.Model):
    """A material of a meeting. The bytes live once per SHA-256 under MEDIA_ROOT (`storage_name`)
    and are served only through the download view, never as a public media URL."""

    meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.CASCADE, related_name="documents"
    )
    agenda_item = models.ForeignKey(
        "meetings.AgendaItem",
        verbose_name=_("thuộc nội dung"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="documents",
    )
    title = models.CharField(_("tên tài liệu"), max_length=200)
    original_name = models.CharField(max_length=255)
    file_type = models.CharField(max_length=10, choices=DocumentType.choices)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    storage_name = models.CharField(max_length=200)
    classification = models.CharField(
        _("độ mật"),
        max_length=20,
        choices=Classification.choices,
        default=Classification.UNCLASSIFIED,
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # When members could first see it: the upload, or the scheduling of a draft meeting.
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("tài liệu")
        verbose_name_plural = _("tài liệu")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def download_name(self) -> str:
        """The member's own file name, with the extension of what the content really is."""
        stem = self.original_name.rsplit(".", 1)[0] or "tai-lieu"
        return f"{stem}.{self.file_type}"
