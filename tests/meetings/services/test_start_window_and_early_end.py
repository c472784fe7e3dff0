"""Issue 13, defects 5 and 6: a meeting starts only within a window around the time members were
called for, and is not ended before the charter's minimum without a reason. A refusal is one
Vietnamese sentence and changes nothing: no event, no roll, no history, the status as it was."""

import datetime

import pytest
import time_machine

from meetings.enums import MeetingStatus
from meetings.errors import RuleViolation
from meetings.models import Attendance, Meeting, MeetingChange, MeetingEvent
from meetings.services import room, scheduling
from tests.meetings.helpers import details, draft_meeting

pytestmark = pytest.mark.integration

# 19:30 on 02/02/2027 in Hà Nội; the meeting of the report was started on 07/12/2026.
SCHEDULED = datetime.datetime(2027, 2, 2, 12, 30, tzinfo=datetime.UTC)
MINUTE = datetime.timedelta(minutes=1)


def scheduled(scene, starts_at=SCHEDULED, **overrides):
    with time_machine.travel(starts_at - datetime.timedelta(days=70), tick=False):
        meeting = draft_meeting(
            scene, starts_at=starts_at, chair=scene.secretary, recorder=scene.deputy, **overrides
        )
        return scheduling.schedule_meeting(actor=scene.secretary.user, meeting=meeting)


def trace(meeting):
    """What a start or an end would change."""
    fresh = Meeting.objects.get(pk=meeting.pk)
    return (
        fresh.status,
        fresh.started_at,
        fresh.ended_at,
        fresh.early_end_reason,
        MeetingEvent.objects.filter(meeting=meeting).count(),
        Attendance.objects.filter(meeting=meeting).count(),
        MeetingChange.objects.filter(meeting=meeting).count(),
    )


def start_in_room(scene, meeting):
    return room.start_meeting(meeting_id=meeting.pk, actor=scene.secretary.user)


def start_on_page(scene, meeting):
    return scheduling.start_meeting(actor=scene.secretary.user, meeting=meeting)


@pytest.mark.parametrize("start", [start_in_room, start_on_page], ids=["room", "page"])
def test_a_start_two_months_early_is_refused_and_changes_nothing(cell_scene, start):
    meeting = scheduled(cell_scene)
    before = trace(meeting)

    today = datetime.datetime(2026, 12, 7, 2, 0, tzinfo=datetime.UTC)
    with time_machine.travel(today), pytest.raises(RuleViolation) as refusal:
        start(cell_scene, meeting)

    assert refusal.value.reason == "outside_start_window"
    assert refusal.value.message == (
        "Không thể bắt đầu lúc này: buổi sinh hoạt được triệu tập lúc 19:30 ngày 02/02/2027, "
        "chỉ bắt đầu được từ 18:30 đến hết ngày 02/02/2027. Muốn họp vào thời gian khác, hãy sửa "
        "thời gian bắt đầu của buổi sinh hoạt; các đồng chí được mời sẽ nhận giấy mời mới."
    )
    assert trace(meeting) == before
    assert before[0] == MeetingStatus.SCHEDULED


@pytest.mark.parametrize(
    ("moment", "allowed"),
    [
        (SCHEDULED - 61 * MINUTE, False),
        (SCHEDULED - 60 * MINUTE, True),
        (SCHEDULED + 3 * 60 * MINUTE, True),
        # 23:59 and midnight in Hà Nội: the scheduled day ends there.
        (datetime.datetime(2027, 2, 2, 16, 59, tzinfo=datetime.UTC), True),
        (datetime.datetime(2027, 2, 2, 17, 0, tzinfo=datetime.UTC), False),
    ],
    ids=["61-min-early", "60-min-early", "3-h-late", "23-59", "next-day"],
)
def test_the_window_opens_an_hour_before_and_closes_with_the_scheduled_day(
    cell_scene, moment, allowed
):
    meeting = scheduled(cell_scene)

    with time_machine.travel(moment, tick=False):
        if allowed:
            start_in_room(cell_scene, meeting)
        else:
            with pytest.raises(RuleViolation):
                start_in_room(cell_scene, meeting)

    status = Meeting.objects.get(pk=meeting.pk).status
    assert status == (MeetingStatus.IN_PROGRESS if allowed else MeetingStatus.SCHEDULED)


def test_the_window_before_the_start_is_a_setting(cell_scene, settings):
    settings.MEETINGS_START_WINDOW_MINUTES = 120
    meeting = scheduled(cell_scene)

    with time_machine.travel(SCHEDULED - 90 * MINUTE, tick=False):
        start_in_room(cell_scene, meeting)

    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.IN_PROGRESS


def test_rescheduling_tells_the_invitees_and_then_the_meeting_starts(
    cell_scene, mailoutbox, celery_eager, django_capture_on_commit_callbacks, settings
):
    settings.MEETINGS_INVITATION_LEAD_DAYS = 90  # the invitations went out when it was scheduled
    with django_capture_on_commit_callbacks(execute=True):
        meeting = scheduled(cell_scene)
    invited = {m.to[0] for m in mailoutbox}
    today = datetime.datetime(2026, 12, 7, 2, 0, tzinfo=datetime.UTC)
    with time_machine.travel(today, tick=False):
        with pytest.raises(RuleViolation):
            start_in_room(cell_scene, meeting)
        mailoutbox.clear()
        soon = today + 30 * MINUTE
        with django_capture_on_commit_callbacks(execute=True):
            scheduling.update_meeting(
                actor=cell_scene.secretary.user,
                meeting=meeting,
                details=details(
                    starts_at=soon, chair=cell_scene.secretary, recorder=cell_scene.deputy
                ),
            )
        start_in_room(cell_scene, meeting)

    assert {m.to[0] for m in mailoutbox} == invited
    assert all(m.subject.startswith("[Chi bộ Khu phố 5] Thay đổi lịch:") for m in mailoutbox)
    fresh = Meeting.objects.get(pk=meeting.pk)
    assert (fresh.status, fresh.started_at, fresh.local_day) == (
        MeetingStatus.IN_PROGRESS,
        today,
        datetime.date(2026, 12, 7),
    )


def test_the_meeting_is_dated_the_day_it_was_held(cell_scene):
    # Called for 00:30 on 01/01/2027, started 45 minutes early: held on 31/12/2026.
    meeting = scheduled(
        cell_scene, starts_at=datetime.datetime(2026, 12, 31, 17, 30, tzinfo=datetime.UTC)
    )

    with time_machine.travel(datetime.datetime(2026, 12, 31, 16, 45, tzinfo=datetime.UTC)):
        assert Meeting.objects.get(pk=meeting.pk).local_day == datetime.date(2027, 1, 1)
        start_in_room(cell_scene, meeting)

    assert Meeting.objects.get(pk=meeting.pk).local_day == datetime.date(2026, 12, 31)


# ---------------------------------------------------------------- ending before the minimum


def in_progress(scene):
    meeting = scheduled(scene)
    with time_machine.travel(SCHEDULED, tick=False):
        start_in_room(scene, meeting)
    return Meeting.objects.get(pk=meeting.pk)


def end_in_room(scene, meeting, reason=None):
    extra = {} if reason is None else {"reason": reason}
    return room.end_meeting(meeting_id=meeting.pk, actor=scene.secretary.user, **extra)


def end_on_page(scene, meeting, reason=None):
    return scheduling.change_status(
        actor=scene.secretary.user,
        meeting=meeting,
        to_status=MeetingStatus.ENDED,
        reason=reason or "",
    )


@pytest.mark.parametrize("end", [end_in_room, end_on_page], ids=["room", "page"])
@pytest.mark.parametrize("reason", [None, "", "   "], ids=["none", "empty", "blank"])
def test_an_early_end_without_a_reason_is_refused_and_changes_nothing(cell_scene, end, reason):
    meeting = in_progress(cell_scene)
    before = trace(meeting)

    with (
        time_machine.travel(SCHEDULED + 3 * MINUTE, tick=False),
        pytest.raises(RuleViolation) as refusal,
    ):
        end(cell_scene, meeting, reason)

    assert (refusal.value.reason, refusal.value.field) == ("ended_early", "reason")
    assert refusal.value.message == (
        "Buổi sinh hoạt mới diễn ra 3 phút, chưa đủ thời lượng tối thiểu 90 phút của sinh hoạt "
        "thường kỳ. Muốn kết thúc sớm, hãy ghi rõ lý do; lý do được ghi vào biên bản."
    )
    assert trace(meeting) == before
    assert before[0] == MeetingStatus.IN_PROGRESS


def test_an_early_end_with_a_reason_is_kept_on_the_meeting_and_its_history(cell_scene):
    meeting = in_progress(cell_scene)

    with time_machine.travel(SCHEDULED + 3 * MINUTE, tick=False):
        result = end_in_room(cell_scene, meeting, "  Mất điện toàn khu phố  ")

    fresh = Meeting.objects.get(pk=meeting.pk)
    assert (fresh.status, fresh.early_end_reason) == (
        MeetingStatus.ENDED,
        "Mất điện toàn khu phố",
    )
    assert result["early_end_reason"] == "Mất điện toàn khu phố"
    assert MeetingChange.objects.filter(meeting=meeting).last().reason == "Mất điện toàn khu phố"
    ended = MeetingEvent.objects.filter(meeting=meeting, event="meeting.ended").get()
    assert ended.payload["early_end_reason"] == "Mất điện toàn khu phố"


def test_an_end_after_the_minimum_needs_no_reason_and_keeps_none(cell_scene):
    meeting = in_progress(cell_scene)

    with time_machine.travel(SCHEDULED + 90 * MINUTE, tick=False):
        end_in_room(cell_scene, meeting, "Không cần")

    fresh = Meeting.objects.get(pk=meeting.pk)
    assert (fresh.status, fresh.early_end_reason) == (MeetingStatus.ENDED, "")


def test_a_kind_without_a_minimum_ends_at_any_time(cell_scene):
    meeting = scheduled(cell_scene, kind="extraordinary")
    with time_machine.travel(SCHEDULED, tick=False):
        start_in_room(cell_scene, meeting)
    with time_machine.travel(SCHEDULED + 3 * MINUTE, tick=False):
        end_in_room(cell_scene, meeting)

    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.ENDED
