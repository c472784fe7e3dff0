"""How large a request body may be, and its refusal: a 413 page, before the body is read.

Each route has a limit (`limit_for`): the pages that take a file (a meeting document, the roster
import, the verification page's PDF) admit their file's own limit on top of the ordinary one,
the recorder's minutes form admits Django's DATA_UPLOAD_MAX_MEMORY_SIZE, and every other route
REQUEST_BODY_MAX_BYTES (1 MiB).

It is enforced in two places, because Daphne buffers the whole body before the application
sees a byte of it (Twisted keeps it, then daphne queues all of it in 8 KB messages: four
250 MB POSTs took one process to 4.4 GB):

- in daphne's request, while the body arrives (config/daphne_limits.py, installed by
  config/asgi.py): a declared Content-Length past the limit is answered at once, a chunked body
  is counted and answered when it passes the limit, and the rest is dropped unread;
- in `RequestBodyLimit`, an ASGI middleware, for any other ASGI server: the same checks on the
  messages the application receives, ending the request for Django with a disconnect.

The reverse proxy in front should refuse them first (docs/deployment.md: client_max_body_size).
"""

from __future__ import annotations

import functools
from typing import Any

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve
from django.utils import translation

from config.language import chosen_language

STATUS = 413
REASON = b"Content Too Large"  # RFC 9110 §15.5.14


def _upload_limits() -> dict[str, int]:
    from minutes.forms import MAX_UPLOAD_BYTES as VERIFICATION_MAX_BYTES

    ordinary = settings.REQUEST_BODY_MAX_BYTES
    return {
        "meetings:document_upload": settings.MEETINGS_DOCUMENT_MAX_BYTES + ordinary,
        "members:roster_import": settings.ROSTER_IMPORT_MAX_BYTES + ordinary,
        "minutes:verify": VERIFICATION_MAX_BYTES + ordinary,
        "minutes:verify_code": VERIFICATION_MAX_BYTES + ordinary,
        # The recorder's form: up to 20,000 characters per agenda item, percent-encoded.
        "minutes:edit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
    }


def limit_for(path: str) -> int:
    """The largest body, in bytes, that the route at `path` accepts."""
    try:
        name = resolve(path).view_name
    except Resolver404:
        return settings.REQUEST_BODY_MAX_BYTES
    return _upload_limits().get(name, settings.REQUEST_BODY_MAX_BYTES)


def declared_length(headers: Any) -> int | None:
    """The Content-Length of ASGI `headers`, None when absent or not a number."""
    for name, value in headers:
        if name.lower() == b"content-length":
            return int(value) if value.isdigit() else None
    return None


@functools.lru_cache(maxsize=32)
def too_large_page(limit: int, language: str) -> bytes:
    """The 413 page in the user's language (the page is the same for everyone: kept)."""
    with translation.override(language):
        return render_to_string("413.html", {"limit": filesizeformat(limit)}).encode()


def response_headers(page: bytes, language: str) -> list[tuple[bytes, bytes]]:
    return [
        (b"Content-Type", b"text/html; charset=utf-8"),
        (b"Content-Length", str(len(page)).encode()),
        (b"Content-Language", language.encode()),
        (b"Cache-Control", b"no-store"),
        (b"X-Content-Type-Options", b"nosniff"),
        (b"X-Frame-Options", b"DENY"),
        (b"Content-Security-Policy", b"default-src 'self'; frame-ancestors 'none'"),
        (b"Connection", b"close"),
    ]


def language_of(cookie_header: bytes | None) -> str:
    """The language chosen with the switch (its cookie), else Vietnamese."""
    from http.cookies import CookieError, SimpleCookie

    cookies: SimpleCookie = SimpleCookie()
    try:
        cookies.load((cookie_header or b"").decode("latin-1"))
    except CookieError:
        return chosen_language(None)
    morsel = cookies.get(settings.LANGUAGE_COOKIE_NAME)
    return chosen_language(morsel.value if morsel else None)


class RequestBodyLimit:
    """ASGI middleware for HTTP: a body past its route's limit gets the 413 page, and the
    application a disconnect (Django's handler then stops without answering)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: Any, receive: Any, send: Any) -> Any:
        if scope["type"] != "http":
            return await self.inner(scope, receive, send)
        limit = limit_for(scope["path"])
        declared = declared_length(scope["headers"])
        refused = False

        async def refuse() -> None:
            nonlocal refused
            refused = True
            cookie = next((v for n, v in scope["headers"] if n.lower() == b"cookie"), None)
            language = language_of(cookie)
            page = too_large_page(limit, language)
            headers = response_headers(page, language)
            await send({"type": "http.response.start", "status": STATUS, "headers": headers})
            await send({"type": "http.response.body", "body": page})

        if declared is not None and declared > limit:
            return await refuse()
        received = 0

        async def limited_receive() -> dict[str, Any]:
            nonlocal received
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    await refuse()
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: dict[str, Any]) -> None:
            if not refused:  # the 413 is the answer
                await send(message)

        return await self.inner(scope, limited_receive, guarded_send)
