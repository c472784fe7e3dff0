"""Scale-out: two Daphne processes share one Redis and one PostgreSQL database.

The test starts its own redis-server and two daphnes on free 127.0.0.1 ports, puts members of
one meeting on each, and proves that a vote opened and a ballot cast through one process reach
the clients of the other, and that restarting Redis mid-meeting loses nothing: ballots cast
during the outage are acknowledged and stored, the servers send each client the events it
missed on the same socket once Redis is back, and the clients keep receiving events without a
gap.

Clients behave like static/js/room.js before the server sent the first snapshot with its hello
(an older page, still served): on hello they ask for a snapshot and resend unacknowledged
ballots; on an event with a gap they ask for a snapshot; on a close they reconnect.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.test import Client
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from meetings.events import verify_chain
from meetings.models import Ballot, MeetingEvent
from meetings.services import room
from tests.conftest import sign_in_verified
from tests.meetings.room.conftest import build_scene

POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
REDIS_SERVER = shutil.which("redis-server")
DAPHNE = Path(sys.executable).with_name("daphne")

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not POSTGRES,
        reason="needs PostgreSQL (set DATABASE_URL): two Daphne processes and the test must "
        "share the test database, which SQLite cannot do reliably",
    ),
    pytest.mark.skipif(REDIS_SERVER is None, reason="needs the redis-server binary"),
]

LAYER_FAILED = "channel layer failed on a meeting connection"  # meetings.consumers logs it
START_TIMEOUT = 30  # seconds for a daphne to answer /health/ (Django import on a busy machine)
STEP_TIMEOUT = 10  # seconds for any one expected frame, reconnect or state


# --- processes ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL; always reaped, by its own PID."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@dataclass
class RedisServer:
    port: int
    log: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    str(REDIS_SERVER), "--port", str(self.port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no", "--daemonize", "no",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        client = redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=1)
        deadline = time.monotonic() + STEP_TIMEOUT
        try:
            while True:
                try:
                    if client.ping():
                        return
                except redis.ConnectionError:
                    if self.process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"redis-server did not start: {self.log}") from None
                    time.sleep(0.05)
        finally:
            client.close()

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)


@dataclass
class Daphne:
    name: str
    port: int
    log: Path
    process: subprocess.Popen[bytes]

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def start_daphne(name: str, environment: dict[str, str], var_dir: Path) -> Daphne:
    port = free_port()
    log = var_dir / f"daphne-{name}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(DAPHNE), "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"],
            cwd=settings.BASE_DIR,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    return Daphne(name, port, log, process)


def wait_healthy(server: Daphne) -> None:
    # No proxy from the environment: this is 127.0.0.1 only.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if server.process.poll() is not None:
            raise RuntimeError(f"daphne {server.name} exited:\n{server.log_text()}")
        try:
            with opener.open(f"{server.origin}/health/", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"daphne {server.name} did not answer:\n{server.log_text()}")
        time.sleep(0.1)


def database_url() -> str:
    """The test database pytest-django created, as a URL for the daphne processes."""
    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    host = db["HOST"] or "127.0.0.1"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{user}{password}@{host}{port}/{quote(db['NAME'], safe='')}"


# The marks of a test that runs its own Daphne processes and Redis against the test database.
SERVERS_MARKS = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not POSTGRES, reason="needs PostgreSQL shared with the daphne processes"),
    pytest.mark.skipif(REDIS_SERVER is None, reason="needs the redis-server binary"),
]


def daphne_environment(tmp_path: Path, redis_url: str, **extra: str) -> dict[str, str]:
    """What a test's Daphne runs with: the production settings, the test database, the test's own
    Redis and a var directory under `tmp_path` (created), and `extra` settings."""
    var_dir = tmp_path / "var"
    var_dir.mkdir(exist_ok=True)
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url,
        "SECRET_KEY": settings.SECRET_KEY,
        "CHIBO_VAR_DIR": str(var_dir),
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


@dataclass
class Cluster:
    redis: RedisServer
    a: Daphne
    b: Daphne


@pytest.fixture
def cluster(transactional_db, settings, tmp_path) -> Iterator[Cluster]:
    """Its own redis-server and two daphnes on the test database; all stopped by PID after."""
    redis_server = RedisServer(port=free_port(), log=tmp_path / "redis.log")
    redis_url = f"redis://127.0.0.1:{redis_server.port}/0"
    # Broadcasts made by the test process itself go to the same Redis, not the machine's.
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [{"address": redis_url, "socket_timeout": None}]},
        }
    }
    environment = daphne_environment(tmp_path, redis_url)
    servers: list[Daphne] = []
    try:
        redis_server.start()
        servers = [start_daphne(name, environment, tmp_path) for name in ("a", "b")]
        for server in servers:
            wait_healthy(server)
        yield Cluster(redis_server, *servers)
    finally:
        for server in servers:
            stop(server.process)
        redis_server.stop()
        for server in servers:  # shown by pytest when the test failed
            print(f"--- daphne {server.name} log ---\n{server.log_text()[-6000:]}")


# --- a room client like static/js/room.js ---------------------------------------------------


@dataclass
class RoomClient:
    name: str
    server: Daphne
    meeting_id: int
    session_key: str
    events: list[dict[str, Any]] = field(default_factory=list)  # every event frame received
    close_codes: list[int | None] = field(default_factory=list)  # None: handshake refused
    hellos: int = 0
    seq: int = 0  # the last event applied, as room.js keeps it
    state: dict[str, Any] | None = None  # the last snapshot
    synced: bool = False  # a snapshot answered the latest hello
    pending: dict[str, dict[str, Any]] = field(default_factory=dict)  # ballots not yet answered
    replies: dict[str, asyncio.Future[dict[str, Any]]] = field(default_factory=dict)
    socket: ClientConnection | None = None
    task: asyncio.Task[None] | None = None
    ids: Iterator[int] = field(default_factory=itertools.count)

    def start(self) -> None:
        self.task = asyncio.create_task(self.run(), name=self.name)

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task

    async def run(self) -> None:
        retry = 0.2
        while True:
            try:
                async with connect(
                    f"ws://127.0.0.1:{self.server.port}/ws/meetings/{self.meeting_id}/",
                    origin=self.server.origin,
                    additional_headers={"Cookie": f"sessionid={self.session_key}"},
                    proxy=None,
                    open_timeout=5,
                    close_timeout=2,
                    ping_interval=None,
                ) as websocket:
                    self.socket = websocket
                    retry = 0.2
                    async for text in websocket:
                        await self.handle(json.loads(text))
                self.close_codes.append(websocket.close_code)
            except ConnectionClosed as closed:
                self.close_codes.append(closed.rcvd.code if closed.rcvd else 1006)
            except (OSError, InvalidHandshake, TimeoutError):
                self.close_codes.append(None)
            self.socket = None
            self.synced = False
            if self.close_codes[-1] in (4401, 4404):
                return
            await asyncio.sleep(retry)
            retry = min(retry * 2, 2.0)

    async def send(self, message: dict[str, Any]) -> None:
        if self.socket is not None:
            with contextlib.suppress(ConnectionClosed):
                await self.socket.send(json.dumps(message))

    async def handle(self, frame: dict[str, Any]) -> None:
        if frame["type"] == "hello":
            self.hellos += 1
            self.synced = False
            await self.send({"type": "snapshot", "id": f"hello-{self.hellos}"})
            for message in self.pending.values():
                await self.send(message)
        elif frame["type"] == "snapshot":
            self.state, self.seq = frame["state"], frame["seq"]
            self.synced = self.synced or frame["id"] == f"hello-{self.hellos}"
        elif frame["type"] == "event":
            self.events.append(frame)
            if frame["seq"] <= self.seq:
                return
            if frame["seq"] != self.seq + 1:
                await self.send({"type": "snapshot", "id": f"gap-{next(self.ids)}"})
                return
            self.seq = frame["seq"]
        self.pending.pop(frame.get("id") or "", None)
        reply = self.replies.pop(frame.get("id") or "", None)
        if reply is not None and not reply.done():
            reply.set_result(frame)

    async def request(self, message: dict[str, Any]) -> dict[str, Any]:
        """Sends a command and returns the server's answer to it."""
        message = {"id": f"{self.name}-{next(self.ids)}", **message}
        reply = asyncio.get_running_loop().create_future()
        self.replies[message["id"]] = reply
        if message["type"] == "ballot.cast":
            self.pending[message["id"]] = message  # resent after a reconnect, same ballot id
        await self.send(message)
        try:
            return await asyncio.wait_for(reply, STEP_TIMEOUT)
        except TimeoutError:
            raise AssertionError(
                f"{self.name}: no answer to {message['type']} in {STEP_TIMEOUT} s "
                f"(connected: {self.socket is not None}, closes: {self.close_codes})"
            ) from None

    def event(self, name: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e["event"] == name]


async def eventually(check: Callable[[], bool], what: str, timeout: float = STEP_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting until {what}")
        await asyncio.sleep(0.02)


def session_key(member: Any) -> str:
    client = sign_in_verified(Client(), member.user)
    return str(client.cookies["sessionid"].value)


def ballot(vote_id: int) -> dict[str, Any]:
    return {"type": "ballot.cast", "vote": vote_id, "ballot": str(uuid.uuid4()), "choice": "yes"}


# --- the test -------------------------------------------------------------------------------


def started_across_two(scene):
    """The scene's meeting started with its voting item open, and its members split between
    the two daphnes: (those connecting to A, those connecting to B), by name."""
    room.start_meeting(meeting_id=scene.meeting.pk, actor=scene.chair.user)
    room.open_item(meeting_id=scene.meeting.pk, actor=scene.chair.user, item_id=scene.items[2].pk)
    on_a = {"chair": scene.chair, "official1": scene.officials[0], "prob": scene.probationary}
    on_b = {
        "recorder": scene.recorder,
        "official2": scene.officials[1],
        "official3": scene.officials[2],
        "temporary": scene.temporary,
    }
    return on_a, on_b


def test_two_daphnes_share_events_and_survive_a_redis_restart(cluster):
    scene = build_scene()
    meeting_id = scene.meeting.pk
    on_a, on_b = started_across_two(scene)
    keys = {name: session_key(m) for name, m in (on_a | on_b).items()}

    outcome = asyncio.run(drive(cluster, meeting_id, on_a, keys))

    # Nothing lost: every acknowledged ballot is a row, once (the repeat was not counted again);
    # the event log is gapless and its hash chain intact.
    ballots = Ballot.objects.filter(vote_id=outcome["vote"])
    assert ballots.count() == outcome["acks"] == 4
    assert len(set(ballots.values_list("client_ballot_id", flat=True))) == 4
    seqs = list(MeetingEvent.objects.filter(meeting_id=meeting_id).values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    head = MeetingEvent.objects.filter(meeting_id=meeting_id).last()
    assert verify_chain(scene.meeting) == head.hash
    assert outcome["final_seq"] == head.seq
    assert head.event == "vote.closed"
    assert head.payload["result"]["cast"] == 4
    # Both processes lived through it, and no consumer died with a traceback.
    for server in (cluster.a, cluster.b):
        assert server.process.poll() is None, server.log_text()
        assert "Exception inside application" not in server.log_text()
    # A process that sent a ballot's count during the outage failed and said so. (A count held
    # back with others, meetings.events.COUNT_INTERVAL, may go out once Redis is back instead.)
    assert any("broadcast of event" in s.log_text() for s in (cluster.a, cluster.b))


async def drive(
    cluster: Cluster, meeting_id: int, on_a: dict[str, Any], keys: dict[str, str]
) -> dict[str, Any]:
    clients = {
        name: RoomClient(name, cluster.a if name in on_a else cluster.b, meeting_id, key)
        for name, key in keys.items()
    }
    try:
        # One at a time, so the attendance events come in a known order.
        for client in clients.values():
            client.start()
            await eventually(lambda c=client: c.synced, f"{client.name} has its first snapshot")
        return await scenario(cluster, clients)
    finally:
        for client in clients.values():
            await client.stop()


async def scenario(cluster: Cluster, clients: dict[str, RoomClient]) -> dict[str, Any]:
    chair, everyone = clients["chair"], list(clients.values())
    a_clients = [c for c in everyone if c.server is cluster.a]
    assert {c.name for c in a_clients} == {"chair", "official1", "prob"}
    roll = clients["temporary"].state["roll"]  # the last to connect sees everyone present
    assert [r["status"] for r in roll] == ["present"] * 7

    # 1. The chair on A opens a vote; a member on B votes through B; A's clients see both.
    opened = await chair.request(
        {"type": "vote.open", "kind": "resolution", "question": "Thông qua nghị quyết tháng"}
    )
    assert opened["type"] == "ack", opened
    vote_id = opened["result"]["vote"]
    assert len(opened["result"]["eligible"]) == 5  # the official members, all present
    first = await clients["official2"].request(ballot(vote_id))
    assert (first["type"], first["result"]["cast"]) == ("ack", 1), first
    for client in everyone:
        await eventually(lambda c=client: c.event("ballot.counted"), f"{client.name} sees it")
    for client in a_clients:
        vote_opened, counted = client.event("vote.opened")[0], client.event("ballot.counted")[0]
        assert counted["seq"] == vote_opened["seq"] + 1, client.events
        assert counted["payload"] == {"vote": vote_id, "cast": 1, "eligible": 5}
        assert client.seq == counted["seq"]
    seq_before_outage = chair.seq

    # 2. Redis goes away. Ballots cast now, through either process, are stored and answered
    # with an ack; their broadcast fails (the servers log it) and nobody hears about them yet.
    await asyncio.to_thread(cluster.redis.stop)
    for server, connected in ((cluster.a, 3), (cluster.b, 4)):
        await eventually(
            lambda s=server, n=connected: s.log_text().count(LAYER_FAILED) == n,
            f"every connection on daphne {server.name} has noticed the outage",
        )
    resent = ballot(vote_id)
    during = [
        await clients["official3"].request(resent),  # through B
        await clients["official1"].request(ballot(vote_id)),  # through A
    ]
    assert [(r["type"], r["result"]["cast"]) for r in during] == [("ack", 2), ("ack", 3)], during
    assert all(c.seq == seq_before_outage for c in everyone)

    # 3. Redis is back (empty: groups and queued messages are gone). Every connection joins its
    # group again and sends its page the events it missed, from the log, on the same socket:
    # no close, no handshake, no snapshot.
    connections = {c.name: c.hellos for c in everyone}
    await asyncio.to_thread(cluster.redis.start)
    for client in everyone:
        await eventually(
            lambda c=client: c.seq == seq_before_outage + 2,
            f"{client.name} has the events it missed",
        )
    for client in everyone:
        assert client.close_codes == [], client.name  # the socket stayed open
        assert client.hellos == connections[client.name], client.name
        missed = [e for e in client.events if e["seq"] > seq_before_outage]
        assert [(e["event"], e["payload"]["cast"]) for e in missed] == [
            ("ballot.counted", 2),
            ("ballot.counted", 3),
        ], client.name

    # 4. Live again, across both processes: a ballot on B and the close on A reach everyone,
    # and every client holds the state after both with no gap. (B may hold its count back for
    # its interval while A sends the close at once, so a client can get the close first: it
    # then loads the state, as room.js does; docs/protocol.md.)
    last = await clients["recorder"].request(ballot(vote_id))
    assert (last["type"], last["result"]["cast"]) == ("ack", 4), last
    # A client unsure of its ballot sends it again with the same ballot id: counted once.
    again = await clients["official3"].request(resent)
    assert (again["type"], again["result"]) == ("ack", {"vote": vote_id, "duplicate": True})
    closed = await chair.request({"type": "vote.close", "vote": vote_id})
    assert closed["type"] == "ack", closed
    both = {seq_before_outage + 3, seq_before_outage + 4}
    for client in everyone:
        await eventually(
            lambda c=client: both <= {e["seq"] for e in c.events} and c.seq == max(both),
            f"{client.name} gets the count and the close",
        )
        tail = sorted({(e["seq"], e["event"]) for e in client.events if e["seq"] in both})
        assert tail == [
            (seq_before_outage + 3, "ballot.counted"),
            (seq_before_outage + 4, "vote.closed"),
        ], client.name
    return {
        "vote": vote_id,
        "acks": sum(
            r["type"] == "ack" and not r["result"]["duplicate"]
            for r in [first, *during, last, again]
        ),
        "final_seq": chair.seq,
    }
