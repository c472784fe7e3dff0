import base64
import datetime

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from minutes.authority import (
    authority_private_key,
    credential_private_key,
    signing_authority,
    signing_credential_for,
    trusted_authorities,
)
from minutes.keystore import KeyDecryptionError, open_private_key, seal_private_key
from minutes.models import SigningAuthority, SigningCredential
from tests.factories import MemberFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

OTHER_SECRET = "mot-khoa-khac-hoan-toan-cho-viec-thu-nghiem-2026"


def private_der(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def test_authority_is_created_once_on_first_use():
    first = signing_authority()
    second = signing_authority()

    assert first.pk == second.pk
    assert SigningAuthority.objects.count() == 1
    assert trusted_authorities() == [first.certificate]


def test_no_authority_is_trusted_before_one_exists():
    assert trusted_authorities() == []


def test_authority_certificate_may_only_sign_certificates():
    certificate = signing_authority().certificate
    constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints).value
    usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value

    assert (constraints.ca, constraints.path_length) == (True, 0)
    assert (usage.key_cert_sign, usage.crl_sign, usage.digital_signature) == (True, True, False)
    assert certificate.subject == certificate.issuer


def test_member_certificate_names_the_member_and_may_sign_documents():
    member = MemberFactory(full_name="Nguyễn Thị Hằng")

    credential = signing_credential_for(member)

    certificate = credential.certificate
    authority = signing_authority().certificate
    usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    authority_key_id = certificate.extensions.get_extension_for_class(
        x509.AuthorityKeyIdentifier
    ).value.key_identifier
    assert certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == (
        "Nguyễn Thị Hằng"
    )
    assert certificate.subject.get_attributes_for_oid(NameOID.USER_ID)[0].value == (
        f"member-{member.pk}"
    )
    assert (usage.digital_signature, usage.content_commitment, usage.key_cert_sign) == (
        True,
        True,
        False,
    )
    assert (
        authority_key_id
        == authority.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    )
    assert certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
    assert certificate.issuer == authority.subject
    certificate.verify_directly_issued_by(authority)


def test_a_member_keeps_one_current_credential():
    member = MemberFactory()

    first = signing_credential_for(member)
    second = signing_credential_for(member)

    assert first.pk == second.pk
    assert SigningCredential.objects.filter(member=member).count() == 1


def test_an_expired_credential_is_revoked_and_replaced():
    member = MemberFactory()
    old = signing_credential_for(member)
    SigningCredential.objects.filter(pk=old.pk).update(
        not_after=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    )

    new = signing_credential_for(member)

    old.refresh_from_db()
    assert new.pk != old.pk
    assert old.revoked_at is not None
    assert list(SigningCredential.objects.filter(member=member, revoked_at__isnull=True)) == [new]


def test_stored_keys_are_not_in_the_clear():
    credential = signing_credential_for(MemberFactory())
    authority = signing_authority()

    for row, key in [
        (credential, credential_private_key(credential)),
        (authority, authority_private_key(authority)),
    ]:
        blob = bytes(row.private_key)
        der = private_der(key)
        pem_body = base64.b64encode(der)[:64]
        assert der not in blob
        assert der[-64:] not in blob  # not even a recognisable piece of it
        assert pem_body not in blob
        assert b"PRIVATE KEY" not in blob
        assert len(blob) == 1 + 12 + len(der) + 16  # version, nonce, ciphertext, tag


def test_stored_key_opens_to_the_certificate_key():
    credential = signing_credential_for(MemberFactory())

    key = credential_private_key(credential)

    assert key.public_key().public_numbers() == credential.certificate.public_key().public_numbers()


def test_stored_key_opens_only_with_the_right_setting():
    credential = signing_credential_for(MemberFactory())

    with (
        override_settings(SIGNING_KEY_ENCRYPTION_KEY=OTHER_SECRET),
        pytest.raises(KeyDecryptionError, match="SIGNING_KEY_ENCRYPTION_KEY differs"),
    ):
        credential_private_key(credential)
    assert credential_private_key(credential) is not None


def test_a_key_copied_onto_another_certificate_does_not_open():
    first = signing_credential_for(MemberFactory())
    second = signing_credential_for(MemberFactory())

    with pytest.raises(KeyDecryptionError):
        open_private_key(first.private_key, certificate=second.certificate)


def test_a_tampered_blob_does_not_open():
    credential = signing_credential_for(MemberFactory())
    blob = bytearray(credential.private_key)
    blob[-1] ^= 0x01

    with pytest.raises(KeyDecryptionError):
        open_private_key(bytes(blob), certificate=credential.certificate)


def test_a_short_encryption_setting_is_refused():
    credential = signing_credential_for(MemberFactory())
    key = credential_private_key(credential)

    with (
        override_settings(SIGNING_KEY_ENCRYPTION_KEY="ngan"),
        pytest.raises(ImproperlyConfigured, match="at least 32 characters"),
    ):
        seal_private_key(key, certificate=credential.certificate)
