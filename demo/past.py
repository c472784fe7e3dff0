"""The demo's past: every meeting of each demo cell from `first_held_day` until yesterday, held
through the live-room services, its minutes drafted, approved, rendered and signed in time
(`seed_past_meetings`). FOR THE DEMO ONLY."""

from __future__ import annotations

import datetime
import uuid
from unittest import mock

from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from demo import roster as member_demo
from demo.meetings import CELLS, THEMATIC_DAY, DemoClock, meeting_details, people_of
from meetings.enums import MeetingKind, MeetingStatus
from meetings.models import Meeting, Vote
from meetings.recurrence import MonthlyRule
from meetings.room import roster_members
from meetings.services import agenda, attendance, room, scheduling, speaking
from meetings.services.voting import casting, closing, opening
from members.enums import Level
from members.models import Member, Organization, User
from minutes.document import Assignment
from minutes.drafting import Edits
from minutes.models import DocumentKind, SignedDocument
from minutes.services import approval as minutes_approval
from minutes.services import drafting as minutes_drafting
from minutes.services import rendering as minutes_rendering
from minutes.services import signing as minutes_signing

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


def _hold_past_meeting(
    cell: Organization,
    kind: str,
    quarter: int,
    start: datetime.datetime,
    place: str,
    today: datetime.date,
    scheduled: Meeting | None = None,
) -> Meeting:
    secretary, deputy = people_of(cell, today)
    # The cell's own members in the demo's order (demo.roster.CELLS).
    people = list(Member.objects.filter(home_cell=cell, temporary_cell__isnull=True).order_by("pk"))
    clock = DemoClock(start - datetime.timedelta(days=7))
    details = meeting_details(cell, kind, quarter, start, place, today)
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
        # One official member away with a reason.
        _mark_attendance(meeting, actor, absent=people[-2 - start.month % 3], day=start.date())
        summaries = _hold_items(meeting, clock, actor, deputy, people, start)
        clock.advance(minutes=5)
        room.end_meeting(meeting_id=meeting.pk, actor=actor)
        clock.advance(hours=2)
        edits = _edits(kind, quarter, start, summaries, deputy, people)
        minutes_drafting.save_edits(actor=deputy.user, meeting=meeting, edits=edits)
        minutes_approval.approve(actor=deputy.user, meeting=meeting)
    _sign_minutes(meeting, clock, start, (secretary, deputy))
    return meeting


def _mark_attendance(meeting: Meeting, actor: User, absent: Member, day: datetime.date) -> None:
    """Everyone present but `absent` (away with a reason) and those meeting elsewhere on `day`."""
    for member in roster_members(meeting):
        away = member.pk == absent.pk or (
            member.home_cell_id == meeting.cell_id and member.temporary_cell_on(day)
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


def _hold_items(
    meeting: Meeting,
    clock: DemoClock,
    actor: User,
    recorder: Member,
    people: list[Member],
    start: datetime.datetime,
) -> dict[int, str]:
    """Each agenda item opened in turn, with its turns and votes; returns the items' summaries."""
    items = list(meeting.agenda_items.order_by("position"))
    summaries = {}
    for item in items:
        clock.advance(minutes=8)
        room.open_item(meeting_id=meeting.pk, actor=actor, item_id=item.pk)
        if item.kind in DEMO_SUMMARIES:
            summaries[item.pk] = DEMO_SUMMARIES[item.kind]
        for index, note in DEMO_TURNS.get(item.kind, []):
            _speak(meeting, clock, actor, recorder, people[index], note)
        if item is items[0]:
            # The opening: the meeting approves its agenda (template III.1).
            _demo_vote(meeting, actor, "resolution", "Thông qua chương trình sinh hoạt")
        if item.kind == "resolution":
            _demo_vote(
                meeting, actor, "resolution", "Thông qua kết luận của chi bộ", conclusion=True
            )
        if item is items[-1]:
            # The meeting takes the time it planned: at least the charter's minimum (R-P4).
            clock.moment = max(clock.moment, start + datetime.timedelta(minutes=110))
            _demo_vote(meeting, actor, "minutes_approval", "Thông qua biên bản")
    return summaries


def _speak(
    meeting: Meeting, clock: DemoClock, chair: User, recorder: Member, speaker: Member, note: str
) -> None:
    """The speaker asks for the floor, is given it and speaks; the recorder notes the turn."""
    assert speaker.user is not None  # noqa: S101 -- every demo member has an account
    assert recorder.user is not None  # noqa: S101 -- every demo member has an account
    request = speaking.request_floor(meeting_id=meeting.pk, actor=speaker.user, kind="regular")
    clock.advance(minutes=1)
    turn = speaking.grant_floor(meeting_id=meeting.pk, actor=chair, request_id=request["request"])
    clock.advance(minutes=3)
    speaking.note_turn(
        meeting_id=meeting.pk,
        actor=recorder.user,
        turn_id=turn["turn"],
        text=note.removeprefix("Bảo lưu ý kiến: "),
        reserved=note.startswith("Bảo lưu"),
    )
    speaking.end_turn(meeting_id=meeting.pk, actor=chair)


def _edits(
    kind: str,
    quarter: int,
    start: datetime.datetime,
    summaries: dict[int, str],
    deputy: Member,
    people: list[Member],
) -> Edits:
    content, conclusion = SUMMARY_OF_KIND[MeetingKind(kind)]
    number = f"{start.month:02d}-BB/CB" if kind == MeetingKind.REGULAR else f"CĐ{quarter}-BB/CB"
    return Edits(
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
        # Not "Đảng viên dự đủ": a member is away at every demo meeting.
        quality_notes="Thảo luận sôi nổi, đúng chương trình.",
    )


def _sign_minutes(
    meeting: Meeting, clock: DemoClock, start: datetime.datetime, signers: tuple[Member, Member]
) -> None:
    """The PDF is made and signed as it would have been, the day after next (the task's body,
    then both signers with their codes): archived well within the signing deadline."""
    clock.moment = start + SIGNED_AFTER
    with mock.patch("django.utils.timezone.now", clock.now):
        document = SignedDocument.objects.get(minutes__meeting=meeting, kind=DocumentKind.MINUTES)
        minutes_rendering.render_document(document_id=document.pk)
        for member in signers:
            assert member.user is not None  # noqa: S101 -- every demo member has an account
            clock.advance(minutes=20)
            with member_demo.spent_code(member.user) as code:
                minutes_signing.sign_document(actor=member.user, document=document, code=code)


def _demo_vote(
    meeting: Meeting, actor: User, kind: str, question: str, *, conclusion: bool = False
) -> None:
    """Every member allowed to vote says yes."""
    options = {"conclusion": True} if conclusion else None
    opened = opening.open_vote(
        meeting_id=meeting.pk, actor=actor, kind=kind, question=question, options=options
    )
    vote = Vote.objects.get(pk=opened["vote"])
    voters = Member.objects.filter(pk__in=vote.eligible).select_related("user")
    for member in voters:
        assert member.user is not None  # noqa: S101 -- every demo member has an account
        casting.cast_ballot(
            meeting_id=meeting.pk,
            actor=member.user,
            vote_id=vote.pk,
            ballot_id=str(uuid.uuid4()),
            choice="yes",
        )
    closing.close_vote(meeting_id=meeting.pk, actor=actor, vote_id=vote.pk)
