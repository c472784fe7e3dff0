"""The deployment's signing authority and the members' signing credentials."""

from __future__ import annotations

from cryptography import x509
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


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
