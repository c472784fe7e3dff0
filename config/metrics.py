"""The live room's figures in Prometheus's text format, at /metrics (docs/operations.md).

Each process counts its own: every Daphne serves its own /metrics and is scraped on its own
address (no aggregation here); Prometheus adds them up with `sum()`. Like the details of
/health/, the page needs "Authorization: Bearer <METRICS_TOKEN>" (HEALTH_TOKEN when unset).
"""

from __future__ import annotations

from collections import Counter as Tally
from collections.abc import Iterator
from typing import cast

import redis
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import constant_time_compare
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

ROOM_CONNECTIONS = Gauge(
    "chibo_room_connections",
    "Live-room websocket connections open in this process, per meeting.",
    ["meeting"],
)
COMMANDS = Counter(
    "chibo_room_commands", "Live-room commands answered by this process, by type.", ["type"]
)
COMMAND_SECONDS = Histogram(
    "chibo_room_command_seconds",
    "Time from taking a live-room command off a connection's queue to its answer.",
    ["type"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
EVENTS = Counter(
    "chibo_meeting_events", "Meeting events committed to the hash-chained log by this process."
)
BATCH_SIZE = Histogram(
    "chibo_write_batch_size",
    "Writes made together in one batch (ballots, arrivals and departures).",
    ["kind"],
    buckets=(1, 2, 5, 10, 25, 50, 100, 250, 500),
)

_open: Tally[int] = Tally()


def connection_opened(meeting_id: int) -> None:
    _open[meeting_id] += 1
    ROOM_CONNECTIONS.labels(meeting=str(meeting_id)).set(_open[meeting_id])


def connection_closed(meeting_id: int) -> None:
    """The meeting's series goes when its last connection does: ended meetings leave none."""
    _open[meeting_id] -= 1
    if _open[meeting_id] > 0:
        ROOM_CONNECTIONS.labels(meeting=str(meeting_id)).set(_open[meeting_id])
        return
    del _open[meeting_id]
    ROOM_CONNECTIONS.remove(str(meeting_id))


class CeleryQueueDepth(Collector):
    """Tasks waiting in the Celery queue, read from Redis (a list per queue) when scraped."""

    def describe(self) -> Iterator[GaugeMetricFamily]:
        """Its name without asking Redis (registration would otherwise collect, at import)."""
        yield self._family()

    def collect(self) -> Iterator[GaugeMetricFamily]:
        broker = settings.CELERY_BROKER_URL
        if not broker.startswith(("redis://", "rediss://")):
            return
        family = self._family()
        queue = getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", "celery")
        client = redis.Redis.from_url(broker, socket_timeout=2)
        try:
            # The synchronous client answers an int; redis-py types it with the asyncio one's.
            family.add_metric([queue], cast(int, client.llen(queue)))
        except redis.RedisError:
            return  # no figure rather than a wrong one; /health/ reports Redis
        finally:
            client.close()
        yield family

    @staticmethod
    def _family() -> GaugeMetricFamily:
        return GaugeMetricFamily(
            "chibo_celery_queue_depth", "Celery tasks waiting in the broker.", labels=["queue"]
        )


REGISTRY.register(CeleryQueueDepth())


def offers_token(request: HttpRequest, token: str | None) -> bool:
    """The request carries "Authorization: Bearer <token>" and the token is set."""
    offered = request.headers.get("Authorization", "").removeprefix("Bearer ")
    return token is not None and token != "" and constant_time_compare(offered, token)


def metrics(request: HttpRequest) -> HttpResponse:
    if not offers_token(request, settings.METRICS_TOKEN or settings.HEALTH_TOKEN):
        return HttpResponse("Cần mã truy cập. / A token is required.\n", status=403)
    return HttpResponse(generate_latest(REGISTRY), content_type=CONTENT_TYPE_LATEST)
