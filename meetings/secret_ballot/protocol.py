"""Encrypted secret ballots: exponential ElGamal over ristretto255 with a threshold board.

Plain Python, no Django: the same steps the pages run (static/js/secret-ballot.js), so the
server, `verify_ballot` and the tests check exactly what the browsers produce. The protocol is
described in docs/secret-ballot.md; in short:

- The manifest fixes a vote: its id, question, options, how many options a ballot may choose
  (`min`..`max`), the board (member ids, numbered 1..n in that order) and the threshold t. Every
  proof hashes the manifest's hash in, so nothing carries over from one vote to another.
- Key ceremony (Feldman VSS, each board member a dealer): member i picks a polynomial f_i of
  degree t − 1, publishes C_ik = a_ik·G with a Schnorr proof for C_i0, and a transport key
  E_i. It sends f_i(j) to each other member j encrypted to E_j (a one-time pad in the scalar
  field keyed by a Diffie–Hellman secret), so the server only relays ciphertexts. Member j
  checks f_i(j)·G = Σ_k j^k·C_ik and keeps x_j = Σ_i f_i(j). The vote's key is K = Σ_i C_i0;
  member j's verification key X_j = Σ_i Σ_k j^k·C_ik is public.
- A ballot encrypts a one-hot vector: option c is (a_c, b_c) = (r_c·G, m_c·G + r_c·K) with
  m_c ∈ {0, 1} and a disjunctive Chaum–Pedersen proof of that, and the sum of all options
  gets a proof that it lies in min..max (exactly 1 for a yes/no/abstain question).
- The tally multiplies the ciphertexts (adds the elements). Each board member sends
  D_jc = x_j·A_c with a Chaum–Pedersen proof that log_G X_j = log_{A_c} D_jc; any t of them
  combine with Lagrange coefficients into m_c·G, and m_c is found by counting up.
"""

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from meetings.secret_ballot import group
from meetings.secret_ballot.group import (
    G,
    GroupError,
    L,
    add,
    base,
    decode_element,
    decode_scalar,
    encode_element,
    encode_scalar,
    hash_to_scalar,
    mul,
    random_scalar,
    sub,
    total,
)

VERSION = 1
MAX_OPTIONS = 50


class ProtocolError(ValueError):
    """Published data that does not verify. `who` names the culprit when there is one (a board
    member's number, or a ballot's tracker), `what` says which part failed."""

    def __init__(self, what: str, who: object = None):
        super().__init__(what if who is None else f"{what} ({who})")
        self.what = what
        self.who = who


def canonical(data: Any) -> bytes:
    """The one serialisation that is hashed and exported: sorted keys, no spaces, UTF-8."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sha256_hex(data: Any) -> str:
    return hashlib.sha256(canonical(data)).hexdigest()


# --- The manifest ----------------------------------------------------------------------------


def manifest(
    *,
    vote: int,
    meeting: int,
    question: str,
    options: list[str],
    minimum: int,
    maximum: int,
    board: list[int],
    threshold: int,
) -> dict[str, Any]:
    if not 1 <= len(options) <= MAX_OPTIONS or len(set(options)) != len(options):
        raise ValueError("options")
    if not 0 <= minimum <= maximum <= len(options):
        raise ValueError("min/max")
    if not 1 <= threshold <= len(board) or len(set(board)) != len(board):
        raise ValueError("board")
    return {
        "version": VERSION,
        "vote": vote,
        "meeting": meeting,
        "question": question,
        "options": list(options),
        "min": minimum,
        "max": maximum,
        "board": list(board),
        "threshold": threshold,
    }


def manifest_hash(m: dict[str, Any]) -> str:
    return sha256_hex(m)


# --- Proofs ----------------------------------------------------------------------------------


def _schnorr_prove(ctx: str, label: str, secret: int, public: bytes) -> list[str]:
    w = random_scalar()
    t = base(w)
    c = hash_to_scalar("schnorr", ctx, label, public, t)
    return [encode_scalar(c), encode_scalar(w + c * secret)]


def _schnorr_verify(ctx: str, label: str, public: bytes, proof: Any) -> bool:
    c, s = _pair(proof)
    t = sub(base(s), mul(c, public))
    return c == hash_to_scalar("schnorr", ctx, label, public, t)


def _pair(proof: Any) -> tuple[int, int]:
    if not isinstance(proof, list) or len(proof) != 2:
        raise GroupError("a proof step is [challenge, response]")
    return decode_scalar(proof[0]), decode_scalar(proof[1])


def _range_prove(
    ctx: str, label: str, key: bytes, a: bytes, b: bytes, value: int, nonce: int, values: range
) -> list[list[str]]:
    """A disjunctive Chaum–Pedersen proof that (a, b) encrypts one of `values` under `key`
    (it encrypts `value` with `nonce`): the real branch is proved, the others simulated, and
    the challenges must add up to the Fiat–Shamir hash."""
    # A value outside `values` (only a cheating page would try) gets the first branch "proved"
    # anyway: the result does not verify.
    real = values.index(value) if value in values else 0
    steps: list[tuple[int, int]] = []
    commitments: list[bytes] = []
    w = random_scalar()
    for i, v in enumerate(values):
        if i == real:
            steps.append((0, 0))
            commitments += [base(w), mul(w, key)]
        else:
            c, s = random_scalar(), random_scalar()
            steps.append((c, s))
            commitments += [
                sub(base(s), mul(c, a)),
                sub(mul(s, key), mul(c, sub(b, base(v)))),
            ]
    challenge = hash_to_scalar("range", ctx, label, key, a, b, *commitments)
    c_real = (challenge - sum(c for c, _ in steps)) % L
    steps[real] = (c_real, (w + c_real * nonce) % L)
    return [[encode_scalar(c), encode_scalar(s)] for c, s in steps]


def _range_verify(
    ctx: str, label: str, key: bytes, a: bytes, b: bytes, values: range, proof: Any
) -> bool:
    if not isinstance(proof, list) or len(proof) != len(values):
        return False
    commitments: list[bytes] = []
    challenges = 0
    for v, step in zip(values, proof, strict=True):
        c, s = _pair(step)
        challenges += c
        commitments += [
            sub(base(s), mul(c, a)),
            sub(mul(s, key), mul(c, sub(b, base(v)))),
        ]
    return challenges % L == hash_to_scalar("range", ctx, label, key, a, b, *commitments)


def _dleq_prove(ctx: str, label: str, x: int, public: bytes, a: bytes, d: bytes) -> list[str]:
    """Chaum–Pedersen: log_G public = log_a d (= x)."""
    w = random_scalar()
    c = hash_to_scalar("dleq", ctx, label, public, a, d, base(w), mul(w, a))
    return [encode_scalar(c), encode_scalar(w + c * x)]


def _dleq_verify(ctx: str, label: str, public: bytes, a: bytes, d: bytes, proof: Any) -> bool:
    c, s = _pair(proof)
    t1 = sub(base(s), mul(c, public))
    t2 = sub(mul(s, a), mul(c, d))
    return c == hash_to_scalar("dleq", ctx, label, public, a, d, t1, t2)


# --- The board's key ceremony ----------------------------------------------------------------


@dataclass
class BoardMember:
    """One board member's private side (what the page keeps in the browser, never sent)."""

    ctx: str  # the manifest's hash
    index: int  # 1..n
    threshold: int
    coefficients: list[int] = field(default_factory=list)
    transport_secret: int = 0
    received: dict[int, int] = field(default_factory=dict)  # dealer → f_dealer(index)

    @classmethod
    def new(cls, ctx: str, index: int, threshold: int) -> "BoardMember":
        member = cls(ctx, index, threshold)
        member.coefficients = [random_scalar() for _ in range(threshold)]
        member.transport_secret = random_scalar()
        return member

    def commitment(self) -> dict[str, Any]:
        """Round 1, public: the polynomial's commitments and the transport key, with proofs."""
        commitments = [base(a) for a in self.coefficients]
        transport = base(self.transport_secret)
        return {
            "member": self.index,
            "commitments": [encode_element(c) for c in commitments],
            "proof": _schnorr_prove(
                self.ctx, f"coefficient/{self.index}", self.coefficients[0], commitments[0]
            ),
            "transport": encode_element(transport),
            "transport_proof": _schnorr_prove(
                self.ctx, f"transport/{self.index}", self.transport_secret, transport
            ),
        }

    def evaluate(self, at: int) -> int:
        return sum(a * pow(at, k, L) for k, a in enumerate(self.coefficients)) % L

    def shares(self, commitments: dict[int, dict[str, Any]]) -> dict[str, Any]:
        """Round 2: f(j) for every other member j, encrypted to j's transport key."""
        out = {}
        for j, published in sorted(commitments.items()):
            if j == self.index:
                continue
            ephemeral = random_scalar()
            transport = decode_element(published["transport"])
            pad = _share_pad(self.ctx, self.index, j, base(ephemeral), mul(ephemeral, transport))
            out[str(j)] = {
                "ephemeral": encode_element(base(ephemeral)),
                "share": encode_scalar(self.evaluate(j) + pad),
            }
        return {"member": self.index, "shares": out}

    def receive(self, dealer: int, message: dict[str, Any], commitments: list[str]) -> None:
        """Decrypts the dealer's share for this member and checks it against the dealer's
        published commitments; a share that does not match names the dealer."""
        try:
            sealed = message["shares"][str(self.index)]
            ephemeral = decode_element(sealed["ephemeral"])
            pad = _share_pad(
                self.ctx, dealer, self.index, ephemeral, mul(self.transport_secret, ephemeral)
            )
            share = (decode_scalar(sealed["share"]) - pad) % L
        except (KeyError, TypeError, GroupError):
            raise ProtocolError("share missing or malformed", dealer) from None
        expected = _evaluate_commitments([decode_element(c) for c in commitments], self.index)
        if base(share) != expected:
            raise ProtocolError("share does not match the dealer's commitments", dealer)
        self.received[dealer] = share

    def secret(self) -> int:
        """x_j: this member's share of the vote's key (own f(j) plus every dealer's)."""
        return (self.evaluate(self.index) + sum(self.received.values())) % L

    def partial_decryption(self, tally: list[dict[str, str]]) -> dict[str, Any]:
        x = self.secret()
        public = base(x)
        out = []
        for c, entry in enumerate(tally):
            a = decode_element(entry["a"])
            d = mul(x, a)
            proof = _dleq_prove(self.ctx, f"decrypt/{self.index}/{c}", x, public, a, d)
            out.append({"d": encode_element(d), "proof": proof})
        return {"member": self.index, "shares": out}


def _share_pad(ctx: str, dealer: int, to: int, ephemeral: bytes, shared: bytes) -> int:
    return hash_to_scalar("share", ctx, dealer, to, ephemeral, shared)


def _evaluate_commitments(commitments: list[bytes], at: int) -> bytes:
    return total([mul(pow(at, k, L), c) for k, c in enumerate(commitments)])


def check_commitment(m: dict[str, Any], published: Any) -> None:
    """Round 1 message of a board member: well formed, its proofs hold."""
    ctx = manifest_hash(m)
    index = published.get("member") if isinstance(published, dict) else None
    if type(index) is not int:
        raise ProtocolError("key commitment from no board member", index)
    try:
        commitments = [decode_element(c) for c in published["commitments"]]
        transport = decode_element(published["transport"])
        ok = (
            len(commitments) == m["threshold"]
            and _schnorr_verify(ctx, f"coefficient/{index}", commitments[0], published["proof"])
            and _schnorr_verify(ctx, f"transport/{index}", transport, published["transport_proof"])
        )
    except (KeyError, TypeError, GroupError):
        ok = False
    if not ok:
        raise ProtocolError("key commitment does not verify", index)


def joint_key(commitments: dict[int, dict[str, Any]]) -> bytes:
    return total([decode_element(c["commitments"][0]) for _, c in sorted(commitments.items())])


def verification_key(commitments: dict[int, dict[str, Any]], index: int) -> bytes:
    """X_j, the public counterpart of member j's key share."""
    return total(
        [
            _evaluate_commitments([decode_element(e) for e in c["commitments"]], index)
            for _, c in sorted(commitments.items())
        ]
    )


# --- Ballots ---------------------------------------------------------------------------------


def encrypt_ballot(m: dict[str, Any], key: bytes, chosen: list[int]) -> dict[str, Any]:
    """A ballot choosing the options at the `chosen` positions (what the page does; here for
    the tests and the benchmark). Chosen positions out of bounds make a ballot that fails."""
    ctx = manifest_hash(m)
    selections, nonces, ciphertexts = [], [], []
    for c in range(len(m["options"])):
        value = chosen.count(c)
        r = random_scalar()
        a, b = base(r), add(base(value), mul(r, key))
        proof = _range_prove(ctx, f"option/{c}", key, a, b, value, r, range(2))
        selections.append({"a": encode_element(a), "b": encode_element(b), "proof": proof})
        nonces.append(r)
        ciphertexts.append((a, b))
    a = total([a for a, _ in ciphertexts])
    b = total([b for _, b in ciphertexts])
    span = range(m["min"], m["max"] + 1)
    proof = _range_prove(ctx, "sum", key, a, b, len(chosen), sum(nonces) % L, span)
    return {"selections": selections, "sum_proof": proof}


def tracker(ballot: dict[str, Any]) -> str:
    """The ballot's tracker: SHA-256 of its canonical form, shown to the voter."""
    return sha256_hex(ballot)


def check_ballot(m: dict[str, Any], key: bytes, ballot: Any) -> str:
    """Checks every proof of a ballot; returns its tracker. Raises ProtocolError."""
    ctx = manifest_hash(m)
    try:
        if not isinstance(ballot, dict) or set(ballot) != {"selections", "sum_proof"}:
            raise GroupError("fields")
        selections = ballot["selections"]
        if not isinstance(selections, list) or len(selections) != len(m["options"]):
            raise GroupError("one ciphertext per option")
        pairs = []
        for c, s in enumerate(selections):
            if not isinstance(s, dict) or set(s) != {"a", "b", "proof"}:
                raise GroupError("fields")
            a, b = decode_element(s["a"]), decode_element(s["b"])
            if not _range_verify(ctx, f"option/{c}", key, a, b, range(2), s["proof"]):
                raise ProtocolError("an option is not 0 or 1", c)
            pairs.append((a, b))
        a, b = total([a for a, _ in pairs]), total([b for _, b in pairs])
        span = range(m["min"], m["max"] + 1)
        if not _range_verify(ctx, "sum", key, a, b, span, ballot["sum_proof"]):
            raise ProtocolError("the number of choices is out of bounds")
    except GroupError as error:
        raise ProtocolError(f"malformed ballot: {error}") from None
    return tracker(ballot)


# --- Tally and decryption --------------------------------------------------------------------


def encrypted_tally(m: dict[str, Any], ballots: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The product of the ballots' ciphertexts, option by option (nothing decrypted)."""
    out = []
    for c in range(len(m["options"])):
        a = total([decode_element(b["selections"][c]["a"]) for b in ballots])
        b_ = total([decode_element(b["selections"][c]["b"]) for b in ballots])
        out.append({"a": encode_element(a), "b": encode_element(b_)})
    return out


def check_partial_decryption(
    m: dict[str, Any],
    commitments: dict[int, dict[str, Any]],
    tally: list[dict[str, str]],
    partial: Any,
) -> None:
    """A board member's partial decryption of the tally, with its proofs; a wrong one names
    the member."""
    ctx = manifest_hash(m)
    index = partial.get("member") if isinstance(partial, dict) else None
    if type(index) is not int or index not in range(1, len(m["board"]) + 1):
        raise ProtocolError("partial decryption from no board member", index)
    public = verification_key(commitments, index)
    try:
        shares = partial["shares"]
        ok = isinstance(shares, list) and len(shares) == len(tally)
        for c, (entry, share) in enumerate(zip(tally, shares if ok else [], strict=False)):
            a, d = decode_element(entry["a"]), decode_element(share["d"])
            label = f"decrypt/{index}/{c}"
            ok = ok and _dleq_verify(ctx, label, public, a, d, share["proof"])
    except (KeyError, TypeError, GroupError):
        ok = False
    if not ok:
        raise ProtocolError("partial decryption does not verify", index)


def lagrange(indices: list[int], j: int) -> int:
    """λ_j at 0 for the set `indices`."""
    num, den = 1, 1
    for m in indices:
        if m != j:
            num = num * m % L
            den = den * (m - j) % L
    return num * pow(den, -1, L) % L


def combine(
    tally: list[dict[str, str]], partials: list[dict[str, Any]], threshold: int, most: int
) -> list[int]:
    """The counts from `threshold` checked partial decryptions (the first ones by member
    number). `most` bounds each count (the number of ballots)."""
    chosen = sorted(partials, key=lambda p: p["member"])[:threshold]
    if len(chosen) < threshold:
        raise ProtocolError("not enough partial decryptions")
    indices = [p["member"] for p in chosen]
    counts = []
    for c, entry in enumerate(tally):
        shared = total(
            [
                mul(lagrange(indices, i), decode_element(p["shares"][c]["d"]))
                for i, p in zip(indices, chosen, strict=True)
            ]
        )
        target = sub(decode_element(entry["b"]), shared)
        counts.append(_small_log(target, most))
    return counts


def _small_log(target: bytes, most: int) -> int:
    point = group.IDENTITY
    for n in range(most + 1):
        if point == target:
            return n
        point = add(point, G)
    raise ProtocolError("the tally does not decrypt to a count")
