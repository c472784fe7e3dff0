"""The built-in certificate authority: pure `cryptography`, no database.

RSA 2048 throughout, for the widest reader support (Adobe, Foxit, poppler). The authority
signs only certificates; members' certificates sign documents (digitalSignature +
contentCommitment, no extended key usage, which some readers would then restrict).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

KEY_SIZE = 2048
AUTHORITY_VALIDITY = datetime.timedelta(days=20 * 365)
MEMBER_VALIDITY = datetime.timedelta(days=5 * 365)
# Issued slightly back-dated so a server clock a little behind another one does not reject a
# fresh certificate as "not yet valid".
CLOCK_SKEW = datetime.timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class KeyPair:
    certificate: x509.Certificate
    private_key: rsa.RSAPrivateKey


def create_authority(*, name: str, now: datetime.datetime) -> KeyPair:
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Chi bộ trực tuyến"),
            x509.NameAttribute(NameOID.COMMON_NAME, name),
        ]
    )
    public_key = key.public_key()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - CLOCK_SKEW)
        .not_valid_after(now + AUTHORITY_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .sign(key, hashes.SHA256())
    )
    return KeyPair(certificate, key)


def issue_member_certificate(
    authority: KeyPair,
    *,
    full_name: str,
    member_id: int,
    now: datetime.datetime,
) -> KeyPair:
    """A signing certificate with CN = the member's full name. The member id goes into UID,
    because two members may well share a name."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
    public_key = key.public_key()
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Chi bộ trực tuyến"),
            x509.NameAttribute(NameOID.USER_ID, f"member-{member_id}"),
            x509.NameAttribute(NameOID.COMMON_NAME, full_name),
        ]
    )
    authority_ski = authority.certificate.extensions.get_extension_for_class(
        x509.SubjectKeyIdentifier
    ).value
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(authority.certificate.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - CLOCK_SKEW)
        .not_valid_after(min(now + MEMBER_VALIDITY, authority.certificate.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(authority_ski),
            critical=False,
        )
        .sign(authority.private_key, hashes.SHA256())
    )
    return KeyPair(certificate, key)
