"""Issue 16 (5): members abroad and on shifts. A cell's time zone is inherited down the tree
(Vietnam's by default); invitations, reminders, .ics files, pages, the calendar and the minutes
state times in the cell's zone, and also in the member's own zone when it shows another time.
The scheduling form takes the time in the cell's zone, across daylight-saving changes."""

import datetime
import uuid
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from meetings import events, ics
from meetings.models import Meeting
from meetings.recurrence import MonthlyRule
from meetings.services import scheduling
from members import queries as member_queries
from members import zones
from members.models import Member
from minutes import document as doc
from minutes.drafting import Edits, draft_minutes
from tests.conftest import sign_in_verified
from tests.meetings.helpers import details, draft_meeting
from tests.meetings.services.test_invitations import calendar_of

pytestmark = pytest.mark.integration

HANOI = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
# 19:30 in Berlin on Tuesday 2 March 2027 (winter time, UTC+1) = 01:30 on 3 March in Hà Nội.
WINTER = datetime.datetime(2027, 3, 2, 19, 30, tzinfo=BERLIN)
# Summer time begins in Europe on Sunday 28 March 2027: 19:30 on the 30th is UTC+2.
SUMMER = datetime.datetime(2027, 3, 30, 19, 30, tzinfo=BERLIN)


def client_of(member) -> Client:
    return sign_in_verified(Client(), member.user)


@pytest.fixture
def abroad(cell_scene):
    """The scene's grassroots organisation is abroad: its zone is Berlin, its cells inherit it."""
    grassroots = cell_scene.cell.parent
    grassroots.time_zone = "Europe/Berlin"
    grassroots.save()
    cell_scene.cell.refresh_from_db()
    return cell_scene


def test_a_zone_is_inherited_down_the_tree_and_vietnam_is_the_default(cell_scene):
    cell, grassroots = cell_scene.cell, cell_scene.cell.parent
    assert member_queries.effective_policy(cell).time_zone == "Asia/Ho_Chi_Minh"

    grassroots.time_zone = "Europe/Berlin"
    grassroots.save()
    policy = member_queries.effective_policy(cell)
    assert (policy.time_zone, policy.set_by["time_zone"]) == ("Europe/Berlin", grassroots.pk)

    cell.time_zone = "Europe/Prague"
    cell.save()
    assert member_queries.effective_policy(cell).time_zone == "Europe/Prague"
    assert member_queries.effective_policy(cell_scene.other_cell).time_zone == "Europe/Berlin"


def test_an_unknown_zone_is_refused_in_vietnamese(cell_scene):
    cell_scene.cell.time_zone = "Europe/Atlantis"
    with pytest.raises(ValidationError, match="Không có múi giờ “Europe/Atlantis”"):
        cell_scene.cell.full_clean()


@pytest.mark.parametrize(
    ("moment", "zone", "own", "expected"),
    [
        # A cell at home, a member at home: as before, no zone named.
        (WINTER, HANOI, None, "01:30 03/03/2027"),
        (WINTER, HANOI, HANOI, "01:30 03/03/2027"),
        # Bangkok shows the same wall-clock time as Hà Nội: nothing to add.
        (WINTER, HANOI, zoneinfo.ZoneInfo("Asia/Bangkok"), "01:30 03/03/2027"),
        # A cell abroad names its zone; a member in Vietnam also sees their own time and day.
        (WINTER, BERLIN, None, "19:30 02/03/2027 (giờ Berlin)"),
        (WINTER, BERLIN, HANOI, "19:30 02/03/2027 (giờ Berlin) · 01:30 03/03/2027 giờ Hà Nội"),
        # After Europe's change to summer time the gap is five hours, not six.
        (SUMMER, BERLIN, HANOI, "19:30 30/03/2027 (giờ Berlin) · 00:30 31/03/2027 giờ Hà Nội"),
        # A cell at home, a member on a shift in Berlin: same day, only the time.
        (
            datetime.datetime(2027, 3, 30, 19, 30, tzinfo=HANOI),
            HANOI,
            BERLIN,
            "19:30 30/03/2027 (giờ Hà Nội) · 14:30 giờ Berlin",
        ),
    ],
)
def test_a_moment_is_stated_in_the_cells_zone_and_the_members_own(moment, zone, own, expected):
    assert zones.describe(moment, zone, own) == expected


def test_the_scheduling_form_takes_the_time_in_the_cells_zone_across_summer_time(abroad):
    client = client_of(abroad.secretary)
    for day, expected in (("2027-03-02", WINTER), ("2027-03-30", SUMMER)):
        response = client.post(
            reverse("meetings:create", args=[abroad.cell.pk]),
            {
                "kind": "regular",
                "day": day,
                "time": "19:30",
                "planned_minutes": "90",
                "mode": "in_person",
                "place": "Hội trường",
            },
        )
        assert response.status_code == 302
        assert Meeting.objects.latest("pk").starts_at == expected

    assert [m.starts_at.astimezone(datetime.UTC).hour for m in Meeting.objects.order_by("pk")] == [
        18,
        17,
    ]
    edit = client.get(reverse("meetings:edit", args=[Meeting.objects.latest("pk").pk]))
    assert 'value="19:30"' in edit.content.decode()


def test_regular_meetings_of_a_cell_abroad_stay_at_its_wall_clock_time_after_summer_time(
    abroad,
):
    created = scheduling.generate_regular_meetings(
        actor=abroad.secretary.user,
        cell=abroad.cell,
        year=2027,
        rule=MonthlyRule(ordinal=1, weekday=1, time=datetime.time(19, 30)),
        details=details(),
        with_agenda=False,
    )

    local = [m.starts_at.astimezone(BERLIN) for m in created[:4]]
    assert [(t.month, t.hour, t.minute) for t in local] == [
        (1, 19, 30),
        (2, 19, 30),
        (3, 19, 30),
        (4, 19, 30),
    ]
    assert [t.utcoffset() for t in local[2:4]] == [
        datetime.timedelta(hours=1),
        datetime.timedelta(hours=2),
    ]


@time_machine.travel(WINTER - datetime.timedelta(days=5), tick=False)
def test_invitations_and_their_ics_state_the_cells_time_and_the_members_own(
    abroad, mailoutbox, celery_eager, django_capture_on_commit_callbacks
):
    at_home = abroad.members[0]
    at_home.time_zone = "Asia/Ho_Chi_Minh"  # a member of the Berlin cell back in Vietnam
    at_home.email = "tuan@chibo.invalid"
    at_home.save()
    with django_capture_on_commit_callbacks(execute=True):
        meeting = draft_meeting(abroad, starts_at=WINTER, title="Sinh hoạt tháng 3")
        scheduling.schedule_meeting(actor=abroad.secretary.user, meeting=meeting)

    to_secretary = next(m for m in mailoutbox if m.to == ["hang@chibo.invalid"])
    to_member = next(m for m in mailoutbox if m.to == ["tuan@chibo.invalid"])
    assert to_secretary.subject.endswith("Sinh hoạt tháng 3, 19:30 02/03/2027 (giờ Berlin)")
    assert "Thời gian: 19:30 02/03/2027 (giờ Berlin) (khoảng 90 phút)" in to_secretary.body
    assert to_member.subject.endswith(
        "Sinh hoạt tháng 3, 19:30 02/03/2027 (giờ Berlin) · 01:30 03/03/2027 giờ Hà Nội"
    )
    assert "01:30 03/03/2027 giờ Hà Nội" in to_member.body
    _method, calendar = calendar_of(to_member)
    start = calendar.walk("VEVENT")[0]["DTSTART"]
    assert start.params["TZID"] == "Europe/Berlin"
    assert start.dt == WINTER
    assert [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    assert ics.calendar_for(meeting, []).count(b"DTSTART;TZID=Europe/Berlin:20270302T193000") == 1


def test_pages_state_the_cells_time_and_the_viewers_own(abroad):
    meeting = scheduling.schedule_meeting(
        actor=abroad.secretary.user, meeting=draft_meeting(abroad, starts_at=SUMMER)
    )
    viewer = abroad.members[0]
    detail = reverse("meetings:detail", args=[meeting.pk])
    calendar = reverse("meetings:calendar_month", args=[abroad.cell.pk, 2027, 3])

    page = client_of(viewer).get(detail).content.decode()
    assert "19:30, " in page
    assert "30/03/2027 (giờ Berlin)" in page
    assert "giờ Hà Nội" not in page

    Member.objects.filter(pk=viewer.pk).update(time_zone="Asia/Ho_Chi_Minh")
    page = client_of(viewer).get(detail).content.decode()
    assert "30/03/2027 (giờ Berlin) · 00:30, " in page
    assert "31/03/2027 giờ Hà Nội" in page
    month = client_of(viewer).get(calendar).content.decode()
    assert ">19:30 " in month  # the grid: the cell's time, on the cell's day
    assert "giờ Hà Nội" in month  # the list under it: the member's own time too
    upcoming = client_of(viewer).get(reverse("meetings:upcoming")).content.decode()
    assert "(giờ Berlin) · 00:30" in upcoming


def test_a_member_sets_their_own_zone_and_an_unknown_one_changes_nothing(cell_scene):
    member = cell_scene.members[0]
    client = client_of(member)
    url = reverse("members:time_zone")

    assert client.get(url).status_code == 200
    assert client.post(url, {"time_zone": "Europe/Berlin"}).status_code == 302
    member.refresh_from_db()
    assert member.time_zone == "Europe/Berlin"

    response = client.post(url, {"time_zone": "Europe/Atlantis"})
    assert response.status_code == 200
    assert "Hãy chọn một lựa chọn hợp lệ." in response.content.decode()
    member.refresh_from_db()
    assert member.time_zone == "Europe/Berlin"

    assert client.post(url, {"time_zone": ""}).status_code == 302
    member.refresh_from_db()
    assert member.time_zone == ""


def test_the_minutes_state_their_times_in_the_zone_of_a_cell_abroad(db):
    from tests.factories import MemberFactory
    from tests.meetings.room.conftest import build_scene
    from tests.minutes.test_record import held_meeting, pdf_text

    scene = build_scene(mode="in_person")
    scene.cell.time_zone = "Europe/Berlin"
    scene.cell.save()
    scene.exempt = MemberFactory(home_cell=scene.cell, exempt_from=datetime.date(2020, 1, 1))
    scene.voters = [scene.chair, scene.recorder, scene.officials[0], scene.officials[1]]
    meeting = held_meeting(scene)
    integrity = doc.Integrity(str(uuid.uuid4()), events.verify_chain(meeting), "http://x/y")

    minutes = draft_minutes(Meeting.objects.get(pk=meeting.pk), Edits(), integrity)
    text = pdf_text(minutes)

    started = timezone.localtime(meeting.started_at, BERLIN)
    clock = f"{started.hour:02d} giờ {started.minute:02d} phút"
    assert f"bắt đầu lúc {clock} (giờ Berlin), ngày {started:%d/%m/%Y}" in text
    assert "kết thúc lúc" in text
    assert text.count("(giờ Berlin)") == 2


def test_a_meeting_abroad_may_be_started_until_the_end_of_its_day_in_the_cells_zone(abroad):
    """23:30 in Berlin is already the next morning in Hà Nội: the day that counts is Berlin's."""
    late = datetime.datetime(2027, 3, 27, 23, 30, tzinfo=BERLIN)  # the eve of summer time
    meeting = draft_meeting(abroad, starts_at=late)

    earliest, until = scheduling.start_window(meeting)

    assert earliest == late - datetime.timedelta(minutes=60)
    assert until == datetime.datetime(2027, 3, 28, 0, 0, tzinfo=BERLIN)
    assert until - late == datetime.timedelta(minutes=30)
