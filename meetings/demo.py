"""A year of meetings for the demo cells (members.demo): regular meetings every month and a
thematic one every quarter, scheduled through the services. Idempotent. FOR THE DEMO ONLY."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from meetings.enums import MeetingKind, MeetingMode, MeetingStatus
from meetings.models import Meeting
from meetings.recurrence import MonthlyRule
from meetings.services import agenda, scheduling
from members import demo as member_demo
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
APPROVAL = ("125-CV/ĐU", datetime.date(2026, 1, 5))  # the đảng ủy's letter allowing hybrid


def seed_meetings(today: datetime.date) -> int:
    """Schedules the next twelve months of meetings of each demo cell; returns how many were
    added. Months and quarters that already have their meeting are left alone."""
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


def _people(cell: Organization, today: datetime.date) -> tuple:
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
    secretary, deputy = _people(cell, today)
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
                not_before=today + datetime.timedelta(days=1),
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
            if (year, quarter) in planned or not today < day <= last_day:
                continue
            hybrid = cell.name == member_demo.CELL_NAMES[0]
            meeting = scheduling.create_meeting(
                actor=actor,
                cell=cell,
                details=scheduling.MeetingDetails(
                    kind=MeetingKind.THEMATIC,
                    mode=MeetingMode.HYBRID if hybrid else MeetingMode.IN_PERSON,
                    title=THEMATIC_TOPICS[quarter],
                    starts_at=datetime.datetime.combine(day, THEMATIC_DAY.time, tzinfo=zone),
                    planned_minutes=120,
                    place=place,
                    online_room=f"Phòng họp trực tuyến {cell.name}" if hybrid else "",
                    approval_number=APPROVAL[0] if hybrid else "",
                    approval_date=APPROVAL[1] if hybrid else None,
                    chair=secretary,
                    recorder=deputy,
                ),
            )
            agenda.apply_agenda_template(actor=actor, meeting=meeting, template="thematic")
            scheduling.schedule_meeting(actor=actor, meeting=meeting)
            added += 1
    return added
