"""The documents issued from the minutes (the minutes document, extracts, resolutions, addenda):
rendered once, signed in order, archived immutable."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from minutes.enums import (
    DocumentKind,
    DocumentStatus,
    RenderState,
    SignerRole,
)
from minutes.models.minutes import ArchivedDocumentError, Minutes
from minutes.models.signing import SigningCredential

# Short codes of the verification link: no 0/O, 1/I/L, so a code read aloud or retyped from
# paper is unambiguous. 10 characters of 31 symbols: about 50 bits, not guessable.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10


def new_verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class SignedDocumentQuerySet(models.QuerySet["SignedDocument"]):
    def archived(self) -> SignedDocumentQuerySet:
        return self.filter(status=DocumentStatus.ARCHIVED)

    def update(self, **kwargs: object) -> int:
        if self.archived().exists():
            raise ArchivedDocumentError("an archived document cannot be changed")
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        if self.archived().exists():
            raise ArchivedDocumentError("an archived document cannot be deleted")
        return super().delete()


class SignedDocument(models.Model):
    """A document issued from the minutes: the minutes themselves, an extract of one agenda
    item (trích biên bản), the cell's resolution (nghị quyết) or a signed correction (addendum).

    Rendered once by a Celery task, signed in order, then archived: from then on the row is
    immutable (see `save`, `delete` and the queryset), and `sha256` is the archived file's hash.
    """

    minutes = models.ForeignKey(
        Minutes, verbose_name=_("biên bản"), on_delete=models.PROTECT, related_name="documents"
    )
    kind = models.CharField(_("loại văn bản"), max_length=20, choices=DocumentKind.choices)
    agenda_item = models.ForeignKey(
        "meetings.AgendaItem",
        verbose_name=_("nội dung được trích"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("văn bản được đính chính"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="addenda",
    )
    # What the issuer wrote for this document: resolution points, grounds, recipients, the
    # correction's text; the minutes' own words are `Minutes.edits`.
    details = models.JSONField(_("nội dung riêng của văn bản"), default=dict, blank=True)
    document_id = models.UUIDField(_("mã văn bản"), default=uuid.uuid4, unique=True, editable=False)
    verification_code = models.CharField(
        _("mã tra cứu"), max_length=16, unique=True, default=new_verification_code, editable=False
    )
    status = models.CharField(
        _("trạng thái"),
        max_length=20,
        choices=DocumentStatus.choices,
        default=DocumentStatus.RENDERING,
    )
    render_state = models.CharField(
        _("tiến trình tạo PDF"),
        max_length=20,
        choices=RenderState.choices,
        default=RenderState.QUEUED,
    )
    render_attempts = models.PositiveSmallIntegerField(_("số lần thử"), default=0)
    render_error = models.TextField(_("lỗi khi tạo PDF"), blank=True)
    event_chain_head = models.CharField(_("mã băm cuối chuỗi sự kiện"), max_length=64, blank=True)
    rendered_pdf = models.BinaryField(_("tệp PDF chưa ký"), null=True, blank=True)
    page_count = models.PositiveSmallIntegerField(_("số trang"), null=True, blank=True)
    # Signer role → {"page": n, "box": [x1, y1, x2, y2]} from the renderer, for the signer.
    signature_boxes = models.JSONField(default=dict, blank=True)
    rendered_at = models.DateTimeField(_("tạo PDF lúc"), null=True, blank=True)
    signed_pdf = models.BinaryField(_("tệp PDF đã ký"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256 của tệp đã ký"), max_length=64, blank=True)
    archived_at = models.DateTimeField(_("lưu trữ lúc"), null=True, blank=True)
    # The archived document's text as printed, for full-text search.
    content_text = models.TextField(_("nội dung văn bản (văn bản thuần)"), blank=True)
    created_by = models.ForeignKey(
        "members.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SignedDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("văn bản đã ký")
        verbose_name_plural = _("văn bản đã ký")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["minutes"],
                condition=Q(kind="minutes"),
                name="one_minutes_document_per_minutes",
            ),
        ]
        indexes = [
            # The compliance dashboard joins every held meeting of a year to the moment its
            # minutes were archived: read from this index alone (PostgreSQL), not from the rows,
            # which carry the PDFs and the text.
            models.Index(
                fields=["minutes"],
                include=["archived_at"],
                condition=Q(kind="minutes", status="archived"),
                name="archived_minutes_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.document_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and (
            SignedDocument.objects.filter(pk=self.pk, status=DocumentStatus.ARCHIVED).exists()
        ):
            raise ArchivedDocumentError("an archived document cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if self.status == DocumentStatus.ARCHIVED or (
            SignedDocument.objects.filter(pk=self.pk, status=DocumentStatus.ARCHIVED).exists()
        ):
            raise ArchivedDocumentError("an archived document cannot be deleted")
        return super().delete(*args, **kwargs)

    def rendered_bytes(self) -> bytes:
        """The PDF before signing; a document awaits signatures only once it is rendered."""
        if self.rendered_pdf is None:
            raise ValueError(f"document {self.pk} has no rendered PDF yet")
        return bytes(self.rendered_pdf)

    def signed_bytes(self) -> bytes:
        """The signed PDF; every archived document has one."""
        if self.signed_pdf is None:
            raise ValueError(f"document {self.pk} has no signed PDF")
        return bytes(self.signed_pdf)

    @property
    def is_archived(self) -> bool:
        return self.status == DocumentStatus.ARCHIVED

    @property
    def signer_roles(self) -> tuple[str, ...]:
        """Who signs, in order."""
        if self.kind in (DocumentKind.EXTRACT, DocumentKind.RESOLUTION):
            return (SignerRole.SECRETARY,)
        return (SignerRole.CHAIR, SignerRole.RECORDER)


class DocumentSignature(models.Model):
    """One signature on a document: who signed, in which role, when, with which certificate."""

    document = models.ForeignKey(
        SignedDocument, on_delete=models.PROTECT, related_name="signatures"
    )
    role = models.CharField(_("vai trò"), max_length=20, choices=SignerRole.choices)
    signer = models.ForeignKey(
        "members.Member", verbose_name=_("người ký"), on_delete=models.PROTECT, related_name="+"
    )
    signer_name = models.CharField(_("họ tên người ký"), max_length=200)
    credential = models.ForeignKey(
        SigningCredential, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(_("ký lúc"))

    class Meta:
        verbose_name = _("chữ ký số")
        verbose_name_plural = _("chữ ký số")
        ordering = ["document", "signed_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["document", "role"], name="one_signature_per_role")
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.signer_name}"
