"""The server's side of the Janus HTTP API: synchronous VideoRoom requests on a short session.

One Janus session per process, attached to the VideoRoom and kept between calls; each request is
one loopback round trip, made from a database thread (a service's on-commit hook or a view), never
from the event loop. Janus drops the session after its timeout (60 s without a request): the next
call opens a new one.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
import urllib.error
import urllib.request
from typing import Any

from django.conf import settings

from meetings.media import tokens

TIMEOUT = 5.0


class JanusError(Exception):
    """Janus answered with an error (`code` as Janus or the VideoRoom gives it)."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"{code}: {reason}")
        self.code = code
        self.reason = reason


class JanusDownError(Exception):
    """Janus did not answer."""


def configured() -> bool:
    """Voice and picture are set up on this deployment: the four JANUS_* settings are given."""
    return all(
        [
            settings.JANUS_URL,
            settings.JANUS_ADMIN_URL,
            settings.JANUS_TOKEN_SECRET,
            settings.JANUS_ADMIN_SECRET,
        ]
    )


def _post(url: str, body: dict[str, Any]) -> dict[str, Any]:
    body = {**body, "transaction": secrets.token_hex(8)}
    if not url.startswith(("http://", "https://")):
        raise JanusDownError(f"JANUS_ADMIN_URL must be http(s)://, not {url!r}")
    request = urllib.request.Request(  # noqa: S310 -- http(s) only, checked above
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:  # noqa: S310
            reply = json.load(answer)
    except (OSError, ValueError) as error:
        raise JanusDownError(str(error)) from error
    if reply.get("janus") == "error":
        raise JanusError(reply["error"]["code"], reply["error"]["reason"])
    return reply


def server_token() -> str:
    return tokens.core_token(
        settings.JANUS_TOKEN_SECRET, expiry=int(time.time()) + 300, descriptions=("server",)
    )


NO_SUCH_SESSION, NO_SUCH_HANDLE = 458, 459


class VideoRoom:
    """The server's Janus session attached to the VideoRoom, kept between calls (one per
    process, one caller at a time) so that moderating after a grant is one round trip; opened
    again when Janus forgot it (restart, session timeout) or the URL changed. Use as a context
    manager."""

    _lock = threading.Lock()
    _handle_url: str | None = None
    _session_url: str | None = None
    _base: str | None = None

    def __enter__(self) -> VideoRoom:
        VideoRoom._lock.acquire()
        try:
            if VideoRoom._base != settings.JANUS_ADMIN_URL or VideoRoom._handle_url is None:
                self._open()
        except BaseException:
            VideoRoom._lock.release()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        VideoRoom._lock.release()

    @classmethod
    def _open(cls) -> None:
        cls._handle_url = None
        cls._base = settings.JANUS_ADMIN_URL
        base = settings.JANUS_ADMIN_URL.rstrip("/")
        token = server_token()
        session = _post(base, {"janus": "create", "token": token})["data"]["id"]
        cls._session_url = f"{base}/{session}"
        handle = _post(
            cls._session_url, {"janus": "attach", "plugin": tokens.PLUGIN, "token": token}
        )["data"]["id"]
        cls._handle_url = f"{cls._session_url}/{handle}"

    def request(self, body: dict[str, Any]) -> dict[str, Any]:
        """A synchronous VideoRoom request; its `data`, or JanusError with the plugin's code."""
        try:
            reply = self._send(body)
        except JanusError as error:
            if error.code not in {NO_SUCH_SESSION, NO_SUCH_HANDLE}:
                raise
            self._open()  # Janus forgot our session: once more on a new one
            reply = self._send(body)
        except JanusDownError:
            VideoRoom._handle_url = None
            raise
        data = reply.get("plugindata", {}).get("data", {})
        if "error_code" in data:
            raise JanusError(data["error_code"], data.get("error", ""))
        return data

    def _send(self, body: dict[str, Any]) -> dict[str, Any]:
        message = {"janus": "message", "body": body, "token": server_token()}
        return _post(str(VideoRoom._handle_url), message)


def handle_token(session_id: int, handle_id: int) -> str | None:
    """The core token a participant's handle was attached with (Janus's admin API,
    `handle_info`); None when the handle is gone or the admin API is not configured."""
    if not settings.JANUS_ADMIN_API_URL:
        return None
    url = f"{settings.JANUS_ADMIN_API_URL.rstrip('/')}/{int(session_id)}/{int(handle_id)}"
    try:
        reply = _post(url, {"janus": "handle_info", "admin_secret": settings.JANUS_ADMIN_SECRET})
    except JanusError:
        return None  # the session or handle ended meanwhile
    return reply.get("info", {}).get("token")
