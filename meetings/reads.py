"""Room reads that change nothing (a page's snapshot, the events it missed), answered beside
daphne's one database thread rather than in it.

That thread runs one call at a time, in order: at a meeting's start every page asks for its
snapshot while the others' handshakes and arrival batches are still queued there, and the last
page to arrive waited seconds for its snapshot behind them (docs/benchmarks.md). A read needs
no order with the writes (it shows the committed state, with its seq, as a page on another
daphne would), so it goes to a small pool of its own threads, each with its own database
connection, kept while reads queue and closed when the pool has nothing waiting (an idle
connection per thread would hold the database open for nothing, and stop a test run from
dropping its database).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from channels.db import database_sync_to_async
from django.db import connection

READ_THREADS = 2
_pool = ThreadPoolExecutor(max_workers=READ_THREADS, thread_name_prefix="room-reads")
T = TypeVar("T")


async def read(function: Callable[..., T], *args: Any) -> T:
    """`function(*args)` in a read thread; it must write nothing that needs order."""
    run = database_sync_to_async(_run, thread_sensitive=False, executor=_pool)
    result: T = await run(function, *args)
    return result


def _run(function: Callable[..., T], *args: Any) -> T:
    try:
        return function(*args)
    finally:
        if _pool._work_queue.empty():  # nothing waiting: this thread may idle
            connection.close()
