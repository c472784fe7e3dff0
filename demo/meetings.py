"""A believable year of the demo cells (demo.roster), relative to the day it is seeded: every
meeting from 1 January until yesterday held through the services with minutes signed in time
(`seed_past_meetings`), the next twelve months scheduled (`seed_meetings`: a regular meeting
every month, a thematic one every quarter) and a meeting in progress (`seed_meeting_in_progress`).
Idempotent. FOR THE DEMO ONLY."""

from __future__ import annotations

import datetime
import uuid
from unittest import mock

from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from demo import roster as member_demo
from meetings.enums import MeetingKind, MeetingMode, MeetingStatus
from meetings.models import Meeting, Vote
from meetings.recurrence import MonthlyRule
from meetings.room import roster_members
from meetings.services import agenda, attendance, room, scheduling, speaking, voting
from members import queries as member_queries
from members.enums import CellRoleKind, Level
from members.models import Member, Organization, User
from minutes.document import Assignment
from minutes.drafting import Edits
from minutes.models import DocumentKind, SignedDocument
from minutes.services import approval as minutes_approval
from minutes.services import drafting as minutes_drafting
from minutes.services import rendering as minutes_rendering
from minutes.services import signing as minutes_signing

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
                details=_details(cell, MeetingKind.THEMATIC, quarter, start, place, today),
            )
            agenda.apply_agenda_template(actor=actor, meeting=meeting, template="thematic")
            scheduling.schedule_meeting(actor=actor, meeting=meeting)
            added += 1
    return added


# --- Past meetings with signed minutes ----------------------------------------------------------

WEEKS_3, WEEKS_4 = datetime.timedelta(weeks=3), datetime.timedelta(weeks=4)
SIGNED_AFTER = datetime.timedelta(days=1, hours=14)  # within two days: the deadline is 7
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
    "thematic_report": "Đồng chí Bí thư trình bày báo cáo chuyên đề, liên hệ việc thực hiện ở "
    "chi bộ và khu dân cư.",
}
SUMMARY_OF_KIND = {
    MeetingKind.REGULAR: (
        "Đánh giá kết quả thực hiện nhiệm vụ tháng trước; phương hướng, nhiệm vụ tháng tới; "
        "đảng viên thảo luận.",
        "Chi bộ thống nhất đánh giá kết quả tháng trước và phương hướng tháng tới."
        "\nGiao chi ủy cụ thể hóa thành kế hoạch, phân công đảng viên thực hiện.",
    ),
    MeetingKind.THEMATIC: (
        "Báo cáo chuyên đề; đảng viên thảo luận, liên hệ bản thân.",
        "Chi bộ thống nhất nội dung chuyên đề; mỗi đảng viên đăng ký việc làm cụ thể."
        "\nGiao chi ủy theo dõi, đánh giá kết quả trong sinh hoạt thường kỳ.",
    ),
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


def first_held_day(today: datetime.date) -> datetime.date:
    """The demo's past starts on 1 January, or two months back early in the year (so that a
    demo seeded in January still has past minutes to show)."""
    month = today.month - 2
    two_months_back = datetime.date(today.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
    return min(datetime.date(today.year, 1, 1), two_months_back)


def past_days(
    rule: MonthlyRule, today: datetime.date
) -> list[tuple[datetime.date, MeetingKind, int]]:
    """The days the cell met from `first_held_day` until yesterday: its regular day of each
    month, and the thematic day of each quarter (day, kind, quarter), in order."""
    first = first_held_day(today)
    days = []
    year, month = first.year, first.month
    while (year, month) <= (today.year, today.month):
        days.append((rule.day_in(year, month), MeetingKind.REGULAR, (month - 1) // 3 + 1))
        if month % 3 == 2:
            days.append((THEMATIC_DAY.day_in(year, month), MeetingKind.THEMATIC, month // 3 + 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return sorted(d for d in days if first <= d[0] < today)


def seed_past_meetings(today: datetime.date) -> int:
    """Every meeting of each demo cell from `first_held_day` until yesterday — its regular
    meeting each month, its thematic meeting each quarter — held through the live-room
    services, the minutes drafted, approved by the read-back vote, rendered and signed by chair
    and recorder the day after next (within the signing deadline). Days already held are left
    alone; returns how many were added."""
    added = 0
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        for name, (rule, place) in CELLS.items():
            cell = Organization.objects.filter(name=name, level=Level.CELL).first()
            if cell is None:
                continue
            zone = timezone.get_current_timezone()
            held = {
                (m.local_day, m.kind)
                for m in Meeting.objects.filter(cell=cell, status=MeetingStatus.ARCHIVED)
            }
            # Scheduled by an earlier run of the seed: held now rather than a second meeting.
            planned = {
                (m.local_day, m.kind): m
                for m in Meeting.objects.filter(cell=cell, status=MeetingStatus.SCHEDULED)
            }
            for day, kind, quarter in past_days(rule, today):
                if (day, kind) in held:
                    continue
                time = rule.time if kind == MeetingKind.REGULAR else THEMATIC_DAY.time
                start = datetime.datetime.combine(day, time, tzinfo=zone)
                _hold_past_meeting(
                    cell, kind, quarter, start, place, today, planned.get((day, kind))
                )
                added += 1
    return added


def _details(
    cell: Organization, kind: str, quarter: int, start: datetime.datetime, place: str, today
) -> scheduling.MeetingDetails:
    secretary, deputy = _people(cell, today)
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


def _hold_past_meeting(
    cell: Organization,
    kind: str,
    quarter: int,
    start: datetime.datetime,
    place: str,
    today: datetime.date,
    scheduled: Meeting | None = None,
) -> Meeting:
    secretary, deputy = _people(cell, today)
    # The cell's own members in the demo's order (demo.roster.CELLS).
    people = list(Member.objects.filter(home_cell=cell, temporary_cell__isnull=True).order_by("pk"))
    clock = DemoClock(start - datetime.timedelta(days=7))
    details = _details(cell, kind, quarter, start, place, today)
    with transaction.atomic(), mock.patch("django.utils.timezone.now", clock.now):
        actor = secretary.user
        meeting = scheduled
        if meeting is None:
            meeting = scheduling.create_meeting(actor=actor, cell=cell, details=details)
            template = "regular" if kind == MeetingKind.REGULAR else "thematic"
            agenda.apply_agenda_template(actor=actor, meeting=meeting, template=template)
            scheduling.schedule_meeting(actor=actor, meeting=meeting)
        clock.moment = start
        room.start_meeting(meeting_id=meeting.pk, actor=actor)
        absent = people[-2 - start.month % 3]  # one official member away with a reason
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
                assert speaker.user is not None  # noqa: S101 -- every demo member has an account
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
                # The meeting takes the time it planned: at least the charter's minimum (R-P4).
                clock.moment = max(clock.moment, start + datetime.timedelta(minutes=110))
                _demo_vote(meeting, actor, "minutes_approval", "Thông qua biên bản")
        clock.advance(minutes=5)
        room.end_meeting(meeting_id=meeting.pk, actor=actor)
        content, conclusion = SUMMARY_OF_KIND[MeetingKind(kind)]
        number = f"{start.month:02d}-BB/CB" if kind == MeetingKind.REGULAR else f"CĐ{quarter}-BB/CB"
        edits = Edits(
            number=number,
            content_summary=content,
            item_summaries=summaries,
            conclusion=conclusion,
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
        minutes_drafting.save_edits(actor=deputy.user, meeting=meeting, edits=edits)
        minutes_approval.approve(actor=deputy.user, meeting=meeting)
    # The PDF is made and signed as it would have been, the day after next (the task's body,
    # then both signers with their codes): archived well within the signing deadline.
    clock.moment = start + SIGNED_AFTER
    with mock.patch("django.utils.timezone.now", clock.now):
        document = SignedDocument.objects.get(minutes__meeting=meeting, kind=DocumentKind.MINUTES)
        minutes_rendering.render_document(document_id=document.pk)
        for member in (secretary, deputy):
            clock.advance(minutes=20)
            with member_demo.spent_code(member.user) as code:
                minutes_signing.sign_document(actor=member.user, document=document, code=code)
    return meeting


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
    secretary, deputy = _people(cell, timezone.localdate(now))
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
        assert member.user is not None  # noqa: S101 -- every demo member has an account
        voting.cast_ballot(
            meeting_id=meeting.pk,
            actor=member.user,
            vote_id=vote.pk,
            ballot_id=str(uuid.uuid4()),
            choice="yes",
        )
    voting.close_vote(meeting_id=meeting.pk, actor=actor, vote_id=vote.pk)
