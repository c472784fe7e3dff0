"""The encrypted-burst phase of bench/live_room.py (`--secret-burst`): an encrypted secret
ballot (docs/secret-ballot.md) in a meeting whose members are all connected, through daphne and
the websockets.

1. The chair opens a secret ballot with `"encrypted": true` (whatever SECRET_BALLOT_ENCRYPTED
   says). The three board members' clients make the key as their pages do, over their own
   sockets: `board.commit` (round 1) each as the vote opens, `board.deal` (round 2) from the
   commitments the board state shows, then each opens the shares sealed to it
   (meetings/secret_ballot/protocol.py, as tests/meetings/secret_ballot/pages.py plays it).
   Timed: from `vote.open` sent until every client knows the vote takes ballots (the
   `board.changed` with phase `voting`, or a snapshot showing it).
2. Every member's ballot (yes, no or abstain at random) is encrypted with its proofs
   beforehand, in this process: in the room the page does it, measured per ballot in Chromium
   by bench/secret_ballot.py. Then every member sends theirs (`ballot.cast` with `encrypted`)
   at a random moment within BURST_WINDOW. Timed: from the last ballot sent until every client
   has the final count (`ballot.counted` with cast = eligible, or a snapshot showing it);
   ballots lost or duplicated, checked in the database (receipts per member and client ballot
   id, encrypted ballots and their trackers, the count events, the hash chain).
3. The chair closes the vote (`vote.close` → `vote.counting` with the encrypted total); the
   pages of board members 1 and 2 each send `board.decrypt` when they see it. Timed: from the
   close sent until every client has `vote.counting`, then `vote.closed`; the counts in
   `vote.closed` are compared with the choices made in step 2 and the stored record is
   verified (meetings/secret_ballot/record.py).

Clients behave as static/js/room.js: they apply `board.changed` and `vote.counting` from the
payload, as the page does since this benchmark found the pages reloading their snapshots at
each step of the board (docs/benchmarks.md); the board members' clients act on those events.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

OPTIONS = ("yes", "no", "abstain")
WEIGHTS = (6, 3, 1)  # how the members choose (the counts are checked against the choices)
BURST_WINDOW = 2.0  # seconds in which every member casts a ballot (as the plain burst)
STEP_TIMEOUT = 180.0
FINAL_TIMEOUT = 120.0
TARGET_FINAL_MS = 2000.0  # issue 18: final within 2 s after the last ballot


class Watches:
    """Several watchers over one room at once (live_room's Room holds one `watch`)."""

    def __init__(self, *watches: Any) -> None:
        self.watches = watches

    def offer(self, peer: Any, frame: dict[str, Any], now: int) -> None:
        for watch in self.watches:
            watch.offer(peer, frame, now)

    def offer_state(self, peer: Any, state: dict[str, Any], now: int) -> None:
        for watch in self.watches:
            watch.offer_state(peer, state, now)


class Trigger:
    """Sets `fired[peer index]` when one of the `peers` sees the matching event or a snapshot
    whose state matches: what a board member's page reacts to."""

    def __init__(
        self,
        peers: set[int],
        match: Callable[[dict[str, Any]], bool],
        state_match: Callable[[dict[str, Any]], bool],
    ) -> None:
        self.match, self.state_match = match, state_match
        self.fired = {i: asyncio.Event() for i in peers}

    def offer(self, peer: Any, frame: dict[str, Any], now: int) -> None:
        if peer.index in self.fired and self.match(frame):
            self.fired[peer.index].set()

    def offer_state(self, peer: Any, state: dict[str, Any], now: int) -> None:
        if peer.index in self.fired and self.state_match(state):
            self.fired[peer.index].set()


def vote_in(state: dict[str, Any], vote_id: int) -> dict[str, Any] | None:
    return next((v for v in state["votes"] if v["vote"] == vote_id), None)


def board_phase(state: dict[str, Any], vote_id: int) -> str | None:
    vote = vote_in(state, vote_id)
    return (vote.get("board") or {}).get("phase") if vote else None


def ms(ns: int) -> float:
    return round(ns / 1e6, 1)


async def answered(peer: Any, message: dict[str, Any], timeout: float = STEP_TIMEOUT) -> Any:
    """(sent, answered, frame) of a command that must be acknowledged."""
    sent, at, frame = await peer.request(message, timeout=timeout)
    if frame["type"] != "ack":
        raise RuntimeError(f"{message['type']} refused: {frame}")
    return sent, at, frame


async def quiet(room: Any, db: Callable[..., Awaitable[Any]]) -> None:
    """Until every client holds the log's head and no snapshot is in flight."""
    deadline = time.monotonic() + STEP_TIMEOUT
    while time.monotonic() < deadline:
        head = await db(head_seq, room.ident)
        if all(p.last_seq >= head and not p.resyncs and p.reload is None for p in room.peers):
            room.seq = head
            return
        await asyncio.sleep(0.1)
    raise TimeoutError("the room did not settle")


def head_seq(meeting_id: int) -> int:
    from django.db.models import Max

    from meetings.models import MeetingEvent

    found = MeetingEvent.objects.filter(meeting_id=meeting_id).aggregate(seq=Max("seq"))["seq"]
    return found or 0


def audit(meeting_id: int, vote_id: int) -> dict[str, Any]:
    """What the database says about the encrypted vote: nothing lost, nothing twice, and the
    published record verifies with the counts the vote closed with."""
    from meetings.events import verify_chain
    from meetings.models import BallotBoard, BallotReceipt, EncryptedBallot, Meeting, MeetingEvent
    from meetings.secret_ballot import record

    receipts = BallotReceipt.objects.filter(vote_id=vote_id)
    encrypted = EncryptedBallot.objects.filter(vote_id=vote_id)
    counted = [
        e.payload["cast"]
        for e in MeetingEvent.objects.filter(meeting_id=meeting_id, event="ballot.counted")
        if e.payload["vote"] == vote_id
    ]
    seqs = list(MeetingEvent.objects.filter(meeting_id=meeting_id).values_list("seq", flat=True))
    board = BallotBoard.objects.get(vote_id=vote_id)
    verified = record.verify(board.record.encode()) if board.record else None
    return {
        "receipts": receipts.count(),
        "members": receipts.values("member_id").distinct().count(),
        "client_ids": receipts.values("client_ballot_id").distinct().count(),
        "encrypted": encrypted.count(),
        "trackers": encrypted.values("tracker").distinct().count(),
        "counted_events": len(counted),
        "counted_distinct": len(set(counted)),
        "log_gapless": seqs == list(range(1, len(seqs) + 1)),
        "chain_ok": verify_chain(Meeting.objects.get(pk=meeting_id)) is not None,
        "record_verifies": verified is not None and verified.fingerprint == board.fingerprint,
        "record_counts": verified.counts if verified else None,
    }


async def phase(
    room: Any, watch_class: type, db: Callable[..., Awaitable[Any]], profiler: Any
) -> dict[str, Any]:
    """The encrypted burst in `room` (live_room.Room, every member connected and settled);
    `watch_class` is live_room.Watch, `db` live_room.db and `profiler` its Profiler (passed
    in: live_room runs as __main__, and a second copy of it would have its own database
    thread). With --profile, the ceremony, the burst and the count are recorded apart."""
    from meetings.secret_ballot import protocol

    size = room.size
    chair = room.peers[0]
    member_of = {p.hello.result()["you"]["member"]: p for p in room.peers}
    out: dict[str, Any] = {"members": size}

    # 1. The vote opens; the board makes the key over its members' sockets.
    voting_everywhere = watch_class(
        lambda f: f["event"] == "board.changed" and f["payload"]["board"]["phase"] == "voting",
        expected=size,
        state_match=lambda s: board_phase(s, vote_id) == "voting",
    )
    vote_id = -1
    room.watch = voting_everywhere
    profiler.start(f"secret{size}-ceremony")
    open_sent, _, opened = await answered(
        chair,
        {
            "type": "vote.open",
            "kind": "resolution",
            "question": "Thông qua nghị quyết tháng (bỏ phiếu kín, mã hóa)",
            "method": "secret_ballot",
            "encrypted": True,
        },
    )
    vote_id = opened["result"]["vote"]
    eligible = len(opened["result"]["eligible"])
    board = opened["result"]["board"]
    manifest, threshold = board["manifest"], board["threshold"]
    ctx = protocol.manifest_hash(manifest)
    board_peers = {i: member_of[m] for i, m in enumerate(board["members"], start=1)}
    private = {i: protocol.BoardMember.new(ctx, i, threshold) for i in board_peers}
    commits = await asyncio.gather(
        *(
            answered(
                board_peers[i],
                {"type": "board.commit", "vote": vote_id, "commitment": m.commitment()},
            )
            for i, m in private.items()
        )
    )
    # The last commitment's answer is the board with every commitment (as its board.changed).
    state = max((f["result"]["board"] for _, _, f in commits), key=lambda b: len(b["commitments"]))
    commitments = {int(i): c for i, c in state["commitments"].items()}
    deals = await asyncio.gather(
        *(
            answered(
                board_peers[i],
                {"type": "board.deal", "vote": vote_id, "shares": m.shares(commitments)["shares"]},
            )
            for i, m in private.items()
        )
    )
    state = max((f["result"]["board"] for _, _, f in deals), key=lambda b: len(b["sealed"]))
    for j, member in private.items():
        for i, message in state["sealed"].items():
            if int(i) != j:
                member.receive(int(i), message, state["commitments"][i]["commitments"])
    key = bytes.fromhex(state["key"])
    everyone_knows = await voting_everywhere.wait()
    room.watch = None
    profiler.stop()
    out["ceremony"] = {
        "board": len(board_peers),
        "threshold": threshold,
        "key_made_after_open_ms": ms(max(t for _, t, _ in deals) - open_sent),
        "voting_at_every_client_after_open_ms": (
            ms(max(voting_everywhere.times.values()) - open_sent) if everyone_knows else None
        ),
    }

    # 2. The ballots, encrypted beforehand; every member sends theirs within BURST_WINDOW.
    rng = random.Random(size)
    choices = rng.choices(range(len(OPTIONS)), weights=WEIGHTS, k=size)
    began = time.perf_counter()
    ballots = [protocol.encrypt_ballot(manifest, key, [c]) for c in choices]
    out["encrypted_beforehand_s"] = round(time.perf_counter() - began, 1)
    out["ballot_bytes"] = len(str(ballots[0]).encode())
    await quiet(room, db)
    gaps_before = sum(p.gaps for p in room.peers)
    early_before = sum(p.out_of_order for p in room.peers)
    final = watch_class(
        lambda f: (
            f["event"] == "ballot.counted"
            and f["payload"]["vote"] == vote_id
            and f["payload"]["cast"] == eligible
        ),
        expected=size,
        state_match=lambda s: (vote_in(s, vote_id) or {}).get("cast") == eligible,
    )
    room.watch = final
    profiler.start(f"secret{size}-burst")
    start = time.perf_counter() + 0.05

    async def cast(peer: Any, ballot: dict[str, Any], at: float) -> Any:
        await asyncio.sleep(max(0.0, start + at - time.perf_counter()))
        message = {"type": "ballot.cast", "vote": vote_id, "ballot": str(uuid.uuid4())}
        return await peer.request(message | {"encrypted": ballot}, timeout=STEP_TIMEOUT * 5)

    answers = await asyncio.gather(
        *(
            cast(p, b, rng.uniform(0, BURST_WINDOW))
            for p, b in zip(room.peers, ballots, strict=True)
        ),
        return_exceptions=True,
    )
    got = [a for a in answers if isinstance(a, tuple)]
    acks = [f for _, _, f in got if f["type"] == "ack"]
    fresh = [f for f in acks if not f["result"]["duplicate"]]
    if len(fresh) == eligible:  # else the final count never comes: reported as missing
        await final.wait(FINAL_TIMEOUT)
    room.watch = None
    profiler.stop()
    last_sent = max(sent for sent, _, _ in got)
    first_sent = min(sent for sent, _, _ in got)
    times = final.times
    out["burst"] = {
        "eligible": eligible,
        "sent": size,
        "window_ms": ms(last_sent - first_sent),
        "acks": len(acks),
        "trackers_acknowledged": len({f["result"].get("tracker") for f in fresh}),
        "errors": [f.get("code") for _, _, f in got if f["type"] != "ack"]
        + [repr(a)[:200] for a in answers if not isinstance(a, tuple)],
        "last_ack_after_last_ballot_ms": ms(max(t for _, t, _ in got) - last_sent),
        "final_at_first_client_after_last_ballot_ms": ms(min(times.values()) - last_sent)
        if times
        else None,
        "final_at_all_clients_after_last_ballot_ms": ms(max(times.values()) - last_sent)
        if len(times) == size
        else None,
        "clients_with_final": len(times),
        "clients_final_from_snapshot": len(final.late),
        "client_gaps": sum(p.gaps for p in room.peers) - gaps_before,
        "client_out_of_order": sum(p.out_of_order for p in room.peers) - early_before,
    }
    await quiet(room, db)

    # 3. The close; board members 1 and 2 decrypt the total when their pages see it.
    counting = watch_class(
        lambda f: f["event"] == "vote.counting" and f["payload"]["vote"] == vote_id,
        expected=size,
        state_match=lambda s: board_phase(s, vote_id) in ("counting", "counted"),
    )
    closed = watch_class(
        lambda f: f["event"] == "vote.closed" and f["payload"]["vote"] == vote_id,
        expected=size,
        state_match=lambda s: (vote_in(s, vote_id) or {}).get("status") == "closed",
    )
    deciders = sorted(board_peers)[:threshold]
    seen = Trigger(
        {board_peers[i].index for i in deciders},
        lambda f: f["event"] == "vote.counting" and f["payload"]["vote"] == vote_id,
        lambda s: board_phase(s, vote_id) == "counting",
    )
    room.watch = Watches(counting, closed, seen)
    profiler.start(f"secret{size}-count")
    tallies: dict[int, list[dict[str, str]]] = {}

    async def decrypt(i: int) -> Any:
        peer = board_peers[i]
        await asyncio.wait_for(seen.fired[peer.index].wait(), STEP_TIMEOUT)
        # The page takes the total from what it saw (event or snapshot): the same published one.
        partial = private[i].partial_decryption(tallies[0])
        return await answered(peer, {"type": "board.decrypt", "vote": vote_id, "partial": partial})

    decrypting = [asyncio.create_task(decrypt(i)) for i in deciders]
    close_sent, close_at, close_ack = await answered(chair, {"type": "vote.close", "vote": vote_id})
    tallies[0] = close_ack["result"]["board"]["tally"]
    decrypted = await asyncio.gather(*decrypting)
    all_counting = await counting.wait()
    all_closed = await closed.wait()
    room.watch = None
    profiler.stop()
    result = next((f["result"]["result"] for _, _, f in decrypted if "result" in f["result"]), None)
    expected = {OPTIONS[c]: choices.count(c) for c in range(len(OPTIONS))}
    out["count"] = {
        "close_ack_ms": ms(close_at - close_sent),
        "counting_at_every_client_after_close_ms": ms(max(counting.times.values()) - close_sent)
        if all_counting
        else None,
        "decrypt_acks_after_close_ms": [ms(t - close_sent) for _, t, _ in decrypted],
        "closed_at_first_client_after_close_ms": ms(min(closed.times.values()) - close_sent)
        if closed.times
        else None,
        "closed_at_every_client_after_close_ms": ms(max(closed.times.values()) - close_sent)
        if all_closed
        else None,
        "clients_closed_from_snapshot": len(closed.late),
        "expected": expected,
        "tally": result["tally"] if result else None,
        "cast": result["cast"] if result else None,
    }
    await quiet(room, db)
    found = await db(audit, room.ident, vote_id)
    fresh_counts = {o: n for o, n in expected.items() if n}
    out["audit"] = found
    out["lost"] = size - found["receipts"]
    out["duplicated"] = (
        (found["receipts"] - found["members"])
        + (found["encrypted"] - found["trackers"])
        + (found["counted_events"] - found["counted_distinct"])
    )
    out["counts_right"] = (
        result is not None
        and result["tally"] == fresh_counts
        and found["record_counts"] == expected
        and found["record_verifies"]
        and found["encrypted"] == found["receipts"] == size
    )
    return out


def report(sizes: dict[Any, dict[str, Any]]) -> list[str]:
    """Lines for live_room.py's table."""
    lines: list[str] = []
    for size, entry in sizes.items():
        s = entry.get("secret_burst")
        if not s:
            continue
        b, c, k = s["burst"], s["count"], s["ceremony"]
        final = b["final_at_all_clients_after_last_ballot_ms"]
        ok = final is not None and final <= TARGET_FINAL_MS and not s["lost"]
        ok = ok and not s["duplicated"] and s["counts_right"]
        lines += [
            "",
            f"Encrypted secret burst, {size} members: every member sends an encrypted ballot "
            f"within {BURST_WINDOW:g} s (ms)",
            f"  key ceremony (3 board members over their sockets): key made "
            f"{k['key_made_after_open_ms']} ms after vote.open, every client knows "
            f"{k['voting_at_every_client_after_open_ms']} ms",
            f"  burst: {b['acks']} acks, {s['lost']} lost, {s['duplicated']} duplicated, "
            f"{len(b['errors'])} errors; last ack {b['last_ack_after_last_ballot_ms']}; final "
            f"count at the first client {b['final_at_first_client_after_last_ballot_ms']}, at "
            f"every client {final} ({b['clients_final_from_snapshot']} via snapshot) after the "
            f"last ballot | target ≤ {TARGET_FINAL_MS:g} ms: {'met' if ok else 'MISSED'}",
            "  close → vote.counting at every client "
            f"{c['counting_at_every_client_after_close_ms']}, board.decrypt acks "
            f"{c['decrypt_acks_after_close_ms']}, vote.closed at every "
            f"client {c['closed_at_every_client_after_close_ms']}; counts {c['tally']} "
            f"(expected {c['expected']}), record verifies: {s['audit']['record_verifies']} | "
            f"counts right: {s['counts_right']}",
        ]
    return lines
