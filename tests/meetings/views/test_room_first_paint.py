"""Issue 16 (6): the room's first paint. The page travels compressed (its layout shift is measured
by bench/first_load.py)."""

import gzip

import pytest
from django.test import Client
from django.urls import reverse

from meetings.services import room
from tests.conftest import sign_in_verified
from tests.meetings.room.conftest import build_scene

pytestmark = pytest.mark.integration


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


def test_pages_travel_gzipped_to_browsers_that_ask(in_progress):
    client = sign_in_verified(Client(), in_progress.officials[0].user)
    url = reverse("meetings:room", args=[in_progress.meeting.pk])

    plain = client.get(url)
    packed = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")

    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    page = gzip.decompress(packed.content).decode()
    assert in_progress.meeting.cell.name in page
    assert len(packed.content) < len(plain.content) / 3
