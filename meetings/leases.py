"""This server process's lease on its open room connections.

A presence span is closed in `disconnect` when a connection ends while the process runs. A
process that is killed (or loses its host) runs no `disconnect`, and a restarted one has
forgotten its connections; its spans would stay open, and the departed would count as online.
So every process that holds room connections renews a lease (a `PresenceLease` row, named by
`SERVER`) every `PRESENCE_LEASE_SECONDS` / 4 while it holds any, and each renewal also closes
the spans of leases not renewed for `PRESENCE_LEASE_SECONDS`, at the moment each was last
renewed (`attendance.sweep_expired_leases`; Celery beat runs the same sweep, for when no server
holds a connection). A killed server's members are therefore shown as gone within the lease
time plus one renewal interval.

The renewal runs in a thread of its own, not in daphne's one database thread: behind a burst of
ballots there, a late renewal would let another process close this one's live connections. A
renewal that finds its lease gone (this process could not reach the database for the lease
time, and another swept it) records its connections again.
"""

from __future__ import annotations

import asyncio
import atexit
import functools
import logging
import os
import secrets
import socket
from dataclasses import dataclass, field

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connection as database
from django.utils import timezone

from meetings import intake
from meetings.services import attendance

logger = logging.getLogger(__name__)

SERVER = f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(4)}"


@dataclass(frozen=True)
class Held:
    meeting_id: int
    member_id: int


@dataclass
class _Lease:
    loop: asyncio.AbstractEventLoop
    connections: dict[str, Held] = field(default_factory=dict)
    ready: asyncio.Future[None] | None = None  # the first renewal is in the database
    task: asyncio.Task[None] | None = None


_leases: dict[int, _Lease] = {}  # per event loop (tests run one loop each)


def lease_seconds() -> float:
    return float(settings.PRESENCE_LEASE_SECONDS)


async def hold(connection: str, meeting_id: int, member_id: int) -> str:
    """Holds `connection` under this process's lease, renewed from now on; returns the
    server's name to record with the span. Waits for the first renewal, so no span is written
    for a server without a lease."""
    loop = asyncio.get_running_loop()
    lease = _leases.get(id(loop))
    if lease is None or lease.loop is not loop:  # a new loop (tests) reusing a dead one's id
        lease = _leases[id(loop)] = _Lease(loop)
    lease.connections[connection] = Held(meeting_id, member_id)
    _release_at_exit()
    if lease.task is None:
        lease.ready = loop.create_future()
        lease.task = loop.create_task(_renew_while_held(lease))
    if lease.ready is not None:
        await asyncio.shield(lease.ready)
    return SERVER


def held_connections() -> list[Held]:
    """What this process holds in the running event loop (for tests and diagnostics)."""
    loop = asyncio.get_running_loop()
    lease = _leases.get(id(loop))
    return list(lease.connections.values()) if lease and lease.loop is loop else []


def release(connection: str) -> None:
    """The connection ended (its departure is recorded by intake); with the last one the
    renewals stop, and the lease expires unless the process holds a connection again."""
    loop = asyncio.get_running_loop()
    lease = _leases.get(id(loop))
    if lease is None or lease.loop is not loop:
        return
    lease.connections.pop(connection, None)
    if not lease.connections and lease.task is not None:
        lease.task.cancel()
        lease.task = None
        if lease.ready is not None and not lease.ready.done():
            lease.ready.set_result(None)


async def _renew_while_held(lease: _Lease) -> None:
    interval = lease_seconds() / 4
    first = True
    while True:
        try:
            renewed = await sync_to_async(_renew, thread_sensitive=False)()
        except Exception:
            logger.exception("presence lease of %s not renewed", SERVER)
            renewed = True  # nothing known to be lost: try again at the next interval
        if not renewed and not first:
            logger.warning("presence lease of %s was swept: connections recorded again", SERVER)
            now = timezone.now()
            for connection, held in list(lease.connections.items()):
                intake.arrive(held.meeting_id, held.member_id, connection, now, SERVER)
        first = False
        if lease.ready is not None and not lease.ready.done():
            lease.ready.set_result(None)
        await asyncio.sleep(interval)


@functools.cache
def _release_at_exit() -> None:
    """Once per process: when it stops (Daphne returns from its reactor after SIGTERM, as in a
    deploy or a rolling restart), the connections it still holds depart at once, instead of
    staying present until another server sweeps the lease PRESENCE_LEASE_SECONDS later. A
    process killed outright (SIGKILL) runs no exit handler: then the lease does it."""
    atexit.register(_release_now)


def release_before_exit() -> None:
    """Does now what the exit handler would do at exit, and unregisters it: for a process whose
    database goes before the process does (a pytest session drops its test database first).
    Servers never call it: theirs runs at exit."""
    atexit.unregister(_release_now)
    _release_now()


def _release_now() -> None:
    try:
        closed = attendance.release_lease(server=SERVER, at=timezone.now())
        if closed:
            logger.info("%s stopping: %s connections departed", SERVER, closed)
    except Exception:
        logger.exception("%s stopping: its connections wait for the lease to run out", SERVER)
    finally:
        database.close()


def _renew() -> bool:
    try:
        return attendance.renew_lease(server=SERVER, lease_seconds=lease_seconds())
    finally:
        database.close()  # a thread of the default pool: leave no connection behind
