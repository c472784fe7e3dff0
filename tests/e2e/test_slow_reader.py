"""A client that never reads its socket is dropped once its backlog is full, and nobody else
slows down (config/daphne_backpressure.py).

The test starts its own redis-server and a daphne (backlog limit 256 KiB) on free 127.0.0.1
ports. Two members are in the room: one reads everything, the other completes the handshake
with a tiny receive window and then never reads. The meeting's group gets 12 MiB of frames.
"""

from __future__ import annotations

import base64
import json
import secrets
import socket
import time
from collections.abc import Iterator

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from config.settings import channel_layer
from meetings import events
from meetings.models import PresenceSpan
from meetings.services import room
from tests.deploy.proxy import start_daphne
from tests.e2e.test_scale_out import (
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

BACKLOG = 256 * 1024
FRAMES, FRAME_BYTES = 200, 64 * 1024
WAIT = 60


@pytest.fixture
def server(transactional_db, settings, tmp_path) -> Iterator[Daphne]:
    redis_server = RedisServer(port=free_port(), log=tmp_path / "redis.log")
    redis_url = f"redis://127.0.0.1:{redis_server.port}/0"
    settings.CHANNEL_LAYERS = {"default": channel_layer([redis_url])}
    environment = daphne_environment(tmp_path, redis_url, WEBSOCKET_SEND_BUFFER_BYTES=str(BACKLOG))
    daphne = None
    try:
        redis_server.start()
        daphne = start_daphne("a", environment, tmp_path)
        wait_healthy(daphne)
        yield daphne
    finally:
        if daphne is not None:
            stop(daphne.process)
            print(f"--- daphne ---\n{daphne.log_text()[-4000:]}")
        redis_server.stop()


def silent_socket(server: Daphne, meeting_id: int, key: str) -> socket.socket:
    """A websocket handshake by hand, on a socket with a tiny receive window that is then never
    read again."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.settimeout(WAIT)
    sock.connect(("127.0.0.1", server.port))
    challenge = base64.b64encode(secrets.token_bytes(16)).decode()
    sock.sendall(
        (
            f"GET /ws/meetings/{meeting_id}/ HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {challenge}\r\nSec-WebSocket-Version: 13\r\n"
            f"Origin: {server.origin}\r\nCookie: sessionid={key}\r\n\r\n"
        ).encode()
    )
    answer = b""
    while b"\r\n\r\n" not in answer:
        answer += sock.recv(1)
    assert answer.startswith(b"HTTP/1.1 101"), answer
    return sock


def drained_until_closed(sock: socket.socket) -> bool:
    """Reads what is left; True when the server cut the connection (reset or end of stream)."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        try:
            if not sock.recv(1 << 20):
                return True
        except ConnectionResetError:
            return True
        except TimeoutError:
            return False
    return False


def test_a_client_that_never_reads_is_dropped_and_the_others_get_everything(server):
    from websockets.sync.client import connect

    scene = build_scene()
    meeting_id = scene.meeting.pk
    room.start_meeting(meeting_id=meeting_id, actor=scene.chair.user)
    silent = silent_socket(server, meeting_id, session_key(scene.officials[0]))
    reader = connect(
        f"ws://127.0.0.1:{server.port}/ws/meetings/{meeting_id}/",
        origin=server.origin,
        additional_headers={"Cookie": f"sessionid={session_key(scene.officials[1])}"},
        proxy=None,
        max_size=2**22,
        max_queue=None,  # its thread reads everything as it comes
        open_timeout=WAIT,
    )
    spans = PresenceSpan.objects.filter(attendance__meeting_id=meeting_id)
    deadline = time.monotonic() + WAIT
    while spans.filter(left_at=None).count() < 2:
        assert time.monotonic() < deadline, "both members were never present"
        time.sleep(0.1)

    padding = "x" * FRAME_BYTES
    layer = get_channel_layer()
    group = events.group_name(meeting_id)

    async def flood() -> None:
        for n in range(FRAMES):
            text = json.dumps({"type": "noise", "id": None, "n": n, "pad": padding})
            await layer.group_send(group, {"type": "meeting.event", "text": text})

    async_to_sync(flood)()
    received = []
    with reader:
        while len(received) < FRAMES:
            frame = json.loads(reader.recv(timeout=WAIT))
            if frame["type"] == "noise":
                received.append(frame["n"])

    # The reader got every frame, in order; the silent client was cut off, its presence closed.
    assert received == list(range(FRAMES))
    assert drained_until_closed(silent)
    silent.close()
    deadline = time.monotonic() + WAIT
    while spans.filter(attendance__member=scene.officials[0], left_at=None).exists():
        assert time.monotonic() < deadline, "the silent client's presence was never closed"
        time.sleep(0.1)
    assert "does not read: dropped" in server.log_text()
    assert server.process.poll() is None
