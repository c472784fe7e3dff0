"""Issue 16 (6): the room's first paint. The server draws the agenda and the floor as room.js
first draws them, so the script's first drawing moves nothing (CLS, bench/first_load.py), and
the page travels compressed."""

import gzip
import re

import pytest
from django.test import Client
from django.urls import reverse

from meetings.services import room
from tests.conftest import sign_in_verified
from tests.meetings.room.conftest import build_scene

pytestmark = pytest.mark.integration


def agenda_of(page: str) -> list[str]:
    """The agenda's items as drawn in the page's HTML, before any script runs."""
    agenda = re.search(r'<ol id="agenda" class="agenda">(.*?)</ol>', page, re.S)
    assert agenda is not None
    return [re.sub(r"<[^>]+>", "", item) for item in re.findall(r"<li.*?</li>", agenda.group(1))]


@pytest.fixture
def in_progress(db):
    scene = build_scene()
    meeting, chair = scene.meeting, scene.chair.user
    room.start_meeting(meeting_id=meeting.pk, actor=chair)
    first, second, _ = scene.items
    room.open_item(meeting_id=meeting.pk, actor=chair, item_id=first.pk)
    room.close_item(meeting_id=meeting.pk, actor=chair, item_id=first.pk)
    room.open_item(meeting_id=meeting.pk, actor=chair, item_id=second.pk)
    return scene


def test_the_room_page_draws_the_agenda_and_the_floor_before_its_script_runs(in_progress):
    url = reverse("meetings:room", args=[in_progress.meeting.pk])
    page = sign_in_verified(Client(), in_progress.officials[0].user).get(url).content.decode()

    assert agenda_of(page) == [
        "Thông tin thời sự (đã xong)",
        "Xét kết nạp quần chúng Phạm Văn A — đang thảo luận, 0/10 phút",
        "Biểu quyết nghị quyết tháng",
    ]
    assert '<li class="current" aria-current="step">' in page
    assert '<div id="speaker" aria-live="polite"><p class="muted">Chưa có ai phát biểu.</p>' in page
    # The member's floor buttons come with the script: their row is kept.
    assert '<div id="floor-actions" class="actions keeps-row">' in page


def test_a_scheduled_meetings_room_keeps_no_row_for_floor_buttons(db):
    scene = build_scene()
    url = reverse("meetings:room", args=[scene.meeting.pk])
    page = sign_in_verified(Client(), scene.officials[0].user).get(url).content.decode()

    assert agenda_of(page) == [
        "Thông tin thời sự",
        "Xét kết nạp quần chúng Phạm Văn A",
        "Biểu quyết nghị quyết tháng",
    ]
    assert '<div id="floor-actions" class="actions">' in page


def test_pages_travel_gzipped_to_browsers_that_ask(in_progress):
    client = sign_in_verified(Client(), in_progress.officials[0].user)
    url = reverse("meetings:room", args=[in_progress.meeting.pk])

    plain = client.get(url)
    packed = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")

    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    page = gzip.decompress(packed.content).decode()
    assert "Xét kết nạp quần chúng Phạm Văn A" in page
    assert len(packed.content) < len(plain.content) / 3
