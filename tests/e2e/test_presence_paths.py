"""Presence is closed however a connection ends: a clean close, a dropped network, a killed
server, a restarted server (issue 17). Real daphne processes on the test database, each with a
presence lease of 2 s (PRESENCE_LEASE_SECONDS) and a websocket ping every second, so every path
ends within seconds. Each test ends with the span closed and the charter's figures as before:
leaving is not an absence (the member stays present on the roll), only who is online changes.
"""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connection
from websockets.asyncio.client import ClientConnection, connect

from meetings.models import Attendance, Meeting, PresenceSpan
from meetings.room import room_state
from meetings.services import room
from tests.e2e.test_scale_out import (
    DAPHNE,
    SERVERS_MARKS,
    Daphne,
    RedisServer,
    daphne_environment,
    free_port,
    session_key,
    stop,
    wait_healthy,
)
from tests.meetings.room.conftest import build_scene

pytestmark = [*SERVERS_MARKS]

LEASE_SECONDS = 2
WAIT = 60.0  # seconds for any expected state (the machine is shared and loaded)


class Servers:
    """daphnes started on free ports with the same environment; all stopped by PID at the end."""

    def __init__(self, environment: dict[str, str], directory: Path) -> None:
        self.environment, self.directory = environment, directory
        self.started: list[Daphne] = []

    def start(self, name: str, port: int | None = None) -> Daphne:
        port = port or free_port()
        log = self.directory / f"daphne-{name}.log"
        with log.open("ab") as output:
            process = subprocess.Popen(
                [
                    str(DAPHNE), "-b", "127.0.0.1", "-p", str(port),
                    # A client that stops answering is dropped after 1 + 2 s (default 20 + 30).
                    "--ping-interval", "1", "--ping-timeout", "2",
                    "config.asgi:application",
                ],
                cwd=settings.BASE_DIR,
                env=self.environment,
                stdout=output,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        server = Daphne(name, port, log, process)
        self.started.append(server)
        wait_healthy(server)
        return server


@pytest.fixture
def servers(transactional_db, tmp_path) -> Iterator[Servers]:
    redis_server = RedisServer(port=free_port(), log=tmp_path / "redis.log")
    environment = daphne_environment(
        tmp_path,
        f"redis://127.0.0.1:{redis_server.port}/0",
        PRESENCE_LEASE_SECONDS=str(LEASE_SECONDS),
    )
    found = Servers(environment, tmp_path)
    try:
        redis_server.start()
        yield found
    finally:
        for server in found.started:
            stop(server.process)
        redis_server.stop()
        for server in found.started:  # shown by pytest when the test failed
            print(f"--- daphne {server.name} log ---\n{server.log_text()[-4000:]}")


async def open_room(server: Daphne, meeting_id: int, key: str) -> ClientConnection:
    """A page of the room: connected once the server said hello."""
    websocket = await connect(
        f"ws://127.0.0.1:{server.port}/ws/meetings/{meeting_id}/",
        origin=server.origin,
        additional_headers={"Cookie": f"sessionid={key}"},
        proxy=None,
        open_timeout=WAIT,
        ping_interval=None,
    )
    hello = json.loads(await asyncio.wait_for(websocket.recv(), WAIT))
    assert hello["type"] == "hello"
    return websocket


async def db(read: Callable[[], Any]) -> Any:
    def run() -> Any:
        try:
            return read()
        finally:
            connection.close()  # this thread's connection: the test database is dropped later

    return await sync_to_async(run)()


async def until(read: Callable[[], Any], what: str) -> Any:
    deadline = time.monotonic() + WAIT
    while True:
        found = await db(read)
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {WAIT} s: {what}")
        await asyncio.sleep(0.1)


def spans(member: Any) -> list[PresenceSpan]:
    return list(PresenceSpan.objects.filter(attendance__member=member).order_by("pk"))


def figures(meeting_id: int) -> dict[str, Any]:
    """The charter's figures and the roll, as the room shows them, and who is online."""
    state = room_state(Meeting.objects.get(pk=meeting_id), None)
    return {
        "assessment": state["assessment"],
        "roll": {r["member"]: r["status"] for r in state["roll"]},
        "online": state["online"],
    }


def meeting_with(scene_members: Callable[[Any], list[Any]]) -> tuple[Any, list[str]]:
    scene = build_scene()
    room.start_meeting(meeting_id=scene.meeting.pk, actor=scene.chair.user)
    return scene, [session_key(m) for m in scene_members(scene)]


async def everyone_in(scene: Any, pages: int) -> dict[str, Any]:
    await until(
        lambda: (
            PresenceSpan.objects.filter(attendance__meeting=scene.meeting, left_at=None).count()
            == pages
        ),
        f"{pages} pages present",
    )
    return await db(lambda: figures(scene.meeting.pk))


def assert_left_and_figures_kept(before: dict[str, Any], after: dict[str, Any], gone: Any) -> None:
    assert after["assessment"] == before["assessment"]
    assert after["roll"] == before["roll"]
    assert after["roll"][gone.pk] == "present"
    assert gone.pk in before["online"]
    assert gone.pk not in after["online"]


async def snapshot_of(page: ClientConnection) -> dict[str, Any]:
    """The state the page loads (as room.js does about once a minute, and on every hello)."""
    await page.send(json.dumps({"type": "snapshot", "id": "s"}))
    while True:
        frame = json.loads(await asyncio.wait_for(page.recv(), WAIT))
        if frame["type"] == "snapshot" and frame["id"] == "s":  # not the one sent with hello
            return frame["state"]


def test_a_clean_close_ends_the_presence(servers):
    scene, (chair_key, member_key) = meeting_with(lambda s: [s.chair, s.officials[0]])
    member = scene.officials[0]
    server = servers.start("a")

    async def scenario() -> tuple[dict[str, Any], dict[str, Any], float]:
        chair = await open_room(server, scene.meeting.pk, chair_key)
        page = await open_room(server, scene.meeting.pk, member_key)
        before = await everyone_in(scene, 2)
        await page.close()
        closed_at = time.time()
        await until(lambda: spans(member)[0].left_at, "the span is closed")
        after = await db(lambda: figures(scene.meeting.pk))
        await chair.close()
        return before, after, closed_at

    before, after, closed_at = asyncio.run(scenario())

    assert_left_and_figures_kept(before, after, member)
    assert abs(spans(member)[0].left_at.timestamp() - closed_at) < WAIT


def test_a_dropped_network_ends_the_presence(servers):
    """No close frame, no answer to pings: daphne drops the connection after its ping timeout,
    and the connection's end closes the span."""
    scene, (chair_key, member_key) = meeting_with(lambda s: [s.chair, s.officials[0]])
    member = scene.officials[0]
    server = servers.start("a")

    async def scenario() -> tuple[dict[str, Any], dict[str, Any]]:
        chair = await open_room(server, scene.meeting.pk, chair_key)
        page = await open_room(server, scene.meeting.pk, member_key)
        before = await everyone_in(scene, 2)
        page.transport.pause_reading()  # the network is gone: nothing is read or answered
        await until(lambda: spans(member)[0].left_at, "the span is closed")
        after = await db(lambda: figures(scene.meeting.pk))
        page.transport.abort()
        await chair.close()
        return before, after

    before, after = asyncio.run(scenario())

    assert_left_and_figures_kept(before, after, member)


def test_a_killed_servers_connections_are_closed_by_its_lease(servers):
    """SIGKILL: no disconnect runs. The other server's sweep closes the span at the moment the
    dead one last renewed its lease, within the lease time; the pages there see it gone."""
    scene, (chair_key, member_key) = meeting_with(lambda s: [s.chair, s.officials[0]])
    member = scene.officials[0]
    a, b = servers.start("a"), servers.start("b")

    async def scenario() -> tuple[dict[str, Any], dict[str, Any], float, list[dict[str, Any]]]:
        chair = await open_room(b, scene.meeting.pk, chair_key)
        await open_room(a, scene.meeting.pk, member_key)
        before = await everyone_in(scene, 2)
        a.process.send_signal(signal.SIGKILL)
        a.process.wait(timeout=WAIT)
        killed_at = time.time()
        await until(lambda: spans(member)[0].left_at, "the span is closed")
        after = await db(lambda: figures(scene.meeting.pk))
        snapshot = await snapshot_of(chair)
        await chair.close()
        return before, after, killed_at, snapshot

    before, after, killed_at, snapshot = asyncio.run(scenario())

    assert_left_and_figures_kept(before, after, member)
    left_at = spans(member)[0].left_at.timestamp()
    assert killed_at - LEASE_SECONDS - 1 <= left_at <= killed_at  # its last renewal
    assert snapshot["online"] == [scene.chair.pk]  # what the page on the other server shows
    assert snapshot["assessment"] == before["assessment"]
    assert b.process.poll() is None


def test_a_restarted_servers_old_connections_are_closed_and_the_page_is_back(servers):
    """The only server crashes and starts again on the same port; the page reconnects. The
    restarted server's sweep closes the old span; the new one is open; the roll unchanged."""
    scene, (member_key,) = meeting_with(lambda s: [s.officials[0]])
    member = scene.officials[0]
    server = servers.start("a")

    async def scenario() -> tuple[dict[str, Any], dict[str, Any]]:
        await open_room(server, scene.meeting.pk, member_key)
        before = await everyone_in(scene, 1)
        server.process.send_signal(signal.SIGKILL)
        server.process.wait(timeout=WAIT)
        restarted = await sync_to_async(servers.start)("a-again", server.port)
        page = await open_room(restarted, scene.meeting.pk, member_key)
        await until(lambda: spans(member)[0].left_at, "the old span is closed")
        after = await db(lambda: figures(scene.meeting.pk))
        await page.close()
        return before, after

    before, after = asyncio.run(scenario())

    old, new = spans(member)
    assert old.left_at is not None
    assert old.left_at <= new.joined_at
    assert after["assessment"] == before["assessment"]
    assert after["roll"] == before["roll"]
    assert after["online"] == [member.pk]  # back, once
    assert Attendance.objects.get(meeting=scene.meeting, member=member).status == "present"
