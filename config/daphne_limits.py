"""Daphne's requests refuse a body past its route's limit while it arrives (config/body_limits.py).

Daphne (4.2) hands the application a request only once Twisted has received all of it, then
queues the whole body at once; Twisted also parses a form body into memory on the way. So an
ASGI middleware sees an oversized body only after it is in memory. `LimitedWebRequest` decides
from the headers: a Content-Length past the limit is answered with the 413 page straight away,
a chunked body is counted and answered the moment it passes the limit. The write side is then
closed (the client reads a whole answer), what the client still sends is read and dropped, and
the connection is cut after LINGER_SECONDS. `install` makes daphne use it; config/asgi.py calls
it, so `daphne config.asgi:application` and `manage.py runserver` both get it.
"""

from __future__ import annotations

import logging
from io import BytesIO
from typing import Any
from urllib.parse import unquote, urlsplit

from daphne import http_protocol

from config import body_limits

logger = logging.getLogger(__name__)

LINGER_SECONDS = 5  # how long the rest of a refused body is read and dropped (nginx: 5 s too)


class LimitedWebRequest(http_protocol.WebRequest):
    body_limit = 0
    body_received = 0
    refused = False
    _linger: Any = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Daphne never reads Twisted's parsed form arguments: parsing them only cost memory.
        self._parsePOSTFormSubmission = False

    def gotLength(self, length: int | None) -> None:  # noqa: N802 -- Twisted's name
        """Headers are in, the body is next: its limit, and a refusal if it declares more."""
        self.body_limit = body_limits.limit_for(self._target_path())
        if length is not None and length > self.body_limit:
            self.content = BytesIO()
            self._refuse()
            return
        super().gotLength(length)

    def handleContentChunk(self, data: bytes) -> None:  # noqa: N802 -- Twisted's name
        if self.refused:
            return
        self.body_received += len(data)
        if self.body_received > self.body_limit:
            self.content.close()
            self.content = BytesIO()
            self._refuse()
            return
        super().handleContentChunk(data)

    def process(self) -> Any:
        if self.refused:  # the whole refused body has been dropped: the answer is out
            self.channel.transport.loseConnection()
            return None
        return super().process()

    def connectionLost(self, reason: Any) -> None:  # noqa: N802 -- Twisted's name
        if self._linger is not None and self._linger.active():
            self._linger.cancel()
        super().connectionLost(reason)

    def _target_path(self) -> str:
        """The request line's path (Twisted sets the request's own only once the body is in)."""
        raw = getattr(self.channel, "_path", b"/")
        return unquote(urlsplit(raw.decode("latin-1")).path) or "/"

    def _refuse(self) -> None:
        self.refused = True
        # Twisted would answer "100 Continue" after this; the 413 is the answer.
        self.requestHeaders.removeHeader(b"Expect")
        cookie = self.requestHeaders.getRawHeaders(b"Cookie", [None])[0]
        language = body_limits.language_of(cookie)
        page = body_limits.too_large_page(self.body_limit, language)
        head = b"HTTP/1.1 %d %s\r\n" % (body_limits.STATUS, body_limits.REASON)
        for name, value in body_limits.response_headers(page, language):
            head += name + b": " + value + b"\r\n"
        transport = self.channel.transport
        transport.write(head + b"\r\n" + page)
        logger.warning(
            "refused a request body over %d bytes for %s from %s",
            self.body_limit,
            self._target_path(),
            self.client.host if hasattr(self.client, "host") else self.client,
        )
        close_writing = getattr(transport, "loseWriteConnection", None)
        if close_writing is not None:
            close_writing()
        else:
            transport.loseConnection()
        # Imported here, not at the top: importing the reactor installs one, and daphne installs
        # its own (asyncio) reactor before it loads the application.
        from twisted.internet import reactor

        cut = getattr(transport, "abortConnection", transport.loseConnection)
        # Twisted declares IReactorTime's methods zope-style, without self; read without the
        # mypy-zope plugin, the delay lands on self.
        self._linger = reactor.callLater(LINGER_SECONDS, cut)  # type: ignore[arg-type]


def install() -> None:
    """Daphne builds its requests from the name `WebRequest` in daphne.http_protocol."""
    http_protocol.WebRequest = LimitedWebRequest
