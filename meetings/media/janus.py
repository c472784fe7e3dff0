"""The server's side of the Janus HTTP API: synchronous VideoRoom requests on a short session.

Each call opens a Janus session with a server token, attaches the VideoRoom, sends its requests
and destroys the session: a few loopback round trips, made from a database thread (a service's
on-commit hook or a view), never from the event loop.
"""

from __future__ import annotations

import contextlib
import json
import secrets
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


class VideoRoom:
    """One short Janus session attached to the VideoRoom; use as a context manager."""

    def __enter__(self) -> VideoRoom:
        self.base = settings.JANUS_ADMIN_URL.rstrip("/")
        self.token = server_token()
        session = _post(self.base, {"janus": "create", "token": self.token})["data"]["id"]
        self.session_url = f"{self.base}/{session}"
        try:
            handle = _post(
                self.session_url,
                {"janus": "attach", "plugin": tokens.PLUGIN, "token": self.token},
            )["data"]["id"]
        except Exception:
            self.__exit__(None, None, None)
            raise
        self.handle_url = f"{self.session_url}/{handle}"
        return self

    def __exit__(self, *exc: object) -> None:
        # Janus drops a session left behind itself, after its session timeout.
        with contextlib.suppress(JanusError, JanusDownError):
            _post(self.session_url, {"janus": "destroy", "token": self.token})

    def request(self, body: dict[str, Any]) -> dict[str, Any]:
        """A synchronous VideoRoom request; its `data`, or JanusError with the plugin's code."""
        reply = _post(self.handle_url, {"janus": "message", "body": body, "token": self.token})
        data = reply.get("plugindata", {}).get("data", {})
        if "error_code" in data:
            raise JanusError(data["error_code"], data.get("error", ""))
        return data
