"""Two Daphnes behind Debian's nginx, configured by the repository's files (deploy/nginx/).

The test collects the static files as the image does, starts two daphnes as docker-compose.yml
runs `web` (production settings, --proxy-headers) on the test database and nginx with
deploy/nginx/compose.conf in front of them, all on free 127.0.0.1 ports, and checks what a
visitor gets through the proxy: pages and websockets from both daphnes, the visitor's address
(never one the visitor forged), body limits, timeouts, static files served by nginx itself with
long cache lifetimes, and no /metrics.
"""

from __future__ import annotations

import asyncio
import gzip
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from websockets.asyncio.client import connect

from tests.conftest import sign_in_verified
from tests.deploy.proxy import (
    NGINX,
    ROOT,
    Daphne,
    Nginx,
    access_log,
    free_port,
    start_daphne,
    stop,
    wait_healthy,
)
from tests.e2e.test_scale_out import POSTGRES, database_url
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(NGINX is None, reason="needs nginx (bin/system-packages)"),
    pytest.mark.skipif(
        not POSTGRES, reason="needs PostgreSQL (set DATABASE_URL): the daphnes share the database"
    ),
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis (set REDIS_URL)"),
]

METRICS_TOKEN = "metrics-" + uuid.uuid4().hex
VISITOR = "127.0.0.2"  # the test's own address, as nginx sees it (all of 127/8 is loopback)
FORGED = "203.0.113.7"


@dataclass
class Proxied:
    nginx: Nginx
    a: Daphne
    b: Daphne
    var_dir: Path


@pytest.fixture(scope="module")
def proxied(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Proxied]:
    var_dir = tmp_path_factory.mktemp("var")
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "CHIBO_VAR_DIR": str(var_dir),
        "STATIC_ROOT": str(var_dir / "static"),
        "SECRET_KEY": settings.SECRET_KEY,
        "METRICS_TOKEN": METRICS_TOKEN,
        "DEBUG": "0",
        "PYTHONUNBUFFERED": "1",
    }
    with django_db_blocker.unblock():
        environment["DATABASE_URL"] = database_url()
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert collected.returncode == 0, collected.stderr
    servers = [start_daphne(name, environment, var_dir) for name in ("a", "b")]
    nginx = Nginx(port=free_port(), run_dir=var_dir / "nginx")
    try:
        for server in servers:
            wait_healthy(server)
        nginx.start([s.port for s in servers], var_dir)
        yield Proxied(nginx, *servers, var_dir)
    finally:
        nginx.stop()
        for server in servers:
            stop(server.process)
        print(f"--- nginx ---\n{nginx.log_text()[-3000:]}")
        for server in servers:
            print(f"--- daphne {server.name} ---\n{server.log_text()[-3000:]}")


def request(
    proxied: Proxied,
    method: str,
    path: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    port: int | None = None,
) -> tuple[int, dict[str, str], bytes]:
    """One request from VISITOR to nginx (or straight to a daphne's `port`)."""
    connection = http.client.HTTPConnection(
        "127.0.0.1", port or proxied.nginx.port, timeout=30, source_address=(VISITOR, 0)
    )
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def logged(proxied: Proxied, text: str) -> list[str]:
    """The daphnes' access-log lines that contain `text`."""
    return [
        line
        for server in (proxied.a, proxied.b)
        for line in access_log(server).splitlines()
        if text in line
    ]


def eventually_logged(proxied: Proxied, text: str, count: int = 1) -> list[str]:
    deadline = time.monotonic() + 10
    while len(lines := logged(proxied, text)) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return lines


def session_cookie() -> str:
    client = sign_in_verified(Client(), UserFactory())
    return str(client.cookies["sessionid"].value)


async def ping_through(proxied: Proxied, cookie: str, path: str) -> dict:
    async with connect(
        f"ws://127.0.0.1:{proxied.nginx.port}{path}",
        origin=proxied.nginx.origin,
        additional_headers={"Cookie": f"sessionid={cookie}", "X-Forwarded-For": FORGED},
        proxy=None,
        local_addr=(VISITOR, 0),
        open_timeout=10,
    ) as websocket:
        hello = json.loads(await asyncio.wait_for(websocket.recv(), 10))
        await websocket.send(json.dumps({"type": "ping", "id": "p1"}))
        return {"hello": hello["type"], **json.loads(await asyncio.wait_for(websocket.recv(), 10))}


# --- the tests ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_pages_and_websockets_reach_both_daphnes_with_the_visitors_address(proxied):
    marker = uuid.uuid4().hex
    for _ in range(4):
        status, _, _ = request(
            proxied, "GET", f"/khong-co-{marker}/", headers={"X-Forwarded-For": FORGED}
        )
        assert status == 302  # to the sign-in page: answered by Django
    lines = eventually_logged(proxied, marker, 4)
    # Round robin: both daphnes answered; each saw the visitor, never the forged address.
    assert len(lines) == 4
    assert marker in access_log(proxied.a)
    assert marker in access_log(proxied.b)
    assert all(line.startswith(f"{VISITOR}:") for line in lines), lines
    assert not any(FORGED in line for line in lines)

    # Websockets upgrade through the proxy, with the same address, on both daphnes (each of
    # nginx's workers takes turns: a few sockets reach both).
    cookie = session_cookie()
    path = "/ws/notifications/"
    for _ in range(10):
        answer = asyncio.run(ping_through(proxied, cookie, path))
        assert answer == {"hello": "hello", "type": "ack", "id": "p1"}
        if all(f"WSCONNECT {path}" in access_log(s) for s in (proxied.a, proxied.b)):
            break
    assert f"WSCONNECT {path}" in access_log(proxied.a)
    assert f"WSCONNECT {path}" in access_log(proxied.b)
    connected = logged(proxied, f"WSCONNECT {path}")
    assert all(line.startswith(f"{VISITOR}:") for line in connected), connected


def test_a_body_past_its_routes_limit_is_refused_by_the_proxy_before_daphne(proxied):
    marker = uuid.uuid4().hex
    two_mib = b"x" * (2 * 1024 * 1024)
    status, headers, body = request(
        proxied, "POST", f"/dang-nhap/?{marker}", body=two_mib,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )  # fmt: skip
    assert status == 413
    assert "Dữ liệu gửi lên quá lớn" in body.decode()
    assert headers["content-type"].startswith("text/html")
    # The roster import takes 3 MiB: the same body passes nginx and Daphne answers it (with
    # no CSRF token it refuses it).
    status, _, body = request(
        proxied, "POST", "/chi-bo/1/nhap-danh-sach/", body=two_mib,
        headers={"Content-Type": "application/octet-stream"},
    )  # fmt: skip
    assert status != 413
    assert "Dữ liệu gửi lên quá lớn" not in body.decode(errors="replace")
    assert eventually_logged(proxied, "POST /chi-bo/1/nhap-danh-sach/")
    assert not logged(proxied, marker)


def test_static_files_come_from_nginx_with_long_cache_lifetimes(proxied):
    status, _, page = request(proxied, "GET", "/dang-nhap/")
    assert status == 200
    (stylesheet,) = re.findall(r'href="(/static/css/app\.[0-9a-f]{12}\.css)"', page.decode())
    status, headers, body = request(proxied, "GET", stylesheet, headers={"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["cache-control"] == "public, max-age=315360000, immutable"
    assert headers["content-encoding"] == "gzip"
    assert headers["content-type"].startswith("text/css")
    assert headers["x-content-type-options"] == "nosniff"
    assert gzip.decompress(body) == (proxied.var_dir / stylesheet.lstrip("/")).read_bytes()
    # A name without its hash may change under it: cached for a minute only.
    status, headers, _ = request(proxied, "GET", "/static/css/app.css")
    assert (status, headers["cache-control"]) == (200, "public, max-age=60")
    assert request(proxied, "GET", "/static/css/khong-co.css")[0] == 404
    # nginx answered all of these itself.
    assert not logged(proxied, "/static/")


def test_metrics_are_not_served_through_the_proxy(proxied):
    token = {"Authorization": f"Bearer {METRICS_TOKEN}"}
    status, _, body = request(proxied, "GET", "/metrics", headers=token)
    assert status == 404
    assert b"chibo_" not in body
    # Inside the network each daphne serves them on its own address.
    status, _, body = request(proxied, "GET", "/metrics", headers=token, port=proxied.a.port)
    assert status == 200
    assert b"chibo_meeting_events" in body


def test_a_client_that_never_finishes_its_headers_is_dropped(proxied):
    with socket.create_connection(
        ("127.0.0.1", proxied.nginx.port), timeout=30, source_address=(VISITOR, 0)
    ) as slow:
        slow.sendall(b"GET /dang-nhap/ HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        started = time.monotonic()
        assert slow.recv(1024) == b""  # closed by nginx (client_header_timeout), nothing sent
        assert time.monotonic() - started < 25


def test_the_websocket_timeout_outlasts_daphnes_pings():
    """A quiet websocket is kept: Daphne pings every 20 s (its default --ping-interval, which the
    deployment keeps), inside the proxy's read timeout for /ws/ (a page sitting through a long
    speech sends nothing)."""
    text = (ROOT / "deploy" / "nginx" / "chibo.conf").read_text()
    websocket = re.search(r"location /ws/ \{(.*?)\}", text, re.DOTALL).group(1)
    read_timeout = int(re.search(r"proxy_read_timeout (\d+)s;", websocket).group(1))
    compose = (ROOT / "docker-compose.yml").read_text()
    assert "--ping-interval" not in compose
    assert read_timeout >= 2 * 20


def test_the_host_configuration_is_one_debians_nginx_accepts(tmp_path):
    """deploy/nginx.conf (HTTPS on the host) as an operator installs it, with a throwaway
    certificate: `nginx -t` accepts it (nginx 1.22 has no `http2 on;`, for one)."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "chibo.example.vn")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    (tmp_path / "cert.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    site = (ROOT / "deploy" / "nginx.conf").read_text()
    for installed, here in (
        ("/etc/ssl/chibo/fullchain.pem", tmp_path / "cert.pem"),
        ("/etc/ssl/chibo/privkey.pem", tmp_path / "key.pem"),
        ("/etc/nginx/chibo/chibo.conf", ROOT / "deploy" / "nginx" / "chibo.conf"),
    ):
        assert installed in site
        site = site.replace(installed, str(here))
    (tmp_path / "site.conf").write_text(site)
    temporary = " ".join(
        f"{kind}_temp_path {tmp_path}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log stderr;\nevents {{}}\n"
        f"http {{\ninclude /etc/nginx/mime.types;\n{temporary}\naccess_log off;\n"
        f"include {tmp_path}/site.conf;\n}}\n"
    )

    checked = subprocess.run(
        [NGINX, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
        check=False,
    )

    assert checked.returncode == 0, checked.stderr


def test_websockets_are_never_marked_failed_and_go_past_a_refusal_but_not_past_a_slow_daphne():
    """A handshake a busy Daphne gave up at its limit must not mark it down (with both marked,
    nginx answered 502 to every page at once: issue 17); a refusal (a stopped Daphne) still
    sends the handshake to the next one, but a handshake that already waited is not sent to
    another Daphne to wait again."""
    compose = (ROOT / "deploy" / "nginx" / "compose.conf").read_text()
    site = (ROOT / "deploy" / "nginx" / "chibo.conf").read_text()
    host = (ROOT / "deploy" / "nginx.conf").read_text()
    websocket = re.search(r"location /ws/ \{(.*?)\}", site, re.DOTALL).group(1)
    assert "proxy_pass http://chibo_daphne_ws;" in websocket
    for text in (compose, host):
        upstream = re.search(r"upstream chibo_daphne_ws \{(.*?)\}", text, re.DOTALL).group(1)
        servers = re.findall(r"^\s*#?\s*server (\S+)([^;]*);", upstream, re.MULTILINE)
        assert servers
        assert all("max_fails=0" in params for _, params in servers), servers
    assert "error" in re.search(r"proxy_next_upstream ([^;]*);", websocket).group(1)
    next_within = int(re.search(r"proxy_next_upstream_timeout (\d+)s;", websocket).group(1))
    connect_within = int(re.search(r"^proxy_connect_timeout (\d+)s;", site, re.M).group(1))
    daphne_gives_up = int(
        re.search(
            r'"--websocket_connect_timeout", "(\d+)"', (ROOT / "Dockerfile").read_text()
        ).group(1)
    )
    assert connect_within <= next_within < daphne_gives_up


@pytest.mark.django_db(transaction=True)
def test_a_handshake_sent_to_a_stopped_daphne_goes_on_to_the_next(proxied):
    """nginx with a port nobody listens on (a Daphne stopped for a restart) before a running
    one: every websocket handshake gets through, with max_fails=0 as with the marks before."""
    nginx = Nginx(port=free_port(), run_dir=proxied.var_dir / "nginx-stopped")
    nginx.start([free_port(), proxied.a.port], proxied.var_dir)
    try:
        cookie = session_cookie()
        view = Proxied(nginx, proxied.a, proxied.b, proxied.var_dir)
        answers = [asyncio.run(ping_through(view, cookie, "/ws/notifications/")) for _ in range(6)]
    finally:
        nginx.stop()
    assert answers == [{"hello": "hello", "type": "ack", "id": "p1"}] * 6
