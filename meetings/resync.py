"""The live room's sockets after a channel layer failure (meetings.consumers): the missed
events read once per meeting and starting point for every connection that asks, and the retries
of the connections waiting for the layer, woken together when one gets through."""

from __future__ import annotations

import asyncio
import time
import weakref
from typing import Any

from channels.db import database_sync_to_async

from meetings.room import events_after

LAYER_RETRY_FIRST, LAYER_RETRY_MAX = 0.25, 1.0  # seconds between tries while Redis is down


# After a layer failure every connection of a meeting asks for the same missed events: one read
# per meeting and starting point, shared by the connections that joined their group before it
# began (an event sent before a connection joined may be missing from a read begun earlier).
_missed: dict[tuple[int, int], tuple[float, asyncio.Future[Any]]] = {}


async def missed_since(meeting_id: int, after: int, joined: float) -> list[str] | None:
    """The event frames after `after` (room.events_after), None when too many."""
    key = (meeting_id, after)
    shared = _missed.get(key)
    if shared is None or shared[0] < joined:
        read = asyncio.ensure_future(database_sync_to_async(events_after)(meeting_id, after))
        shared = _missed[key] = (time.monotonic(), read)
        asyncio.get_running_loop().call_later(2.0, _forget_missed, key, read)
    found = await asyncio.shield(shared[1])
    return None if found is None else found[1]


def _forget_missed(key: tuple[int, int], read: asyncio.Future[Any]) -> None:
    if key in _missed and _missed[key][1] is read:
        del _missed[key]


# Per event loop (a test process runs several, one after another).
_returned: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Event] = (
    weakref.WeakKeyDictionary()
)


def layer_returned() -> asyncio.Event:
    """Set when a connection of this process got through to the channel layer again."""
    return _returned.setdefault(asyncio.get_running_loop(), asyncio.Event())


def announce_layer_returned() -> None:
    """Wakes every connection waiting to retry; the next outage waits on a fresh event."""
    loop = asyncio.get_running_loop()
    if loop in _returned:
        _returned[loop].set()
    _returned[loop] = asyncio.Event()
