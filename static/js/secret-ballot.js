// Encrypted secret ballots in the page (docs/secret-ballot.md): the board member's key share,
// the voter's encrypted ballot with its proofs, the board's partial decryption, and a verifier
// of the published record. The same steps as meetings/secret_ballot/protocol.py, byte for byte:
// ristretto255 from the vendored, audited @noble/curves (static/vendor/README.md); nothing here
// computes on curve points itself. Private values stay in this browser (localStorage, per vote).
import { ristretto255 } from "../vendor/noble-curves/ed25519.js";
import { sha256, sha512 } from "../vendor/noble-hashes/sha2.js";

const Point = ristretto255.Point;
export const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const G = Point.BASE;
const ZERO = Point.ZERO;
const encoder = new TextEncoder();

// --- encodings: 64 lowercase hex characters, scalars little-endian --------------------------

function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
function unhex(text) {
  if (typeof text !== "string" || !/^[0-9a-f]{64}$/.test(text)) throw new Error("hex");
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}
function le(bytes) {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]);
  return n;
}
export function encodeScalar(k) {
  k = mod(k);
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) { out[i] = Number(k & 255n); k >>= 8n; }
  return hex(out);
}
export function decodeScalar(text) {
  const k = le(unhex(text));
  if (k >= L) throw new Error("scalar");
  return k;
}
export const encodePoint = (p) => hex(p.toBytes());
export const decodePoint = (text) => Point.fromBytes(unhex(text));
const mod = (k) => ((k % L) + L) % L;
const base = (k) => mul(k, G);
function mul(k, p) {
  k = mod(k);
  return k === 0n ? ZERO : p.multiply(k);
}
const total = (points) => points.reduce((acc, p) => acc.add(p), ZERO);

export function randomScalar() {
  for (;;) {
    const k = le(crypto.getRandomValues(new Uint8Array(64))) % L;
    if (k) return k;
  }
}

function hashToScalar(tag, ...parts) {
  const chunks = [];
  for (let part of [tag, ...parts]) {
    if (typeof part === "number" || typeof part === "bigint") part = String(part);
    if (typeof part === "string") part = encoder.encode(part);
    else if (!(part instanceof Uint8Array)) part = part.toBytes();
    const length = new Uint8Array(4);
    new DataView(length.buffer).setUint32(0, part.length);
    chunks.push(length, part);
  }
  const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) { all.set(c, at); at += c.length; }
  return le(sha512(all)) % L;
}

// The canonical JSON the server hashes: sorted keys, no spaces, UTF-8.
export function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}
export const sha256Hex = (value) => hex(sha256(encoder.encode(canonical(value))));
export const manifestHash = (manifest) => sha256Hex(manifest);
export const tracker = (ballot) => sha256Hex(ballot);

// --- proofs -------------------------------------------------------------------------------

function schnorrProve(ctx, label, secret, pub) {
  const w = randomScalar();
  const c = hashToScalar("schnorr", ctx, label, pub, base(w));
  return [encodeScalar(c), encodeScalar(w + c * secret)];
}
function pair(step) {
  if (!Array.isArray(step) || step.length !== 2) throw new Error("proof");
  return [decodeScalar(step[0]), decodeScalar(step[1])];
}
function schnorrVerify(ctx, label, pub, proof) {
  const [c, s] = pair(proof);
  return c === hashToScalar("schnorr", ctx, label, pub, base(s).subtract(mul(c, pub)));
}
function branch(key, a, b, v, c, s) {
  return [base(s).subtract(mul(c, a)), mul(s, key).subtract(mul(c, b.subtract(base(BigInt(v)))))];
}
function rangeProve(ctx, label, key, a, b, value, nonce, values) {
  const real = values.indexOf(value);
  const steps = [];
  const commitments = [];
  const w = randomScalar();
  values.forEach((v, i) => {
    if (i === real) { steps.push([0n, 0n]); commitments.push(base(w), mul(w, key)); }
    else {
      const c = randomScalar(), s = randomScalar();
      steps.push([c, s]);
      commitments.push(...branch(key, a, b, v, c, s));
    }
  });
  const challenge = hashToScalar("range", ctx, label, key, a, b, ...commitments);
  const cReal = mod(challenge - steps.reduce((n, [c]) => n + c, 0n));
  steps[real] = [cReal, mod(w + cReal * nonce)];
  return steps.map(([c, s]) => [encodeScalar(c), encodeScalar(s)]);
}
function rangeVerify(ctx, label, key, a, b, values, proof) {
  if (!Array.isArray(proof) || proof.length !== values.length) return false;
  const commitments = [];
  let sum = 0n;
  values.forEach((v, i) => {
    const [c, s] = pair(proof[i]);
    sum += c;
    commitments.push(...branch(key, a, b, v, c, s));
  });
  return mod(sum) === hashToScalar("range", ctx, label, key, a, b, ...commitments);
}
function dleqProve(ctx, label, x, pub, a, d) {
  const w = randomScalar();
  const c = hashToScalar("dleq", ctx, label, pub, a, d, base(w), mul(w, a));
  return [encodeScalar(c), encodeScalar(w + c * x)];
}
function dleqVerify(ctx, label, pub, a, d, proof) {
  const [c, s] = pair(proof);
  const t1 = base(s).subtract(mul(c, pub));
  const t2 = mul(s, a).subtract(mul(c, d));
  return c === hashToScalar("dleq", ctx, label, pub, a, d, t1, t2);
}
const range = (lo, hi) => Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);

// --- the board member's part ----------------------------------------------------------------

function evaluate(coefficients, at) {
  return mod(coefficients.reduce((n, a, k) => n + a * BigInt(at) ** BigInt(k), 0n));
}
function evaluateCommitments(commitments, at) {
  return total(commitments.map((c, k) => mul(BigInt(at) ** BigInt(k), decodePoint(c))));
}
const sharePad = (ctx, dealer, to, ephemeral, shared) => hashToScalar("share", ctx, dealer, to, ephemeral, shared);

// A board member's private state, kept in this browser only (localStorage), so a page that
// reloads resumes its part. `storage` is the key under which it is kept.
export class BoardMember {
  constructor(state) { Object.assign(this, state); }

  static open(storageKey, manifest, index) {
    const saved = localStorage.getItem(storageKey);
    const ctx = manifestHash(manifest);
    // Kept only for the same manifest: after the chair changes the board (a new manifest), the
    // ceremony starts again with new values.
    if (saved && JSON.parse(saved).ctx === ctx && JSON.parse(saved).index === index) {
      const s = JSON.parse(saved);
      return new BoardMember({
        storageKey, ctx: s.ctx, index: s.index, threshold: s.threshold, sent: s.sent,
        coefficients: s.coefficients.map(decodeScalar), transport: decodeScalar(s.transport),
        received: Object.fromEntries(Object.entries(s.received).map(([k, v]) => [k, decodeScalar(v)])),
      });
    }
    const member = new BoardMember({
      storageKey, ctx, index, threshold: manifest.threshold, sent: {},
      coefficients: Array.from({ length: manifest.threshold }, randomScalar),
      transport: randomScalar(), received: {},
    });
    member.save();
    return member;
  }

  save() {
    localStorage.setItem(this.storageKey, JSON.stringify({
      ctx: this.ctx, index: this.index, threshold: this.threshold, sent: this.sent,
      coefficients: this.coefficients.map(encodeScalar), transport: encodeScalar(this.transport),
      received: Object.fromEntries(Object.entries(this.received).map(([k, v]) => [k, encodeScalar(v)])),
    }));
  }

  // Round 1 (kept, so the same message is sent again after a reconnect).
  commitment() {
    if (!this.sent.commitment) {
      const commitments = this.coefficients.map(base);
      const transport = base(this.transport);
      this.sent.commitment = {
        member: this.index,
        commitments: commitments.map(encodePoint),
        proof: schnorrProve(this.ctx, `coefficient/${this.index}`, this.coefficients[0], commitments[0]),
        transport: encodePoint(transport),
        transport_proof: schnorrProve(this.ctx, `transport/${this.index}`, this.transport, transport),
      };
      this.save();
    }
    return this.sent.commitment;
  }

  // Round 2: f(j) for each other member, sealed to its transport key.
  shares(commitments) {
    if (!this.sent.shares) {
      const out = {};
      for (const [j, published] of Object.entries(commitments)) {
        if (Number(j) === this.index) continue;
        const r = randomScalar();
        const pad = sharePad(this.ctx, this.index, Number(j), base(r), mul(r, decodePoint(published.transport)));
        out[j] = { ephemeral: encodePoint(base(r)), share: encodeScalar(evaluate(this.coefficients, Number(j)) + pad) };
      }
      this.sent.shares = out;
      this.save();
    }
    return this.sent.shares;
  }

  // Opens and checks each dealer's share; throws naming the dealer whose share is wrong.
  receive(sealed, commitments) {
    for (const [dealer, message] of Object.entries(sealed)) {
      if (Number(dealer) === this.index || dealer in this.received) continue;
      const box = message.shares[String(this.index)];
      const ephemeral = decodePoint(box.ephemeral);
      const pad = sharePad(this.ctx, Number(dealer), this.index, ephemeral, mul(this.transport, ephemeral));
      const share = mod(decodeScalar(box.share) - pad);
      if (!base(share).equals(evaluateCommitments(commitments[dealer].commitments, this.index))) {
        throw Object.assign(new Error("bad share"), { dealer: Number(dealer) });
      }
      this.received[dealer] = share;
    }
    this.save();
  }

  secret() {
    return mod(evaluate(this.coefficients, this.index) + Object.values(this.received).reduce((n, s) => n + s, 0n));
  }

  partialDecryption(tally) {
    const x = this.secret();
    const pub = base(x);
    return {
      member: this.index,
      shares: tally.map((entry, c) => {
        const a = decodePoint(entry.a);
        const d = mul(x, a);
        return { d: encodePoint(d), proof: dleqProve(this.ctx, `decrypt/${this.index}/${c}`, x, pub, a, d) };
      }),
    };
  }
}

// --- the voter's ballot ---------------------------------------------------------------------

// Encrypts the options at `chosen` positions (one-hot), each with its 0-or-1 proof, and the
// proof that the number chosen is within the manifest's min..max. Bound to this vote.
export function encryptBallot(manifest, keyHex, chosen) {
  const ctx = manifestHash(manifest);
  const key = decodePoint(keyHex);
  const selections = [];
  let nonces = 0n;
  const as = [], bs = [];
  manifest.options.forEach((_, c) => {
    const value = chosen.includes(c) ? 1 : 0;
    const r = randomScalar();
    const a = base(r), b = base(BigInt(value)).add(mul(r, key));
    selections.push({ a: encodePoint(a), b: encodePoint(b), proof: rangeProve(ctx, `option/${c}`, key, a, b, value, r, [0, 1]) });
    nonces += r; as.push(a); bs.push(b);
  });
  const sumProof = rangeProve(ctx, "sum", key, total(as), total(bs), chosen.length, mod(nonces), range(manifest.min, manifest.max));
  return { selections, sum_proof: sumProof };
}

// --- the in-page check of a published record -----------------------------------------------

function checkBallot(manifest, ctx, key, ballot) {
  const as = [], bs = [];
  ballot.selections.forEach((s, c) => {
    const a = decodePoint(s.a), b = decodePoint(s.b);
    if (!rangeVerify(ctx, `option/${c}`, key, a, b, [0, 1], s.proof)) throw new Error(`option ${c}`);
    as.push(a); bs.push(b);
  });
  if (ballot.selections.length !== manifest.options.length) throw new Error("options");
  if (!rangeVerify(ctx, "sum", key, total(as), total(bs), range(manifest.min, manifest.max), ballot.sum_proof)) {
    throw new Error("sum");
  }
}

function lagrange(indices, j) {
  let num = 1n, den = 1n;
  for (const m of indices) if (m !== j) { num = mod(num * BigInt(m)); den = mod(den * BigInt(m - j)); }
  return mod(num * modInverse(den));
}
function modInverse(a) {
  let [r0, r1, s0, s1] = [mod(a), L, 1n, 0n];
  while (r1) { const q = r0 / r1; [r0, r1] = [r1, r0 - q * r1]; [s0, s1] = [s1, s0 - q * s1]; }
  return mod(s0);
}

// Recomputes the record from its text (docs/secret-ballot.md, "The export"): the board's proofs
// and key, every ballot's proofs and tracker, the encrypted total, each partial decryption and
// the counts. Returns {fingerprint, counts, trackers}; throws at the first thing that fails.
export function verifyRecord(text) {
  const record = JSON.parse(text);
  if (canonical(record) !== text) throw new Error("not canonical");
  const m = record.manifest;
  const ctx = manifestHash(m);
  const commitments = {};
  record.board.forEach((c, i) => {
    if (c.member !== i + 1) throw new Error("board");
    const first = decodePoint(c.commitments[0]);
    if (c.commitments.length !== m.threshold
      || !schnorrVerify(ctx, `coefficient/${c.member}`, first, c.proof)
      || !schnorrVerify(ctx, `transport/${c.member}`, decodePoint(c.transport), c.transport_proof)) {
      throw new Error(`board member ${c.member}`);
    }
    commitments[c.member] = c;
  });
  const key = total(record.board.map((c) => decodePoint(c.commitments[0])));
  if (encodePoint(key) !== record.key) throw new Error("key");
  const trackers = record.ballots.map((entry) => {
    checkBallot(m, ctx, key, entry.ballot);
    if (tracker(entry.ballot) !== entry.tracker) throw new Error("tracker");
    return entry.tracker;
  });
  const tally = m.options.map((_, c) => ({
    a: encodePoint(total(record.ballots.map((e) => decodePoint(e.ballot.selections[c].a)))),
    b: encodePoint(total(record.ballots.map((e) => decodePoint(e.ballot.selections[c].b)))),
  }));
  if (canonical(tally) !== canonical(record.tally)) throw new Error("tally");
  for (const p of record.decryptions) {
    const pub = total(record.board.map((c) => evaluateCommitments(c.commitments, p.member)));
    p.shares.forEach((share, c) => {
      if (!dleqVerify(ctx, `decrypt/${p.member}/${c}`, pub, decodePoint(tally[c].a), decodePoint(share.d), share.proof)) {
        throw new Error(`decryption of board member ${p.member}`);
      }
    });
  }
  const chosen = record.decryptions.slice(0, m.threshold);
  const indices = chosen.map((p) => p.member);
  const counts = {};
  m.options.forEach((option, c) => {
    const shared = total(chosen.map((p) => mul(lagrange(indices, p.member), decodePoint(p.shares[c].d))));
    const target = decodePoint(tally[c].b).subtract(shared);
    let point = ZERO, n = 0;
    while (!point.equals(target)) {
      if (n > record.ballots.length) throw new Error("count");
      point = point.add(G); n += 1;
    }
    counts[option] = n;
  });
  if (canonical(counts) !== canonical(record.counts)) throw new Error("counts");
  return { fingerprint: hex(sha256(encoder.encode(text))), counts, trackers };
}
