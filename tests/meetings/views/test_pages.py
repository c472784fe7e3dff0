import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from meetings.models import AgendaItem, Document, Invitation, Meeting, Notification
from meetings.services import agenda as agenda_services
from meetings.services import invitations as invitation_services
from meetings.services import scheduling
from tests.conftest import sign_in_verified
from tests.meetings.helpers import MINIMAL_PDF, draft_meeting

pytestmark = pytest.mark.integration

NOW = datetime.datetime(2027, 2, 20, 3, 0, tzinfo=datetime.UTC)
START = datetime.datetime(2027, 3, 2, 12, 30, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def client_of(member) -> Client:
    return sign_in_verified(Client(), member.user)


def scheduled(scene):
    meeting = draft_meeting(scene, starts_at=START)
    agenda_services.apply_agenda_template(
        actor=scene.secretary.user, meeting=meeting, template="regular"
    )
    return scheduling.schedule_meeting(actor=scene.secretary.user, meeting=meeting)


def text(response) -> str:
    return response.content.decode()


def test_meeting_page_shows_the_expected_vote_base_and_the_members_answer_form(cell_scene):
    meeting = scheduled(cell_scene)

    response = client_of(cell_scene.members[0]).get(reverse("meetings:detail", args=[meeting.pk]))

    page = text(response)
    assert response.status_code == 200
    assert '<p class="big-number" data-testid="vote-base">N&nbsp;=&nbsp;5</p>' in page
    assert (
        "Số thành viên làm căn cứ biểu quyết N = 5 (Quy định 24-QĐ/TW, điểm 9.3.2; cách tính:"
        in page
    )
    assert "Gửi trả lời" in page
    assert "Xin vắng mặt" in page
    assert "Lịch sử" not in page  # members see the state, the secretary and reviewers the log
    assert "Thông tin thời sự, quán triệt chỉ thị, nghị quyết của cấp trên" in page


def test_a_draft_is_hidden_from_members(cell_scene):
    meeting = draft_meeting(cell_scene)

    response = client_of(cell_scene.members[0]).get(reverse("meetings:detail", args=[meeting.pk]))

    assert response.status_code == 404


def test_creating_a_meeting_through_the_form(cell_scene):
    client = client_of(cell_scene.secretary)

    response = client.post(
        reverse("meetings:create", args=[cell_scene.cell.pk]),
        {
            "kind": "regular",
            "title": "",
            "day": "2027-03-02",
            "time": "19:30",
            "planned_minutes": "95",
            "mode": "in_person",
            "place": "Hội trường tổ dân phố",
            "chair": cell_scene.secretary.pk,
        },
    )

    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("meetings:agenda", args=[meeting.pk])
    assert (meeting.starts_at, meeting.planned_minutes, meeting.chair) == (
        START,
        95,
        cell_scene.secretary,
    )


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (
            {"mode": "online", "place": ""},
            "Sinh hoạt trực tuyến hoặc kết hợp phải có văn bản cho phép của cấp ủy cấp trên "
            "(Hướng dẫn 03-HD/TW",
        ),
        ({"day": "31/02/2027"}, "Nhập một ngày hợp lệ."),
        ({"planned_minutes": "abc"}, "Nhập một số tổng thể."),  # Django's own translation
        (
            {"planned_minutes": "45"},
            "Sinh hoạt thường kỳ cần ít nhất 90 phút (Hướng dẫn 12-HD/BTCTW",
        ),
        ({"kind": "congress"}, "Hãy chọn một lựa chọn hợp lệ."),
        # Out-of-range years: 01/01/0001 00:00 in Hanoi is before the first representable UTC
        # moment (a 500), 31/12/9999 saved a meeting whose calendar file then failed.
        ({"day": "01/01/0001", "time": "00:00"}, "Ngày họp phải trong khoảng từ"),
        ({"day": "31/12/9999", "time": "23:59"}, "Ngày họp phải trong khoảng từ"),
        ({"day": "02/03/2207"}, "Ngày họp phải trong khoảng từ 20/02/2017 đến 20/02/2037."),
    ],
    ids=[
        "online-without-approval",
        "bad-date",
        "not-a-number",
        "too-short",
        "unknown-kind",
        "year-1",
        "year-9999",
        "typo-year",
    ],
)
def test_bad_meeting_input_gets_a_vietnamese_form_error(cell_scene, data, error):
    fields = {
        "kind": "regular",
        "day": "2027-03-02",
        "time": "19:30",
        "planned_minutes": "90",
        "mode": "in_person",
        "place": "Hội trường",
        **data,
    }

    response = client_of(cell_scene.secretary).post(
        reverse("meetings:create", args=[cell_scene.cell.pk]), fields
    )

    assert response.status_code == 200
    assert error in text(response)
    assert Meeting.objects.count() == 0


def test_an_online_agenda_refuses_discipline_with_the_charters_reason(cell_scene):
    meeting = draft_meeting(
        cell_scene,
        mode="online",
        place="",
        approval_number="125-CV/ĐU",
        approval_date=datetime.date(2027, 1, 5),
    )

    response = client_of(cell_scene.secretary).post(
        reverse("meetings:agenda", args=[meeting.pk]),
        {"kind": "discipline", "title": "Xem xét kỷ luật", "planned_minutes": "20",
         "classification": "unclassified"},
    )  # fmt: skip

    assert response.status_code == 200
    assert (
        "Nội dung kỷ luật không được xử lý trong buổi sinh hoạt trực tuyến hoặc kết hợp "
        "(Hướng dẫn 03-HD/TW về sinh hoạt đảng trực tuyến; chính sách của cấp ủy)."
    ) in text(response)
    assert AgendaItem.objects.count() == 0


@pytest.mark.parametrize(
    ("upload", "classification", "error"),
    [
        (
            SimpleUploadedFile("nghi-quyet.pdf", b"MZ\x90\x00" + b"\x00" * 60 + b"PE\x00\x00"),
            "unclassified",
            "nội dung là tệp exe",
        ),
        (
            SimpleUploadedFile("bao-cao.pdf", MINIMAL_PDF),
            "toi_mat",
            "không được lưu trên hệ thống (Luật Bảo vệ bí mật nhà nước, Điều 5)",
        ),
        (
            SimpleUploadedFile("lon.pdf", MINIMAL_PDF + b"%" * 4096),
            "unclassified",
            "Tệp quá lớn: tối đa 2,0",
        ),
    ],
    ids=["renamed-executable", "secret", "oversized"],
)
def test_refused_uploads_show_why(cell_scene, media_root, settings, upload, classification, error):
    settings.MEETINGS_DOCUMENT_MAX_BYTES = 2048
    meeting = draft_meeting(cell_scene)

    response = client_of(cell_scene.secretary).post(
        reverse("meetings:document_upload", args=[meeting.pk]),
        {"file": upload, "title": "", "classification": classification},
    )

    assert response.status_code == 200
    assert error in text(response)
    assert Document.objects.count() == 0


def test_a_document_is_downloaded_through_the_view_by_members_only(cell_scene, media_root):
    meeting = scheduled(cell_scene)
    client = client_of(cell_scene.secretary)
    pdf = SimpleUploadedFile("Nghị quyết.pdf", MINIMAL_PDF)
    client.post(
        reverse("meetings:document_upload", args=[meeting.pk]),
        {"file": pdf, "classification": "unclassified"},
    )
    document = Document.objects.get()
    url = reverse("meetings:document_download", args=[meeting.pk, document.pk])

    member = client_of(cell_scene.members[0]).get(url)
    outsider = client_of(cell_scene.outsider).get(url)

    assert member.status_code == 200
    assert member.content == MINIMAL_PDF
    assert member["Content-Type"] == "application/pdf"
    assert member["Content-Disposition"] == (
        "attachment; filename*=utf-8''Ngh%E1%BB%8B%20quy%E1%BA%BFt.pdf"
    )
    assert member["Cache-Control"] == "private, no-store"
    assert outsider.status_code == 404
    assert str(media_root) not in text(client.get(reverse("meetings:detail", args=[meeting.pk])))


def test_a_late_document_is_flagged_on_the_meeting_page(cell_scene, media_root):
    meeting = scheduled(cell_scene)

    with time_machine.travel(START - datetime.timedelta(hours=5), tick=False):
        client = client_of(cell_scene.secretary)
        response = client.post(
            reverse("meetings:document_upload", args=[meeting.pk]),
            {"file": SimpleUploadedFile("muon.pdf", MINIMAL_PDF), "classification": "unclassified"},
            follow=True,
        )

    page = text(response)
    assert "tài liệu đến đảng viên chưa đủ 1 ngày trước buổi sinh hoạt" in page
    assert "Gửi muộn: chưa đủ 1 ngày trước buổi sinh hoạt" in page


def test_a_member_asks_to_be_excused_and_the_secretary_approves(cell_scene):
    meeting = scheduled(cell_scene)
    member = cell_scene.members[0]

    missing = client_of(member).post(
        reverse("meetings:reply", args=[meeting.pk]), {"reply": "absent", "absence_reason": ""}
    )
    sent = client_of(member).post(
        reverse("meetings:reply", args=[meeting.pk]),
        {"reply": "absent", "absence_reason": "Đi công tác Đà Nẵng"},
    )
    invitation = Invitation.objects.get(meeting=meeting, member=member)
    decided = client_of(cell_scene.secretary).post(
        reverse("meetings:decide_absence", args=[meeting.pk, invitation.pk]),
        {"decision": "approve", "note": ""},
        follow=True,
    )

    assert "Xin vắng mặt cần ghi rõ lý do." in text(missing)
    assert sent.status_code == 302
    page = text(decided)
    assert "Đã chấp thuận lý do vắng mặt của đồng chí Lê Minh Tuấn." in page
    assert '<p class="big-number" data-testid="vote-base">N&nbsp;=&nbsp;4</p>' in page
    assert "1 vắng mặt có lý do được chấp thuận (Quy định 24-QĐ/TW, điểm 9.3.2)" in page


def test_postponing_without_a_reason_shows_a_form_error(cell_scene):
    meeting = scheduled(cell_scene)

    page = client_of(cell_scene.secretary).get(
        reverse("meetings:change_status", args=[meeting.pk]) + "?to=postponed"
    )
    response = client_of(cell_scene.secretary).post(
        reverse("meetings:change_status", args=[meeting.pk]),
        {"to_status": "postponed", "reason": ""},
    )

    assert "Hoãn: Sinh hoạt thường kỳ 02/03/2027" in text(page)
    assert response.status_code == 200
    assert "Ghi rõ lý do hoãn hoặc hủy." in text(response)
    assert Meeting.objects.get().status == "scheduled"


def test_a_refused_transition_button_shows_a_message_not_an_error_page(cell_scene):
    meeting = draft_meeting(cell_scene)

    response = client_of(cell_scene.secretary).post(
        reverse("meetings:change_status", args=[meeting.pk]),
        {"to_status": "ended"},
        follow=True,
    )

    assert response.status_code == 200
    assert "Không thể chuyển buổi sinh hoạt từ “Bản nháp” sang “Đã kết thúc”." in text(response)


def test_the_month_calendar_lists_the_cells_meetings(cell_scene):
    meeting = scheduled(cell_scene)
    client = client_of(cell_scene.members[0])

    response = client.get(reverse("meetings:calendar_month", args=[cell_scene.cell.pk, 2027, 3]))

    page = text(response)
    assert "Lịch sinh hoạt tháng 3/2027" in page
    assert page.count(reverse("meetings:detail", args=[meeting.pk])) == 2  # grid and list


@pytest.mark.parametrize("count", [1, 3])
def test_the_month_calendar_needs_the_same_queries_for_one_or_three_meetings(
    cell_scene, django_assert_num_queries, count
):
    for day in range(count):
        draft_meeting(cell_scene, starts_at=START + datetime.timedelta(days=day))
    client = client_of(cell_scene.secretary)
    url = reverse("meetings:calendar_month", args=[cell_scene.cell.pk, 2027, 3])
    client.get(url)  # warm the session

    # Session, account, device, the member and their roles and seats, the cell, the meetings,
    # the unread count, the cell's and the viewer's time zones: none of them per meeting.
    with django_assert_num_queries(18):
        client.get(url)


def test_the_calendar_refuses_a_thirteenth_month(cell_scene):
    response = client_of(cell_scene.members[0]).get(
        reverse("meetings:calendar_month", args=[cell_scene.cell.pk, 2027, 13])
    )

    assert response.status_code == 404


def test_the_year_plan_warns_about_gaps(cell_scene):
    scheduled(cell_scene)

    response = client_of(cell_scene.members[0]).get(
        reverse("meetings:year_plan", args=[cell_scene.cell.pk, 2027])
    )

    assert (
        "Năm 2027 (Điều lệ Đảng, Điều 24 khoản 2; Hướng dẫn 12-HD/BTCTW về sinh hoạt chi bộ): "
        "thiếu sinh hoạt thường kỳ tháng 1, 2, 4, 5, 6, 7, 8, 9, 10, 11, "
        "12; thiếu sinh hoạt chuyên đề quý 1, 2, 3, 4."
    ) in text(response)


def test_generating_the_year_from_the_form(cell_scene):
    response = client_of(cell_scene.secretary).post(
        reverse("meetings:year_generate", args=[cell_scene.cell.pk, 2027]),
        {
            "ordinal": "1",
            "weekday": "1",
            "time": "19:30",
            "planned_minutes": "90",
            "mode": "in_person",
            "place": "Hội trường",
            "schedule": "on",
        },
        follow=True,
    )

    assert "Đã tạo 10 buổi sinh hoạt thường kỳ năm 2027." in text(response)
    assert Meeting.objects.filter(status="scheduled").count() == 10  # March to December


def test_upcoming_lists_home_and_temporary_cells(cell_scene):
    meeting = scheduled(cell_scene)

    response = client_of(cell_scene.temporary).get(reverse("meetings:upcoming"))

    page = text(response)
    assert reverse("meetings:detail", args=[meeting.pk]) in page
    assert "Chi bộ Khu phố 5" in page


def test_notifications_count_in_the_header_and_opening_one_marks_it_read(cell_scene):
    meeting = scheduled(cell_scene)
    member = cell_scene.members[0]
    invitation = Invitation.objects.get(meeting=meeting, member=member)
    invitation_services.reply_to_invitation(
        actor=member.user, invitation=invitation, reply="absent", reason="Ốm"
    )
    invitation_services.decide_absence(
        actor=cell_scene.secretary.user, invitation=invitation, approve=True
    )
    client = client_of(member)
    notification = Notification.objects.get(user=member.user)

    before = text(client.get(reverse("meetings:notifications")))
    opened = client.get(reverse("meetings:notification_open", args=[notification.pk]))
    after = text(client.get(reverse("meetings:notifications")))

    assert "<span data-unread-number>1</span>" in before
    assert opened["Location"] == reverse("meetings:detail", args=[meeting.pk])
    assert "<span data-unread-number>0</span>" in after


def test_the_ics_download_parses(cell_scene):
    meeting = scheduled(cell_scene)

    response = client_of(cell_scene.members[0]).get(reverse("meetings:ics", args=[meeting.pk]))

    calendar = Calendar.from_ical(response.content)
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert calendar.walk("VEVENT")[0].decoded("DTSTART") == START
    assert str(calendar.walk("VEVENT")[0]["STATUS"]) == "CONFIRMED"


def test_a_draft_meeting_s_ics_is_tentative_not_confirmed(cell_scene):
    # The secretary's draft, not yet scheduled nor announced, went into calendars "CONFIRMED".
    meeting = draft_meeting(cell_scene, starts_at=START)

    response = client_of(cell_scene.secretary).get(reverse("meetings:ics", args=[meeting.pk]))

    assert str(Calendar.from_ical(response.content).walk("VEVENT")[0]["STATUS"]) == "TENTATIVE"


@pytest.mark.parametrize("extra_members", [1, 3])
def test_the_meeting_page_needs_the_same_queries_whatever_the_size_of_the_roll(
    cell_scene, media_root, django_assert_num_queries, extra_members
):
    from tests.factories import MemberFactory

    for n in range(extra_members):
        MemberFactory(home_cell=cell_scene.cell, full_name=f"Đảng viên thêm {n}")
    meeting = scheduled(cell_scene)
    for n in range(extra_members):
        client_of(cell_scene.secretary).post(
            reverse("meetings:document_upload", args=[meeting.pk]),
            {"file": SimpleUploadedFile(f"{n}.pdf", MINIMAL_PDF), "classification": "unclassified"},
        )
    client = client_of(cell_scene.secretary)
    url = reverse("meetings:detail", args=[meeting.pk])
    client.get(url)

    # Constant: the roll, agenda, documents and answers are each read in one query (and the
    # viewer's own time zone in one).
    with django_assert_num_queries(24):
        client.get(url)


def test_the_history_is_shown_to_the_secretary_and_the_reviewer_above(cell_scene):
    meeting = scheduled(cell_scene)
    url = reverse("meetings:detail", args=[meeting.pk])

    seen = {
        who: "Lịch sử" in text(client_of(getattr(cell_scene, who)).get(url))
        for who in ("secretary", "follower", "temporary")
    }

    assert seen == {"secretary": True, "follower": True, "temporary": False}


def test_upcoming_shows_the_next_eight_and_points_to_the_calendars(cell_scene):
    for week in range(10):
        meeting = draft_meeting(cell_scene, starts_at=START + datetime.timedelta(weeks=week))
        scheduling.schedule_meeting(actor=cell_scene.secretary.user, meeting=meeting)

    page = text(client_of(cell_scene.members[0]).get(reverse("meetings:upcoming")))

    assert page.count('<span class="badge status status-scheduled">') == 8
    assert "Các buổi sau đó có trong lịch của từng chi bộ." in page
