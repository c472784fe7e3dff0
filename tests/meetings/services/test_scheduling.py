import datetime
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from meetings import queries
from meetings.enums import TRANSITIONS, MeetingChangeAction, MeetingStatus
from meetings.errors import RuleViolation
from meetings.models import Invitation, Meeting, MeetingChange
from meetings.recurrence import MonthlyRule
from meetings.services import agenda as agenda_services
from meetings.services import scheduling
from tests.meetings.helpers import details, draft_meeting, soon

pytestmark = pytest.mark.integration

HANOI = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")

S = MeetingStatus
# Every state, and how to bring a fresh draft there through the services.
PATHS = {
    S.DRAFT: [],
    S.SCHEDULED: [S.SCHEDULED],
    S.POSTPONED: [S.SCHEDULED, S.POSTPONED],
    S.CANCELLED: [S.CANCELLED],
    S.IN_PROGRESS: [S.SCHEDULED, S.IN_PROGRESS],
    S.ENDED: [S.SCHEDULED, S.IN_PROGRESS, S.ENDED],
    S.MINUTES_APPROVED: [S.SCHEDULED, S.IN_PROGRESS, S.ENDED, S.MINUTES_APPROVED],
    S.ARCHIVED: [S.SCHEDULED, S.IN_PROGRESS, S.ENDED, S.MINUTES_APPROVED, S.ARCHIVED],
}
ALLOWED = [(start, end) for start, ends in TRANSITIONS.items() for end in sorted(ends)]
REFUSED = [(start, end) for start in S.values for end in S.values if end not in TRANSITIONS[start]]


def bring_to(scene, status, *, to_be_started=False):
    # A meeting that will be started is called for within the start window (half an hour on).
    starting = to_be_started or S.IN_PROGRESS in PATHS[status]
    meeting = draft_meeting(scene, **({"starts_at": soon()} if starting else {}))
    for step in PATHS[status]:
        meeting = scheduling.change_status(
            actor=scene.secretary.user, meeting=meeting, to_status=step, reason="Lý do thử"
        )
    return meeting


def test_the_transition_table_reaches_every_state_and_ends_in_archived_or_cancelled():
    assert set(PATHS) == set(S.values)
    assert TRANSITIONS[S.ARCHIVED] == frozenset()
    assert TRANSITIONS[S.CANCELLED] == frozenset()


@pytest.mark.parametrize(("start", "end"), ALLOWED, ids=[f"{a}->{b}" for a, b in ALLOWED])
def test_allowed_transition_changes_state_and_keeps_history(cell_scene, start, end):
    meeting = bring_to(cell_scene, start, to_be_started=end == S.IN_PROGRESS)

    meeting = scheduling.change_status(
        actor=cell_scene.secretary.user, meeting=meeting, to_status=end, reason="Mưa bão"
    )

    assert Meeting.objects.get(pk=meeting.pk).status == end
    last = MeetingChange.objects.filter(meeting=meeting).last()
    assert (last.action, last.from_status, last.to_status, last.actor) == (
        MeetingChangeAction.STATUS_CHANGED,
        start,
        end,
        cell_scene.secretary.user,
    )


@pytest.mark.parametrize(("start", "end"), REFUSED, ids=[f"{a}->{b}" for a, b in REFUSED])
def test_refused_transition_leaves_the_meeting_alone(cell_scene, start, end):
    meeting = bring_to(cell_scene, start)
    history = MeetingChange.objects.filter(meeting=meeting).count()

    with pytest.raises(RuleViolation, match="Không thể chuyển"):
        scheduling.change_status(
            actor=cell_scene.secretary.user, meeting=meeting, to_status=end, reason="x"
        )

    assert Meeting.objects.get(pk=meeting.pk).status == start
    assert MeetingChange.objects.filter(meeting=meeting).count() == history


@pytest.mark.parametrize("target", [S.POSTPONED, S.CANCELLED])
def test_postponing_and_cancelling_need_a_reason(cell_scene, target):
    meeting = bring_to(cell_scene, S.SCHEDULED)

    with pytest.raises(RuleViolation) as refusal:
        scheduling.change_status(
            actor=cell_scene.secretary.user, meeting=meeting, to_status=target, reason="  "
        )

    assert (refusal.value.field, refusal.value.message) == ("reason", "Ghi rõ lý do hoãn hoặc hủy.")


def test_postponing_records_the_reason_and_a_new_calendar_version(cell_scene):
    meeting = bring_to(cell_scene, S.SCHEDULED)

    meeting = scheduling.postpone_meeting(
        actor=cell_scene.secretary.user, meeting=meeting, reason="Trùng lịch bầu cử"
    )

    assert (meeting.status, meeting.status_reason, meeting.sequence) == (
        S.POSTPONED,
        "Trùng lịch bầu cử",
        1,
    )
    assert MeetingChange.objects.filter(meeting=meeting).last().reason == "Trùng lịch bầu cử"


def test_scheduling_invites_the_roll_and_the_committee_member_following_the_cell(cell_scene):
    meeting = draft_meeting(cell_scene)

    scheduling.schedule_meeting(actor=cell_scene.secretary.user, meeting=meeting)

    invited = {(i.member.full_name, i.is_guest) for i in Invitation.objects.filter(meeting=meeting)}
    assert invited == {
        ("Nguyễn Thị Hằng", False),
        ("Trần Văn Đức", False),
        ("Lê Minh Tuấn", False),
        ("Phạm Thị Lan", False),
        ("Hoàng Văn Nam", False),
        ("Đỗ Văn Hùng", False),
        ("Lý Thị Ngọc Ánh", False),
        ("Đinh Công Thành", False),
        ("Võ Thành Công", True),
    }


def test_a_meeting_in_the_past_cannot_be_scheduled(cell_scene):
    meeting = draft_meeting(cell_scene, starts_at=timezone.now() - datetime.timedelta(hours=1))

    with pytest.raises(RuleViolation, match="Thời gian bắt đầu đã qua"):
        scheduling.schedule_meeting(actor=cell_scene.secretary.user, meeting=meeting)


@pytest.mark.parametrize("who", ["members", "follower", "outsider"])
def test_only_the_secretary_or_deputy_manages_meetings(cell_scene, who):
    person = getattr(cell_scene, who)
    person = person[0] if isinstance(person, list) else person

    with pytest.raises(PermissionDenied):
        scheduling.create_meeting(actor=person.user, cell=cell_scene.cell, details=details())


def test_the_deputy_secretary_manages_meetings_too(cell_scene):
    meeting = scheduling.create_meeting(
        actor=cell_scene.deputy.user, cell=cell_scene.cell, details=details()
    )

    assert meeting.status == S.DRAFT


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"mode": "online", "place": ""},
            "approval_number",
            "Sinh hoạt trực tuyến hoặc kết hợp phải có văn bản cho phép của cấp ủy cấp trên",
        ),
        (
            {"mode": "hybrid", "approval_number": "12-CV/ĐU"},
            "approval_date",
            "Ghi ngày của văn bản cho phép",
        ),
        ({"place": ""}, "place", "Ghi địa điểm họp."),
        ({"planned_minutes": 60}, "planned_minutes", "cần ít nhất 90 phút (Hướng dẫn 12-HD/BTCTW"),
    ],
    ids=["online-without-approval", "approval-without-date", "no-place", "too-short"],
)
def test_meeting_details_are_checked(cell_scene, overrides, field, message):
    with pytest.raises(RuleViolation) as refusal:
        draft_meeting(cell_scene, **overrides)

    assert refusal.value.field == field
    assert message in refusal.value.message


def test_an_online_meeting_with_the_superior_committees_approval_is_accepted(cell_scene):
    meeting = draft_meeting(
        cell_scene,
        mode="online",
        place="",
        online_room="Phòng họp trực tuyến của chi bộ",
        approval_number="125-CV/ĐU",
        approval_date=datetime.date(2027, 1, 5),
    )

    assert meeting.approval_reference == "văn bản số 125-CV/ĐU ngày 05/01/2027"


def test_changing_to_online_is_refused_while_the_agenda_holds_a_discipline_item(cell_scene):
    meeting = draft_meeting(cell_scene)
    agenda_services.add_agenda_item(
        actor=cell_scene.secretary.user,
        meeting=meeting,
        details=agenda_services.AgendaItemDetails(kind="discipline", title="Xem xét kỷ luật"),
    )

    with pytest.raises(RuleViolation) as refusal:
        scheduling.update_meeting(
            actor=cell_scene.secretary.user,
            meeting=meeting,
            details=details(
                mode="online", approval_number="1-CV", approval_date=datetime.date(2027, 1, 5)
            ),
        )

    assert refusal.value.field == "mode"
    assert "kỷ luật không được xử lý trong buổi sinh hoạt trực tuyến" in refusal.value.message


def test_editing_an_announced_meeting_bumps_the_calendar_version_and_keeps_the_change(cell_scene):
    meeting = bring_to(cell_scene, S.SCHEDULED)
    later = meeting.starts_at + datetime.timedelta(days=1)

    meeting = scheduling.update_meeting(
        actor=cell_scene.secretary.user, meeting=meeting, details=details(starts_at=later)
    )

    assert meeting.sequence == 1
    change = MeetingChange.objects.filter(meeting=meeting, action="edited").get()
    assert list(change.details) == ["starts_at"]


def test_editing_a_draft_does_not_bump_the_calendar_version(cell_scene):
    meeting = draft_meeting(cell_scene)

    meeting = scheduling.update_meeting(
        actor=cell_scene.secretary.user, meeting=meeting, details=details(place="Hội trường")
    )

    assert (meeting.sequence, meeting.place) == (0, "Hội trường")


def test_an_ended_meeting_cannot_be_edited(cell_scene):
    meeting = bring_to(cell_scene, S.ENDED)

    with pytest.raises(RuleViolation, match="chưa bắt đầu"):
        scheduling.update_meeting(
            actor=cell_scene.secretary.user, meeting=meeting, details=details()
        )


# ---------------------------------------------------------------- a year of regular meetings

FIRST_TUESDAY = MonthlyRule(ordinal=1, weekday=1, time=datetime.time(19, 30))


@time_machine.travel(datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC), tick=False)
def test_generation_makes_one_regular_meeting_per_month_on_the_rules_day(cell_scene):
    created = scheduling.generate_regular_meetings(
        actor=cell_scene.secretary.user,
        cell=cell_scene.cell,
        year=2027,
        rule=FIRST_TUESDAY,
        details=details(),
    )

    starts = [timezone.localtime(m.starts_at) for m in created]
    assert [s.date() for s in starts] == [
        datetime.date(2027, 1, 5),
        datetime.date(2027, 2, 2),
        datetime.date(2027, 3, 2),
        datetime.date(2027, 4, 6),
        datetime.date(2027, 5, 4),
        datetime.date(2027, 6, 1),
        datetime.date(2027, 7, 6),
        datetime.date(2027, 8, 3),
        datetime.date(2027, 9, 7),
        datetime.date(2027, 10, 5),
        datetime.date(2027, 11, 2),
        datetime.date(2027, 12, 7),
    ]
    assert {(s.hour, s.minute) for s in starts} == {(19, 30)}
    assert {m.status for m in created} == {S.DRAFT}
    assert [item.kind for item in queries.agenda_for(created[0])] == [
        "other", "news", "review", "plan", "discussion", "other", "conclusion", "resolution",
        "assessment", "closing",
    ]  # fmt: skip


@time_machine.travel(datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC), tick=False)
def test_generation_twice_adds_nothing_and_keeps_months_already_planned(cell_scene):
    march = draft_meeting(cell_scene, starts_at=datetime.datetime(2027, 3, 9, 8, tzinfo=HANOI))

    first = scheduling.generate_regular_meetings(
        actor=cell_scene.secretary.user, cell=cell_scene.cell, year=2027, rule=FIRST_TUESDAY,
        details=details(),
    )  # fmt: skip
    second = scheduling.generate_regular_meetings(
        actor=cell_scene.secretary.user, cell=cell_scene.cell, year=2027, rule=FIRST_TUESDAY,
        details=details(),
    )  # fmt: skip

    assert len(first) == 11
    assert second == []
    assert Meeting.objects.filter(cell=cell_scene.cell, kind="regular").count() == 12
    assert march.pk in Meeting.objects.filter(cell=cell_scene.cell).values_list("pk", flat=True)


@time_machine.travel(datetime.datetime(2027, 5, 10, 9, 0, tzinfo=datetime.UTC), tick=False)
def test_generation_with_schedule_skips_past_days_and_schedules_the_rest(cell_scene):
    created = scheduling.generate_regular_meetings(
        actor=cell_scene.secretary.user,
        cell=cell_scene.cell,
        year=2027,
        rule=FIRST_TUESDAY,
        details=details(),
        schedule=True,
        not_before=timezone.localdate(),
    )

    assert [m.local_day.month for m in created] == [6, 7, 8, 9, 10, 11, 12]
    assert {Meeting.objects.get(pk=m.pk).status for m in created} == {S.SCHEDULED}


@time_machine.travel(datetime.datetime(2027, 12, 31, 9, 0, tzinfo=datetime.UTC), tick=False)
def test_year_plan_warns_about_missing_regular_months_and_thematic_quarters(cell_scene):
    scheduling.generate_regular_meetings(
        actor=cell_scene.secretary.user, cell=cell_scene.cell, year=2027, rule=FIRST_TUESDAY,
        details=details(), not_after=datetime.date(2027, 10, 31),
    )  # fmt: skip
    draft_meeting(
        cell_scene,
        kind="thematic",
        starts_at=datetime.datetime(2027, 2, 9, 19, tzinfo=HANOI),
    )

    plan = queries.year_plan(cell_scene.cell, 2027, timezone.localdate())

    assert plan.planned.missing_months == (11, 12)
    assert plan.planned.missing_quarters == (2, 3, 4)
    assert plan.planned.explanation == (
        "Năm 2027 (R-M1, R-M3): thiếu sinh hoạt thường kỳ tháng 11, 12; "
        "thiếu sinh hoạt chuyên đề quý 2, 3, 4."
    )


def test_a_committee_meeting_invites_the_cell_committee_only(cell_scene):
    meeting = draft_meeting(cell_scene, kind="committee", planned_minutes=60)

    scheduling.schedule_meeting(actor=cell_scene.secretary.user, meeting=meeting)

    invited = {(i.member.full_name, i.is_guest) for i in Invitation.objects.filter(meeting=meeting)}
    assert invited == {("Nguyễn Thị Hằng", False), ("Trần Văn Đức", False), ("Võ Thành Công", True)}
    assert queries.expected_vote_base(meeting).size == 2
