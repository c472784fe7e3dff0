"""A websocket client that does not read its socket is dropped once its backlog is full.

Daphne hands each frame to Twisted, which keeps whatever the client's TCP window does not take
in memory, without limit: a page that stops reading (a frozen tab, a hostile client) while its
meeting's events keep coming makes the server hold them all, and a few such clients would fill
its memory. Before each frame, `serverSend` here looks at the bytes still waiting for that
client; past WEBSOCKET_SEND_BUFFER_BYTES (4 MiB: dozens of snapshots) the connection is cut.
The application then gets its disconnect as after any drop (the presence closes, docs/
protocol.md), and a page that was only slow reconnects and catches up. Other clients are not
touched: each has its own transport. `install` makes daphne use it; config/asgi.py calls it.
"""

from __future__ import annotations

import logging
from typing import Any

from daphne import ws_protocol
from django.conf import settings

logger = logging.getLogger(__name__)
_send = ws_protocol.WebSocketProtocol.serverSend


def waiting_bytes(transport: Any) -> int:
    """Bytes written to a Twisted TCP transport and not yet taken by the client; 0 for a
    transport that does not say (TLS inside daphne: the deployment terminates TLS in nginx)."""
    try:
        pending = len(transport.dataBuffer) - transport.offset + transport._tempDataLen
    except (AttributeError, TypeError):
        return 0
    return int(pending)


def server_send(self: Any, content: Any, binary: bool = False) -> None:
    waiting = waiting_bytes(self.transport)
    if waiting > settings.WEBSOCKET_SEND_BUFFER_BYTES:
        if not getattr(self, "dropped_for_backlog", False):
            self.dropped_for_backlog = True
            logger.warning(
                "websocket client %s does not read: dropped with %s bytes waiting",
                self.client_addr,
                waiting,
            )
            self.dropConnection(abort=True)
        return
    _send(self, content, binary)


def install() -> None:
    ws_protocol.WebSocketProtocol.serverSend = server_send
