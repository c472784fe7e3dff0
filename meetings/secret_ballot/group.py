"""The ristretto255 group (a prime-order group built on Curve25519), through libsodium.

Every group operation (decoding and validating an element, adding, subtracting, multiplying by a
scalar) is libsodium's `crypto_core_ristretto255_*` / `crypto_scalarmult_ristretto255*`, called
through ctypes: the Debian package libsodium23 (1.0.18 or later; bin/system-packages). PyNaCl
1.6 binds only the ed25519 functions, not ristretto255, hence this thin binding. Nothing here
computes on curve points itself. Scalars are integers modulo the group order L (plain Python
integers: field arithmetic, not group arithmetic).

Elements travel as 64 lowercase hex characters (the canonical 32-byte ristretto255 encoding),
scalars as 64 hex characters of their 32-byte little-endian form, reduced below L.
"""

import ctypes
import ctypes.util
import hashlib
import re
import secrets

# The order of the ristretto255 group (RFC 9496 §4).
L = 2**252 + 27742317777372353535851937790883648493
IDENTITY = bytes(32)
_HEX64 = re.compile(r"[0-9a-f]{64}")


class GroupError(ValueError):
    """An encoding that is not a valid group element or scalar."""


def _load() -> ctypes.CDLL:
    path = ctypes.util.find_library("sodium") or "libsodium.so.23"
    lib = ctypes.CDLL(path)
    if lib.sodium_init() < 0:  # 0 first time, 1 when already initialised
        raise RuntimeError("libsodium could not be initialised")
    for name in (
        "crypto_core_ristretto255_is_valid_point",
        "crypto_core_ristretto255_add",
        "crypto_core_ristretto255_sub",
        "crypto_scalarmult_ristretto255",
        "crypto_scalarmult_ristretto255_base",
    ):
        getattr(lib, name).restype = ctypes.c_int
    return lib


_lib = _load()


def _scalar_bytes(k: int) -> bytes:
    return (k % L).to_bytes(32, "little")


def element(data: bytes) -> bytes:
    """A decoded, validated group element (canonical encoding; the identity included)."""
    if len(data) != 32 or _lib.crypto_core_ristretto255_is_valid_point(data) != 1:
        raise GroupError("not a ristretto255 element")
    return bytes(data)


def add(p: bytes, q: bytes) -> bytes:
    out = ctypes.create_string_buffer(32)
    if _lib.crypto_core_ristretto255_add(out, p, q) != 0:
        raise GroupError("not a ristretto255 element")
    return out.raw


def sub(p: bytes, q: bytes) -> bytes:
    out = ctypes.create_string_buffer(32)
    if _lib.crypto_core_ristretto255_sub(out, p, q) != 0:
        raise GroupError("not a ristretto255 element")
    return out.raw


def mul(k: int, p: bytes) -> bytes:
    """k·P. libsodium refuses a product that is the identity (k = 0 mod L, or P the identity);
    in a prime-order group that is exactly when the answer is the identity."""
    k %= L
    out = ctypes.create_string_buffer(32)
    if k == 0 or _lib.crypto_scalarmult_ristretto255(out, _scalar_bytes(k), p) != 0:
        return IDENTITY
    return out.raw


def base(k: int) -> bytes:
    """k·G, G the standard generator."""
    k %= L
    out = ctypes.create_string_buffer(32)
    if k == 0 or _lib.crypto_scalarmult_ristretto255_base(out, _scalar_bytes(k)) != 0:
        return IDENTITY
    return out.raw


def total(points: list[bytes]) -> bytes:
    acc = IDENTITY
    for p in points:
        acc = add(acc, p)
    return acc


G = base(1)


def random_scalar() -> int:
    """A uniformly random nonzero scalar (64 random bytes reduced, as libsodium does)."""
    while True:
        k = int.from_bytes(secrets.token_bytes(64), "little") % L
        if k:
            return k


def hash_to_scalar(tag: str, *parts: bytes | str | int) -> int:
    """SHA-512 of the tag and the parts, each prefixed by its length (4 bytes, big-endian),
    read little-endian and reduced modulo L. Strings are UTF-8; integers their decimal text."""
    h = hashlib.sha512()
    for part in (tag, *parts):
        if isinstance(part, int):
            part = str(part)
        if isinstance(part, str):
            part = part.encode()
        h.update(len(part).to_bytes(4, "big") + part)
    return int.from_bytes(h.digest(), "little") % L


def encode_element(p: bytes) -> str:
    return p.hex()


def decode_element(text: object) -> bytes:
    """An element as sent: its canonical encoding as 64 lowercase hex characters (so one bit
    changed anywhere in the text is a different element or a refusal)."""
    if not isinstance(text, str) or not _HEX64.fullmatch(text):
        raise GroupError("an element is 64 lowercase hex characters")
    return element(bytes.fromhex(text))


def encode_scalar(k: int) -> str:
    return _scalar_bytes(k).hex()


def decode_scalar(text: object) -> int:
    """A scalar as sent: 64 hex characters, little-endian, already reduced (canonical, so one
    bit changed anywhere is a different scalar or a refusal)."""
    if not isinstance(text, str) or not _HEX64.fullmatch(text):
        raise GroupError("a scalar is 64 lowercase hex characters")
    k = int.from_bytes(bytes.fromhex(text), "little")
    if k >= L:
        raise GroupError("a scalar is below the group order")
    return k
