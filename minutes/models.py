from __future__ import annotations

import secrets
import uuid
from typing import Any

from cryptography import x509
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from minutes.enums import (
    ApprovalKind,
    DocumentKind,
    DocumentStatus,
    MinutesStatus,
    RenderState,
    ReviewKind,
    SignerRole,
)

# Short codes of the verification link: no 0/O, 1/I/L, so a code read aloud or retyped from
# paper is unambiguous. 10 characters of 31 symbols: about 50 bits, not guessable.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10


def new_verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class SigningAuthority(models.Model):
    """The deployment's own certificate authority: one row, created on first use.

    `private_key` is sealed by `minutes.keystore` (AES-GCM under SIGNING_KEY_ENCRYPTION_KEY).
    """

    DEFAULT_SLOT = "default"

    slot = models.CharField(max_length=20, unique=True, default=DEFAULT_SLOT, editable=False)
    name = models.CharField(_("tên"), max_length=200)
    certificate_pem = models.TextField(_("chứng thư số (PEM)"))
    private_key = models.BinaryField(_("khóa bí mật (đã mã hóa)"))
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("tổ chức cấp chứng thư nội bộ")
        verbose_name_plural = _("tổ chức cấp chứng thư nội bộ")

    def __str__(self) -> str:
        return self.name

    @property
    def certificate(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.certificate_pem.encode("ascii"))


class SigningCredential(models.Model):
    """A member's signing certificate issued by the built-in authority, with its sealed key.

    At most one credential per member is current (not revoked).
    """

    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("đảng viên"),
        on_delete=models.PROTECT,
        related_name="signing_credentials",
    )
    authority = models.ForeignKey(
        SigningAuthority, on_delete=models.PROTECT, related_name="credentials"
    )
    serial_number = models.CharField(_("số hiệu chứng thư"), max_length=64, unique=True)
    certificate_pem = models.TextField(_("chứng thư số (PEM)"))
    private_key = models.BinaryField(_("khóa bí mật (đã mã hóa)"))
    not_before = models.DateTimeField(_("hiệu lực từ"))
    not_after = models.DateTimeField(_("hiệu lực đến"))
    created_at = models.DateTimeField(_("cấp lúc"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("chứng thư ký số của đảng viên")
        verbose_name_plural = _("chứng thư ký số của đảng viên")
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(revoked_at__isnull=True),
                name="one_current_signing_credential_per_member",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} ({self.serial_number})"

    @property
    def certificate(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.certificate_pem.encode("ascii"))


# --- The minutes of a meeting and the documents issued from them --------------------------------


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


class MinutesReview(models.Model):
    """The superior committee's comment on, or acknowledgement of, an archived document."""

    document = models.ForeignKey(
        SignedDocument, verbose_name=_("văn bản"), on_delete=models.PROTECT, related_name="reviews"
    )
    reviewer = models.ForeignKey(
        "members.Member",
        verbose_name=_("người xem xét"),
        on_delete=models.PROTECT,
        related_name="minutes_reviews",
    )
    kind = models.CharField(_("loại"), max_length=20, choices=ReviewKind.choices)
    text = models.TextField(_("nội dung"), blank=True)
    created_at = models.DateTimeField(_("lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("ý kiến của cấp trên về biên bản")
        verbose_name_plural = _("ý kiến của cấp trên về biên bản")
        ordering = ["document", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.reviewer}"


class CellRecordsVersion(models.Model):
    """How many times the records the compliance dashboard counts changed for a cell: a held
    meeting (saved or deleted), its attendance summary, its votes, its archived minutes. Bumped
    by `minutes.review.kept` in the writer's transaction; a row of `CellYearFigures` computed
    at another version is computed again."""

    cell = models.OneToOneField(
        "members.Organization",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="records_version",
    )
    version = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("phiên bản hồ sơ của chi bộ")
        verbose_name_plural = _("phiên bản hồ sơ của chi bộ")

    def __str__(self) -> str:
        return f"{self.cell_id}: {self.version}"


class CellYearFigures(models.Model):
    """A cell's figures for one year on the compliance dashboard (minutes.review.dashboard),
    kept between requests. Valid for the cell's records at `records_version` and its signing
    deadline and minimum duration at the time: the dashboard computes the row again when any of
    them differs. Derived data only: deleting every row loses nothing."""

    cell = models.ForeignKey(
        "members.Organization", on_delete=models.CASCADE, related_name="year_figures"
    )
    year = models.PositiveSmallIntegerField()
    records_version = models.PositiveBigIntegerField()
    signing_days = models.PositiveSmallIntegerField()
    regular_minimum = models.PositiveSmallIntegerField()
    held = models.PositiveIntegerField()
    present = models.PositiveIntegerField()
    counted = models.PositiveIntegerField()
    rated = models.PositiveIntegerField()
    criterion_met = models.PositiveIntegerField()
    blocked_votes = models.PositiveIntegerField()
    short = models.PositiveIntegerField()
    online = models.PositiveIntegerField()
    online_without_approval = models.PositiveIntegerField()
    unsigned = models.PositiveIntegerField()
    # The local days ("YYYY-MM-DD") on which the meetings with unsigned minutes ended: which are
    # overdue depends on the day the dashboard is looked at.
    unsigned_ended_on = models.JSONField(default=list)
    signed_late = models.PositiveIntegerField()
    months_held = models.PositiveIntegerField()  # a bit per kind and month (figures.month_bit)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("số liệu năm của chi bộ")
        verbose_name_plural = _("số liệu năm của chi bộ")
        constraints = [
            models.UniqueConstraint(fields=["cell", "year"], name="one_figures_row_per_cell_year")
        ]

    def __str__(self) -> str:
        return f"{self.cell_id} {self.year}"
