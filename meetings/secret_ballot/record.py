"""The published record of an encrypted secret ballot, and its verifier.

The record (docs/secret-ballot.md, "The export") is one JSON object in canonical form:

    {"manifest": {...}, "board": [round-1 messages by member number], "key": K,
     "ballots": [{"tracker": ..., "ballot": {...}}, ... by tracker],
     "tally": [{"a": ..., "b": ...} per option], "decryptions": [partials by member number],
     "counts": {option: count}}

Its fingerprint is the SHA-256 of those bytes; the minutes print it. `verify` recomputes
everything from the bytes alone and refuses the record at the first thing that does not hold.
"""

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from meetings.secret_ballot import protocol
from meetings.secret_ballot.group import GroupError, encode_element
from meetings.secret_ballot.protocol import ProtocolError, canonical


def build(
    m: dict[str, Any],
    commitments: dict[int, dict[str, Any]],
    ballots: list[dict[str, Any]],
    partials: list[dict[str, Any]],
) -> dict[str, Any]:
    """The record of a counted vote, from checked parts (raises ProtocolError otherwise)."""
    tally = protocol.encrypted_tally(m, ballots)
    counts = protocol.combine(tally, partials, m["threshold"], len(ballots))
    entries = sorted(({"tracker": protocol.tracker(b), "ballot": b} for b in ballots), key=_by)
    return {
        "manifest": m,
        "board": [commitments[i] for i in sorted(commitments)],
        "key": encode_element(protocol.joint_key(commitments)),
        "ballots": entries,
        "tally": tally,
        "decryptions": sorted(partials, key=lambda p: p["member"]),
        "counts": dict(zip(m["options"], counts, strict=True)),
    }


def _by(entry: dict[str, Any]) -> str:
    return entry["tracker"]


def serialise(record: dict[str, Any]) -> bytes:
    return canonical(record)


def fingerprint(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Verified:
    fingerprint: str
    counts: dict[str, int]
    trackers: list[str]


def verify(data: bytes) -> Verified:
    """Checks a record from its bytes: canonical form, the board's proofs and the key, every
    ballot's proofs and tracker, the tally, every partial decryption, and the counts."""
    try:
        record = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ProtocolError("not a JSON record") from None
    if not isinstance(record, dict) or canonical(record) != data:
        raise ProtocolError("not in canonical form")
    try:
        return _verify(record, data)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        if isinstance(error, ProtocolError):
            raise
        raise ProtocolError(f"malformed record: {error!r}") from None


def _verify(record: dict[str, Any], data: bytes) -> Verified:
    if set(record) != {"manifest", "board", "key", "ballots", "tally", "decryptions", "counts"}:
        raise ProtocolError("unexpected fields")
    m = record["manifest"]
    rebuilt = protocol.manifest(
        vote=m["vote"],
        meeting=m["meeting"],
        question=m["question"],
        options=m["options"],
        minimum=m["min"],
        maximum=m["max"],
        board=m["board"],
        threshold=m["threshold"],
    )
    if rebuilt != m:
        raise ProtocolError("manifest")
    board = record["board"]
    if [c.get("member") for c in board] != list(range(1, len(m["board"]) + 1)):
        raise ProtocolError("board commitments")
    for published in board:
        protocol.check_commitment(m, published)
    commitments = {c["member"]: c for c in board}
    key = protocol.joint_key(commitments)
    if record["key"] != encode_element(key):
        raise ProtocolError("the vote's key is not the board's")
    trackers = []
    for entry in record["ballots"]:
        if set(entry) != {"tracker", "ballot"}:
            raise ProtocolError("ballot entry")
        found = protocol.check_ballot(m, key, entry["ballot"])
        if found != entry["tracker"]:
            raise ProtocolError("tracker does not match its ballot", entry["tracker"])
        trackers.append(found)
    if trackers != sorted(set(trackers)):
        raise ProtocolError("ballots not in tracker order, or repeated")
    ballots = [e["ballot"] for e in record["ballots"]]
    try:
        tally = protocol.encrypted_tally(m, ballots)
    except GroupError:
        raise ProtocolError("tally") from None
    if record["tally"] != tally:
        raise ProtocolError("the encrypted tally is not the product of the ballots")
    partials = record["decryptions"]
    members = [p.get("member") for p in partials]
    if members != sorted(set(members)) or len(partials) < m["threshold"]:
        raise ProtocolError("partial decryptions")
    for partial in partials:
        protocol.check_partial_decryption(m, commitments, tally, partial)
    counts = protocol.combine(tally, partials, m["threshold"], len(ballots))
    decrypted = dict(zip(m["options"], counts, strict=True))  # in the manifest's order
    if record["counts"] != decrypted:
        raise ProtocolError("the published counts are not the decrypted tally")
    return Verified(fingerprint(data), decrypted, trackers)
