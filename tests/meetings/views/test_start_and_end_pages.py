"""Issue 13, defects 5 and 6 on the meeting page: its start and end buttons go through the same
service as the room, so a start outside the window and an early end without a reason are
refused there too, in Vietnamese, with nothing changed."""

import datetime
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils.html import strip_tags

from meetings.enums import MeetingStatus
from meetings.models import Meeting, MeetingEvent
from tests.conftest import sign_in_verified
from tests.meetings.services.test_start_window_and_early_end import (
    MINUTE,
    SCHEDULED,
    in_progress,
    scheduled,
)

pytestmark = pytest.mark.integration


def words(response) -> str:
    return " ".join(strip_tags(response.content.decode()).split())


def test_the_start_button_outside_the_window_says_why_and_changes_nothing(cell_scene):
    meeting = scheduled(cell_scene)
    secretary = sign_in_verified(Client(), cell_scene.secretary.user)
    url = reverse("meetings:change_status", args=[meeting.pk])

    with time_machine.travel(datetime.datetime(2026, 12, 7, 2, 0, tzinfo=datetime.UTC)):
        page = secretary.post(url, {"to_status": "in_progress"}, follow=True)

    assert "Không thể bắt đầu lúc này: buổi sinh hoạt được triệu tập lúc 19:30 ngày 02/02/2027" in (
        words(page)
    )
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.SCHEDULED
    assert not MeetingEvent.objects.filter(meeting=meeting).exists()


def test_ending_early_from_the_page_asks_for_the_reason_then_keeps_it(cell_scene):
    meeting = in_progress(cell_scene)
    url = reverse("meetings:change_status", args=[meeting.pk])
    events = MeetingEvent.objects.filter(meeting=meeting).count()

    with time_machine.travel(SCHEDULED + 10 * MINUTE, tick=False):
        secretary = sign_in_verified(Client(), cell_scene.secretary.user)
        asked = secretary.post(url, {"to_status": "ended"})
        assert asked.status_code == 200
        assert "Buổi sinh hoạt mới diễn ra 10 phút, chưa đủ thời lượng tối thiểu 90 phút" in (
            words(asked)
        )
        assert re.search(r'<textarea[^>]*name="reason"|<input[^>]*name="reason"', asked.text)
        assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.IN_PROGRESS
        assert MeetingEvent.objects.filter(meeting=meeting).count() == events

        done = secretary.post(url, {"to_status": "ended", "reason": "Mất điện toàn khu phố"})

    assert done.status_code == 302
    fresh = Meeting.objects.get(pk=meeting.pk)
    assert (fresh.status, fresh.early_end_reason) == (MeetingStatus.ENDED, "Mất điện toàn khu phố")
