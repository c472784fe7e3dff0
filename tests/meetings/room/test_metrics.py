"""/metrics (config/metrics.py): the operator's token, and figures that follow what the live room
does: connections per meeting, commands and their latency, events, batch sizes, Celery's queue."""

import os
import uuid

import pytest
import redis
from asgiref.sync import sync_to_async
from django.test import Client, override_settings
from prometheus_client import REGISTRY

from tests.meetings.room.test_consumer import connect, request

pytestmark = [
    pytest.mark.integration,
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True),
]


def sample(name, **labels):
    return REGISTRY.get_sample_value(name, labels) or 0.0


def scrape(token):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return Client().get("/metrics", headers=headers)


@override_settings(HEALTH_TOKEN="health-" + "h" * 30, METRICS_TOKEN=None)
async def test_only_the_operators_token_reads_the_metrics():
    refused = await sync_to_async(scrape)(None)
    wrong = await sync_to_async(scrape)("guess")
    allowed = await sync_to_async(scrape)("health-" + "h" * 30)

    assert refused.status_code == wrong.status_code == 403
    assert b"chibo_room_connections" not in refused.content
    assert allowed.status_code == 200
    assert allowed["Content-Type"].startswith("text/plain")
    assert b"# TYPE chibo_room_command_seconds histogram" in allowed.content
    with override_settings(METRICS_TOKEN="metrics-" + "m" * 30):
        assert (await sync_to_async(scrape)("health-" + "h" * 30)).status_code == 403
        assert (await sync_to_async(scrape)("metrics-" + "m" * 30)).status_code == 200


async def test_the_figures_follow_a_meeting(scene):
    meeting = str(scene.meeting.pk)
    commands_before = sample("chibo_room_commands_total", type="meeting.start")
    latencies_before = sample("chibo_room_command_seconds_count", type="meeting.start")
    events_before = sample("chibo_meeting_events_total")
    presence_batches_before = sample("chibo_write_batch_size_count", kind="presence")

    chair, _, _ = await connect(scene.chair, scene.meeting)
    member, _, _ = await connect(scene.officials[0], scene.meeting)
    open_then = sample("chibo_room_connections", meeting=meeting)
    started = await request(chair, {"id": "s1", "type": "meeting.start"})

    assert started["type"] == "ack"
    assert open_then == 2
    assert sample("chibo_room_commands_total", type="meeting.start") == commands_before + 1
    assert sample("chibo_room_command_seconds_count", type="meeting.start") == latencies_before + 1
    # meeting.started, and both members present from the start.
    assert sample("chibo_meeting_events_total") > events_before
    assert sample("chibo_write_batch_size_count", kind="presence") > presence_batches_before

    await member.disconnect()
    assert sample("chibo_room_connections", meeting=meeting) == 1
    await chair.disconnect()
    assert REGISTRY.get_sample_value("chibo_room_connections", {"meeting": meeting}) is None


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="Celery's queue is in Redis")
async def test_the_celery_queue_depth_is_read_from_redis():
    queue = f"ops-metrics-test-{uuid.uuid4().hex}"
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    client.rpush(queue, "task-1", "task-2", "task-3")
    try:
        with override_settings(
            CELERY_BROKER_URL=os.environ["REDIS_URL"], CELERY_TASK_DEFAULT_QUEUE=queue
        ):
            depth = await sync_to_async(sample)("chibo_celery_queue_depth", queue=queue)
    finally:
        client.delete(queue)
        client.close()
    assert depth == 3
