"""Private keys at rest: AES-256-GCM under a key derived from `SIGNING_KEY_ENCRYPTION_KEY`.

A sealed blob is `version (1 byte) | nonce (12 bytes) | ciphertext+tag`. The associated data is
the SHA-256 of the certificate the key belongs to, so a blob copied onto another certificate's
row does not open. Only the PKCS#8 DER of the key is ever encrypted; it is never stored in the
clear, and the settings value itself is never stored.
"""

from __future__ import annotations

import os
from functools import lru_cache

from cryptography import x509
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

FORMAT_VERSION = b"\x01"
NONCE_BYTES = 12
MINIMUM_SECRET_LENGTH = 32


class KeyDecryptionError(Exception):
    """The blob does not open with the configured key (wrong key, another certificate, or
    tampered data)."""


def seal_private_key(key: PrivateKeyTypes, *, certificate: x509.Certificate) -> bytes:
    der = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    nonce = os.urandom(NONCE_BYTES)
    ciphertext = _cipher(settings.SIGNING_KEY_ENCRYPTION_KEY).encrypt(
        nonce, der, _binding(certificate)
    )
    return FORMAT_VERSION + nonce + ciphertext


def open_private_key(blob: bytes | memoryview, *, certificate: x509.Certificate) -> PrivateKeyTypes:
    blob = bytes(blob)
    if blob[:1] != FORMAT_VERSION:
        raise KeyDecryptionError("unknown key format")
    nonce, ciphertext = blob[1 : 1 + NONCE_BYTES], blob[1 + NONCE_BYTES :]
    try:
        der = _cipher(settings.SIGNING_KEY_ENCRYPTION_KEY).decrypt(
            nonce, ciphertext, _binding(certificate)
        )
    except InvalidTag as error:
        raise KeyDecryptionError(
            "the private key does not decrypt: SIGNING_KEY_ENCRYPTION_KEY differs from the one "
            "it was stored with, or the stored data was altered"
        ) from error
    # The GCM tag has just proved these are the bytes we stored from a generated key, so the
    # slow RSA consistency check (about 60 ms per load) adds nothing.
    return serialization.load_der_private_key(
        der, password=None, unsafe_skip_rsa_key_validation=True
    )


def _binding(certificate: x509.Certificate) -> bytes:
    return certificate.fingerprint(hashes.SHA256())


@lru_cache(maxsize=4)
def _cipher(secret: str) -> AESGCM:
    if len(secret) < MINIMUM_SECRET_LENGTH:
        raise ImproperlyConfigured(
            f"SIGNING_KEY_ENCRYPTION_KEY must be at least {MINIMUM_SECRET_LENGTH} characters"
        )
    # HKDF turns the configured secret (any string: a passphrase or a random token) into the
    # 256-bit AES key; the info string separates this use from any other use of the secret.
    key = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=b"chibo/minutes/keystore",
        info=b"signing private keys at rest, v1",
    ).derive(secret.encode("utf-8"))
    return AESGCM(key)
