"""A private Janus and coturn for the media tests, on free ports, stopped at the end.

Skipped only when the Debian packages are missing on a developer's machine; under CI
(CI=true, as .ci/run sets it) a missing package fails the tests instead.
"""

from __future__ import annotations

import json
import os
import random
import secrets
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from meetings.media import engine


@dataclass
class MediaEngine:
    janus: engine.JanusConfig
    coturn: engine.CoturnConfig
    processes: list
    events_url: str | None = None  # where Janus's events go, once a test said so

    def settings(self) -> dict[str, object]:
        return {
            "JANUS_URL": self.janus.ws_url,
            "JANUS_ADMIN_URL": self.janus.api_url,
            "JANUS_TOKEN_SECRET": self.janus.token_secret,
            "JANUS_ADMIN_SECRET": self.janus.admin_secret,
            "JANUS_ADMIN_API_URL": self.janus.admin_url,
            "TURN_URLS": [f"turn:127.0.0.1:{self.coturn.port}?transport=udp"],
            "TURN_SECRET": self.coturn.secret,
        }

    def send_events_to(self, url: str) -> None:
        """Points Janus's event handler at `url` (the admin API's "tweak"; production writes
        the app's address into the configuration, meetings.media.engine)."""
        body = {
            "janus": "query_eventhandler",
            "handler": "janus.eventhandler.sampleevh",
            "request": {"request": "tweak", "backend": url},
            "admin_secret": self.janus.admin_secret,
            "transaction": secrets.token_hex(6),
        }
        request = urllib.request.Request(
            self.janus.admin_url,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            reply = json.load(answer)
        assert reply.get("janus") == "success", reply
        self.events_url = url

    def restart_janus(self) -> None:
        """Starts Janus again (stopped by a test) on the same ports and configuration; its
        events go where they went before (a restart forgets the "tweak")."""
        self.processes[0] = engine.start_janus(self.janus)
        if self.events_url:
            self.send_events_to(self.events_url)

    def stop(self) -> None:
        for process in self.processes:
            engine.stop(process)


class EventCatcher:
    """Stands where the app's /janus/su-kien/ stands and keeps what Janus posts, as Janus
    posted it (credentials included), for a test to hand to meetings.media.events."""

    def __init__(self) -> None:
        self.posted: list[tuple[str, object]] = []
        catcher = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length))
                catcher.posted.append((self.headers.get("Authorization", ""), body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/janus/su-kien/"

    def events(self) -> list[dict]:
        found: list[dict] = []
        for _, body in self.posted:
            found.extend(body if isinstance(body, list) else [body])
        return found

    def wait_for(self, kind: str, feed: int, room: int, timeout: float = 10) -> list[dict]:
        """Every event so far, once Janus has posted the VideoRoom's `kind` for `feed` in `room`
        (Janus is shared by the session's tests: an earlier test's events may still come)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.events()
            for event in found:
                data = (event.get("event") or {}).get("data") or {}
                if data.get("event") == kind and (data.get("id"), data.get("room")) == (feed, room):
                    return found
            time.sleep(0.05)
        raise AssertionError(f"Janus posted no {kind!r} for {feed} in room {room}")

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def require_binaries() -> None:
    missing = [
        name
        for name, found in [("janus", engine.janus_binary()), ("coturn", engine.coturn_binary())]
        if found is None
    ]
    if not missing:
        return
    message = f"Debian packages missing: {', '.join(missing)} (bin/system-packages installs them)"
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(message)
    pytest.skip(message)


def start_media_engine() -> MediaEngine:
    require_binaries()
    directory = Path(tempfile.mkdtemp(prefix="chibo-media-"))
    host = engine.host_ipv4()
    first_rtp = random.randrange(20000, 39000, 200)
    first_relay = random.randrange(49160, 59000, 100)
    janus = engine.JanusConfig(
        directory=directory / "janus",
        host_ip=host,
        http_port=engine.free_port(),
        ws_port=engine.free_port(),
        admin_port=engine.free_port(),
        token_secret=secrets.token_urlsafe(24),
        admin_secret=secrets.token_urlsafe(24),
        rtp_ports=(first_rtp, first_rtp + 199),
    )
    coturn = engine.CoturnConfig(
        directory=directory / "coturn",
        host_ip=host,
        port=engine.free_port(),
        secret=secrets.token_urlsafe(24),
        relay_ports=(first_relay, first_relay + 99),
    )
    processes = [engine.start_janus(janus)]
    try:
        processes.append(engine.start_coturn(coturn))
    except Exception:
        engine.stop(processes[0])
        raise
    return MediaEngine(janus, coturn, processes)
