"""The server's start-up objects, kept out of Python's full garbage collections."""

from __future__ import annotations

import gc
import time

from django.conf import settings
from django.urls import get_resolver


def freeze_startup_objects() -> None:
    """Load the URLconf (and with it every view), collect, then freeze what is alive.

    Django, the apps and the libraries they load are about 200,000 objects that live as long as
    the process. Python's full collection walks every one of them, every few requests of a heavy
    page: 130–230 ms each time on the project machine (docs/benchmarks.md, "Archive"). Frozen,
    they are never walked again and a full collection walks only what the requests in flight
    hold (4–8 ms there). Objects created afterwards are collected as before.

    Called once when the server process starts (config/asgi.py). Off in the test settings: the
    test process imports the ASGI application halfway through the suite, and its garbage then
    would never be collected.
    """
    if not settings.FREEZE_STARTUP_OBJECTS:
        return
    get_resolver().url_patterns  # noqa: B018 (imports every urls module and view)
    gc.collect()
    gc.freeze()


OLDEST = len(gc.get_threshold()) - 1  # the generation a full collection collects


class ShortCollections:
    """Keeps a server's full garbage collections short once it holds many sockets.

    A Daphne holding 1,950 room sockets tracks about 465,000 objects; each full (generation 2)
    collection walks them all, stops every thread for 0.5–0.66 s on the project machine and
    frees almost nothing (docs/benchmarks.md, issue 17's fifth and sixth rounds): a room's event
    caught behind one is that much late. So what survives a full collection is frozen (it is
    alive: the collection has just freed every unreachable cycle), and the next full collections
    walk only what was made since. Python still decides when to collect, as before.

    The price: an object frozen that later becomes cyclic garbage (a closed socket's consumer)
    waits for the next thaw. Every `thaw_seconds` the first full collection unfreezes everything
    before it starts, so it walks the whole heap once and frees what closed since; its survivors
    are frozen again. Memory held by closed sockets is bounded by what closes in that time.
    """

    def __init__(self, thaw_seconds: float) -> None:
        self.thaw_seconds = thaw_seconds
        self.thawed_at = time.monotonic()

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if info["generation"] != OLDEST:
            return
        if phase == "start" and time.monotonic() - self.thawed_at >= self.thaw_seconds:
            gc.unfreeze()  # into the oldest generation: this collection walks everything
            self.thawed_at = time.monotonic()
        elif phase == "stop":
            gc.freeze()


def keep_full_collections_short() -> None:
    """Installs `ShortCollections` in the server process (config/asgi.py); off with the startup
    freeze (tests) and with `GC_THAW_SECONDS` = 0."""
    if not settings.FREEZE_STARTUP_OBJECTS or settings.GC_THAW_SECONDS <= 0:
        return
    gc.callbacks.append(ShortCollections(settings.GC_THAW_SECONDS))
