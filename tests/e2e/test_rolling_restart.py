"""A rolling restart behind the proxy: each Daphne in turn is stopped (SIGTERM) and started
again while a vote is open, and nothing is lost.

The test starts its own redis-server, two daphnes and Debian's nginx (deploy/nginx/compose.conf)
in front of them, on free 127.0.0.1 ports. Every page connects through nginx, as browsers do.
While one daphne drains, members cast ballots; its pages reconnect through nginx to the other
and send again what was not acknowledged (as static/js/room.js does). In the end every ballot is
counted once, every member is still present on the roll and online through exactly one open
connection, and no presence of a stopped process stays open.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from config.settings import channel_layer
from meetings.models import Attendance, Ballot, PresenceSpan
from meetings.services import room
from tests.deploy.proxy import NGINX, Nginx, access_log, start_daphne
from tests.e2e.test_scale_out import (
    SERVERS_MARKS,
    Daphne,
    RedisServer,
    RoomClient,
    ballot,
    daphne_environment,
    eventually,
    free_port,
    session_key,
    stop,
    wait_healthy,
)
from tests.meetings.room.conftest import build_scene

pytestmark = [
    *SERVERS_MARKS,
    pytest.mark.skipif(NGINX is None, reason="needs nginx (bin/system-packages)"),
]

DRAIN_TIMEOUT = 30  # seconds for a daphne to stop after SIGTERM


@dataclass
class Deployment:
    nginx: Nginx
    servers: dict[str, Daphne]
    environment: dict[str, str]
    directory: Any

    def restart(self, name: str) -> None:
        """Starts it again on its port, and waits, as an operator does before stopping the
        next, until the proxy sends it requests again (nginx skips a Daphne for `fail_timeout`
        after it refused a connection)."""
        old = self.servers[name]
        server = start_daphne(name, self.environment, self.directory, port=old.port)
        self.servers[name] = server
        wait_healthy(server)
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        deadline = time.monotonic() + 30
        while access_log(server).count("/health/?") == 0:
            assert time.monotonic() < deadline, "the proxy never sent the restarted daphne anything"
            with contextlib.suppress(OSError):
                opener.open(f"{self.nginx.origin}/health/?{uuid.uuid4().hex}", timeout=5).close()
            time.sleep(0.2)


@pytest.fixture
def deployment(transactional_db, settings, tmp_path) -> Iterator[Deployment]:
    redis_server = RedisServer(port=free_port(), log=tmp_path / "redis.log")
    redis_url = f"redis://127.0.0.1:{redis_server.port}/0"
    settings.CHANNEL_LAYERS = {"default": channel_layer([redis_url])}
    environment = daphne_environment(tmp_path, redis_url)
    var_dir = tmp_path / "var"
    nginx = Nginx(port=free_port(), run_dir=tmp_path / "nginx")
    found = Deployment(nginx, {}, environment, tmp_path)
    try:
        redis_server.start()
        for name in ("a", "b"):
            found.servers[name] = start_daphne(name, environment, tmp_path)
        for server in found.servers.values():
            wait_healthy(server)
        nginx.start([s.port for s in found.servers.values()], var_dir)
        yield found
    finally:
        nginx.stop()
        for server in found.servers.values():
            stop(server.process)
        redis_server.stop()
        print(f"--- nginx ---\n{nginx.log_text()[-3000:]}")
        for server in found.servers.values():
            print(f"--- daphne {server.name} ---\n{server.log_text()[-5000:]}")


def held_by(meeting_id: int) -> dict[int, list[int]]:
    """Open presence spans per server process id: the member ids connected through each."""
    held: dict[int, list[int]] = {}
    for server, member in PresenceSpan.objects.filter(
        attendance__meeting_id=meeting_id, left_at=None
    ).values_list("server", "attendance__member_id"):
        held.setdefault(int(server.split(":")[1]), []).append(member)
    return held


async def db(read: Any) -> Any:
    from asgiref.sync import sync_to_async
    from django.db import connection

    def run() -> Any:
        try:
            return read()
        finally:
            connection.close()

    return await sync_to_async(run)()


class Voting:
    """What the chair opens and what each voter sends: a show of hands here; an encrypted secret
    ballot in tests/e2e/test_secret_ballot_restarts.py, whose board's pages make the key first."""

    opening: dict[str, Any] = {
        "type": "vote.open",
        "kind": "resolution",
        "question": "Thông qua nghị quyết",
    }

    async def ready(self, clients: dict[str, RoomClient], vote_id: int) -> None:
        """Waits until ballots may be cast."""

    def ballot(self, voter: RoomClient, vote_id: int) -> dict[str, Any]:
        return ballot(vote_id)


def in_the_room(
    deployment: Deployment, client: type[RoomClient] = RoomClient
) -> tuple[Any, dict[str, RoomClient], dict[str, int]]:
    """A meeting started at its voting item, and a page (connected through the proxy) for each of
    its seven members: the scene, the pages by name, the member id of each page."""
    scene = build_scene()
    meeting_id = scene.meeting.pk
    room.start_meeting(meeting_id=meeting_id, actor=scene.chair.user)
    room.open_item(meeting_id=meeting_id, actor=scene.chair.user, item_id=scene.items[2].pk)
    members = {
        "chair": scene.chair,
        "recorder": scene.recorder,
        "official1": scene.officials[0],
        "official2": scene.officials[1],
        "official3": scene.officials[2],
        "prob": scene.probationary,
        "temporary": scene.temporary,
    }
    clients = {
        name: client(name, deployment.nginx, meeting_id, session_key(member))  # type: ignore[arg-type]
        for name, member in members.items()
    }
    return scene, clients, {name: member.pk for name, member in members.items()}


def assert_everyone_present(
    deployment: Deployment, meeting_id: int, member_of: dict[str, int], outcome: dict[str, Any]
) -> None:
    """Present throughout: the roll never lost anyone, and each is online through one connection,
    on a process that runs; the stopped ones left none open; no consumer died with a traceback."""
    member_ids = sorted(member_of.values())
    statuses = dict(
        Attendance.objects.filter(meeting_id=meeting_id).values_list("member_id", "status")
    )
    assert statuses == dict.fromkeys(member_ids, "present")
    live = {s.process.pid for s in deployment.servers.values()}
    held = outcome["held"]  # while the pages were still in
    assert set(held) <= live, held
    assert sorted(m for ms in held.values() for m in ms) == member_ids
    assert outcome["online"] == member_ids
    for server in deployment.servers.values():
        assert "Exception inside application" not in server.log_text()


def test_a_rolling_restart_loses_no_ballot_and_no_presence(deployment):
    scene, clients, member_of = in_the_room(deployment)
    outcome = asyncio.run(rolling(deployment, scene.meeting.pk, clients, member_of))

    ballots = Ballot.objects.filter(vote_id=outcome["vote"])
    assert ballots.count() == outcome["eligible"] == 5
    assert len(set(ballots.values_list("client_ballot_id", flat=True))) == 5
    assert outcome["closed_cast"] == 5
    assert_everyone_present(deployment, scene.meeting.pk, member_of, outcome)


async def rolling(
    deployment: Deployment,
    meeting_id: int,
    clients: dict[str, RoomClient],
    member_of: dict[str, int],
    voting: Voting | None = None,
) -> dict[str, Any]:
    """Every page in; the chair opens a vote; one member votes, then each daphne in turn is
    drained while two others vote, and started again; the chair closes. What the pages saw."""
    voting = voting or Voting()
    try:
        for client in clients.values():
            client.start()
        for client in clients.values():
            await eventually(lambda c=client: c.synced, f"{client.name} is in the room")
        chair = clients["chair"]
        opened = await chair.request(voting.opening)
        assert opened["type"] == "ack", opened
        vote_id, eligible = opened["result"]["vote"], opened["result"]["eligible"]
        await voting.ready(clients, vote_id)
        voters = [c for c in clients.values() if member_of[c.name] in eligible]
        answers = [await voters[0].request(voting.ballot(voters[0], vote_id))]

        # Each daphne in turn: SIGTERM while two members vote, the pages move to the other.
        batches = [voters[1:3], voters[3:]]
        for name, batch in zip(("a", "b"), batches, strict=True):
            server = deployment.servers[name]
            hellos = {c.name: c.hellos for c in clients.values()}
            pid = server.process.pid
            moved = await db(lambda pid=pid: held_by(meeting_id).get(pid, []))
            server.process.send_signal(signal.SIGTERM)
            answers += await asyncio.gather(*(v.request(voting.ballot(v, vote_id)) for v in batch))
            await asyncio.to_thread(server.process.wait, DRAIN_TIMEOUT)
            for client in clients.values():
                if member_of[client.name] in moved:
                    await eventually(
                        lambda c=client, before=hellos[client.name]: c.hellos > before and c.synced,
                        f"{client.name} reconnected to the other daphne",
                    )
            await asyncio.to_thread(deployment.restart, name)

        assert [a["type"] for a in answers] == ["ack"] * 5, answers
        closed = await chair.request({"type": "vote.close", "vote": vote_id})
        assert closed["type"] == "ack", closed
        for client in clients.values():
            await eventually(lambda c=client: c.event("vote.closed"), f"{client.name} sees it")
        # Every connection of a stopped process closed (its drain, not a lease much later).
        live = {s.process.pid for s in deployment.servers.values()}
        await eventually_db(lambda: set(held_by(meeting_id)) <= live, "old presences closed")
        chair.synced = False
        await chair.send({"type": "snapshot", "id": f"hello-{chair.hellos}"})
        await eventually(lambda: chair.synced, "a fresh snapshot")
        return {
            "vote": vote_id,
            "eligible": len(eligible),
            "closed_cast": chair.event("vote.closed")[-1]["payload"]["result"]["cast"],
            "online": sorted(chair.state["online"]),
            "held": await db(lambda: held_by(meeting_id)),
            "answers": answers,
        }
    finally:
        for client in clients.values():
            await client.stop()


async def eventually_db(check: Any, what: str) -> None:
    async def poll() -> bool:
        return bool(await db(check))

    deadline = asyncio.get_running_loop().time() + 15
    while not await poll():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting until {what}")
        await asyncio.sleep(0.1)
