"""A member finds their meetings and the live room by following links, not by typing URLs."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from meetings.services import scheduling
from tests.conftest import sign_in_verified
from tests.meetings.helpers import EARLY_END, draft_meeting, soon

pytestmark = pytest.mark.integration


def test_a_member_reaches_the_live_room_from_the_header_and_the_meeting_page(cell_scene):
    meeting = draft_meeting(cell_scene, starts_at=timezone.now() + datetime.timedelta(days=3))
    scheduling.schedule_meeting(actor=cell_scene.secretary.user, meeting=meeting)
    client = sign_in_verified(Client(), cell_scene.members[0].user)

    home = client.get(reverse("members:home")).content.decode()
    upcoming = client.get(reverse("meetings:upcoming")).content.decode()
    detail = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()

    assert f'<a href="{reverse("meetings:upcoming")}">Lịch sinh hoạt</a>' in home
    assert reverse("meetings:detail", args=[meeting.pk]) in upcoming
    room = reverse("meetings:room", args=[meeting.pk])
    assert f'<a class="button" href="{room}">Vào phòng họp</a>' in detail


def test_a_draft_meeting_has_no_room_link(cell_scene):
    meeting = draft_meeting(cell_scene, starts_at=timezone.now() + datetime.timedelta(days=3))
    client = sign_in_verified(Client(), cell_scene.secretary.user)

    detail = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()

    assert reverse("meetings:room", args=[meeting.pk]) not in detail


def test_the_minutes_steps_are_not_buttons_on_the_meeting_page(cell_scene):
    # Approval and archiving happen in the minutes pipeline (read-back vote or chair and recorder,
    # then two signatures); a button that skipped them would archive a meeting without minutes.
    meeting = draft_meeting(cell_scene, starts_at=soon())
    scheduling.schedule_meeting(actor=cell_scene.secretary.user, meeting=meeting)
    for status in ("in_progress", "ended"):
        scheduling.change_status(
            actor=cell_scene.secretary.user, meeting=meeting, to_status=status, reason=EARLY_END
        )
    client = sign_in_verified(Client(), cell_scene.secretary.user)

    page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    forced = client.post(
        reverse("meetings:change_status", args=[meeting.pk]),
        {"to_status": "minutes_approved"},
        follow=True,
    )

    assert "Ghi nhận đã thông qua biên bản" not in page
    assert 'value="archived"' not in page
    assert "Biên bản được thông qua và lưu trữ ở trang biên bản" in forced.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == "ended"


@pytest.fixture(params=["now", "before local midnight"])
def clock(request):
    """At 23:45 in Hà Nội a meeting called for 00:15 and started now is held on the earlier
    day: its title carries the day it started (`Meeting.local_day`), not the day it was called
    for."""
    if request.param == "now":
        yield
        return
    hanoi = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
    late = datetime.datetime.combine(timezone.now().date(), datetime.time(23, 45), hanoi)
    with time_machine.travel(late, tick=True):
        yield


def test_home_and_notifications_offer_the_meeting_in_progress_to_its_participants(
    clock, cell_scene
):
    meeting = draft_meeting(cell_scene, starts_at=soon())
    scheduling.schedule_meeting(actor=cell_scene.secretary.user, meeting=meeting)
    scheduling.change_status(
        actor=cell_scene.secretary.user, meeting=meeting, to_status="in_progress"
    )
    meeting.refresh_from_db()
    room = reverse("meetings:room", args=[meeting.pk])
    member = sign_in_verified(Client(), cell_scene.members[0].user)
    outsider = sign_in_verified(Client(), cell_scene.outsider.user)

    for page in ("members:home", "meetings:notifications"):
        seen = member.get(reverse(page)).content.decode()
        assert f'href="{room}">Vào phòng họp' in seen, page
        assert meeting.display_title in seen, page
        assert room not in outsider.get(reverse(page)).content.decode(), page


def test_a_meeting_not_yet_started_is_not_offered_as_in_progress(cell_scene):
    meeting = draft_meeting(cell_scene, starts_at=soon())
    scheduling.schedule_meeting(actor=cell_scene.secretary.user, meeting=meeting)
    client = sign_in_verified(Client(), cell_scene.members[0].user)

    home = client.get(reverse("members:home")).content.decode()

    assert reverse("meetings:room", args=[meeting.pk]) not in home


def test_the_cell_page_links_to_its_calendar_and_a_new_meeting_for_those_who_schedule(cell_scene):
    cell = cell_scene.cell
    calendar = reverse("meetings:calendar", args=[cell.pk])
    create = reverse("meetings:create", args=[cell.pk])
    secretary = sign_in_verified(Client(), cell_scene.secretary.user)
    member = sign_in_verified(Client(), cell_scene.members[0].user)

    as_secretary = secretary.get(reverse("members:cell", args=[cell.pk])).content.decode()
    as_member = member.get(reverse("members:cell", args=[cell.pk])).content.decode()

    assert f'href="{calendar}"' in as_secretary
    assert f'href="{calendar}"' in as_member
    assert f'href="{create}">Buổi sinh hoạt mới</a>' in as_secretary
    assert create not in as_member


def test_a_committee_meeting_in_progress_is_offered_only_to_the_committee(cell_scene):
    meeting = draft_meeting(cell_scene, starts_at=soon(), kind="committee")
    scheduling.schedule_meeting(actor=cell_scene.secretary.user, meeting=meeting)
    scheduling.change_status(
        actor=cell_scene.secretary.user, meeting=meeting, to_status="in_progress"
    )
    room = reverse("meetings:room", args=[meeting.pk])
    deputy = sign_in_verified(Client(), cell_scene.deputy.user)
    member = sign_in_verified(Client(), cell_scene.members[0].user)

    assert room in deputy.get(reverse("members:home")).content.decode()
    assert room not in member.get(reverse("members:home")).content.decode()
