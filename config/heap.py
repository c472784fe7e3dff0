"""The server's start-up objects, kept out of Python's full garbage collections."""

from __future__ import annotations

import gc

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
