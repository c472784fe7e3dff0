"""A client that reconnects again and again is refused (4429) without costing others anything
(meetings/throttle.py)."""

import pytest
from channels.db import database_sync_to_async
from django.core.cache import cache

from meetings import throttle
from meetings.consumers import CLOSE_THROTTLED
from meetings.models import PresenceSpan
from meetings.services import room
from tests.meetings.room.test_consumer import closed_with, connect

pytestmark = [
    pytest.mark.integration,
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True),
]


async def test_a_member_reconnecting_in_a_loop_is_refused_and_others_get_in(scene, settings):
    settings.ROOM_CONNECTS_PER_MINUTE = 3
    looping, other = scene.officials[0], scene.officials[1]
    await database_sync_to_async(room.start_meeting)(
        meeting_id=scene.meeting.pk, actor=scene.chair.user
    )
    for member in (looping, other):
        cache.delete(throttle.window_key(member.user.pk))

    for _ in range(3):  # within the allowance: in, then gone again
        communicator, connected, _ = await connect(looping, scene.meeting)
        assert connected
        assert (await communicator.receive_json_from(timeout=5))["type"] == "hello"
        await communicator.disconnect()
    refused, connected, _ = await connect(looping, scene.meeting)

    assert await closed_with(refused) == CLOSE_THROTTLED
    # Refused before anything was written for it: three connections, three spans.
    spans = database_sync_to_async(PresenceSpan.objects.filter(attendance__member=looping).count)
    assert await spans() == 3
    # Someone else is not affected.
    fine, connected, _ = await connect(other, scene.meeting)
    assert connected
    assert (await fine.receive_json_from(timeout=5))["type"] == "hello"
    await fine.disconnect()


async def test_without_the_shared_cache_nobody_is_refused(scene, settings, monkeypatch):
    settings.ROOM_CONNECTS_PER_MINUTE = 0

    class Down:
        def __getattr__(self, name):
            raise ConnectionError("Redis is down")

    monkeypatch.setattr(throttle, "cache", Down())

    communicator, connected, _ = await connect(scene.officials[0], scene.meeting)

    assert connected
    assert (await communicator.receive_json_from(timeout=5))["type"] == "hello"
    await communicator.disconnect()
