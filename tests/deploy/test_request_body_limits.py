"""Request bodies are limited before they are read into memory (config/body_limits.py).

Daphne itself buffers a whole request before the application sees any of it: Twisted stores the
body (and parses a form body into memory), then daphne queues all of it for the application in
8 KB pieces. Four 250 MB POSTs took it to 4.4 GB. So the limit is enforced where the body
arrives, in daphne's request (and again in an ASGI middleware for any other server): a body
declared or streamed past its route's limit gets a 413 page at once, and what follows is dropped.
These tests run a real daphne and watch its peak memory.
"""

from __future__ import annotations

import os
import re
import select
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from asgiref.testing import ApplicationCommunicator
from django.conf import settings

from config.body_limits import RequestBodyLimit, limit_for
from minutes.forms import MAX_UPLOAD_BYTES

ROOT = Path(__file__).resolve().parents[2]
DAPHNE = Path(sys.executable).with_name("daphne")
MiB = 1024 * 1024
START_TIMEOUT = 60  # seconds for daphne to import Django on a busy machine
TOO_LARGE = "Dữ liệu gửi lên quá lớn"

pytestmark = pytest.mark.integration


# --- the limits per route ------------------------------------------------------------------


def test_uploads_admit_their_files_and_every_other_route_a_small_body():
    ordinary = settings.REQUEST_BODY_MAX_BYTES

    assert limit_for("/dang-nhap/") == ordinary
    assert limit_for("/xac-thuc/") == MAX_UPLOAD_BYTES + ordinary
    assert limit_for("/x/ABCD1234/") == MAX_UPLOAD_BYTES + ordinary
    document = settings.MEETINGS_DOCUMENT_MAX_BYTES
    assert limit_for("/sinh-hoat/7/tai-lieu/them/") == document + ordinary
    assert limit_for("/chi-bo/3/nhap-danh-sach/") == settings.ROSTER_IMPORT_MAX_BYTES + ordinary
    assert limit_for("/sinh-hoat/7/bien-ban/soan/") == settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert limit_for("/khong-co-trang-nay/") == ordinary
    assert ordinary <= MiB


# --- the ASGI middleware (any ASGI server) ---------------------------------------------------


class Recorder:
    """An inner application that reads the whole body, as Django's handler does."""

    def __init__(self) -> None:
        self.called = False
        self.body = b""
        self.disconnected = False

    async def __call__(self, scope, receive, send):
        self.called = True
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                self.disconnected = True
                return
            self.body += message.get("body", b"")
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


def http_scope(path: str, headers: list[tuple[bytes, bytes]]) -> dict:
    return {
        "type": "http",
        "method": "POST",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": headers,
    }


async def answer(communicator: ApplicationCommunicator) -> tuple[int, str]:
    start = await communicator.receive_output(timeout=10)
    body = await communicator.receive_output(timeout=10)
    return start["status"], body["body"].decode()


@pytest.mark.asyncio
async def test_the_middleware_refuses_a_declared_length_without_reading_a_byte():
    inner = Recorder()
    limit = limit_for("/dang-nhap/")
    communicator = ApplicationCommunicator(
        RequestBodyLimit(inner),
        http_scope("/dang-nhap/", [(b"content-length", str(limit + 1).encode())]),
    )

    status, page = await answer(communicator)

    assert status == 413
    assert TOO_LARGE in page
    assert inner.called is False


@pytest.mark.asyncio
async def test_the_middleware_counts_a_streamed_body_and_stops_it_at_the_limit():
    inner = Recorder()
    limit = limit_for("/dang-nhap/")
    communicator = ApplicationCommunicator(RequestBodyLimit(inner), http_scope("/dang-nhap/", []))
    piece = b"a" * (64 * 1024)
    for _ in range(limit // len(piece) + 1):
        await communicator.send_input({"type": "http.request", "body": piece, "more_body": True})

    status, page = await answer(communicator)
    await communicator.wait(timeout=10)

    assert status == 413
    assert TOO_LARGE in page
    assert inner.disconnected is True  # Django's handler stops at a disconnect, answering nothing
    assert len(inner.body) <= limit


@pytest.mark.asyncio
async def test_the_middleware_passes_a_body_within_the_limit():
    inner = Recorder()
    communicator = ApplicationCommunicator(
        RequestBodyLimit(inner), http_scope("/dang-nhap/", [(b"content-length", b"11")])
    )
    await communicator.send_input({"type": "http.request", "body": b"username=a"})

    assert await answer(communicator) == (200, "ok")
    assert inner.body == b"username=a"


# --- a real daphne -------------------------------------------------------------------------


@dataclass
class Daphne:
    process: subprocess.Popen[bytes]
    port: int

    def _status(self, field: str) -> int:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        line = next(line for line in status.splitlines() if line.startswith(f"{field}:"))
        return int(line.split()[1]) * 1024

    def start_measuring(self) -> int:
        """Resets the process's peak resident memory (Linux: clear_refs 5); returns it."""
        Path(f"/proc/{self.process.pid}/clear_refs").write_text("5")
        return self._status("VmRSS")

    def peak_memory(self) -> int:
        """The process's peak resident memory (VmHWM) since `start_measuring`, in bytes."""
        return self._status("VmHWM")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def daphne(tmp_path) -> Iterator[Daphne]:
    """A daphne of its own for each test: memory freed by one test's requests stays resident
    in the process and would hide the next test's growth."""
    port = free_port()
    log = tmp_path / "daphne.log"
    # The test settings: the same limits, and static files served without the manifest that
    # only `collectstatic` writes (the 413 page links the stylesheet).
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.test_settings"}
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(DAPHNE), "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"],
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    server = Daphne(process, port)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            assert process.poll() is None, log.read_text()
            try:
                if post(server, "/dang-nhap/", 10).status:
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=20)


@dataclass
class Answer:
    status: int
    text: str
    sent: int  # body bytes the client got to send before the server answered


def post(server: Daphne, path: str, size: int, *, chunked: bool = False) -> Answer:
    """POSTs a `size`-byte form body, stopping as soon as the server answers."""
    framing = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {size}"
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        f"Content-Type: application/x-www-form-urlencoded\r\n{framing}\r\n\r\n"
    )
    piece = b"a" * (64 * 1024)
    sent = 0
    with socket.create_connection(("127.0.0.1", server.port), timeout=60) as connection:
        connection.sendall(head.encode())
        while sent < size:
            readable, _, _ = select.select([connection], [], [], 0)
            if readable:
                break  # the server answered before the body ended
            part = piece[: size - sent]
            try:
                connection.sendall(b"%x\r\n%s\r\n" % (len(part), part) if chunked else part)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(part)
        else:
            if chunked:
                connection.sendall(b"0\r\n\r\n")
        response = b""
        while chunk := connection.recv(65536):
            response += chunk
    head_bytes, _, body = response.partition(b"\r\n\r\n")
    status = int(head_bytes.split(b" ", 2)[1])
    return Answer(status, body.decode("utf-8", "replace"), sent)


def test_daphne_refuses_an_oversized_declared_body_at_once_and_its_memory_stays(daphne):
    post(daphne, "/xac-thuc/", limit_for("/xac-thuc/") + 1)  # the page's first rendering
    before = daphne.start_measuring()
    size = 96 * MiB

    answers = [post(daphne, "/xac-thuc/", size) for _ in range(2)]

    assert [a.status for a in answers] == [413, 413]
    assert TOO_LARGE in answers[0].text
    assert all(a.sent < size for a in answers)  # answered before the body was sent
    assert daphne.peak_memory() - before < size // 4


def test_daphne_counts_a_chunked_body_without_length_and_its_memory_stays(daphne):
    post(daphne, "/dang-nhap/", limit_for("/dang-nhap/") + 1, chunked=True)
    before = daphne.start_measuring()
    size = 96 * MiB

    answer = post(daphne, "/dang-nhap/", size, chunked=True)

    assert answer.status == 413
    assert TOO_LARGE in answer.text
    assert answer.sent < size
    assert daphne.peak_memory() - before < size // 4


def test_daphne_hands_a_body_within_the_limit_to_django(daphne):
    # Django answers it (403: no CSRF token), not the body limit.
    answer = post(daphne, "/dang-nhap/", limit_for("/dang-nhap/") // 2)

    assert answer.status == 403
    assert answer.sent == limit_for("/dang-nhap/") // 2


# --- the reverse proxy the docs give ----------------------------------------------------------

NGINX_CONF = ROOT / "deploy" / "nginx" / "chibo.conf"


def nginx_limit(path: str) -> int:
    """client_max_body_size for `path` in deploy/nginx/chibo.conf: the regex location that matches,
    else the server's."""
    text = NGINX_CONF.read_text()
    sizes = {"k": 1024, "m": MiB}
    for pattern, body in re.findall(r"location ~ (\S+) \{(.*?)\}", text, re.DOTALL):
        if re.search(pattern, path):
            number, unit = re.search(r"client_max_body_size (\d+)([km])", body).groups()
            return int(number) * sizes[unit]
    number, unit = re.search(r"^client_max_body_size (\d+)([km])", text, re.MULTILINE).groups()
    return int(number) * sizes[unit]


@pytest.mark.parametrize(
    "path",
    [
        "/dang-nhap/",
        "/xac-thuc/",
        "/x/ABCD1234/",
        "/sinh-hoat/7/tai-lieu/them/",
        "/chi-bo/3/nhap-danh-sach/",
        "/sinh-hoat/7/bien-ban/soan/",
        "/sinh-hoat/7/bien-ban/",
        "/quan-tri/members/user/1/change/",
    ],
)
def test_the_proxy_configuration_limits_each_route_as_the_application_does(path):
    assert nginx_limit(path) == limit_for(path)


@pytest.mark.asyncio
async def test_the_413_page_speaks_the_language_the_member_chose():
    communicator = ApplicationCommunicator(
        RequestBodyLimit(Recorder()),
        http_scope(
            "/dang-nhap/",
            [(b"content-length", b"99999999"), (b"cookie", b"django_language=en")],
        ),
    )

    status, page = await answer(communicator)

    assert status == 413
    assert "What you sent is too large" in page
    assert "This page accepts at most 1.0\xa0MB at a time." in page
