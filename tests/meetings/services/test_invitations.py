import datetime
from email import message_from_bytes

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import translation
from icalendar import Calendar

from meetings import queries
from meetings.enums import AbsenceDecision, DeliveryKind, MeetingStatus, Reply
from meetings.errors import RuleViolation
from meetings.models import Delivery, Invitation, Notification
from meetings.services import invitations as invitation_services
from meetings.services import scheduling
from meetings.tasks import send_due_notices
from tests.meetings.helpers import EARLY_END, draft_meeting

pytestmark = pytest.mark.integration

START = datetime.datetime(2027, 3, 2, 12, 30, tzinfo=datetime.UTC)  # 19:30 in Hà Nội
ROLL_WITH_ADDRESSES = 9  # eight on the roll and the follower; the factories give everyone e-mail


def scheduled(scene, **overrides):
    meeting = draft_meeting(scene, starts_at=START, **overrides)
    return scheduling.schedule_meeting(actor=scene.secretary.user, meeting=meeting)


def calendar_of(message):
    """The .ics attachment of a sent e-mail, parsed back."""
    parsed = message_from_bytes(message.message().as_bytes())
    parts = [part for part in parsed.walk() if part.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    assert parts[0].get_filename() == "lich-sinh-hoat.ics"
    return parts[0].get_param("method"), Calendar.from_ical(parts[0].get_payload(decode=True))


def invitation_for(meeting, member):
    return Invitation.objects.get(meeting=meeting, member=member)


@time_machine.travel(START - datetime.timedelta(days=5), tick=False)
def test_scheduling_sends_invitations_with_a_valid_ics(
    cell_scene, mailoutbox, celery_eager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = scheduled(cell_scene, title="Sinh hoạt chi bộ tháng 3")

    assert len(mailoutbox) == ROLL_WITH_ADDRESSES
    to_secretary = next(m for m in mailoutbox if m.to == ["hang@chibo.invalid"])
    assert to_secretary.subject == (
        "[Chi bộ Khu phố 5] Giấy mời: Sinh hoạt chi bộ tháng 3, 19:30 02/03/2027"
    )
    assert "Kính gửi đồng chí Nguyễn Thị Hằng," in to_secretary.body
    assert "Địa điểm: Nhà văn hóa khu phố 5" in to_secretary.body
    method, calendar = calendar_of(to_secretary)
    event = calendar.walk("VEVENT")[0]
    assert method == "REQUEST"
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == f"meeting-{meeting.pk}@127.0.0.1"
    assert event.decoded("DTSTART") == START
    assert event.decoded("DTEND") == START + datetime.timedelta(minutes=90)
    assert str(event["DTSTART"].params["TZID"]) == "Asia/Ho_Chi_Minh"
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Asia/Ho_Chi_Minh"
    assert str(event["SUMMARY"]) == "Sinh hoạt chi bộ tháng 3 – Chi bộ Khu phố 5"
    assert str(event["LOCATION"]) == "Nhà văn hóa khu phố 5"
    assert event["SEQUENCE"] == 0
    assert str(event["ATTENDEE"]) == "mailto:hang@chibo.invalid"
    assert Notification.objects.filter(kind="invitation").count() == ROLL_WITH_ADDRESSES
    guest_mail = next(m for m in mailoutbox if cell_scene.follower.user.email in m.to)
    assert "trân trọng kính mời đồng chí" in guest_mail.body


@time_machine.travel(START - datetime.timedelta(days=30), tick=False)
def test_invitations_wait_until_the_lead_time(
    cell_scene, mailoutbox, celery_eager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = scheduled(cell_scene)

    early = len(mailoutbox)
    with time_machine.travel(START - datetime.timedelta(days=13), tick=False):
        send_due_notices.delay().get()

    assert early == 0
    assert Delivery.objects.filter(meeting=meeting, kind="invitation").count() == (
        ROLL_WITH_ADDRESSES
    )
    assert len(mailoutbox) == ROLL_WITH_ADDRESSES


def test_reminders_go_out_24_hours_and_1_hour_before_each_once(
    cell_scene, mailoutbox, celery_eager
):
    with time_machine.travel(START - datetime.timedelta(days=5), tick=False):
        meeting = scheduled(cell_scene)
        send_due_notices.delay().get()  # the invitations
    absent = invitation_for(meeting, cell_scene.members[2])
    with time_machine.travel(START - datetime.timedelta(days=4), tick=False):
        invitation_services.reply_to_invitation(
            actor=cell_scene.members[2].user, invitation=absent, reply="absent", reason="Ốm"
        )
    mailoutbox.clear()

    sent = {}
    for label, before in [
        ("25h", datetime.timedelta(hours=25)),
        ("23h", datetime.timedelta(hours=23)),
        ("23h again", datetime.timedelta(hours=22, minutes=55)),
        ("50min", datetime.timedelta(minutes=50)),
        ("45min again", datetime.timedelta(minutes=45)),
        ("after the start", -datetime.timedelta(minutes=5)),
    ]:
        with time_machine.travel(START - before, tick=False):
            sent[label] = send_due_notices.delay().get()

    reminded = ROLL_WITH_ADDRESSES - 1  # not the member whose absence is pending
    assert sent == {
        "25h": 0,
        "23h": reminded,
        "23h again": 0,
        "50min": reminded,
        "45min again": 0,
        "after the start": 0,
    }
    subjects = sorted({m.subject for m in mailoutbox})
    assert subjects == [
        "[Chi bộ Khu phố 5] Nhắc lịch: Sinh hoạt thường kỳ 02/03/2027 bắt đầu sau 1 giờ "
        "(19:30 02/03/2027)",
        "[Chi bộ Khu phố 5] Nhắc lịch: Sinh hoạt thường kỳ 02/03/2027 bắt đầu sau 24 giờ "
        "(19:30 02/03/2027)",
    ]
    assert Delivery.objects.filter(meeting=meeting, kind=DeliveryKind.REMINDER).count() == (
        2 * reminded
    )
    assert not any(cell_scene.members[2].user.email in m.to for m in mailoutbox)


def test_an_invitation_sent_inside_the_reminder_window_serves_as_the_reminder(
    cell_scene, mailoutbox, celery_eager, django_capture_on_commit_callbacks
):
    with time_machine.travel(START - datetime.timedelta(hours=20), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            scheduled(cell_scene)
        again = send_due_notices.delay().get()

    assert again == 0
    assert {m.subject.split("]")[1].split(":")[0] for m in mailoutbox} == {" Giấy mời"}


def test_postponing_tells_the_invited_and_removes_the_event_from_their_calendar(
    cell_scene, mailoutbox, celery_eager, django_capture_on_commit_callbacks
):
    with time_machine.travel(START - datetime.timedelta(days=5), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            meeting = scheduled(cell_scene)
        mailoutbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            scheduling.postpone_meeting(
                actor=cell_scene.secretary.user, meeting=meeting, reason="Trùng lịch của phường"
            )

    assert len(mailoutbox) == ROLL_WITH_ADDRESSES
    method, calendar = calendar_of(mailoutbox[0])
    event = calendar.walk("VEVENT")[0]
    assert (method, str(calendar["METHOD"]), str(event["STATUS"]), event["SEQUENCE"]) == (
        "CANCEL",
        "CANCEL",
        "CANCELLED",
        1,
    )
    assert "Lý do: Trùng lịch của phường" in mailoutbox[0].body


def test_moving_a_scheduled_meeting_sends_an_update_with_a_higher_sequence(
    cell_scene, mailoutbox, celery_eager, django_capture_on_commit_callbacks
):
    with time_machine.travel(START - datetime.timedelta(days=5), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            meeting = scheduled(cell_scene)
        mailoutbox.clear()
        later = START + datetime.timedelta(days=1)
        with django_capture_on_commit_callbacks(execute=True):
            scheduling.update_meeting(
                actor=cell_scene.secretary.user,
                meeting=meeting,
                details=scheduling.MeetingDetails(
                    kind="regular",
                    mode="in_person",
                    starts_at=later,
                    planned_minutes=90,
                    place="Nhà văn hóa khu phố 5",
                ),
            )

    assert len(mailoutbox) == ROLL_WITH_ADDRESSES
    assert mailoutbox[0].subject.startswith("[Chi bộ Khu phố 5] Thay đổi lịch:")
    _method, calendar = calendar_of(mailoutbox[0])
    event = calendar.walk("VEVENT")[0]
    assert (event["SEQUENCE"], event.decoded("DTSTART")) == (1, later)


# ---------------------------------------------------------------- answers and the vote base


@time_machine.travel(START - datetime.timedelta(days=5), tick=False)
def test_an_approved_absence_leaves_the_member_out_of_the_expected_vote_base(cell_scene):
    meeting = scheduled(cell_scene)
    member = cell_scene.members[0]
    before = queries.expected_vote_base(meeting)

    invitation = invitation_services.reply_to_invitation(
        actor=member.user, invitation=invitation_for(meeting, member), reply="absent",
        reason="Đi công tác Đà Nẵng",
    )  # fmt: skip
    pending = queries.expected_vote_base(meeting)
    invitation_services.decide_absence(
        actor=cell_scene.secretary.user, invitation=invitation, approve=True
    )
    after = queries.expected_vote_base(meeting)

    # Five official home members who are not exempt; the exempt member counts only if present.
    assert (before.size, pending.size, after.size) == (5, 5, 4)
    assert after.explanation == (
        "Số thành viên làm căn cứ biểu quyết N = 4 (R-V1; cách tính: không tính đảng viên vắng "
        "mặt cả buổi có lý do được chấp thuận, đảng viên miễn sinh hoạt được tính khi có mặt): "
        "6 đảng viên chính thức sinh hoạt chính thức tại chi bộ, "
        "trừ 1 được miễn công tác và sinh hoạt đảng, vắng mặt (R-R2), 1 vắng mặt có lý do được "
        "chấp thuận (R-V1). Có mặt và có quyền biểu quyết: 0. Không thuộc N và không biểu "
        "quyết: 1 đảng viên dự bị (R-R1), 1 đảng viên sinh hoạt tạm thời tại chi bộ (R-R3)."
    )


@time_machine.travel(START - datetime.timedelta(days=5), tick=False)
def test_the_strict_policy_keeps_approved_absentees_in_the_vote_base(cell_scene):
    cell_scene.superior.vote_base_policy = "strict"
    cell_scene.superior.save()
    meeting = scheduled(cell_scene)
    member = cell_scene.members[0]
    invitation = invitation_services.reply_to_invitation(
        actor=member.user, invitation=invitation_for(meeting, member), reply="absent", reason="Ốm"
    )

    invitation_services.decide_absence(
        actor=cell_scene.secretary.user, invitation=invitation, approve=True
    )

    assert queries.expected_vote_base(meeting).size == 5


@time_machine.travel(START - datetime.timedelta(days=5), tick=False)
def test_an_exempt_member_who_will_attend_is_expected_in_the_vote_base(cell_scene):
    meeting = scheduled(cell_scene)

    invitation_services.reply_to_invitation(
        actor=cell_scene.exempt.user,
        invitation=invitation_for(meeting, cell_scene.exempt),
        reply="attend",
    )

    assert queries.expected_vote_base(meeting).size == 6


@time_machine.travel(START - datetime.timedelta(days=5), tick=False)
def test_absence_needs_a_reason_and_notifies_the_secretary_and_deputy(cell_scene):
    meeting = scheduled(cell_scene)
    member = cell_scene.members[1]
    invitation = invitation_for(meeting, member)

    with pytest.raises(RuleViolation) as refusal:
        invitation_services.reply_to_invitation(
            actor=member.user, invitation=invitation, reply="absent", reason=" "
        )
    invitation_services.reply_to_invitation(
        actor=member.user, invitation=invitation, reply="absent", reason="Con ốm"
    )

    assert refusal.value.field == "absence_reason"
    invitation.refresh_from_db()
    assert (invitation.reply, invitation.absence_decision) == (
        Reply.ABSENT,
        AbsenceDecision.PENDING,
    )
    notified = Notification.objects.filter(kind="absence_requested")
    assert sorted(n.user.member.full_name for n in notified) == ["Nguyễn Thị Hằng", "Trần Văn Đức"]
    assert notified[0].title == (
        "Đồng chí Phạm Thị Lan xin vắng mặt: Sinh hoạt thường kỳ 02/03/2027"
    )


@time_machine.travel(START - datetime.timedelta(days=5), tick=False)
def test_members_answer_only_for_themselves_and_only_managers_decide(cell_scene):
    meeting = scheduled(cell_scene)
    invitation = invitation_for(meeting, cell_scene.members[0])

    with pytest.raises(PermissionDenied):
        invitation_services.reply_to_invitation(
            actor=cell_scene.members[1].user, invitation=invitation, reply="attend"
        )
    invitation_services.reply_to_invitation(
        actor=cell_scene.members[0].user, invitation=invitation, reply="absent", reason="Ốm"
    )
    with pytest.raises(PermissionDenied):
        invitation_services.decide_absence(
            actor=cell_scene.members[1].user, invitation=invitation, approve=True
        )


@time_machine.travel(START - datetime.timedelta(days=5), tick=False)
def test_the_member_hears_the_decision_and_the_history_keeps_it(cell_scene):
    meeting = scheduled(cell_scene)
    member = cell_scene.members[0]
    invitation = invitation_services.reply_to_invitation(
        actor=member.user, invitation=invitation_for(meeting, member), reply="absent", reason="Ốm"
    )

    invitation_services.decide_absence(
        actor=cell_scene.deputy.user, invitation=invitation, approve=False, note="Cần có mặt"
    )

    notice = Notification.objects.get(user=member.user, kind="absence_decided")
    assert notice.title == (
        "Lý do vắng mặt của đồng chí không được chấp thuận: Sinh hoạt thường kỳ 02/03/2027"
    )
    assert notice.body == "Cần có mặt"
    change = meeting.changes.get(action="absence_decided")
    assert change.details == {"member": "Lê Minh Tuấn", "decision": "rejected"}


@time_machine.travel(START - datetime.timedelta(days=5), tick=False)
def test_no_answers_after_the_meeting_has_ended(cell_scene):
    meeting = scheduled(cell_scene)
    invitation = invitation_for(meeting, cell_scene.members[0])
    with time_machine.travel(START, tick=False):  # the day it was called for
        for status in (MeetingStatus.IN_PROGRESS, MeetingStatus.ENDED):
            scheduling.change_status(
                actor=cell_scene.secretary.user, meeting=meeting, to_status=status, reason=EARLY_END
            )

    with pytest.raises(RuleViolation, match="không còn nhận trả lời"):
        invitation_services.reply_to_invitation(
            actor=cell_scene.members[0].user, invitation=invitation, reply="attend"
        )


@time_machine.travel(START - datetime.timedelta(days=5), tick=False)
def test_only_an_absence_can_be_decided(cell_scene):
    meeting = scheduled(cell_scene)
    invitation = invitation_for(meeting, cell_scene.members[0])

    with pytest.raises(RuleViolation, match="không xin vắng mặt"):
        invitation_services.decide_absence(
            actor=cell_scene.secretary.user, invitation=invitation, approve=True
        )


@time_machine.travel(START - datetime.timedelta(days=5), tick=False)
def test_changing_an_answer_back_to_attend_clears_the_decision(cell_scene):
    meeting = scheduled(cell_scene)
    member = cell_scene.members[0]
    invitation = invitation_services.reply_to_invitation(
        actor=member.user, invitation=invitation_for(meeting, member), reply="absent", reason="Ốm"
    )
    invitation_services.decide_absence(
        actor=cell_scene.secretary.user, invitation=invitation, approve=True
    )

    invitation = invitation_services.reply_to_invitation(
        actor=member.user, invitation=invitation, reply="attend"
    )

    assert (invitation.reply, invitation.absence_decision, invitation.absence_reason) == (
        "attend",
        "",
        "",
    )
    assert queries.expected_vote_base(meeting).size == 5


@time_machine.travel(START - datetime.timedelta(days=5), tick=False)
def test_cancelling_tells_only_those_already_invited(
    cell_scene, mailoutbox, celery_eager, django_capture_on_commit_callbacks
):
    with time_machine.travel(START - datetime.timedelta(days=30), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            meeting = scheduled(cell_scene)  # too early: no invitation e-mail yet
        with django_capture_on_commit_callbacks(execute=True):
            scheduling.cancel_meeting(
                actor=cell_scene.secretary.user, meeting=meeting, reason="Sáp nhập chi bộ"
            )

    assert mailoutbox == []
    assert Delivery.objects.filter(meeting=meeting).count() == 0


@time_machine.travel(START - datetime.timedelta(days=5), tick=False)
def test_notices_are_written_in_the_product_s_language_whatever_the_actor_reads(cell_scene):
    # Notifications are stored as text: a member asking leave with the English interface on
    # sent the secretaries an English title, a deputy deciding in English an English one.
    meeting = scheduled(cell_scene)
    member = cell_scene.members[0]

    with translation.override("en"):
        invitation = invitation_services.reply_to_invitation(
            actor=member.user,
            invitation=invitation_for(meeting, member),
            reply="absent",
            reason="Ốm",
        )
        invitation_services.decide_absence(
            actor=cell_scene.deputy.user, invitation=invitation, approve=True
        )

    asked = Notification.objects.filter(kind="absence_requested").first()
    decided = Notification.objects.get(user=member.user, kind="absence_decided")
    assert asked.title == "Đồng chí Lê Minh Tuấn xin vắng mặt: Sinh hoạt thường kỳ 02/03/2027"
    assert decided.title == (
        "Lý do vắng mặt của đồng chí được chấp thuận: Sinh hoạt thường kỳ 02/03/2027"
    )
