"""A believable year of the demo cells (demo.roster), relative to the day it is seeded: every
meeting from 1 January until yesterday held through the services with minutes signed in time
(`demo.past.seed_past_meetings`), the next twelve months scheduled (`seed_meetings`: a regular
meeting every month, a thematic one every quarter) and a meeting in progress
(`seed_meeting_in_progress`). Idempotent. FOR THE DEMO ONLY."""

from __future__ import annotations

import datetime
from unittest import mock

from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from demo import roster as member_demo
from meetings.enums import MeetingKind, MeetingMode, MeetingStatus
from meetings.models import Meeting
from meetings.recurrence import MonthlyRule
from meetings.services import agenda, attendance, room, scheduling
from members import queries as member_queries
from members.enums import CellRoleKind, Level
from members.models import Organization

TUESDAY, THURSDAY, SATURDAY = 1, 3, 5
# Cell by cell: the monthly rule and the meeting place.
CELLS = {
    member_demo.CELL_NAMES[0]: (
        MonthlyRule(1, TUESDAY, datetime.time(19, 30)),
        "Nhà văn hóa Khu phố 1",
    ),
    member_demo.CELL_NAMES[1]: (
        MonthlyRule(1, THURSDAY, datetime.time(19, 30)),
        "Nhà văn hóa Khu phố 2",
    ),
}
THEMATIC_TOPICS = {
    1: "Chuyên đề: Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
    2: "Chuyên đề: Nâng cao chất lượng sinh hoạt chi bộ",
    3: "Chuyên đề: Phát triển đảng viên ở khu dân cư",
    4: "Chuyên đề: Đảng viên gương mẫu xây dựng nếp sống văn minh đô thị",
}
THEMATIC_DAY = MonthlyRule(3, SATURDAY, datetime.time(8, 0))  # third Saturday, mid-quarter


def approval(today: datetime.date) -> tuple[str, datetime.date]:
    """The đảng ủy's letter allowing the first cell's hybrid meetings: dated before any meeting
    of the demo (`first_held_day` is at most two months before 1 January)."""
    return ("125-CV/ĐU", datetime.date(today.year - 1, 10, 1))


def seed_meetings(today: datetime.date) -> int:
    """Schedules the meetings of each demo cell from today to a year ahead; returns how many
    were added. Months and quarters that already have their meeting (held or planned) are left
    alone."""
    last_day = today + datetime.timedelta(days=365)
    added = 0
    # Demo addresses end in .invalid: nothing is mailed, the in-app notifications still appear.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        for name, (rule, place) in CELLS.items():
            cell = Organization.objects.filter(name=name, level=Level.CELL).first()
            if cell is None:
                continue
            added += _seed_cell(cell, rule, place, today, last_day)
    return added


def people_of(cell: Organization, today: datetime.date) -> tuple:
    roles = {role.kind: role.member for role in member_queries.current_roles(cell, today)}
    return roles[CellRoleKind.SECRETARY], roles.get(CellRoleKind.DEPUTY_SECRETARY)


@transaction.atomic
def _seed_cell(
    cell: Organization,
    rule: MonthlyRule,
    place: str,
    today: datetime.date,
    last_day: datetime.date,
) -> int:
    secretary, deputy = people_of(cell, today)
    actor = secretary.user
    base = scheduling.MeetingDetails(
        kind=MeetingKind.REGULAR,
        mode=MeetingMode.IN_PERSON,
        starts_at=timezone.now(),
        planned_minutes=90,
        place=place,
        chair=secretary,
        recorder=deputy,
    )
    added = 0
    for year in range(today.year, last_day.year + 1):
        added += len(
            scheduling.generate_regular_meetings(
                actor=actor,
                cell=cell,
                year=year,
                rule=rule,
                details=base,
                schedule=True,
                not_before=today,
                not_after=last_day,
            )
        )
    zone = timezone.get_current_timezone()
    planned = {
        (m.local_day.year, (m.local_day.month - 1) // 3 + 1)
        for m in Meeting.objects.filter(cell=cell, kind=MeetingKind.THEMATIC).exclude(
            status=MeetingStatus.CANCELLED
        )
    }
    for year in range(today.year, last_day.year + 1):
        for quarter in range(1, 5):
            day = THEMATIC_DAY.day_in(year, quarter * 3 - 1)
            if (year, quarter) in planned or not today <= day <= last_day:
                continue
            start = datetime.datetime.combine(day, THEMATIC_DAY.time, tzinfo=zone)
            meeting = scheduling.create_meeting(
                actor=actor,
                cell=cell,
                details=meeting_details(cell, MeetingKind.THEMATIC, quarter, start, place, today),
            )
            agenda.apply_agenda_template(actor=actor, meeting=meeting, template="thematic")
            scheduling.schedule_meeting(actor=actor, meeting=meeting)
            added += 1
    return added


class DemoClock:
    """The demo's past: `django.utils.timezone.now` answers this moment while a past meeting
    is run through the services. FOR THE DEMO ONLY (never in request handling)."""

    def __init__(self, moment: datetime.datetime) -> None:
        self.moment = moment

    def now(self) -> datetime.datetime:
        return self.moment

    def advance(self, **delta: float) -> None:
        self.moment += datetime.timedelta(**delta)


def meeting_details(
    cell: Organization, kind: str, quarter: int, start: datetime.datetime, place: str, today
) -> scheduling.MeetingDetails:
    secretary, deputy = people_of(cell, today)
    if kind == MeetingKind.REGULAR:
        return scheduling.MeetingDetails(
            kind=MeetingKind.REGULAR,
            mode=MeetingMode.IN_PERSON,
            starts_at=start,
            planned_minutes=120,
            place=place,
            chair=secretary,
            recorder=deputy,
        )
    hybrid = cell.name == member_demo.CELL_NAMES[0]
    return scheduling.MeetingDetails(
        kind=MeetingKind.THEMATIC,
        mode=MeetingMode.HYBRID if hybrid else MeetingMode.IN_PERSON,
        title=THEMATIC_TOPICS[quarter],
        starts_at=start,
        planned_minutes=120,
        place=place,
        online_room=f"Phòng họp trực tuyến {cell.name}" if hybrid else "",
        approval_number=approval(today)[0] if hybrid else "",
        approval_date=approval(today)[1] if hybrid else None,
        chair=secretary,
        recorder=deputy,
    )


# --- A meeting in progress --------------------------------------------------------------------

IN_PROGRESS_TITLE = "Sinh hoạt bất thường: cho ý kiến về kế hoạch ra quân vệ sinh môi trường"


def seed_meeting_in_progress(now: datetime.datetime) -> Meeting | None:
    """A meeting of the first demo cell that began a few minutes ago, members in the room and
    the first item open, so a newcomer who signs in enters it at once. None when the cell
    already has a meeting in progress (or no demo cell exists)."""
    cell = Organization.objects.filter(name=member_demo.CELL_NAMES[0], level=Level.CELL).first()
    if cell is None or Meeting.objects.filter(cell=cell, status=MeetingStatus.IN_PROGRESS).exists():
        return None
    _, place = CELLS[cell.name]
    secretary, deputy = people_of(cell, timezone.localdate(now))
    start = now.replace(second=0, microsecond=0) - datetime.timedelta(minutes=now.minute % 5 + 5)
    clock = DemoClock(start - datetime.timedelta(days=3))
    with (
        override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
        transaction.atomic(),
        mock.patch("django.utils.timezone.now", clock.now),
    ):
        actor = secretary.user
        meeting = scheduling.create_meeting(
            actor=actor,
            cell=cell,
            details=scheduling.MeetingDetails(
                kind=MeetingKind.EXTRAORDINARY,
                mode=MeetingMode.IN_PERSON,
                title=IN_PROGRESS_TITLE,
                starts_at=start,
                planned_minutes=90,
                place=place,
                chair=secretary,
                recorder=deputy,
            ),
        )
        agenda.apply_agenda_template(actor=actor, meeting=meeting, template="regular")
        scheduling.schedule_meeting(actor=actor, meeting=meeting)
        clock.moment = start
        room.start_meeting(meeting_id=meeting.pk, actor=actor)
        for member in (secretary, deputy):
            attendance.mark(
                meeting_id=meeting.pk,
                actor=actor,
                member_id=member.pk,
                status="present",
                reason="",
            )
        first = meeting.agenda_items.order_by("position").first()
        if first is not None:
            clock.moment = now
            room.open_item(meeting_id=meeting.pk, actor=actor, item_id=first.pk)
    return meeting
