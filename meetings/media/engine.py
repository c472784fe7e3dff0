"""A private Janus (VideoRoom only) and coturn, configured from scratch under a directory of ours.

Run as `python -m meetings.media.engine start DIR` (./bin/media does), or use `start_janus` and
`start_coturn` from Python (the tests choose free ports). Nothing here imports Django.

Janus never gathers ICE candidates on a loopback interface (ice.c skips IFF_LOOPBACK), so its ICE
is pinned to the host's own non-loopback IPv4 (`-E`): packets to one's own address go through `lo`
and never leave the machine. coturn relays on that address too (libnice drops 127.0.0.1 relay
candidates). Every API listens on 127.0.0.1 only; production puts a TLS proxy in front
(README.md, "Voice and picture").
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from meetings.media import tokens

JANUS_LIB = Path("/usr/lib/x86_64-linux-gnu/janus")
PLUGIN = "libjanus_videoroom.so"
TRANSPORTS = {"libjanus_http.so", "libjanus_websockets.so"}
EVENT_HANDLER = "libjanus_sampleevh.so"  # HTTP POSTs of events to one backend


def janus_binary() -> str | None:
    return shutil.which("janus")


def coturn_binary() -> str | None:
    return shutil.which("turnserver")


def host_ipv4() -> str:
    """The host's own non-loopback IPv4 address (JANUS_ICE_IP when set)."""
    chosen = os.environ.get("JANUS_ICE_IP", "")
    if chosen:
        return chosen
    output = subprocess.run(
        ["ip", "-4", "-o", "addr", "show", "scope", "global"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    for line in output.splitlines():
        fields = line.split()
        if "inet" in fields:
            return fields[fields.index("inet") + 1].split("/")[0]
    raise RuntimeError("no non-loopback IPv4 address: Janus cannot gather ICE candidates")


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class JanusConfig:
    directory: Path
    host_ip: str
    http_port: int
    ws_port: int
    admin_port: int
    token_secret: str
    admin_secret: str
    rtp_ports: tuple[int, int] = (20000, 20999)
    bind: str = "127.0.0.1"  # where the APIs listen (0.0.0.0 inside a container)
    public_ip: str = ""  # nat_1_1_mapping: the public address behind NAT, in production
    # Where Janus posts the VideoRoom's events (joined, published): the app's
    # /janus/su-kien/, so that the server checks every participant's identity and moderates
    # every audio stream it publishes (docs/media.md). The tests point it at their server later
    # (`query_eventhandler` "tweak").
    events_url: str = "http://127.0.0.1:9/janus/su-kien/"

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/janus"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.ws_port}"

    @property
    def admin_url(self) -> str:
        return f"http://127.0.0.1:{self.admin_port}/admin"


def _disabled(folder: str, keep: set[str]) -> str:
    present = sorted(path.name for path in (JANUS_LIB / folder).glob("*.so"))
    return ",".join(name for name in present if name not in keep)


def _core_config(config: JanusConfig) -> str:
    """janus.jcfg: token auth, the RTP ports, ICE on the host's address, one plugin."""
    return f"""general: {{
	plugins_folder = "{JANUS_LIB}/plugins"
	transports_folder = "{JANUS_LIB}/transports"
	events_folder = "{JANUS_LIB}/events"
	loggers_folder = "{JANUS_LIB}/loggers"
	debug_level = 4
	debug_timestamps = true
	session_timeout = 60
	server_name = "chibo-janus"
	token_auth = true
	token_auth_secret = {json.dumps(config.token_secret)}
	admin_secret = {json.dumps(config.admin_secret)}
	protected_folders = [ "/bin", "/boot", "/dev", "/etc", "/lib", "/proc", "/sbin", "/sys",
		"/usr", "/var" ]
}}
certificates: {{
}}
media: {{
	rtp_port_range = "{config.rtp_ports[0]}-{config.rtp_ports[1]}"
}}
nat: {{
	ice_enforce_list = {json.dumps(config.host_ip)}
{f"	nat_1_1_mapping = {json.dumps(config.public_ip)}" if config.public_ip else ""}
	ignore_mdns = true
	full_trickle = false
	ice_lite = false
	ice_tcp = false
}}
plugins: {{
	disable = {json.dumps(_disabled("plugins", {PLUGIN}))}
}}
transports: {{
	disable = {json.dumps(_disabled("transports", TRANSPORTS))}
}}
loggers: {{
	disable = {json.dumps(_disabled("loggers", set()))}
}}
events: {{
	broadcast = true
	disable = {json.dumps(_disabled("events", {EVENT_HANDLER}))}
}}
"""


def write_janus_config(config: JanusConfig) -> Path:
    """The four .jcfg files Janus needs; every other plugin, transport and logger disabled."""
    etc = config.directory / "etc"
    etc.mkdir(parents=True, exist_ok=True)
    files = {
        "janus.jcfg": _core_config(config),
        # Only the plugins' events (the VideoRoom's joined/published/updated), grouped, to the
        # app, with basic authentication derived from the token secret.
        "janus.eventhandler.sampleevh.jcfg": f"""general: {{
	enabled = true
	events = "plugins"
	grouping = true
	json = "compact"
	backend = {json.dumps(config.events_url)}
	backend_user = {json.dumps(tokens.EVENTS_USER)}
	backend_pwd = {json.dumps(tokens.events_password(config.token_secret))}
	max_retransmissions = 3
	retransmissions_backoff = 50
}}
""",
        # admin_key: only the server (which knows it) may create rooms. Nothing is recorded.
        "janus.plugin.videoroom.jcfg": f"""general: {{
	admin_key = {json.dumps(config.admin_secret)}
	lock_rtp_forward = true
	string_ids = false
}}
""",
        "janus.transport.http.jcfg": f"""general: {{
	json = "compact"
	base_path = "/janus"
	http = true
	port = {config.http_port}
	ip = {json.dumps(config.bind)}
	https = false
}}
admin: {{
	admin_base_path = "/admin"
	admin_http = true
	admin_port = {config.admin_port}
	admin_ip = {json.dumps(config.bind)}
	admin_https = false
}}
cors: {{
}}
""",
        "janus.transport.websockets.jcfg": f"""general: {{
	json = "compact"
	ws = true
	ws_port = {config.ws_port}
	ws_ip = {json.dumps(config.bind)}
	wss = false
}}
admin: {{
	admin_ws = false
	admin_wss = false
}}
""",
    }
    for name, text in files.items():
        path = etc / name
        path.write_text(text, encoding="utf-8")
        path.chmod(0o600)
    return etc


@dataclass(frozen=True)
class CoturnConfig:
    directory: Path
    host_ip: str
    port: int
    secret: str
    relay_ports: tuple[int, int] = (49160, 49200)
    listen_ip: str = "127.0.0.1"
    tls_cert: str = ""  # production: TURN over TLS (turns:) on tls_port, with this certificate
    tls_key: str = ""
    tls_port: int = 443

    @property
    def urls(self) -> str:
        return f"turn:127.0.0.1:{self.port}?transport=udp,turn:127.0.0.1:{self.port}?transport=tcp"


def _tls(config: CoturnConfig) -> str:
    if config.tls_cert and config.tls_key:
        lines = [f"tls-listening-port={config.tls_port}", f"cert={config.tls_cert}"]
        return "\n".join([*lines, f"pkey={config.tls_key}"])
    return "no-tls\nno-dtls"


def write_coturn_config(config: CoturnConfig) -> Path:
    config.directory.mkdir(parents=True, exist_ok=True)
    path = config.directory / "turnserver.conf"
    path.write_text(
        f"""listening-ip={config.listen_ip}
listening-port={config.port}
relay-ip={config.host_ip}
min-port={config.relay_ports[0]}
max-port={config.relay_ports[1]}
realm=chibo.local
use-auth-secret
static-auth-secret={config.secret}
fingerprint
{_tls(config)}
no-cli
no-multicast-peers
allow-loopback-peers
simple-log
no-stdout-log
log-file={config.directory / "turn.log"}
pidfile={config.directory / "turn.pid"}
""",
        encoding="utf-8",
    )
    path.chmod(0o600)
    return path


def _wait_for_janus(config: JanusConfig, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = (config.directory / "janus.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"Janus stopped at start-up:\n{log}")
        try:
            url = f"{config.api_url}/info"
            with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 -- http://
                if json.load(answer).get("janus") == "server_info":
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"Janus did not answer within {timeout} s")


def janus_command(config: JanusConfig) -> list[str]:
    """Writes the configuration and gives the command that runs Janus on it."""
    binary = janus_binary()
    if binary is None:
        raise RuntimeError("janus is not installed (Debian package janus)")
    etc = write_janus_config(config)
    return [binary, "-C", str(etc / "janus.jcfg"), "-F", str(etc), "-E", config.host_ip, "-o"]


def start_janus(config: JanusConfig, timeout: float = 60) -> subprocess.Popen:
    config.directory.mkdir(parents=True, exist_ok=True)
    with open(config.directory / "janus.stdout", "wb") as stdout:
        process = subprocess.Popen(
            [*janus_command(config), "-N", "-L", str(config.directory / "janus.log")],
            stdout=stdout,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_for_janus(config, process, timeout)
    except Exception:
        stop(process)
        raise
    return process


def start_coturn(config: CoturnConfig, timeout: float = 30) -> subprocess.Popen:
    binary = coturn_binary()
    if binary is None:
        raise RuntimeError("turnserver is not installed (Debian package coturn)")
    path = write_coturn_config(config)
    with open(config.directory / "turn.stdout", "wb") as stdout:
        process = subprocess.Popen(
            [binary, "-c", str(path)],
            stdout=stdout,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:  # coturn has no API: wait until its port answers TCP
        if process.poll() is not None:
            log = config.directory / "turn.log"
            raise RuntimeError(f"coturn stopped at start-up (see {log})")
        try:
            socket.create_connection(("127.0.0.1", config.port), timeout=1).close()
            return process
        except OSError:
            time.sleep(0.2)
    stop(process)
    raise RuntimeError(f"coturn did not listen within {timeout} s")


def stop(process: subprocess.Popen, timeout: float = 10) -> None:
    """Stops one process we started (by its pid, never by name)."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout)


def _secret(directory: Path, name: str) -> str:
    """A secret kept in DIR/name, made once (the embedded default, as var/secret_key)."""
    path = directory / name
    if not path.exists():
        directory.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(32), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def configs(directory: Path) -> tuple[JanusConfig, CoturnConfig]:
    """Both configurations from the environment; secrets not given are made once under DIR."""
    host = host_ipv4()
    first, last = (int(n) for n in os.environ.get("JANUS_RTP_PORTS", "20000-20999").split("-"))
    janus = JanusConfig(
        directory=directory / "janus",
        host_ip=host,
        http_port=int(os.environ.get("JANUS_HTTP_PORT", 8088)),
        ws_port=int(os.environ.get("JANUS_WS_PORT", 8188)),
        admin_port=int(os.environ.get("JANUS_ADMIN_PORT", 7088)),
        token_secret=os.environ.get("JANUS_TOKEN_SECRET") or _secret(directory, "token_secret"),
        admin_secret=os.environ.get("JANUS_ADMIN_SECRET") or _secret(directory, "admin_secret"),
        rtp_ports=(first, last),
        bind=os.environ.get("JANUS_BIND", "127.0.0.1"),
        public_ip=os.environ.get("JANUS_PUBLIC_IP", ""),
        events_url=os.environ.get(
            "JANUS_EVENTS_URL",
            f"http://127.0.0.1:{os.environ.get('PORT', 8000)}/janus/su-kien/",
        ),
    )
    coturn = CoturnConfig(
        directory=directory / "coturn",
        host_ip=os.environ.get("TURN_RELAY_IP", host),
        port=int(os.environ.get("TURN_PORT", 3478)),
        secret=os.environ.get("TURN_SECRET") or _secret(directory, "turn_secret"),
        listen_ip=os.environ.get("TURN_LISTEN_IP", "127.0.0.1"),
        tls_cert=os.environ.get("TURN_TLS_CERT", ""),
        tls_key=os.environ.get("TURN_TLS_KEY", ""),
        tls_port=int(os.environ.get("TURN_TLS_PORT", 443)),
    )
    return janus, coturn


def main(argv: list[str] | None = None) -> int:
    """`start DIR`: start Janus and coturn in the background for ./bin/run, print the app's
    environment (`export NAME=value` lines) and write DIR/pids.json; `stop DIR`: stop them.
    `janus DIR` and `coturn DIR` run one of them in the foreground (the containers)."""
    parser = argparse.ArgumentParser(prog="python -m meetings.media.engine")
    parser.add_argument("action", choices=["start", "stop", "janus", "coturn"])
    parser.add_argument("directory", type=Path)
    args = parser.parse_args(argv)
    directory = args.directory.resolve()
    pids = directory / "pids.json"
    if args.action == "stop":
        if pids.exists():
            for pid in json.loads(pids.read_text()).values():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGTERM)
            pids.unlink()
        return 0
    if args.action in {"janus", "coturn"}:
        needed = ["JANUS_TOKEN_SECRET", "JANUS_ADMIN_SECRET"] if args.action == "janus" else []
        missing = [n for n in needed or ["TURN_SECRET"] if not os.environ.get(n)]
        if missing:  # the app must sign with the same secrets: none is made up here
            parser.error(f"{', '.join(missing)} must be set")
    janus, coturn = configs(directory)
    if args.action == "janus":
        janus.directory.mkdir(parents=True, exist_ok=True)
        command = janus_command(janus)
        os.execv(command[0], command)
    if args.action == "coturn":
        binary = coturn_binary()
        if binary is None:
            raise RuntimeError("turnserver is not installed (Debian package coturn)")
        os.execv(binary, [binary, "-c", str(write_coturn_config(coturn))])
    started = {"janus": start_janus(janus).pid}
    environment = {
        "JANUS_URL": janus.ws_url,
        "JANUS_ADMIN_URL": janus.api_url,
        "JANUS_TOKEN_SECRET": janus.token_secret,
        "JANUS_ADMIN_SECRET": janus.admin_secret,
        "JANUS_ADMIN_API_URL": janus.admin_url,
    }
    if coturn_binary():
        started["coturn"] = start_coturn(coturn).pid
        environment |= {"TURN_URLS": coturn.urls, "TURN_SECRET": coturn.secret}
    pids.write_text(json.dumps(started))
    for name, value in environment.items():
        print(f"export {name}={_shell(value)}")
    return 0


def _shell(value: str) -> str:
    return "'" + value.replace("'", "'\\''") + "'"


if __name__ == "__main__":
    sys.exit(main())
