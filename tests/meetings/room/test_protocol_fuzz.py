"""A fuzz test of the live room's protocol (issue 14): thousands of frames built from the
protocol's own schema (meetings.protocol.COMMANDS) with hostile values (wrong kinds, huge and
negative numbers, digits of other scripts, lone surrogates, NUL, deep nesting, long strings,
binary and malformed frames) sent by the chair, who may do the most, to the real consumer over
the real channel layer. Seeded, so a failure repeats.

It checks what a member would notice: every frame is answered (never `server_error`), nothing
is logged as an error, another member's page keeps receiving the meeting's events, and the
server's memory comes back to where it was."""

import gc
import json
import logging
import random
import tracemalloc
import uuid
from collections import Counter
from typing import Any

import pytest
from channels.db import database_sync_to_async

from meetings import protocol
from tests.meetings.room.test_consumer import connect

WAIT = 60  # seconds for any one frame, generous: a loaded machine is slow, not wrong

pytestmark = [
    pytest.mark.integration,
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True),
]

SEED = 14
FRAMES = 2000
WARM_UP = 300
SPOILED = 0.95
AT_ONCE = 40  # frames sent before their answers are read (more than the 32 a connection queues)
# The meeting stays open (meeting.end would leave little for the other commands to reach).
TYPES = sorted((set(protocol.COMMANDS) | protocol.LOCAL_TYPES) - {"meeting.end"})
# What a well-formed command says in its word fields, so that many reach deep into the services.
WORDS = {
    "status": ["present", "absent_with_reason", "absent_without_reason"],
    "kind": ["regular", "point_of_order", "resolution", "admission", "minutes_approval"],
    "method": ["show_of_hands", "secret_ballot"],
    "choice": ["yes", "no", "abstain"],
}
# Texts that are hostile to what stores or shows them, not to JSON.
NASTY_TEXTS = ["\ud800", "a\udfffb", "\x00", "yes\x00", "\u202e", "²", "١٢", "🗳" * 100, " "]


def nested(depth: int) -> Any:
    value: Any = 0
    for _ in range(depth):
        value = [value]
    return value


class Frames:
    """Frames for the room, valid in shape or hostile, from one seeded generator."""

    def __init__(self, rng: random.Random, ids: list[int]) -> None:
        self.rng = rng
        self.ids = ids  # rows of the meeting: members, items, the vote

    def hostile(self, kind: Any = None) -> Any:
        r = self.rng
        if isinstance(kind, protocol.Text) and r.random() < 0.7:
            return r.choice(NASTY_TEXTS) + "Nội dung"
        return r.choice(
            [
                None, True, False, 0, -1, 1.5, float("nan"), 2**63, 2**64, -(2**64), 10**40,
                "", "²", "١٢", "５", "1e3", " 1", "\ud800", "a\udfffb", "\x00", "yes\x00",
                "x" * r.randint(33, 7000), "Đ" * r.randint(1, 3000), [], {}, [None],
                ["a", 1, None], {"a": {"b": [1, 2]}}, nested(r.choice([5, 200, 900])),
                [2**64], ["1"], [1.0], [True], [[1]], "\u202e\u0000", "🗳" * 100,
            ]
        )  # fmt: skip

    def valid(self, kind: Any, name: str = "") -> Any:
        r = self.rng
        if isinstance(kind, protocol.RowId):
            return r.choice(self.ids) if r.random() < 0.8 else r.randint(1, 10**6)
        if isinstance(kind, protocol.Count):
            return r.randint(1, kind.most)
        if isinstance(kind, protocol.Flag):
            return r.random() < 0.5
        if isinstance(kind, protocol.Text):
            if name in WORDS:
                return r.choice(WORDS[name])
            if name == "receipt":
                return "".join(r.choices("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", k=10))
            if name == "ballot":
                return str(uuid.uuid4())
            return "Nội dung " * r.randint(1, 8)
        if isinstance(kind, protocol.ListOf):
            return [self.value(kind.item) for _ in range(r.randint(0, 4))]
        if isinstance(kind, protocol.OneOf):
            return self.value(r.choice(kind.kinds), name)
        if isinstance(kind, protocol.Record):
            record = {key: self.value(k, key) for key, k in kind.fields.items() if r.random() < 0.5}
            return record | ({"extra": self.hostile()} if r.random() < 0.2 else {})
        if isinstance(kind, protocol.Payload):
            # An object the service takes apart itself: keys and values of any shape.
            keys = ["member", "selections", "sum_proof", "commitments", "shares", "2", "a", "d"]
            return {r.choice(keys): self.hostile() for _ in range(r.randint(0, 3))}
        raise AssertionError(f"a kind of field the fuzz does not know: {kind!r}")

    def value(self, kind: Any, name: str = "") -> Any:
        return self.hostile(kind) if self.rng.random() < 0.03 else self.valid(kind, name)

    def message(self, n: int) -> dict[str, Any]:
        """A command with its fields; most (SPOILED) have one hostile part at least, the rest
        are well formed and go on to the services (which is slower: the database)."""
        r = self.rng
        kind = r.choice(TYPES) if r.random() < 0.97 else r.choice(["vote.steal", "", None, 7])
        message: dict[str, Any] = {"id": f"f{n}", "type": kind}
        command = protocol.COMMANDS.get(kind) if isinstance(kind, str) else None
        for name, (_, field_kind, required) in command.fields.items() if command else ():
            if required or r.random() < 0.5:
                message[name] = self.value(field_kind, name)
        if r.random() < SPOILED:
            fields = [name for name in message if name not in ("id", "type")]
            part = r.choice(fields) if fields and r.random() < 0.85 else r.choice(["id", "type"])
            if r.random() < 0.1:
                del message[part]
            else:
                message[part] = self.hostile(command.fields[part][1] if part in fields else None)
        return message

    def frame(self, n: int) -> dict[str, Any]:
        """Keyword arguments for WebsocketCommunicator.send_to."""
        r = self.rng
        roll = r.random()
        if roll < 0.03:
            return {"bytes_data": r.randbytes(r.randint(1, 64))}
        if roll < 0.06:
            return {"text_data": r.choice(["{", "[" * 3000, "null", '"x"', "1", " ", "{}"])}
        if roll < 0.08:
            return {"text_data": json.dumps({"id": f"f{n}", "type": "ping", "pad": "x" * 9000})}
        text = json.dumps(self.message(n), ensure_ascii=r.random() < 0.5, allow_nan=True)
        return {"text_data": text}


async def join(scene, member):
    communicator, _, _ = await connect(member, scene.meeting)
    await communicator.receive_json_from(timeout=WAIT)  # hello
    return communicator


async def request(communicator, message):
    await communicator.send_json_to(message)
    while (frame := await communicator.receive_json_from(timeout=WAIT)).get("id") != message["id"]:
        pass
    return frame


async def answers(communicator, count: int) -> list[dict[str, Any]]:
    """The next `count` frames that are not events (one answer per frame sent)."""
    found = []
    while len(found) < count:
        frame = await communicator.receive_json_from(timeout=WAIT)
        if frame["type"] != "event":
            found.append(frame)
    return found


async def drain(communicator) -> int:
    """Reads the events waiting for a page; returns how many there were."""
    seen = 0
    while not await communicator.receive_nothing(timeout=0.05):
        if (await communicator.receive_json_from())["type"] == "event":
            seen += 1
    return seen


async def test_thousands_of_hostile_frames_leave_the_room_working(scene, caplog):
    chair = await join(scene, scene.chair)
    await request(chair, {"id": "s", "type": "meeting.start"})
    watcher = await join(scene, scene.officials[0])
    voters = [scene.recorder, *scene.officials]
    for member in voters[2:]:  # more of the roll present, so fuzzed votes may open
        await (await join(scene, member)).disconnect(timeout=WAIT)
    await request(chair, {"id": "a", "type": "agenda.open", "item": scene.items[2].pk})
    opened = await request(
        chair, {"id": "v", "type": "vote.open", "kind": "resolution", "question": "Q"}
    )
    ids = [m.pk for m in voters] + [i.pk for i in scene.items] + [opened["result"]["vote"]]
    frames = Frames(random.Random(SEED), ids)
    caplog.set_level(logging.WARNING)

    answered: Counter[tuple[str, str | None]] = Counter()  # (type, code) of each answer

    async def fuzz(first: int, last: int) -> None:
        for start in range(first, last, AT_ONCE):
            sent = range(start, min(start + AT_ONCE, last))
            for n in sent:
                await chair.send_to(**frames.frame(n))
            answered.update((a["type"], a.get("code")) for a in await answers(chair, len(sent)))
            await drain(watcher)

    tracemalloc.start(1)
    try:
        await fuzz(0, WARM_UP)  # caches, translations and connections fill
        gc.collect()
        baseline = tracemalloc.take_snapshot()
        await fuzz(WARM_UP, FRAMES)
        gc.collect()
        kept = tracemalloc.take_snapshot().compare_to(baseline, "lineno")
    finally:
        tracemalloc.stop()
    grown = sum(stat.size_diff for stat in kept)

    # The other page still gets the meeting's events: the chair closes a vote the fuzz left
    # open (the meeting moves on only then), and opens an item not open now.
    state = (await request(chair, {"id": "state", "type": "snapshot"}))["state"]
    for vote in (v["vote"] for v in state["votes"] if v["status"] == "open"):
        closed = await request(chair, {"id": f"c{vote}", "type": "vote.close", "vote": vote})
        assert closed["type"] == "ack"
    item = next(i["id"] for i in state["agenda"] if i["id"] != state["current_item"])
    moved = await request(chair, {"id": "move", "type": "agenda.open", "item": item})
    while True:
        frame = await watcher.receive_json_from(timeout=WAIT)
        if frame.get("event") == "agenda.opened" and frame["payload"]["item"] == item:
            break

    assert moved["type"] == "ack"
    assert answered.total() == FRAMES
    assert answered[("error", "server_error")] == 0
    assert {kind for kind, _ in answered} <= {"ack", "error", "snapshot"}
    logged = [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.ERROR]
    assert logged == []
    assert [r.getMessage() for r in caplog.records if r.exc_info] == []
    # Rows are in the database, not in memory: what the server holds comes back to the
    # baseline, give or take its bounded caches.
    top = "\n".join(str(stat) for stat in kept[:5])
    assert grown < 1024 * 1024, f"{grown / 1024:.0f} KiB kept; most by:\n{top}"
    await database_sync_to_async(lambda: None)()  # closes this thread's database connection
    for communicator in (chair, watcher):
        await communicator.disconnect(timeout=WAIT)


def hostile_values(kind: Any) -> list[Any]:
    """Values of the wrong kind, range or length for a field of `kind`, each refused alone."""
    common = [None, {}, nested(50)]
    if isinstance(kind, protocol.RowId | protocol.Count):
        most = kind.most if isinstance(kind, protocol.Count) else protocol.MAX_ROW_ID
        return [*common, True, 1.5, float("nan"), "1", "²", 0, -1, most + 1, 2**64, -(2**64), []]
    if isinstance(kind, protocol.Text):
        too_long = "x" * (kind.longest + 1)
        return [*common, 1, True, [], ["yes"], "\ud800", "a\udfffb", "a\x00b", too_long]
    if isinstance(kind, protocol.Flag):
        return [*common, 1, 0, "true", []]
    if isinstance(kind, protocol.ListOf):
        too_many = [1] * (kind.most + 1)
        items = [[v] for v in hostile_values(kind.item) if v is not None]
        return [*common, "1,2", 1, [None], ["a", 1, None], too_many, *items]
    if isinstance(kind, protocol.OneOf):
        # Hostile to each alternative: what one refuses (a string to a list) another may take.
        return [
            v
            for k in kind.kinds
            for v in hostile_values(k)
            if all(v in hostile_values(other) or not takes_type(other, v) for other in kind.kinds)
        ]
    if isinstance(kind, protocol.Record):
        parts = [{key: v} for key, k in kind.fields.items() for v in hostile_values(k)[:6]]
        return [None, [], "x", 1, *parts]
    if isinstance(kind, protocol.Payload):
        # Only its type is checked here; the service refuses what is inside (its own tests).
        return [None, [], "x", 1, True, [{}]]
    raise AssertionError(f"a kind of field the sweep does not know: {kind!r}")


def takes_type(kind: Any, value: Any) -> bool:
    """Whether a field of `kind` takes values of the JSON type of `value` at all."""
    types = {
        protocol.Text: str,
        protocol.ListOf: list,
        protocol.Record: dict,
        protocol.Flag: bool,
        protocol.Payload: dict,
    }
    if isinstance(kind, protocol.RowId | protocol.Count):
        return type(value) is int
    return isinstance(value, types[type(kind)])


def well_formed(kind: Any) -> Any:
    """A value of `kind` that passes the checks (the command may still be refused later)."""
    if isinstance(kind, protocol.RowId | protocol.Count):
        return 1
    if isinstance(kind, protocol.Flag):
        return False
    if isinstance(kind, protocol.Text):
        return "yes"
    if isinstance(kind, protocol.ListOf):
        return [well_formed(kind.item)]
    if isinstance(kind, protocol.OneOf):
        return well_formed(kind.kinds[0])
    return {}


async def test_every_hostile_value_in_every_field_is_refused_naming_the_field(scene, caplog):
    """The sweep beside the fuzz: each field of each command, the others well formed, gets
    each value of the wrong kind, range or length; every one is refused `bad_message` with the
    field named (or the frame refused as too large), so none reaches a service."""
    chair = await join(scene, scene.chair)
    await request(chair, {"id": "s", "type": "meeting.start"})
    caplog.set_level(logging.WARNING)
    wrong = []
    n = 0
    for kind, command in protocol.COMMANDS.items():
        base = {name: well_formed(k) for name, (_, k, _) in command.fields.items()}
        for name, (_, field_kind, _) in command.fields.items():
            for value in hostile_values(field_kind):
                n += 1
                message = {"id": f"h{n}", "type": kind, **base, name: value}
                await chair.send_to(text_data=json.dumps(message, allow_nan=True))
                answer = (await answers(chair, 1))[0]
                field = (answer.get("field") or "").split(".")[0]
                if (answer.get("code"), field) not in (("bad_message", name), ("too_large", "")):
                    wrong.append((kind, name, repr(value)[:40], answer.get("code"), field))

    assert n > 250  # every field of every command, a dozen values each
    assert wrong == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    await database_sync_to_async(lambda: None)()  # closes this thread's database connection
    await chair.disconnect(timeout=WAIT)
