"""Issue 13, defects 5 and 6 over the websocket: `meeting.start` outside the start window and
`meeting.end` before the minimum without a reason get a Vietnamese error frame and change
nothing; the socket stays open."""

import datetime

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone

from meetings.models import Meeting, MeetingEvent
from tests.meetings.room.test_consumer import connect, request

pytestmark = [
    pytest.mark.integration,
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True),
]


@sync_to_async
def move_start(meeting, delta):
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() + delta)


@sync_to_async
def state_of(meeting):
    """Status, early-end reason, and the start and end events written (the roll's own events
    come and go with the connections)."""
    fresh = Meeting.objects.get(pk=meeting.pk)
    named = ["meeting.started", "meeting.ended"]
    log = MeetingEvent.objects.filter(meeting=meeting, event__in=named)
    return fresh.status, fresh.early_end_reason, list(log.values_list("event", flat=True))


async def test_a_start_outside_the_window_and_an_early_end_without_reason_are_refused(scene):
    chair, connected, _ = await connect(scene.chair, scene.meeting)
    assert connected
    await move_start(scene.meeting, datetime.timedelta(days=2))

    early_start = await request(chair, {"id": "s1", "type": "meeting.start"})

    assert (early_start["type"], early_start["code"]) == ("error", "outside_start_window")
    assert early_start["message"].startswith("Không thể bắt đầu lúc này: buổi sinh hoạt được")
    assert await state_of(scene.meeting) == ("scheduled", "", [])

    await move_start(scene.meeting, datetime.timedelta(minutes=5))
    assert (await request(chair, {"id": "s2", "type": "meeting.start"}))["type"] == "ack"

    for n, extra in enumerate([{}, {"reason": ""}, {"reason": "   "}]):
        refused = await request(chair, {"id": f"e{n}", "type": "meeting.end", **extra})
        assert (refused["type"], refused["code"], refused["field"]) == (
            "error",
            "ended_early",
            "reason",
        )
        assert refused["message"].startswith("Buổi sinh hoạt mới diễn ra 0 phút, chưa đủ")
    too_long = await request(chair, {"id": "e9", "type": "meeting.end", "reason": "x" * 501})
    # Refused at the edge, by the protocol's length for the field (the service's own check,
    # "Lý do kết thúc sớm tối đa 500 ký tự.", is tested in test_start_window_and_early_end.py).
    assert (too_long["code"], too_long["field"]) == ("bad_message", "reason")
    assert "500 ký tự" in too_long["message"]
    assert await state_of(scene.meeting) == ("in_progress", "", ["meeting.started"])

    ended = await request(chair, {"id": "ok", "type": "meeting.end", "reason": "Mất điện"})

    assert ended["type"] == "ack"
    assert ended["result"]["early_end_reason"] == "Mất điện"
    assert (await state_of(scene.meeting))[:2] == ("ended", "Mất điện")
    await chair.disconnect()
