"""Debian's nginx with the repository's configuration (deploy/nginx/compose.conf and chibo.conf)
in front of Daphne processes on free 127.0.0.1 ports, for the tests. Everything started here is
stopped by its own PID."""

from __future__ import annotations

import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.e2e.test_scale_out import Daphne, free_port, stop, wait_healthy

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or next(
    (p for p in ("/usr/sbin/nginx", "/sbin/nginx") if Path(p).exists()), None
)
DAPHNE = Path(sys.executable).with_name("daphne")
COMPOSE_CONF = ROOT / "deploy" / "nginx" / "compose.conf"
START_TIMEOUT = 10.0


def daphne_command(port: int, access_log: Path) -> list[str]:
    """As docker-compose.yml runs `web` (behind the proxy: --proxy-headers), on 127.0.0.1."""
    return [
        str(DAPHNE), "-b", "127.0.0.1", "-p", str(port), "--proxy-headers",
        "--websocket_connect_timeout", "30", "--access-log", str(access_log),
        "config.asgi:application",
    ]  # fmt: skip


def start_daphne(name: str, environment: dict[str, str], var_dir: Path, port: int = 0) -> Daphne:
    port = port or free_port()
    log = var_dir / f"daphne-{name}.log"
    with log.open("ab") as output:
        process = subprocess.Popen(
            daphne_command(port, var_dir / f"access-{name}.log"),
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    return Daphne(name, port, log, process)


def access_log(server: Daphne) -> str:
    path = server.log.with_name(f"access-{server.name}.log")
    return path.read_text(errors="replace") if path.exists() else ""


def nginx_config(port: int, upstreams: list[int], var_dir: Path, run_dir: Path) -> str:
    """compose.conf with this machine's addresses and directories. Every line changed must be
    there exactly once: a test notices when the file it stands for changes shape."""
    text = COMPOSE_CONF.read_text()
    replacements = {
        "listen 8080;": f"listen 127.0.0.1:{port};",
        "set $chibo_var /var/lib/chibo;": f"set $chibo_var {var_dir};",
        "include /app/deploy/nginx/chibo.conf;": f"include {ROOT}/deploy/nginx/chibo.conf;",
        "pid /tmp/nginx.pid;": f"pid {run_dir}/nginx.pid;",
        "access_log /dev/stdout;": f"access_log {run_dir}/nginx-access.log;",
    }
    for old, new in replacements.items():
        assert text.count(old) == 1, f"{COMPOSE_CONF} no longer has {old!r} once"
        text = text.replace(old, new)
    # The upstreams (pages, websockets): each lists `web` once, with its own parameters.
    found = re.findall(r"server web:8000([^;]*);", text)
    assert len(found) == 2, f"{COMPOSE_CONF} no longer has its two upstreams"
    for params in found:
        servers = "\n        ".join(f"server 127.0.0.1:{p}{params};" for p in upstreams)
        text = text.replace(f"server web:8000{params};", servers)
    temporary = "/tmp/nginx-"  # noqa: S108 - the container's, replaced here
    assert text.count(temporary) == 5, "compose.conf's temporary directories changed"
    return text.replace(temporary, f"{run_dir}/nginx-")


@dataclass
class Nginx:
    port: int
    run_dir: Path
    process: subprocess.Popen[bytes] | None = None
    upstreams: list[int] = field(default_factory=list)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, upstreams: list[int], var_dir: Path) -> None:
        assert NGINX is not None, "nginx is not installed (bin/system-packages)"
        self.upstreams = upstreams
        self.run_dir.mkdir(parents=True, exist_ok=True)
        conf = self.run_dir / "nginx.conf"
        conf.write_text(nginx_config(self.port, upstreams, var_dir, self.run_dir))
        # Workers run as this user (as root, nginx would otherwise switch to `nobody`, who
        # cannot read the test's private directories); not root, the directive is ignored.
        user = pwd.getpwuid(os.getuid()).pw_name
        log = self.run_dir / "nginx.log"
        with log.open("ab") as output:
            self.process = subprocess.Popen(
                [NGINX, "-p", str(self.run_dir), "-c", str(conf), "-g", f"user {user};"],
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"nginx did not start:\n{self.log_text()}") from None
                time.sleep(0.05)

    def log_text(self) -> str:
        log = self.run_dir / "nginx.log"
        return log.read_text(errors="replace") if log.exists() else ""

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)


__all__ = ["Daphne", "Nginx", "access_log", "free_port", "start_daphne", "stop", "wait_healthy"]
