"""Live room benchmark: event fan-out, a ballot burst and 130 meetings at once, each against a bare
Channels fan-out (bench/bare_asgi.py) served the same way on the same machine.

    .venv/bin/python bench/live_room.py [--quick] [--processes 2] [--profile PATH_TO_PY_SPY]
        [--sizes 50,150] [--no-farm] [--presence-only] [--no-kill] [--proxy] [--secret-burst]

The script makes everything it uses and removes it afterwards, also on an error or Ctrl-C:
a PostgreSQL database `chibo_bench_<pid>` (created, migrated with manage.py, filled through
tests/factories.py and the room services; dropped at the end), a redis-server on a free port,
and daphne processes for the product (config.asgi) and for the baseline, all stopped by PID.
Sessions are made server-side (SessionStore with the django-otp device id, as
tests/conftest.py's sign_in_verified does). All clients are `websockets` connections in this
one asyncio process; every time is time.perf_counter_ns() taken here, on the client side.

Measured:
- arrival: every member of a meeting connects at a random moment within 10 s (as at a
  meeting's start), no limit on handshakes in flight, each page taking the snapshot the server
  sends with its hello (or, from a server that does not, asking for it on hello as room.js
  did); handshakes refused, and the time from the last handshake until every
  page shows every member present;
- departure: every page closes at once; the time until the servers closed every presence span;
- killed daphne: the largest meeting's members in, the product daphne SIGKILLed and started
  again on its port, the pages reconnecting; the time until every presence of the killed
  process is closed (by its lease, PRESENCE_LEASE_SECONDS), and whether at its last renewal;
- fan-out: one member's action (product: floor.request / floor.withdraw through the services;
  bare: a group_send) → the moment each other client receives the event, for meetings of
  50, 150 and 300 members; bare and product rounds alternate, so noise hits both alike;
- burst: every member casts a ballot within 2 s (real services); the time from the last ballot
  sent until every client has the final `ballot.counted` (cast = eligible), and ballots lost
  or duplicated, checked in the database;
- resync (extra): after one event every client reloads its snapshot 120 ms later, as
  static/js/room.js does; the time until the last snapshot arrives;
- resync wave (the largest meeting): Redis restarted with one action taken during the outage;
  once it answers, every connection sends its page the events it missed on the same socket; the
  time from Redis answering again until every page holds the current state;
- 130 meetings × 15 members at once: fan-out p50/p99 with one action per meeting per second,
  and the resident memory (RSS) of the daphne processes;
- encrypted secret burst (`--secret-burst`, after the arrival): bench/secret_burst.py.
Results are printed and written to bench/results/live_room-<time>.json (gitignored).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import dataclasses
import datetime
import functools
import gc
import itertools
import json
import os
import platform
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
if str(BASE_DIR) not in sys.path:
    sys.path.insert(0, str(BASE_DIR))

import psycopg  # noqa: E402
from psycopg import sql  # noqa: E402
from websockets.asyncio.client import ClientConnection, connect  # noqa: E402
from websockets.exceptions import ConnectionClosed, InvalidHandshake  # noqa: E402

VENV_BIN = Path(sys.executable).parent
RESULTS = BASE_DIR / "bench" / "results"
BURST_WINDOW = 2.0  # seconds in which every member casts a ballot
ROUND_GAP = 0.1  # seconds of quiet between fan-out rounds
SNAPSHOT_DELAY = 0.12  # static/js/room.js reloads the snapshot 120 ms after an event
GAP_WAIT = 0.5  # static/js/room.js waits this long for events missing before one it holds
CONNECT_CONCURRENCY = 25  # handshakes in flight at once (a meeting whose members all arrive)
CONNECT_DEADLINE = 900.0  # seconds for all of a room's clients to get in, retries included
# As the deployment runs daphne (Dockerfile, docker-compose.yml): a handshake may wait 30 s for
# the server (daphne's default, 5 s, refused handshakes queued behind a meeting's arrival).
DAPHNE_OPTIONS = ["--websocket_connect_timeout", "30"]
ARRIVAL_WINDOW = 10.0  # seconds in which a meeting's members arrive (the arrival phase)
DEPARTURE_TIMEOUT = 120.0  # seconds for the servers to close the presences of closed pages
TARGET_ALL_PRESENT_MS = 2000.0  # after the last member connects, every page shows all present
TARGET_DEPARTURE_S = 5.0  # after every page closed at once, every presence closed
TARGET_KILLED_S = 30.0  # after a daphne is killed, its connections' presences closed
STEP_TIMEOUT = 180.0  # seconds for one answer or one round before it counts as missing
BURST_TIMEOUT = 900.0  # seconds for the burst's ballots
FINAL_TIMEOUT = 120.0  # seconds after the last ack for every client to have the final tally
# Product clients reload their snapshot after the events static/js/room.js does not apply
# itself (--no-reload: only after a gap).
RELOAD_AFTER_EVENTS = True
SECRET_BURST = False  # --secret-burst: the encrypted burst (bench/secret_burst.py) after arrival
TARGET_FANOUT_RATIO = 1.5
METRICS_TOKEN = secrets.token_urlsafe(24)  # the product daphnes' /metrics (config/metrics.py)
TARGET_BURST_MS = 1000.0


@dataclass(frozen=True)
class Plan:
    sizes: tuple[int, ...]
    rounds: int
    farm_meetings: int
    farm_members: int
    farm_rounds: int
    farm_window: float  # seconds over which the meetings' actions of one farm round spread
    resync_rounds: int
    presence_only: bool = False  # only arrivals, departures and the kill (no fan-out, burst)
    kill: bool = True  # a daphne killed with the largest meeting in


FULL = Plan(
    sizes=(50, 150, 300),
    rounds=30,
    farm_meetings=130,
    farm_members=15,
    farm_rounds=5,
    farm_window=10.0,
    resync_rounds=2,
)
QUICK = Plan(
    sizes=(10, 30),
    rounds=5,
    farm_meetings=10,
    farm_members=5,
    farm_rounds=3,
    farm_window=1.0,
    resync_rounds=1,
)


# --- processes, database, redis ---------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class Lab:
    """Everything the run starts or creates, undone in `close()` (by PID, in reverse order)."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url.rstrip("/")
        self.tmp = Path(tempfile.mkdtemp(prefix="chibo-bench-"))
        self.children: list[tuple[str, subprocess.Popen[bytes]]] = []
        self.database = f"chibo_bench_{os.getpid()}"
        self.database_created = False

    def spawn(self, name: str, args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        with (self.tmp / f"{name}.log").open("wb") as log:
            process = subprocess.Popen(
                args, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        self.children.append((name, process))
        return process

    def log(self, name: str) -> str:
        path = self.tmp / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def create_database(self) -> str:
        with psycopg.connect(f"{self.admin_url}/postgres", autocommit=True) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.database)))
        self.database_created = True
        return f"{self.admin_url}/{self.database}"

    def close(self, keep_logs: Path | None = None) -> None:
        for name, process in reversed(self.children):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    print(f"  {name} (pid {process.pid}) ignored SIGTERM: killing it")
                    process.kill()
                    process.wait(timeout=15)
        self.children.clear()
        if self.database_created:
            with psycopg.connect(f"{self.admin_url}/postgres", autocommit=True) as admin:
                admin.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                        sql.Identifier(self.database)
                    )
                )
            self.database_created = False
        if keep_logs is not None:
            keep_logs.mkdir(parents=True, exist_ok=True)
            for log in self.tmp.glob("*.log"):
                shutil.copy(log, keep_logs / log.name)
        shutil.rmtree(self.tmp, ignore_errors=True)


def start_redis(lab: Lab, port: int = 0, name: str = "redis") -> int:
    port = port or free_port()
    process = lab.spawn(
        name,
        [
            shutil.which("redis-server") or "redis-server", "--port", str(port),
            "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no",
        ],
        dict(os.environ),
    )  # fmt: skip
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"redis-server exited:\n{lab.log(name)}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as probe:
                probe.sendall(b"PING\r\n")
                if probe.recv(16).startswith(b"+PONG"):
                    return port
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("redis-server did not answer")


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def start_daphnes(lab: Lab, kind: str, app: str, count: int, env: dict[str, str]) -> list[Server]:
    servers = []
    for n in range(count):
        port = free_port()
        name = f"daphne-{kind}-{n + 1}"
        args = [str(VENV_BIN / "daphne"), "-b", "127.0.0.1", "-p", str(port), *DAPHNE_OPTIONS, app]
        servers.append(Server(name, port, lab.spawn(name, args, env)))
    wait_answering(lab, servers)
    return servers


def restart_daphnes(lab: Lab, servers: list[Server], env: dict[str, str]) -> None:
    """The product daphnes again, on their ports (after they were killed)."""
    for server in servers:
        server.name = f"{server.name}-restarted"
        args = [str(VENV_BIN / "daphne"), "-b", "127.0.0.1", "-p", str(server.port)]
        args += [*DAPHNE_OPTIONS, "config.asgi:application"]
        server.process = lab.spawn(server.name, args, env)
    wait_answering(lab, servers)


def start_proxy(lab: Lab, daphnes: list[Server]) -> Server:
    """Debian's nginx with the repository's configuration (deploy/nginx/compose.conf, as
    tests/deploy/proxy.py runs it) in front of `daphnes`; product pages connect through it."""
    import pwd

    from tests.deploy.proxy import NGINX, nginx_config

    if NGINX is None:
        raise RuntimeError("--proxy needs nginx (bin/system-packages)")
    port = free_port()
    run_dir = lab.tmp / "nginx"
    run_dir.mkdir(exist_ok=True)
    conf = run_dir / "nginx.conf"
    conf.write_text(nginx_config(port, [d.port for d in daphnes], lab.tmp / "var", run_dir))
    user = pwd.getpwuid(os.getuid()).pw_name
    args = [NGINX, "-p", str(run_dir), "-c", str(conf), "-g", f"user {user};"]
    server = Server("nginx", port, lab.spawn("nginx", args, dict(os.environ)))
    wait_answering(lab, [server])
    return server


def wait_answering(lab: Lab, servers: list[Server]) -> None:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    for server in servers:
        deadline = time.monotonic() + 60
        while True:
            if server.process.poll() is not None:
                raise RuntimeError(f"{server.name} exited:\n{lab.log(server.name)}")
            try:
                with opener.open(f"{server.origin}/health/", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{server.name} did not answer:\n{lab.log(server.name)}")
            time.sleep(0.1)


# --- data, made with the project's factories and services ---------------------------------------


@dataclass
class RoomSpec:
    meeting_id: int
    session_keys: list[str]  # [chair, recorder, members …]


def make_rooms(sizes: list[int]) -> list[RoomSpec]:
    """One cell and one meeting in progress with its first agenda item open, per size."""
    from django.utils import timezone

    from meetings.models import AgendaItem, Meeting
    from meetings.services import room
    from members.enums import CellRoleKind
    from tests.factories import CellFactory, CellRoleFactory, MemberFactory, OrganizationFactory

    parent = OrganizationFactory(name="Đảng bộ đo hiệu năng")
    specs = []
    for n, size in enumerate(sizes):
        cell = CellFactory(parent=parent, name=f"Chi bộ đo {n} ({size})")
        # No password: a password hash per member would dominate the set-up time.
        chair = CellRoleFactory(member__home_cell=cell, member__user__password=None).member
        recorder = CellRoleFactory(
            member__home_cell=cell,
            member__user__password=None,
            kind=CellRoleKind.DEPUTY_SECRETARY,
        ).member
        others = MemberFactory.create_batch(size - 2, home_cell=cell, user__password=None)
        meeting = Meeting.objects.create(
            cell=cell,
            kind="regular",
            mode="online",
            approval_number="12-CV/ĐU",
            approval_date=datetime.date(2026, 1, 5),
            starts_at=timezone.now() + datetime.timedelta(minutes=5),
            chair=chair,
            recorder=recorder,
            status="scheduled",
        )
        item = AgendaItem.objects.create(
            meeting=meeting, position=1, kind="resolution", title="Biểu quyết nghị quyết tháng"
        )
        room.start_meeting(meeting_id=meeting.pk, actor=chair.user)
        room.open_item(meeting_id=meeting.pk, actor=chair.user, item_id=item.pk)
        members = [chair, recorder, *others]
        specs.append(RoomSpec(meeting.pk, [session_key(m.user) for m in members]))
    return specs


def session_key(user: Any) -> str:
    """A session that passed both factors, made server-side."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="totp", confirmed=True)
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.create()
    return str(session.session_key)


# Database reads during the run go through one worker thread (Django's ORM is sync-only).
DB = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bench-db")


async def db(function: Callable[..., Any], *args: Any) -> Any:
    return await asyncio.get_running_loop().run_in_executor(DB, functools.partial(function, *args))


def head_seq(meeting_id: int) -> int:
    from django.db.models import Max

    from meetings.models import MeetingEvent

    found = MeetingEvent.objects.filter(meeting_id=meeting_id).aggregate(seq=Max("seq"))["seq"]
    return found or 0


def open_spans(meeting_ids: list[int]) -> int:
    from meetings.models import PresenceSpan

    return PresenceSpan.objects.filter(attendance__meeting_id__in=meeting_ids, left_at=None).count()


def audit_vote(meeting_id: int, vote_id: int) -> dict[str, Any]:
    """What the database says about a vote after the burst: nothing lost, nothing twice."""
    from meetings.events import verify_chain
    from meetings.models import Ballot, Meeting, MeetingEvent

    ballots = Ballot.objects.filter(vote_id=vote_id)
    counted = [
        e.payload["cast"]
        for e in MeetingEvent.objects.filter(meeting_id=meeting_id, event="ballot.counted")
        if e.payload["vote"] == vote_id
    ]
    seqs = list(MeetingEvent.objects.filter(meeting_id=meeting_id).values_list("seq", flat=True))
    return {
        "rows": ballots.count(),
        "members": ballots.values("member_id").distinct().count(),
        "client_ids": ballots.values("client_ballot_id").distinct().count(),
        "counted_events": len(counted),
        "counted_distinct": len(set(counted)),
        "log_gapless": seqs == list(range(1, len(seqs) + 1)),
        "chain_ok": verify_chain(Meeting.objects.get(pk=meeting_id)) is not None,
    }


# --- clients ----------------------------------------------------------------------------------


class Watch:
    """Waits until `expected` clients of a room have a change: the event that `match`es, or a
    snapshot (loaded after a gap) whose state `state_match`es. Keeps when each got it."""

    def __init__(
        self,
        match: Callable[[dict[str, Any]], bool],
        expected: int,
        state_match: Callable[[dict[str, Any]], bool] | None = None,
    ) -> None:
        self.match = match
        self.state_match = state_match
        self.expected = expected
        self.times: dict[int, int] = {}
        self.late: set[int] = set()  # clients that had it from a snapshot, not the event
        self.done = asyncio.Event()

    def offer(self, peer: Peer, frame: dict[str, Any], now: int) -> None:
        if peer.index not in self.times and self.match(frame):
            self.got(peer, now)

    def offer_state(self, peer: Peer, state: dict[str, Any], now: int) -> None:
        if peer.index not in self.times and self.state_match and self.state_match(state):
            self.late.add(peer.index)
            self.got(peer, now)

    def got(self, peer: Peer, now: int) -> None:
        self.times[peer.index] = now
        if len(self.times) >= self.expected:
            self.done.set()

    async def wait(self, timeout: float = STEP_TIMEOUT) -> bool:
        try:
            await asyncio.wait_for(self.done.wait(), timeout)
        except TimeoutError:
            return False
        return True


def reloads_after(frame: dict[str, Any]) -> bool:
    """static/js/room.js applies events from their payload and reloads the snapshot only after
    the meeting's start and end and a vote it never saw open (one blocked at opening)."""
    if not RELOAD_AFTER_EVENTS:
        return False
    blocked = frame["event"] == "vote.closed" and frame["payload"].get("blocked")
    return frame["event"] in ("meeting.started", "meeting.ended") or bool(blocked)


class Peer:
    def __init__(self, room: Room, index: int) -> None:
        self.room = room
        self.index = index
        self.ws: ClientConnection | None = None
        self.reader: asyncio.Task[None] | None = None
        self.hello: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.replies: dict[str, asyncio.Future[tuple[int, dict[str, Any]]]] = {}
        self.ids: Iterator[int] = itertools.count()
        self.last_seq = 0
        self.latest = 0  # the highest seq heard of
        self.reload: asyncio.TimerHandle | None = None
        self.gaps = 0  # events that did not arrive (a jump in seq not filled within GAP_WAIT)
        self.early: dict[int, dict[str, Any]] = {}  # events ahead of the next one expected
        self.gap_timer: asyncio.TimerHandle | None = None
        self.out_of_order = 0  # events that arrived ahead of an earlier one
        self.events = 0
        self.resyncs: set[asyncio.Task[None]] = set()
        # Who the page shows present (arrival phase): from its snapshot and the attendance events.
        self.present: set[int] = set()
        self.connected_at: int | None = None  # when the handshake completed (perf_counter_ns)
        self.current_at: int | None = None  # resync wave: when it caught up after a new hello
        self.snapshot_at: int | None = None  # arrival: when its first snapshot was answered
        self.attendance_at: int | None = None  # arrival: its last `attendance.changed`
        self.caught_up_by = ""

    async def open(self, url: str, origin: str, cookie: str | None) -> None:
        self.ws = await connect(
            url,
            origin=origin,  # type: ignore[arg-type]
            additional_headers={"Cookie": cookie} if cookie else None,
            proxy=None,
            open_timeout=STEP_TIMEOUT,
            ping_interval=None,
            close_timeout=10,
            max_size=2**24,
        )
        self.connected_at = time.perf_counter_ns()
        self.reader = asyncio.create_task(self.read())
        await asyncio.wait_for(asyncio.shield(self.hello), STEP_TIMEOUT)

    async def read(self) -> None:
        assert self.ws is not None
        try:
            async for text in self.ws:
                now = time.perf_counter_ns()
                frame = json.loads(text)
                kind = frame.get("type")
                if kind == "event":
                    self.events += 1
                    self.latest = max(self.latest, frame["seq"])
                    first = frame.get("covers", frame["seq"])  # a count standing for a run
                    if frame["seq"] <= self.last_seq:
                        if self.room.watch is not None:
                            self.room.watch.offer(self, frame, now)
                    elif first > self.last_seq + 1 and self.room.kind == "product":
                        # As room.js does: an event ahead of the next one expected waits up to
                        # GAP_WAIT for those before it (another server process may send them
                        # a moment later); if they do not come, reload the snapshot.
                        self.hold_early(frame)
                    elif first > self.last_seq + 1:
                        self.gaps += first - self.last_seq - 1
                        self.apply(frame, now)
                    else:
                        self.apply(frame, now)
                        self.apply_early()
                elif kind == "snapshot" and frame.get("id") is None:
                    self.took_snapshot(frame, now)  # sent with the hello, unasked
                elif kind == "hello":
                    if not self.hello.done():
                        self.last_seq = frame["seq"]
                        self.hello.set_result(frame)
                    else:  # the layer failed and is back: catch up as room.js does
                        self.catch_up(frame["seq"], now)
                else:
                    reply = self.replies.pop(frame.get("id") or "", None)
                    if reply is not None and not reply.done():
                        reply.set_result((now, frame))
        except ConnectionClosed:
            pass
        finally:
            for reply in self.replies.values():
                if not reply.done():
                    reply.set_exception(ConnectionError("socket closed before the answer"))
            if not self.hello.done():
                self.hello.set_exception(ConnectionError("socket closed before hello"))

    def catch_up(self, head: int, now: int) -> None:
        """room.js on a hello: nothing when it missed nothing, the missed events when few, the
        snapshot otherwise; `current_at` is when it holds the state at `head`."""
        if head <= self.last_seq:
            self.current_at, self.caught_up_by = now, "nothing"
            return
        task = asyncio.create_task(self.load_missed(head))
        self.resyncs.add(task)
        task.add_done_callback(self.resyncs.discard)

    async def load_missed(self, head: int) -> None:
        if head - self.last_seq <= CATCH_UP_MAX:
            _, answered, frame = await self.request({"type": "events", "after": self.last_seq})
            if frame["type"] == "ack":
                self.last_seq = max(self.last_seq, frame["result"]["seq"])
                self.current_at, self.caught_up_by = answered, "events"
                return
        _, answered, frame = await self.request({"type": "snapshot"})
        self.last_seq = max(self.last_seq, frame["seq"])
        self.current_at, self.caught_up_by = answered, "snapshot"

    def apply(self, frame: dict[str, Any], now: int | None = None) -> None:
        """The client has the event now (one held early has it when those before it came)."""
        self.last_seq = frame["seq"]
        if frame["event"] == "attendance.changed":
            # One change per event before issue 17 (compared in docs/benchmarks.md), a list now.
            changes = frame["payload"].get("changes", [frame["payload"]])
            self.attendance_at = now or time.perf_counter_ns()
            self.saw_present({c["member"] for c in changes if c["status"] == "present"}, now)
        if self.room.kind == "product" and reloads_after(frame):
            self.schedule_reload()
        if self.room.watch is not None:
            self.room.watch.offer(self, frame, now or time.perf_counter_ns())

    def saw_present(self, members: set[int], now: int | None) -> None:
        """Arrivals only add (nobody is marked absent meanwhile), so the snapshot's and the
        events' present members add up whatever order they came in."""
        self.present |= members
        watch = self.room.presence_watch
        if watch is not None and len(self.present) >= self.room.size:
            watch.got(self, now or time.perf_counter_ns())

    def hold_early(self, frame: dict[str, Any]) -> None:
        self.out_of_order += 1
        self.early[frame["seq"]] = frame
        if self.gap_timer is None:
            self.gap_timer = asyncio.get_running_loop().call_later(GAP_WAIT, self.gap_expired)

    def apply_early(self) -> None:
        while True:
            for key in [k for k in self.early if k <= self.last_seq]:
                del self.early[key]
            follows = [
                f for f in self.early.values() if f.get("covers", f["seq"]) <= self.last_seq + 1
            ]
            if not follows:
                break
            del self.early[follows[0]["seq"]]
            self.apply(follows[0])
        if not self.early and self.gap_timer is not None:
            self.gap_timer.cancel()
            self.gap_timer = None

    def gap_expired(self) -> None:
        """The events before those held never came: a real gap, reloaded from the snapshot."""
        self.gap_timer = None
        first = min(f.get("covers", f["seq"]) for f in self.early.values())
        self.gaps += first - self.last_seq - 1
        self.early.clear()
        self.start_resync()

    async def submit(
        self, message: dict[str, Any]
    ) -> tuple[int, asyncio.Future[tuple[int, dict[str, Any]]]]:
        """Sends a command; returns when it was sent and the future of (time, answer)."""
        assert self.ws is not None
        message = {"id": str(next(self.ids)), **message}
        reply = asyncio.get_running_loop().create_future()
        self.replies[message["id"]] = reply
        text = json.dumps(message)
        sent = time.perf_counter_ns()
        await self.ws.send(text)
        return sent, reply

    async def request(
        self, message: dict[str, Any], timeout: float = STEP_TIMEOUT
    ) -> tuple[int, int, dict[str, Any]]:
        sent, reply = await self.submit(message)
        answered, frame = await asyncio.wait_for(reply, timeout)
        return sent, answered, frame

    def schedule_reload(self) -> None:
        """room.js: every event is followed, 120 ms later, by one snapshot per burst."""
        if self.reload is None:
            self.reload = asyncio.get_running_loop().call_later(SNAPSHOT_DELAY, self.reloaded)

    def reloaded(self) -> None:
        self.reload = None
        self.start_resync()

    def start_resync(self) -> None:
        if self.resyncs:
            return  # one in flight; it loads again if events overtook it
        task = asyncio.create_task(self.resync())
        self.resyncs.add(task)
        task.add_done_callback(self.resyncs.discard)

    async def resync(self) -> None:
        while True:
            try:
                _, answered, frame = await self.request({"type": "snapshot"})
            except (TimeoutError, ConnectionError, ConnectionClosed):
                return
            self.took_snapshot(frame, answered)
            if self.latest <= frame["seq"]:
                return

    def took_snapshot(self, frame: dict[str, Any], answered: int) -> None:
        """A snapshot asked for, or the one the server sends with its hello (issue 17)."""
        self.last_seq = max(self.last_seq, frame["seq"])
        if self.snapshot_at is None:
            self.snapshot_at = answered
        roll = frame["state"]["roll"]
        self.saw_present({r["member"] for r in roll if r["status"] == "present"}, answered)
        if self.room.watch is not None:
            self.room.watch.offer_state(self, frame["state"], answered)
        self.apply_early()

    async def close(self) -> None:
        if self.reload is not None:
            self.reload.cancel()
        for task in list(self.resyncs):
            task.cancel()
        if self.ws is not None:
            await self.ws.close()
        if self.reader is not None:
            await self.reader
        if not self.hello.done():
            self.hello.cancel()


FLOOR_PAYLOAD = {"request": 123456, "member": 654321, "kind": "regular", "item": 42, "queue": [1]}


class Room:
    """The clients of one meeting (product) or one group (bare), spread over the servers."""

    def __init__(self, kind: str, ident: int, size: int, keys: list[str] | None = None) -> None:
        self.kind = kind
        self.ident = ident
        self.size = size
        self.keys = keys
        self.peers: list[Peer] = []
        self.watch: Watch | None = None
        self.seq = 0
        self.sender = 2  # a member: not the chair, not the recorder
        self.request_id: int | None = None
        self.retries: list[str] = []  # failed connection attempts, each tried again
        self.missing = 0  # clients that never had an event within STEP_TIMEOUT
        self.presence_watch: Watch | None = None  # pages that show everyone present

    async def connect(
        self,
        servers: list[Server],
        gate: asyncio.Semaphore | None,
        window: float = 0.0,
        snapshot_on_hello: bool = False,
    ) -> None:
        """Every client connects, each at a random moment within `window` seconds (0: all at
        once), through `gate` (handshakes in flight) if given; like room.js, a page asks for its
        snapshot once it has the hello when `snapshot_on_hello`, unless the server sends it with
        the hello (`snapshot_follows`, issue 17; the code before it did not)."""
        rng = random.Random(self.ident)
        offsets = [rng.uniform(0, window) for _ in range(self.size)]
        began = time.perf_counter()

        async def one(index: int) -> Peer:
            await asyncio.sleep(max(0.0, began + offsets[index] - time.perf_counter()))
            server = servers[index % len(servers)]
            if self.kind == "product":
                assert self.keys is not None
                path, cookie = f"/ws/meetings/{self.ident}/", f"sessionid={self.keys[index]}"
            else:
                path, cookie = f"/ws/bare/{self.ident}/", None
            delay, deadline = 0.5, time.monotonic() + CONNECT_DEADLINE
            while time.monotonic() < deadline:
                peer = Peer(self, index)
                url = f"ws://127.0.0.1:{server.port}{path}"
                try:
                    if gate is None:
                        await peer.open(url, server.origin, cookie)
                    else:
                        async with gate:
                            await peer.open(url, server.origin, cookie)
                    # A server that sends the snapshot with its hello is not asked for it.
                    if snapshot_on_hello and not peer.hello.result().get("snapshot_follows"):
                        peer.start_resync()
                    return peer
                except (OSError, InvalidHandshake, TimeoutError) as error:
                    # Like static/js/room.js: try again later, waiting twice as long each time.
                    self.retries.append(repr(error)[:120])
                    await peer.close()
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, 10.0)
            raise RuntimeError(f"{self.kind} {self.ident}: no connection in {CONNECT_DEADLINE} s")

        self.peers = list(await asyncio.gather(*(one(i) for i in range(self.size))))

    async def settle(self) -> None:
        """Waits until the events of everyone joining have reached everyone."""
        if self.kind == "bare":
            return
        deadline = time.monotonic() + CONNECT_DEADLINE
        while time.monotonic() < deadline:
            head = await db(head_seq, self.ident)
            if all(p.last_seq >= head for p in self.peers):
                await asyncio.sleep(0.3)
                if await db(head_seq, self.ident) == head:
                    self.seq = head
                    for peer in self.peers:
                        peer.gaps = peer.out_of_order = 0  # joining mid-stream is not a gap
                    return
            await asyncio.sleep(0.1)
        raise TimeoutError(f"meeting {self.ident} did not settle")

    async def act(self) -> tuple[int, asyncio.Future[tuple[int, dict[str, Any]]] | None]:
        """One member's action that makes exactly one event; returns when it was sent."""
        sender = self.peers[self.sender]
        if self.kind == "bare":
            assert sender.ws is not None
            text = json.dumps({"type": "broadcast", "seq": self.seq + 1, "payload": FLOOR_PAYLOAD})
            sent = time.perf_counter_ns()
            await sender.ws.send(text)
            return sent, None
        if self.request_id is None:
            return await sender.submit({"type": "floor.request", "kind": "regular"})
        return await sender.submit({"type": "floor.withdraw", "request": self.request_id})

    async def fanout(self, delay: float = 0.0) -> tuple[list[int], int | None]:
        """One action after `delay` s; the latencies (ns) to every other client, and the ack's."""
        target = self.seq + 1
        self.watch = Watch(
            lambda frame: frame["seq"] == target,
            expected=self.size,
            state_match=lambda state: state["seq"] >= target,
        )
        await asyncio.sleep(delay)
        requesting = self.request_id is None
        sent, reply = await self.act()
        if not await self.watch.wait():
            self.missing += self.size - len(self.watch.times)
        ack = None
        if reply is not None:
            answered, frame = await asyncio.wait_for(reply, STEP_TIMEOUT)
            if frame["type"] != "ack":
                raise RuntimeError(f"the action was refused: {frame}")
            self.request_id = frame["result"]["request"] if requesting else None
            ack = answered - sent
        self.seq = target
        times = self.watch.times
        self.watch = None
        return [t - sent for i, t in times.items() if i != self.sender], ack

    async def close(self) -> None:
        await asyncio.gather(*(p.close() for p in self.peers))


# --- phases -----------------------------------------------------------------------------------


def summary(samples_ns: list[int]) -> dict[str, Any]:
    ms = sorted(s / 1e6 for s in samples_ns)
    if not ms:
        return {"n": 0}
    cuts = statistics.quantiles(ms, n=100, method="inclusive") if len(ms) > 1 else ms * 99
    return {
        "n": len(ms),
        "p50": round(statistics.median(ms), 2),
        "p90": round(cuts[89], 2),
        "p99": round(cuts[98], 2),
        "max": round(ms[-1], 2),
    }


async def fanout_phase(bare: Room, product: Room, rounds: int) -> dict[str, Any]:
    samples: dict[str, list[int]] = {"bare": [], "product": []}
    last: dict[str, list[int]] = {"bare": [], "product": []}
    acks: list[int] = []
    for _ in range(rounds):
        for room in (bare, product):
            latencies, ack = await room.fanout()
            samples[room.kind] += latencies
            last[room.kind].append(max(latencies))
            if ack is not None:
                acks.append(ack)
            await asyncio.sleep(ROUND_GAP)
    result = {kind: summary(values) for kind, values in samples.items()}
    for kind, room in (("bare", bare), ("product", product)):
        result[kind]["last_client_p50"] = summary(last[kind]).get("p50")
        result[kind]["missing"] = room.missing
    result["product"]["sender_ack"] = summary(acks)
    result["p50_ratio"] = round(result["product"]["p50"] / result["bare"]["p50"], 2)
    result["p99_ratio"] = round(result["product"]["p99"] / result["bare"]["p99"], 2)
    return result


async def burst_phase(room: Room) -> dict[str, Any]:
    chair = room.peers[0]
    room.watch = Watch(lambda frame: frame["event"] == "vote.opened", expected=room.size)
    _, _, opened = await chair.request(
        {"type": "vote.open", "kind": "resolution", "question": "Thông qua nghị quyết tháng"}
    )
    if opened["type"] != "ack":
        raise RuntimeError(f"vote.open refused: {opened}")
    await room.watch.wait()
    vote_id, eligible = opened["result"]["vote"], len(opened["result"]["eligible"])
    room.seq += 1
    gaps_before = sum(p.gaps for p in room.peers)
    early_before = sum(p.out_of_order for p in room.peers)
    room.watch = Watch(
        lambda frame: frame["event"] == "ballot.counted" and frame["payload"]["cast"] == eligible,
        expected=room.size,
        state_match=lambda state: any(
            v["vote"] == vote_id and v["cast"] == eligible for v in state["votes"]
        ),
    )
    rng = random.Random(room.size)
    start = time.perf_counter() + 0.05

    async def cast(peer: Peer, at: float) -> tuple[int, int, dict[str, Any]]:
        await asyncio.sleep(max(0.0, start + at - time.perf_counter()))
        ballot = {"type": "ballot.cast", "vote": vote_id, "ballot": str(uuid.uuid4())}
        return await peer.request(ballot | {"choice": "yes"}, timeout=BURST_TIMEOUT)

    answers = await asyncio.gather(
        *(cast(p, rng.uniform(0, BURST_WINDOW)) for p in room.peers), return_exceptions=True
    )
    answered = [a for a in answers if isinstance(a, tuple)]
    counted = sum(f["type"] == "ack" and not f["result"]["duplicate"] for _, _, f in answered)
    if counted == eligible:  # else the final tally never comes: reported as missing
        await room.watch.wait(FINAL_TIMEOUT)
    final, late = room.watch.times, room.watch.late
    room.watch = None
    last_sent = max(sent for sent, _, _ in answered)
    first_sent = min(sent for sent, _, _ in answered)
    acks = [f for _, _, f in answered if f["type"] == "ack"]
    errors = [f.get("code") for _, _, f in answered if f["type"] != "ack"]
    room.seq += len([f for f in acks if not f["result"]["duplicate"]])
    # The chair closes the vote: the outcome reaches everyone.
    room.watch = Watch(
        lambda frame: frame["event"] == "vote.closed",
        expected=room.size,
        state_match=lambda state: any(
            v["vote"] == vote_id and v["status"] == "closed" for v in state["votes"]
        ),
    )
    closed_sent, _, closed = await chair.request({"type": "vote.close", "vote": vote_id})
    await room.watch.wait()
    close_all = max(room.watch.times.values()) - closed_sent
    room.watch = None
    room.seq += 1
    audit = await db(audit_vote, room.ident, vote_id)
    sent = len(room.peers)
    return {
        "members": room.size,
        "eligible": eligible,
        "sent": sent,
        "window_ms": round((last_sent - first_sent) / 1e6, 1),
        "acks": len(acks),
        "errors": errors + [repr(a) for a in answers if not isinstance(a, tuple)],
        "last_ack_after_last_ballot_ms": round(
            (max(t for _, t, _ in answered) - last_sent) / 1e6, 1
        ),
        "final_at_all_clients_after_last_ballot_ms": round(
            (max(final.values()) - last_sent) / 1e6, 1
        )
        if len(final) == room.size
        else None,
        "final_at_first_client_after_last_ballot_ms": round(
            (min(final.values()) - last_sent) / 1e6, 1
        )
        if final
        else None,
        "clients_with_final": len(final),
        "clients_final_from_snapshot": len(late),
        "vote_closed_at_all_clients_ms": round(close_all / 1e6, 1),
        "result_cast": closed["result"]["result"]["cast"] if closed["type"] == "ack" else None,
        "client_gaps": sum(p.gaps for p in room.peers) - gaps_before,
        "client_out_of_order": sum(p.out_of_order for p in room.peers) - early_before,
        "lost": sent - audit["rows"],
        "duplicated": (audit["rows"] - audit["members"])
        + (audit["counted_events"] - audit["counted_distinct"]),
        "audit": audit,
    }


def open_span_ids(meeting_ids: list[int]) -> list[int]:
    from meetings.models import PresenceSpan

    return list(
        PresenceSpan.objects.filter(
            attendance__meeting_id__in=meeting_ids, left_at=None
        ).values_list("pk", flat=True)
    )


def still_open(span_ids: list[int]) -> int:
    from meetings.models import PresenceSpan

    return PresenceSpan.objects.filter(pk__in=span_ids, left_at=None).count()


def latest_left_at(span_ids: list[int]) -> float | None:
    from django.db.models import Max

    from meetings.models import PresenceSpan

    found = PresenceSpan.objects.filter(pk__in=span_ids).aggregate(at=Max("left_at"))["at"]
    return found.timestamp() if found else None


async def arrival_phase(room: Room, servers: list[Server]) -> dict[str, Any]:
    """Every member connects at a random moment within ARRIVAL_WINDOW (a meeting's start), no
    limit on handshakes in flight, each page with its snapshot from the hello (or asking for it,
    from an older server) as room.js does; then the time until every page shows every member
    present."""
    room.presence_watch = Watch(lambda frame: False, expected=room.size)
    began = time.perf_counter_ns()
    await room.connect(servers, None, window=ARRIVAL_WINDOW, snapshot_on_hello=True)
    connected = [p.connected_at or 0 for p in room.peers]
    last_connected = max(connected)
    everyone = await room.presence_watch.wait()
    shown = room.presence_watch.times
    room.presence_watch = None
    await room.settle()
    return {
        "members": room.size,
        "window_s": ARRIVAL_WINDOW,
        "all_connected_s": round((last_connected - began) / 1e9, 2),
        "handshakes_refused": len(room.retries),
        "refusals": dict(collections.Counter(r[:80] for r in room.retries).most_common(5)),
        "pages_showing_all_present": len(shown),
        "all_present_at_every_page_after_last_connect_ms": round(
            (max(shown.values()) - last_connected) / 1e6, 1
        )
        if everyone
        else None,
        "all_present_at_first_page_after_last_connect_ms": round(
            (min(shown.values()) - last_connected) / 1e6, 1
        )
        if shown
        else None,
        # What the last page waited for: its own snapshot, or the others' last arrival event.
        "last_snapshot_after_last_connect_ms": after_last(
            [p.snapshot_at for p in room.peers], last_connected
        ),
        "last_attendance_event_after_last_connect_ms": after_last(
            [p.attendance_at for p in room.peers], last_connected
        ),
        "slowest_snapshot_ms": round(
            max(((p.snapshot_at or 0) - (p.connected_at or 0)) / 1e6 for p in room.peers), 1
        ),
    }


def after_last(times: list[int | None], last_connected: int) -> float | None:
    known = [t for t in times if t is not None]
    return round((max(known) - last_connected) / 1e6, 1) if known else None


async def departure_phase(room: Room) -> dict[str, Any]:
    """Every page closes at once; the time until the servers have closed every presence span."""
    spans = await db(open_span_ids, [room.ident])
    began = time.perf_counter()
    await asyncio.gather(*(p.close() for p in room.peers))
    pages_closed = time.perf_counter() - began
    deadline = began + DEPARTURE_TIMEOUT
    left = len(spans)
    while left and time.perf_counter() < deadline:
        await asyncio.sleep(0.05)
        left = await db(still_open, spans)
    return {
        "pages": len(room.peers),
        "spans": len(spans),
        "pages_closed_s": round(pages_closed, 2),
        "all_presence_closed_s": round(time.perf_counter() - began, 2) if not left else None,
        "still_open": left,
    }


async def kill_phase(
    lab: Lab,
    spec: RoomSpec,
    size: int,
    servers: list[Server],
    env: dict[str, str],
    entry: list[Server] | None = None,
) -> dict[str, Any]:
    """The members of a meeting are in; the product daphne is killed (SIGKILL: no disconnect
    runs) and started again on its port; the pages reconnect as room.js does (through `entry`,
    the proxy, when given). The time from the kill until every span of the killed process is
    closed (by the lease, swept by the restarted process), and until every page is back."""
    entry = entry or servers
    room = Room("product", spec.meeting_id, size, spec.session_keys)
    await room.connect(entry, None, window=ARRIVAL_WINDOW, snapshot_on_hello=True)
    await room.settle()
    spans = await db(open_span_ids, [spec.meeting_id])
    for server in servers:
        server.process.send_signal(signal.SIGKILL)
        server.process.wait(timeout=30)
    killed = time.perf_counter()
    killed_wall = time.time()
    restart_daphnes(lab, servers, env)
    restarted_s = time.perf_counter() - killed
    back = Room("product", spec.meeting_id, size, spec.session_keys)
    # room.js reconnects after 0.5 s, then waits twice as long each time: the pages come back
    # spread over a few seconds.
    back_s: list[float] = []

    async def reconnect_all() -> None:
        await back.connect(entry, None, window=2.0)
        back_s.append(time.perf_counter() - killed)

    reconnect = asyncio.create_task(reconnect_all())
    deadline = killed + DEPARTURE_TIMEOUT
    left = len(spans)
    while left and time.perf_counter() < deadline:
        await asyncio.sleep(0.1)
        left = await db(still_open, spans)
    closed_s = time.perf_counter() - killed if not left else None
    await reconnect
    last_left = await db(latest_left_at, spans)
    await back.close()
    await room.close()
    await wait_idle([spec.meeting_id])
    return {
        "members": size,
        "spans": len(spans),
        "lease_s": int(env.get("PRESENCE_LEASE_SECONDS", "20")),
        "daphne_restarted_s": round(restarted_s, 1),
        "killed_spans_closed_s": round(closed_s, 1) if closed_s is not None else None,
        "still_open": left,
        "closed_at_before_kill_s": round(killed_wall - last_left, 1) if last_left else None,
        "pages_back_s": round(back_s[0], 1),
        "reconnects_refused": len(back.retries),
    }


async def resync_phase(room: Room, rounds: int) -> dict[str, Any]:
    """One event, then every client reloads the snapshot as room.js does (120 ms later)."""
    totals, per_client = [], []
    for _ in range(rounds):
        await room.fanout()
        await asyncio.sleep(SNAPSHOT_DELAY)
        begun = time.perf_counter_ns()
        answers = await asyncio.gather(*(p.request({"type": "snapshot"}) for p in room.peers))
        per_client += [answered - sent for sent, answered, _ in answers]
        totals.append(max(answered for _, answered, _ in answers) - begun)
        await asyncio.sleep(ROUND_GAP)
    return {
        "snapshot": summary(per_client),
        "all_snapshots_ms": [round(t / 1e6, 1) for t in totals],
        "snapshot_bytes": len(json.dumps(answers[0][2])),
    }


# static/js/room.js: on a hello it loads nothing when it missed nothing, the events it missed (at
# most CATCH_UP_MAX) or else the snapshot (docs/protocol.md, Reconnecting).
CATCH_UP_MAX = 200
WAVE_TIMEOUT = 120.0


async def wave_phase(room: Room, lab: Lab, redis_port: int) -> dict[str, Any]:
    """Redis restarts under a meeting of `room.size` with an action taken during the outage
    (written, its broadcast lost). Once Redis answers again every connection joins its group
    again and sends its page the missed events on the same socket (or, far behind, a new hello
    from which the page catches up). The time from Redis answering until every page holds the
    current state (to 20 ms), and how each caught up."""
    sender = room.peers[room.sender]
    for peer in room.peers:
        peer.current_at, peer.caught_up_by = None, ""
    await asyncio.to_thread(restart_redis_down, lab)
    # An action during the outage: stored and acknowledged, heard by nobody.
    if room.request_id is None:
        message: dict[str, Any] = {"type": "floor.request", "kind": "regular"}
    else:
        message = {"type": "floor.withdraw", "request": room.request_id}
    _, _, answer = await sender.request(message)
    if answer["type"] != "ack":
        raise RuntimeError(f"the action during the outage was refused: {answer}")
    room.request_id = answer["result"].get("request") if room.request_id is None else None
    await asyncio.sleep(1.0)  # the outage lasts a moment more
    await asyncio.to_thread(start_redis, lab, redis_port, f"redis-{time.monotonic_ns()}")
    back = time.perf_counter_ns()
    head = await db(head_seq, room.ident)
    deadline = time.monotonic() + WAVE_TIMEOUT
    while not all(p.current_at and p.last_seq >= head for p in room.peers):
        if time.monotonic() > deadline:
            break
        now = time.perf_counter_ns()
        for peer in room.peers:  # the missed events came on the socket
            if peer.current_at is None and peer.last_seq >= head:
                peer.current_at, peer.caught_up_by = now, "events from the server"
        await asyncio.sleep(0.02)
    current = [p for p in room.peers if p.current_at and p.last_seq >= head]
    closed = sum(1 for p in room.peers if p.ws is None or p.ws.close_code is not None)
    return {
        "pages": room.size,
        "all_current_after_redis_back_ms": round((max(p.current_at for p in current) - back) / 1e6)
        if len(current) == room.size
        else None,
        "every_page_current": len(current) == room.size,
        "sockets_closed": closed,
        "caught_up_by": dict(collections.Counter(p.caught_up_by for p in current)),
    }


def restart_redis_down(lab: Lab) -> None:
    for name, process in lab.children:
        if name.startswith("redis") and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=15)


async def farm_phase(
    bare: list[Room], product: list[Room], rounds: int, window: float
) -> dict[str, Any]:
    samples: dict[str, list[int]] = {"bare": [], "product": []}
    acks: list[int] = []
    rng = random.Random(7)
    for _ in range(rounds):
        for rooms in (bare, product):
            results = await asyncio.gather(*(room.fanout(rng.uniform(0, window)) for room in rooms))
            acks += [ack for _, ack in results if ack is not None]
            samples[rooms[0].kind] += [t for latencies, _ in results for t in latencies]
            await asyncio.sleep(ROUND_GAP)
    result: dict[str, Any] = {kind: summary(values) for kind, values in samples.items()}
    result["product"]["sender_ack"] = summary(acks)
    for kind, rooms in (("bare", bare), ("product", product)):
        result[kind]["missing"] = sum(r.missing for r in rooms)
    result["p50_ratio"] = round(result["product"]["p50"] / result["bare"]["p50"], 2)
    result["p99_ratio"] = round(result["product"]["p99"] / result["bare"]["p99"], 2)
    result["actions_per_second"] = round(len(product) / window, 1)
    return result


class QuietClient:
    """This process holds every client: a garbage collection here stops them all from reading
    and shows in both kinds' latencies, bare or product, at random (a measurement artefact: each
    member's page runs on a machine of its own). While a fan-out phase runs, what exists is
    frozen and the collector is off; the collections that happen anyway are counted."""

    def __init__(self) -> None:
        self.pauses: list[tuple[int, float]] = []
        self._began = 0.0

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._began = time.perf_counter()
        else:
            self.pauses.append((info["generation"], (time.perf_counter() - self._began) * 1000))

    def __enter__(self) -> QuietClient:
        gc.collect()
        gc.freeze()
        gc.disable()
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self._callback)
        gc.enable()
        gc.unfreeze()

    def summary(self) -> dict[str, Any]:
        ms = sorted(d for _, d in self.pauses)
        return {"n": len(ms), "max": round(ms[-1], 1) if ms else 0.0}


def command_histogram(servers: list[Server]) -> dict[str, dict[float, int]]:
    """The product daphnes' `chibo_room_command_seconds` buckets (config/metrics.py), summed:
    type → {upper bound in s: commands at or under it}."""
    found: dict[str, dict[float, int]] = collections.defaultdict(collections.Counter)
    pattern = re.compile(
        r'^chibo_room_command_seconds_bucket\{le="([^"]+)",type="([^"]+)"\} (\S+)$'
    )
    for server in servers:
        url, token = f"{server.origin}/metrics", {"Authorization": f"Bearer {METRICS_TOKEN}"}
        request = urllib.request.Request(url, headers=token)  # noqa: S310 -- http://127.0.0.1
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 -- 127.0.0.1
            for line in response.read().decode().splitlines():
                match = pattern.match(line)
                if match:
                    bound, kind, count = match.groups()
                    found[kind][float(bound)] += int(float(count))
    return found


def command_times(
    before: dict[str, dict[float, int]], after: dict[str, dict[float, int]]
) -> dict[str, Any]:
    """The commands answered between two readings, per type: how many, and how many took longer
    than 10, 25, 50 and 100 ms on the server (from taking the command off the connection's queue
    to its answer: session check, the service's transaction, the hops between threads)."""
    result: dict[str, Any] = {}
    for kind, buckets in after.items():
        total = buckets[float("inf")] - before.get(kind, {}).get(float("inf"), 0)
        if total <= 0:
            continue
        slower = {
            f"over_{round(bound * 1000)}_ms": total
            - (buckets[bound] - before.get(kind, {}).get(bound, 0))
            for bound in (0.01, 0.025, 0.05, 0.1)
        }
        result[kind] = {"n": total, **slower}
    return result


def memory(servers: dict[str, list[Server]]) -> dict[str, int]:
    return {
        kind: round(sum(rss_kib(s.process.pid) for s in group) / 1024)
        for kind, group in servers.items()
    }


class Profiler:
    """py-spy record of the daphnes, product and bare, during one phase (collapsed stacks)."""

    def __init__(self, lab: Lab, py_spy: str | None, servers: list[Server], stamp: str) -> None:
        self.lab, self.py_spy, self.servers, self.stamp = lab, py_spy, servers, stamp
        self.running: list[subprocess.Popen[bytes]] = []

    def start(self, phase: str) -> None:
        if not self.py_spy:
            return
        for server in self.servers:
            out = RESULTS / f"live_room-{self.stamp}-{phase}-{server.name}.txt"
            args = [self.py_spy, "record", "--pid", str(server.process.pid), "--rate", "200"]
            args += ["--format", "raw", "--output", str(out), "--nonblocking"]
            self.running.append(self.lab.spawn(f"py-spy-{phase}-{server.name}", args, {}))

    def stop(self) -> None:
        for process in self.running:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=60)
        self.running.clear()


async def run(
    plan: Plan,
    specs: list[RoomSpec],
    servers: dict[str, list[Server]],
    profiler: Profiler,
    results: dict[str, Any],
    lab: Lab,
    env: dict[str, str],
) -> None:
    """Fills `results` as it goes, so a run that breaks still leaves what it measured."""
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
    results.update({"memory_mib": {"idle": memory(servers)}, "sizes": {}})
    for spec, size in zip(specs, plan.sizes, strict=False):
        print(f"- {size} members: arriving within {ARRIVAL_WINDOW:g} s …", flush=True)
        bare = Room("bare", size, size)
        product = Room("product", spec.meeting_id, size, spec.session_keys)
        began = time.perf_counter()
        if size == max(plan.sizes):
            profiler.start(f"arrival{size}")
        arrival = await arrival_phase(product, servers.get("proxy", servers["product"]))
        profiler.stop()
        entry: dict[str, Any] = results["sizes"].setdefault(size, {"arrival": arrival})
        print(
            f"  all connected after {arrival['all_connected_s']} s, all present at every page "
            f"{arrival['all_present_at_every_page_after_last_connect_ms']} ms after the last "
            f"connected, {arrival['handshakes_refused']} handshakes refused",
            flush=True,
        )
        results["memory_mib"][f"{size}_connected"] = memory(servers)
        if SECRET_BURST:
            from bench import secret_burst

            print(f"  encrypted secret burst … ({time.perf_counter() - began:.0f} s)", flush=True)
            entry["secret_burst"] = await secret_burst.phase(product, Watch, db, profiler)
            print("\n".join(secret_burst.report({size: entry})), flush=True)
        if not plan.presence_only:
            await bare.connect(servers["bare"], gate)
            largest = size == max(plan.sizes)
            print(f"  fan-out … ({time.perf_counter() - began:.0f} s)", flush=True)
            if largest:
                profiler.start(f"fanout{size}")
            entry["connect_retries"] = {"product": product.retries, "bare": bare.retries}
            with QuietClient():
                entry["fanout"] = await fanout_phase(bare, product, plan.rounds)
            profiler.stop()
            print(f"  burst … ({time.perf_counter() - began:.0f} s)", flush=True)
            if largest:
                profiler.start(f"burst{size}")
            entry["burst"] = await burst_phase(product)
            profiler.stop()
            print(f"  resync … ({time.perf_counter() - began:.0f} s)", flush=True)
            entry["resync"] = await resync_phase(product, plan.resync_rounds)
            await bare.close()
            if largest:
                print(f"  resync wave … ({time.perf_counter() - began:.0f} s)", flush=True)
                redis_port = int(env["REDIS_URL"].rsplit(":", 1)[1].split("/")[0])
                entry["wave"] = await wave_phase(product, lab, redis_port)
                print(f"  {entry['wave']}", flush=True)
        entry["client_gaps"] = sum(p.gaps for p in product.peers)
        entry["client_out_of_order"] = sum(p.out_of_order for p in product.peers)
        entry["departure"] = await departure_phase(product)
        print(
            f"  every page closed at once: every presence closed after "
            f"{entry['departure']['all_presence_closed_s']} s",
            flush=True,
        )
        await wait_idle([spec.meeting_id])

    if plan.kill and specs:
        size = max(plan.sizes)
        spec = specs[plan.sizes.index(size)]
        print(f"- {size} members in, the product daphne killed and restarted …", flush=True)
        results["kill"] = await kill_phase(
            lab, spec, size, servers["product"], env, servers.get("proxy")
        )
        print(f"  {results['kill']}", flush=True)

    farm_specs = specs[len(plan.sizes) :]
    count = len(farm_specs)
    if not count:
        results["memory_mib"]["end"] = memory(servers)
        return
    print(f"- {count} meetings × {plan.farm_members} members: connecting …", flush=True)
    farm_bare = [Room("bare", 10_000 + n, plan.farm_members) for n in range(count)]
    farm_product = [
        Room("product", s.meeting_id, plan.farm_members, s.session_keys) for s in farm_specs
    ]
    before_farm = memory(servers)
    began = time.perf_counter()
    for room in farm_bare + farm_product:  # meeting by meeting, as people arrive
        entry_points = servers.get("proxy") if room.kind == "product" else None
        await room.connect(entry_points or servers[room.kind], gate)
    await asyncio.gather(*(room.settle() for room in farm_product))
    connect_s = round(time.perf_counter() - began, 1)
    connected = memory(servers)
    print(f"  connected in {connect_s} s; fan-out …", flush=True)
    profiler.start("farm")
    commands_before = command_histogram(servers["product"])
    with QuietClient() as client:
        farm = await farm_phase(farm_bare, farm_product, plan.farm_rounds, plan.farm_window)
    profiler.stop()
    farm["client_gc_pauses_ms"] = client.summary()
    farm["server_command_times"] = command_times(
        commands_before, command_histogram(servers["product"])
    )
    farm["connect_s"] = connect_s
    farm["client_gaps"] = sum(p.gaps for r in farm_product for p in r.peers)
    farm["client_out_of_order"] = sum(p.out_of_order for r in farm_product for p in r.peers)
    farm["connect_retries"] = {
        kind: [e for r in rooms for e in r.retries]
        for kind, rooms in (("product", farm_product), ("bare", farm_bare))
    }
    results["farm"] = farm
    results["memory_mib"]["farm_connected"] = connected
    sockets = count * plan.farm_members
    farm["sockets_per_kind"] = sockets
    farm["kib_per_connection"] = {
        kind: round((connected[kind] - before_farm[kind]) * 1024 / sockets, 1) for kind in connected
    }
    results["memory_mib"]["farm_after_load"] = memory(servers)
    for room in farm_bare + farm_product:
        await room.close()
    await wait_idle([s.meeting_id for s in farm_specs])
    results["memory_mib"]["end"] = memory(servers)


async def wait_idle(meeting_ids: list[int]) -> None:
    """Until the servers have recorded every departure (their database work is done)."""
    deadline = time.monotonic() + STEP_TIMEOUT
    while await db(open_spans, meeting_ids):
        if time.monotonic() > deadline:
            raise TimeoutError("the servers did not record the departures")
        await asyncio.sleep(0.2)


# --- report -----------------------------------------------------------------------------------


def versions(admin_url: str) -> dict[str, str]:
    from importlib.metadata import version

    found = {p: version(p) for p in ("django", "channels", "channels-redis", "daphne", "redis")}
    found["websockets"] = version("websockets")
    with psycopg.connect(f"{admin_url}/postgres") as conn:
        found["postgresql"] = conn.execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
    redis_server = shutil.which("redis-server") or "redis-server"
    found["redis-server"] = subprocess.run(
        [redis_server, "--version"], capture_output=True, text=True, check=False
    ).stdout.split()[2]
    found["python"] = platform.python_version()
    return found


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def report(data: dict[str, Any]) -> str:
    """The table printed at the end; sections a broken run did not reach are left out."""
    r, plan = data["results"], data["plan_detail"]
    sizes = r.get("sizes", {})
    lines = [
        f"Live room benchmark {data['started']}: {data['machine']['cpus']} cores, "
        f"load {data['machine']['load_before']} → {data['machine'].get('load_after')}, "
        f"daphne ×{data['processes']} per side"
        f"{', product behind nginx' if data.get('proxy') else ''}, {data['plan']} plan",
        "",
        "Fan-out: one member's action → each other client has the event (ms)",
        f"{'members':>7} | {'bare p50':>8} {'bare p99':>8} | {'prod p50':>8} {'prod p99':>8} | "
        f"{'p50 ×':>5} {'p99 ×':>5} | {'ack p50':>7} | target p99 ≤ {TARGET_FANOUT_RATIO}×",
    ]
    for size, s in sizes.items():
        if "fanout" not in s:
            continue
        f = s["fanout"]
        lines.append(
            f"{size:>7} | {f['bare']['p50']:>8} {f['bare']['p99']:>8} | "
            f"{f['product']['p50']:>8} {f['product']['p99']:>8} | {f['p50_ratio']:>5} "
            f"{f['p99_ratio']:>5} | {f['product']['sender_ack']['p50']:>7} | "
            f"{verdict(f['p99_ratio'] <= TARGET_FANOUT_RATIO)}"
            + (f" ({f['product']['missing']} never arrived)" if f["product"]["missing"] else "")
        )
    lines += [
        "",
        f"Burst: every member votes within {BURST_WINDOW:g} s (ms after the last ballot was sent)",
        f"{'members':>7} | {'acks':>5} {'lost':>4} {'dup':>3} {'errors':>6} | {'last ack':>8} | "
        f"{'final, 1st':>10} {'final, all':>10} {'via snap':>8} | {'close→all':>9} | "
        f"target ≤ {TARGET_BURST_MS:g} ms",
    ]
    for size, s in sizes.items():
        if "burst" not in s:
            continue
        b = s["burst"]
        final_all = b["final_at_all_clients_after_last_ballot_ms"]
        ok = final_all is not None and final_all <= TARGET_BURST_MS
        ok = ok and b["lost"] == 0 and b["duplicated"] == 0
        lines.append(
            f"{size:>7} | {b['acks']:>5} {b['lost']:>4} {b['duplicated']:>3} "
            f"{len(b['errors']):>6} | {b['last_ack_after_last_ballot_ms']:>8} | "
            f"{b['final_at_first_client_after_last_ballot_ms']!s:>10} {final_all!s:>10} "
            f"{b['clients_final_from_snapshot']:>8} | {b['vote_closed_at_all_clients_ms']:>9} | "
            f"{verdict(ok)}"
        )
    from bench import secret_burst

    lines += secret_burst.report(sizes)
    lines += ["", "Resync as room.js does it: one event, then every client reloads the snapshot"]
    for size, s in sizes.items():
        if "resync" in s:
            x = s["resync"]
            lines.append(
                f"{size:>7} members: one snapshot p50 {x['snapshot']['p50']} ms; the last client "
                f"had its snapshot after {x['all_snapshots_ms']} ms ({x['snapshot_bytes']} bytes)"
            )
    for size, s in sizes.items():
        if "wave" in s:
            w = s["wave"]
            took = w["all_current_after_redis_back_ms"]
            lines += [
                "",
                f"Resync wave: Redis restarted under {size} members, one action during the outage;"
                f" every page current {took} ms after Redis answered again (target ≤ 2000 ms); "
                f"{w['sockets_closed']} sockets closed, caught up by {w['caught_up_by']} | "
                f"{verdict(took is not None and took <= 2000 and w['every_page_current'])}",
            ]
    lines += [
        "",
        f"Arrival: every member connects within {ARRIVAL_WINDOW:g} s, no limit in flight; "
        f"every page shows all present (ms after the last connected), target ≤ "
        f"{TARGET_ALL_PRESENT_MS:g} ms and 0 refused",
    ]
    for size, s in sizes.items():
        a = s["arrival"]
        shown = a["all_present_at_every_page_after_last_connect_ms"]
        ok = shown is not None and shown <= TARGET_ALL_PRESENT_MS and not a["handshakes_refused"]
        lines.append(
            f"{size:>7} members: all connected after {a['all_connected_s']} s, "
            f"{a['handshakes_refused']} refused; all present at the first page "
            f"{a['all_present_at_first_page_after_last_connect_ms']} ms, at every page {shown} ms"
            f" ({a['pages_showing_all_present']} pages) | {verdict(ok)}"
        )
    lines += ["", f"Departure: every page closes at once, target ≤ {TARGET_DEPARTURE_S:g} s"]
    for size, s in sizes.items():
        if "departure" in s:
            d = s["departure"]
            closed = d["all_presence_closed_s"]
            lines.append(
                f"{size:>7} members: pages closed in {d['pages_closed_s']} s; every presence "
                f"closed after {closed} s ({d['still_open']} still open) | "
                f"{verdict(closed is not None and closed <= TARGET_DEPARTURE_S)}"
            )
    if "kill" in r:
        k = r["kill"]
        closed = k["killed_spans_closed_s"]
        lines += [
            "",
            f"Killed daphne ({k['members']} members in, lease {k['lease_s']} s): restarted in "
            f"{k['daphne_restarted_s']} s; its {k['spans']} presences closed {closed} s after "
            f"the kill, at its last renewal ({k['closed_at_before_kill_s']} s before the kill); "
            f"pages back after {k['pages_back_s']} s | "
            f"{verdict(closed is not None and closed <= TARGET_KILLED_S)}",
        ]
    if "farm" in r:
        f = r["farm"]
        lines += [
            "",
            f"{plan['farm_meetings']} meetings × {plan['farm_members']} members at once, each "
            f"meeting one action per {plan['farm_window']:g} s ({f['actions_per_second']}/s), ms",
            f"  bare    p50 {f['bare']['p50']:>8}  p99 {f['bare']['p99']:>8}",
            f"  product p50 {f['product']['p50']:>8}  p99 {f['product']['p99']:>8}  "
            f"(×{f['p50_ratio']} / ×{f['p99_ratio']}), sender's ack p50 "
            f"{f['product']['sender_ack']['p50']}",
            f"  connecting all took {f['connect_s']} s, attempts tried again "
            f"{len(f['connect_retries']['product'])} / {len(f['connect_retries']['bare'])}",
            f"  memory per connection (RSS growth / {f.get('sockets_per_kind')} sockets), KiB: "
            f"product {f.get('kib_per_connection', {}).get('product')}, "
            f"bare {f.get('kib_per_connection', {}).get('bare')} | "
            f"{verdict(f['p99_ratio'] <= TARGET_FANOUT_RATIO)}",
            f"  this process's garbage collections while measuring: {f['client_gc_pauses_ms']}",
            "  product commands timed by the servers (config/metrics.py): "
            + "; ".join(
                f"{kind} {t['n']}, over 10/25/50/100 ms: {t['over_10_ms']}/{t['over_25_ms']}/"
                f"{t['over_50_ms']}/{t['over_100_ms']}"
                for kind, t in f["server_command_times"].items()
            ),
        ]
    m = r.get("memory_mib", {})
    lines += ["", "daphne RSS, MiB (all processes of a side), product / bare:"]
    lines += [f"  {moment}: {v['product']} / {v['bare']}" for moment, v in m.items()]
    gaps = [f"{size}: {s['client_gaps']}" for size, s in sizes.items() if "client_gaps" in s]
    if "farm" in r:
        gaps.append(f"farm: {r['farm']['client_gaps']}")
    lines.append(
        "Events a client never received (gaps in seq; it reloaded a snapshot): " + ", ".join(gaps)
    )
    early = [f"{size}: {s.get('client_out_of_order', 0)}" for size, s in sizes.items()]
    if "farm" in r:
        early.append(f"farm: {r['farm'].get('client_out_of_order', 0)}")
    lines.append(
        f"Events that arrived ahead of an earlier one (held up to {GAP_WAIT * 1000:.0f} ms, as"
        " room.js does): " + ", ".join(early)
    )
    lines.append(f"Server log: {data.get('server_log')}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    parser.add_argument("--processes", type=int, choices=(1, 2), default=1)
    parser.add_argument(
        "--postgres",
        default=os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432"),
        help="server URL without a database name (a superuser: the run creates a database)",
    )
    parser.add_argument("--profile", metavar="PY_SPY", help="py-spy binary: profile the daphnes")
    parser.add_argument(
        "--no-reload",
        action="store_true",
        help="clients do not reload the snapshot after each event (only after a gap)",
    )
    parser.add_argument(
        "--sizes", help="comma-separated meeting sizes instead of the plan's (e.g. 300)"
    )
    parser.add_argument(
        "--no-farm", action="store_true", help="skip the 130 meetings × 15 members phase"
    )
    parser.add_argument(
        "--presence-only",
        action="store_true",
        help="only the arrival, departure and kill phases (no fan-out, burst, resync or farm)",
    )
    parser.add_argument(
        "--no-kill", action="store_true", help="skip killing and restarting the product daphne"
    )
    parser.add_argument(
        "--proxy",
        action="store_true",
        help="product pages connect through nginx (deploy/nginx/) in front of the daphnes",
    )
    parser.add_argument(
        "--secret-burst",
        action="store_true",
        help="after the arrival, an encrypted secret ballot's burst (bench/secret_burst.py)",
    )
    args = parser.parse_args()
    plan = QUICK if args.quick else FULL
    if args.sizes:
        plan = dataclasses.replace(plan, sizes=tuple(int(n) for n in args.sizes.split(",")))
    if args.no_farm:
        plan = dataclasses.replace(plan, farm_meetings=0)
    if args.presence_only:
        plan = dataclasses.replace(plan, presence_only=True, farm_meetings=0)
    if args.no_kill:
        plan = dataclasses.replace(plan, kill=False)
    global RELOAD_AFTER_EVENTS, SECRET_BURST
    RELOAD_AFTER_EVENTS = not args.no_reload
    SECRET_BURST = args.secret_burst
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d-%H%M%S")
    lab = Lab(args.postgres)

    def terminate(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, terminate)
    finished = False
    try:
        status = measure(lab, plan, args, stamp)
        finished = True
        return status
    except KeyboardInterrupt:
        print("interrupted: cleaning up", file=sys.stderr)
        return 130
    finally:
        # Stops every process by PID, then drops the database (WITH FORCE: this process's own
        # connections go with it), so set-up work still running in the DB thread fails fast.
        # After a failure the servers' logs are kept in bench/results/ (the tracebacks a run
        # counts come from the resync wave's Redis outage: "broadcast of event … failed").
        logs = None if finished else RESULTS / f"live_room-{stamp}-logs"
        lab.close(keep_logs=logs)
        if logs is not None:
            print(f"server logs kept in {logs}", file=sys.stderr)
        DB.shutdown(wait=False, cancel_futures=True)


def measure(lab: Lab, plan: Plan, args: argparse.Namespace, stamp: str) -> int:
    print(f"Setting up in {lab.tmp} (database {lab.database}) …", flush=True)
    redis_port = start_redis(lab)
    database_url = lab.create_database()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url,
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "CHIBO_VAR_DIR": str(lab.tmp / "var"),
        "SESSION_IDLE_SECONDS": "14400",
        "METRICS_TOKEN": METRICS_TOKEN,
        "LOG_LEVEL": "WARNING",
        "DEBUG": "0",
        "PYTHONUNBUFFERED": "1",
    }
    os.environ.update(env)
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if migrate.returncode:
        raise RuntimeError(f"migrate failed:\n{migrate.stdout}\n{migrate.stderr}")
    import django

    django.setup()
    began = time.perf_counter()
    sizes = [*plan.sizes, *[plan.farm_members] * plan.farm_meetings]
    specs = DB.submit(make_rooms, sizes).result()
    print(f"  {sum(sizes)} members in {len(sizes)} meetings made in "
          f"{time.perf_counter() - began:.0f} s; starting daphnes …", flush=True)  # fmt: skip
    servers = {
        "product": start_daphnes(lab, "product", "config.asgi:application", args.processes, env),
        "bare": start_daphnes(lab, "bare", "bench.bare_asgi:application", args.processes, env),
    }
    if args.proxy:
        servers["proxy"] = [start_proxy(lab, servers["product"])]
    RESULTS.mkdir(parents=True, exist_ok=True)
    profiler = Profiler(lab, args.profile, servers["product"] + servers["bare"], stamp)
    data: dict[str, Any] = {
        "started": stamp,
        "processes": args.processes,
        "proxy": args.proxy,
        "plan": "quick" if args.quick else "full",
        "reload_after_events": RELOAD_AFTER_EVENTS,
        "plan_detail": plan.__dict__,
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "load_before": round(os.getloadavg()[0], 2),
        },
        "versions": versions(lab.admin_url),
        "results": {},
    }
    out = RESULTS / f"live_room-{stamp}{'-quick' if args.quick else ''}-x{args.processes}.json"
    try:
        asyncio.run(run(plan, specs, servers, profiler, data["results"], lab, env))
    except BaseException as error:
        data["error"] = repr(error)
        raise
    finally:
        data["machine"]["load_after"] = round(os.getloadavg()[0], 2)
        logs = {s.name: lab.log(s.name) for s in servers["product"] + servers["bare"]}
        data["server_log"] = {
            name: {
                "tracebacks": text.count("Traceback"),
                "apps_killed_slow_to_close": text.count("took too long to shut down"),
                "alive": next(
                    s for s in servers["product"] + servers["bare"] if s.name == name
                ).process.poll()
                is None,
            }
            for name, text in logs.items()
        }
        out.write_text(json.dumps(data, indent=2, ensure_ascii=False))
        print(f"Written: {out.relative_to(BASE_DIR)}", flush=True)
    print()
    print(report(data))
    return 0


if __name__ == "__main__":
    sys.exit(main())
