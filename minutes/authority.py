"""The built-in certificate authority in the database: created on first use, issues one
signing credential per member, and says which authorities a verification trusts."""

from __future__ import annotations

from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from members.models import Member
from minutes.certificates import KeyPair, create_authority, issue_member_certificate
from minutes.keystore import KeyDecryptionError, open_private_key, seal_private_key
from minutes.models import SigningAuthority, SigningCredential


def signing_authority() -> SigningAuthority:
    """The deployment's authority, created (key pair, self-signed certificate) on first call.

    Two processes racing on the first call both generate a key; the unique slot keeps one.
    """
    existing = SigningAuthority.objects.filter(slot=SigningAuthority.DEFAULT_SLOT).first()
    if existing is not None:
        return existing
    pair = create_authority(name=settings.SIGNING_AUTHORITY_NAME, now=timezone.now())
    try:
        with transaction.atomic():
            return SigningAuthority.objects.create(
                name=settings.SIGNING_AUTHORITY_NAME,
                certificate_pem=_pem(pair.certificate),
                private_key=seal_private_key(pair.private_key, certificate=pair.certificate),
            )
    except IntegrityError:
        return SigningAuthority.objects.get(slot=SigningAuthority.DEFAULT_SLOT)


def signing_credential_for(member: Member) -> SigningCredential:
    """The member's current credential, issued on first use (CN = the member's full name).

    A credential whose certificate has expired is revoked and replaced.
    """
    now = timezone.now()
    current = SigningCredential.objects.filter(member=member, revoked_at__isnull=True).first()
    if current is not None and current.not_after > now:
        return current
    authority = signing_authority()
    pair = issue_member_certificate(
        KeyPair(authority.certificate, authority_private_key(authority)),
        full_name=member.full_name,
        member_id=member.pk,
        now=now,
    )
    try:
        with transaction.atomic():
            if current is not None:
                SigningCredential.objects.filter(pk=current.pk).update(revoked_at=now)
            return SigningCredential.objects.create(
                member=member,
                authority=authority,
                serial_number=format(pair.certificate.serial_number, "x"),
                certificate_pem=_pem(pair.certificate),
                private_key=seal_private_key(pair.private_key, certificate=pair.certificate),
                not_before=pair.certificate.not_valid_before_utc,
                not_after=pair.certificate.not_valid_after_utc,
            )
    except IntegrityError:
        # Another request issued one first (one current credential per member).
        return SigningCredential.objects.get(member=member, revoked_at__isnull=True)


def authority_private_key(authority: SigningAuthority) -> rsa.RSAPrivateKey:
    key = open_private_key(authority.private_key, certificate=authority.certificate)
    if not isinstance(key, rsa.RSAPrivateKey):  # create_authority makes RSA keys only
        raise KeyDecryptionError("the authority's stored key is not an RSA key")
    return key


def credential_private_key(credential: SigningCredential) -> PrivateKeyTypes:
    return open_private_key(credential.private_key, certificate=credential.certificate)


def trusted_authorities() -> list[x509.Certificate]:
    """The certificates a verification trusts: ours (once it exists), plus
    SIGNING_TRUSTED_CA_FILES."""
    ours = SigningAuthority.objects.filter(slot=SigningAuthority.DEFAULT_SLOT).first()
    roots = [ours.certificate] if ours else []
    for name in settings.SIGNING_TRUSTED_CA_FILES:
        roots.extend(x509.load_pem_x509_certificates(Path(name).read_bytes()))
    return roots


def _pem(certificate: x509.Certificate) -> str:
    return certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")
