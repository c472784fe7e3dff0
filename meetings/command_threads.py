"""Where the live room's commands run: a few threads of their own, each meeting always on the
same one, beside the process's one database thread.

Channels runs every `database_sync_to_async` call of a process in one thread, one call after
another: the commands of 130 meetings queued behind each other there, each holding it for the
whole of its transaction (docs/benchmarks.md, issue 17). Here a command (and a snapshot, a
catch-up, a ping) of meeting `m` runs on thread `m % ROOM_COMMAND_THREADS`, so the commands of
different meetings proceed side by side while each waits for PostgreSQL.

What stays as it was:
- one connection's commands run one after another, in the order they came (`_work` awaits each
  before taking the next);
- one meeting's commands run one after another in this process, on its thread: their events are
  appended and handed to the event loop in order; across threads and processes the services
  still lock the meeting's row, as they did with several Daphnes;
- each thread has its own database connection, opened and closed as the database thread's is
  (`close_old_connections` before and after each call, `CONN_MAX_AGE`). A process holds at most
  1 + ROOM_COMMAND_THREADS connections: PostgreSQL's `max_connections` must cover that for every
  Daphne (docs/operations.md);
- the rest (handshakes, arrivals, ballots' batches, the session re-checks) stays in the database
  thread.

With 0 threads (the default on SQLite, the embedded database: one writer at a time anyway)
everything runs in the database thread as before.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from channels.db import DatabaseSyncToAsync, database_sync_to_async
from django.conf import settings
from django.db import connections

R = TypeVar("R")

_executors: dict[int, ThreadPoolExecutor] = {}
_lock = threading.Lock()


def _forget_in_child() -> None:
    """A forked process (a test's Daphne) inherits the executors but not their threads: a call
    submitted to one would wait for ever. It makes its own."""
    global _lock
    _executors.clear()
    _lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_in_child)


def thread_count() -> int:
    return max(0, settings.ROOM_COMMAND_THREADS)


def executor_for(meeting_id: int) -> ThreadPoolExecutor | None:
    """The one-thread executor of this meeting's commands; None: the database thread."""
    count = thread_count()
    if count == 0:
        return None
    index = meeting_id % count
    with _lock:
        executor = _executors.get(index)
        if executor is None:
            executor = ThreadPoolExecutor(1, thread_name_prefix=f"room-commands-{index}")
            _executors[index] = executor
        return executor


async def run_for_meeting(meeting_id: int, func: Callable[..., R], *args: Any) -> R:
    """`func(*args)` in the meeting's command thread (or the database thread), old database
    connections closed before and after, as `database_sync_to_async` does."""
    executor = executor_for(meeting_id)
    if executor is None:
        result: R = await database_sync_to_async(func)(*args)
        return result
    return await DatabaseSyncToAsync(func, thread_sensitive=False, executor=executor)(*args)


def shutdown() -> None:
    """Ends the command threads (tests), closing each one's database connection first."""
    with _lock:
        found = list(_executors.values())
        _executors.clear()
    for executor in found:
        executor.submit(connections.close_all).result()
        executor.shutdown(wait=True)
