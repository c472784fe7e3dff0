"""A year of meetings for the demo cells (members.demo): regular meetings every month and a
thematic one every quarter, scheduled through the services. Idempotent. FOR THE DEMO ONLY."""

from __future__ import annotations

import datetime
import uuid
from unittest import mock

from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from meetings.enums import MeetingKind, MeetingMode, MeetingStatus
from meetings.models import Meeting, Vote
from meetings.recurrence import MonthlyRule
from meetings.room import roster_members
from meetings.services import agenda, attendance, room, scheduling, speaking, voting
from members import demo as member_demo
from members import queries as member_queries
from members.enums import CellRoleKind, Level
from members.models import Member, Organization, User
from minutes import services as minutes_services
from minutes.document import Assignment
from minutes.drafting import Edits
from minutes.models import DocumentKind, SignedDocument

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


# --- Past meetings with signed minutes ----------------------------------------------------------

PAST_MONTHS = (2, 1)  # the regular meetings of two and one months ago
WEEKS_3, WEEKS_4 = datetime.timedelta(weeks=3), datetime.timedelta(weeks=4)
# What members said, item kind by item kind: (speaker index in the cell's demo list, note).
DEMO_TURNS = {
    "review": [
        (2, "Thống nhất với báo cáo; đề nghị bổ sung kết quả vận động nhân dân giữ vệ sinh."),
        (3, "Việc thu đảng phí đúng hạn; cần nhắc đảng viên cập nhật Sổ tay đảng viên."),
    ],
    "discussion": [
        (4, "Đề nghị chi bộ phân công đảng viên phụ trách từng tổ dân phố."),
        (5, "Đồng ý; đề nghị tổ chức sinh hoạt chuyên đề về chuyển đổi số."),
        (6, "Bảo lưu ý kiến: Nên họp vào sáng thứ bảy để đảng viên trẻ dự đủ."),
    ],
}
DEMO_SUMMARIES = {
    "news": "Đồng chí chủ trì thông tin tình hình thời sự trong nước, của quận và phường; "
    "quán triệt văn bản mới của Đảng ủy phường.",
    "review": "Chi ủy báo cáo kết quả tháng trước: các nhiệm vụ hoàn thành; còn một số đảng "
    "viên chưa tham gia đầy đủ hoạt động của tổ dân phố.",
    "plan": "Phương hướng tháng tới: vận động nhân dân giữ gìn vệ sinh môi trường; chuẩn bị "
    "hồ sơ phát triển đảng viên; thu đảng phí đúng hạn.",
}


class DemoClock:
    """The demo's past: `django.utils.timezone.now` answers this moment while a past meeting
    is run through the services. FOR THE DEMO ONLY (never in request handling)."""

    def __init__(self, moment: datetime.datetime) -> None:
        self.moment = moment

    def now(self) -> datetime.datetime:
        return self.moment

    def advance(self, **delta: float) -> None:
        self.moment += datetime.timedelta(**delta)


def seed_past_meetings(today: datetime.date) -> int:
    """Two past regular meetings per demo cell, held through the live-room services, their
    minutes drafted, approved by the read-back vote, rendered and signed by chair and recorder.
    Cells that already have two archived past meetings are left alone; returns how many were
    added."""
    added = 0
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        for name, (rule, place) in CELLS.items():
            cell = Organization.objects.filter(name=name, level=Level.CELL).first()
            if cell is None:
                continue
            done = Meeting.objects.filter(
                cell=cell, status=MeetingStatus.ARCHIVED, starts_at__date__lt=today
            ).count()
            for months_back in PAST_MONTHS[done:]:
                month = (today.month - months_back - 1) % 12 + 1
                year = today.year + (today.month - months_back - 1) // 12
                day = rule.day_in(year, month)
                start = datetime.datetime.combine(
                    day, rule.time, tzinfo=timezone.get_current_timezone()
                )
                _hold_past_meeting(cell, start, place, today)
                added += 1
    return added


def _hold_past_meeting(
    cell: Organization, start: datetime.datetime, place: str, today: datetime.date
) -> Meeting:
    secretary, deputy = _people(cell, today)
    # The cell's own members in the demo's order (members.demo.CELLS).
    people = list(Member.objects.filter(home_cell=cell, temporary_cell__isnull=True).order_by("pk"))
    clock = DemoClock(start - datetime.timedelta(days=7))
    with transaction.atomic(), mock.patch("django.utils.timezone.now", clock.now):
        actor = secretary.user
        meeting = scheduling.create_meeting(
            actor=actor,
            cell=cell,
            details=scheduling.MeetingDetails(
                kind=MeetingKind.REGULAR,
                mode=MeetingMode.IN_PERSON,
                starts_at=start,
                planned_minutes=120,
                place=place,
                chair=secretary,
                recorder=deputy,
            ),
        )
        agenda.apply_agenda_template(actor=actor, meeting=meeting, template="regular")
        scheduling.schedule_meeting(actor=actor, meeting=meeting)
        clock.moment = start
        room.start_meeting(meeting_id=meeting.pk, actor=actor)
        absent = people[-3]  # one official member is away with a reason
        for member in roster_members(meeting):
            away = member.pk == absent.pk or (
                member.home_cell_id == cell.pk and member.temporary_cell_on(start.date())
            )
            attendance.mark(
                meeting_id=meeting.pk,
                actor=actor,
                member_id=member.pk,
                status="absent_with_reason" if away else "present",
                reason=(
                    "Đi công tác, đã báo cáo chi ủy"
                    if member.pk == absent.pk
                    else "Sinh hoạt tạm thời ở chi bộ khác"
                )
                if away
                else "",
            )
        items = list(meeting.agenda_items.order_by("position"))
        summaries = {}
        for item in items:
            clock.advance(minutes=8)
            room.open_item(meeting_id=meeting.pk, actor=actor, item_id=item.pk)
            if item.kind in DEMO_SUMMARIES:
                summaries[item.pk] = DEMO_SUMMARIES[item.kind]
            for index, note in DEMO_TURNS.get(item.kind, []):
                speaker = people[index]
                request = speaking.request_floor(
                    meeting_id=meeting.pk, actor=speaker.user, kind="regular"
                )
                clock.advance(minutes=1)
                turn = speaking.grant_floor(
                    meeting_id=meeting.pk, actor=actor, request_id=request["request"]
                )
                clock.advance(minutes=3)
                speaking.note_turn(
                    meeting_id=meeting.pk,
                    actor=deputy.user,
                    turn_id=turn["turn"],
                    text=note.removeprefix("Bảo lưu ý kiến: "),
                    reserved=note.startswith("Bảo lưu"),
                )
                speaking.end_turn(meeting_id=meeting.pk, actor=actor)
            if item.kind == "resolution":
                _demo_vote(meeting, actor, "resolution", "Thông qua kết luận của chi bộ")
            if item is items[-1]:
                _demo_vote(meeting, actor, "minutes_approval", "Thông qua biên bản")
        clock.advance(minutes=5)
        room.end_meeting(meeting_id=meeting.pk, actor=actor)
        edits = Edits(
            number=f"{start.month:02d}-BB/CB",
            content_summary="Đánh giá kết quả thực hiện nhiệm vụ tháng trước; phương hướng, "
            "nhiệm vụ tháng tới; đảng viên thảo luận.",
            item_summaries=summaries,
            conclusion="Chi bộ thống nhất đánh giá kết quả tháng trước và phương hướng tháng tới."
            "\nGiao chi ủy cụ thể hóa thành kế hoạch, phân công đảng viên thực hiện.",
            assignments=(
                Assignment(deputy.full_name, "Theo dõi thu đảng phí", start.date() + WEEKS_3),
                Assignment(
                    people[4].full_name, "Vận động tổ dân phố giữ vệ sinh", start.date() + WEEKS_4
                ),
            ),
            quality_grade="Tốt",
            quality_score=90,
            quality_notes="Đảng viên dự đủ, thảo luận sôi nổi, đúng chương trình.",
        )
        clock.advance(hours=2)
        minutes_services.save_edits(actor=deputy.user, meeting=meeting, edits=edits)
        minutes_services.approve(actor=deputy.user, meeting=meeting)
    # The PDF is made and signed now (the task's body, then both signers with their codes).
    document = SignedDocument.objects.get(minutes__meeting=meeting, kind=DocumentKind.MINUTES)
    minutes_services.render_document(document_id=document.pk)
    for member in (secretary, deputy):
        with member_demo.spent_code(member.user) as code:
            minutes_services.sign_document(actor=member.user, document=document, code=code)
    return meeting


def _demo_vote(meeting: Meeting, actor: User, kind: str, question: str) -> None:
    """Every member allowed to vote says yes."""
    # The demo's resolution is the vote on the chair's conclusion.
    options = {"conclusion": True} if kind == "resolution" else None
    opened = voting.open_vote(
        meeting_id=meeting.pk, actor=actor, kind=kind, question=question, options=options
    )
    vote = Vote.objects.get(pk=opened["vote"])
    voters = Member.objects.filter(pk__in=vote.eligible).select_related("user")
    for member in voters:
        voting.cast_ballot(
            meeting_id=meeting.pk,
            actor=member.user,
            vote_id=vote.pk,
            ballot_id=str(uuid.uuid4()),
            choice="yes",
        )
    voting.close_vote(meeting_id=meeting.pk, actor=actor, vote_id=vote.pk)
