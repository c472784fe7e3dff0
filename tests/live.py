"""A real Daphne (HTTP and websockets) for tests that need concurrency or real sockets without a
browser, and a small cookie-keeping HTTP client that fills in the forms' CSRF token.

`daphne_server` is a pytest fixture (transactional database: the server process reads what
the test commits); `Visitor` is one browser's worth of cookies.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from http.cookiejar import CookieJar
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, HTTPRedirectHandler, Request, build_opener

import pytest
from asgiref.sync import SyncToAsync
from channels.testing.live import make_application, set_database_connection
from daphne.testing import DaphneProcess
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

from members.models import User
from tests.factories import PASSWORD

TIMEOUT = 60  # seconds: the machine is shared and loaded
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class LiveServer:
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"


@pytest.fixture
def daphne_server(transactional_db):
    # The server is a forked process: a thread-sensitive executor started earlier in this
    # process would be inherited without its thread (see tests/e2e/browser.py).
    SyncToAsync.single_thread_executor = ThreadPoolExecutor(max_workers=1)
    process = DaphneProcess(
        "127.0.0.1",
        partial(make_application, static_wrapper=ASGIStaticFilesHandler),
        setup=set_database_connection,
    )
    process.start()
    try:
        if not process.ready.wait(timeout=TIMEOUT):
            raise RuntimeError("daphne did not start")
        yield LiveServer(process.port.value)
    finally:
        process.terminate()
        process.join(timeout=TIMEOUT)


class _NoRedirect(HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None  # the test looks at the 302 itself


@dataclass
class Answer:
    status: int
    location: str
    body: str


class Visitor:
    """One browser: its own cookies, no JavaScript, redirects not followed."""

    def __init__(self, server: LiveServer) -> None:
        self.server = server
        self.cookies = CookieJar()
        self.opener = build_opener(HTTPCookieProcessor(self.cookies), _NoRedirect)
        self.token = ""

    def _open(self, request: Request) -> Answer:
        try:
            response = self.opener.open(request, timeout=TIMEOUT)
        except HTTPError as error:  # 3xx (not followed) and 4xx/5xx
            response = error
        body = response.read().decode(errors="replace")
        if found := CSRF_FIELD.search(body):
            self.token = found.group(1)
        return Answer(response.status, response.headers.get("Location", ""), body)

    def get(self, path: str) -> Answer:
        return self._open(Request(self.server.url + path))

    def post(self, path: str, fields: dict[str, str]) -> Answer:
        """Posts a form with the CSRF token of the last page read (read the form's page first)."""
        data = urlencode({"csrfmiddlewaretoken": self.token, **fields}).encode()
        headers = {"Referer": self.server.url + "/"}
        return self._open(Request(self.server.url + path, data=data, headers=headers))

    def cookie(self, name: str) -> str:
        return next((c.value for c in self.cookies if c.name == name), "")

    def sign_in_with_password(self, username: str, password: str = PASSWORD) -> None:
        self.get("/dang-nhap/")
        answer = self.post("/dang-nhap/", {"username": username, "password": password})
        assert answer.status == 302, answer.body[:500]
        self.get("/dang-nhap/nhap-ma/")  # the code form's CSRF token (rotated at sign-in)

    def submit_code(self, code: str) -> bool:
        """The second step; True when the code was accepted (a redirect onwards)."""
        answer = self.post("/dang-nhap/nhap-ma/", {"code": code, "next": "/"})
        return answer.status == 302

    def sign_in(self, username: str, code: str, password: str = PASSWORD) -> None:
        self.sign_in_with_password(username, password)
        assert self.submit_code(code)


def verified_visitor(server: LiveServer, user: User) -> Visitor:
    """A visitor already past both factors (the session is made here, no code is spent)."""
    from http.cookiejar import Cookie

    from django.conf import settings
    from django.test import Client

    from tests.conftest import sign_in_verified

    client = sign_in_verified(Client(), user)
    visitor = Visitor(server)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    visitor.cookies.set_cookie(
        Cookie(
            0, settings.SESSION_COOKIE_NAME, key, None, False, "127.0.0.1", False, False, "/",
            True, False, None, False, None, None, {},
        )
    )  # fmt: skip
    return visitor
