"""A private Janus and coturn for the media tests, on free ports, stopped at the end.

Skipped only when the Debian packages are missing on a developer's machine; under CI
(CI=true, as .ci/run sets it) a missing package fails the tests instead.
"""

from __future__ import annotations

import os
import random
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from meetings.media import engine


@dataclass
class MediaEngine:
    janus: engine.JanusConfig
    coturn: engine.CoturnConfig
    processes: list

    def settings(self) -> dict[str, object]:
        return {
            "JANUS_URL": self.janus.ws_url,
            "JANUS_ADMIN_URL": self.janus.api_url,
            "JANUS_TOKEN_SECRET": self.janus.token_secret,
            "JANUS_ADMIN_SECRET": self.janus.admin_secret,
            "TURN_URLS": [f"turn:127.0.0.1:{self.coturn.port}?transport=udp"],
            "TURN_SECRET": self.coturn.secret,
        }

    def stop(self) -> None:
        for process in self.processes:
            engine.stop(process)


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
