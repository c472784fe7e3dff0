import datetime
import re
import tempfile
from pathlib import Path

import pytest
from django.test import override_settings
from django.utils import timezone
from playwright.sync_api import expect

from meetings.models import Document, Invitation, Meeting
from tests.e2e.browser import BrowserTestCase, TasksInProcess
from tests.factories import CellRoleFactory, MemberFactory
from tests.meetings.helpers import MINIMAL_PDF

pytestmark = pytest.mark.e2e

MEDIA = tempfile.mkdtemp(prefix="chibo-e2e-media-")


@override_settings(MEDIA_ROOT=MEDIA)
class TestSchedulingAMeeting(TasksInProcess, BrowserTestCase):
    def test_secretary_schedules_member_asks_to_be_excused_secretary_approves(self):
        secretary = CellRoleFactory(member__full_name="Nguyễn Thị Hằng").member
        cell = secretary.home_cell
        member = MemberFactory(home_cell=cell, full_name="Trần Văn Đức")
        for name in ("Lê Minh Tuấn", "Phạm Thị Lan"):
            MemberFactory(home_cell=cell, full_name=name)
        MemberFactory(home_cell=cell, full_name="Lý Thị Ngọc Ánh", standing="probationary")
        day = timezone.localdate() + datetime.timedelta(days=10)
        pdf = Path(MEDIA) / "Du-thao-nghi-quyet.pdf"
        pdf.write_bytes(MINIMAL_PDF)

        # The secretary prepares the meeting: details, agenda from the template, a document.
        page = self.new_page()
        self.sign_in(page, secretary.user)
        page.goto(self.url(f"/chi-bo/{cell.pk}/lich-sinh-hoat/"))
        self.assert_accessible(page)
        page.get_by_role("link", name="Buổi sinh hoạt mới").click()
        page.get_by_label("Ngày họp").fill(day.strftime("%d/%m/%Y"))
        page.get_by_label("Giờ bắt đầu").fill("19:30")
        page.get_by_label("Địa điểm").fill("Nhà văn hóa khu phố")
        page.get_by_label("Chủ trì").select_option(label="Nguyễn Thị Hằng")
        self.assert_accessible(page)
        self.screenshot(page, "meeting-form")
        page.get_by_role("button", name="Tạo bản nháp").click()

        expect(page.get_by_role("heading", level=1)).to_have_text("Chương trình sinh hoạt")
        page.get_by_role("button", name="Áp dụng mẫu").click()
        expect(page.get_by_role("table")).to_contain_text("Phương hướng, nhiệm vụ tháng tới")
        self.assert_accessible(page)
        self.screenshot(page, "meeting-agenda")
        page.get_by_role("link", name="Xong, về trang buổi sinh hoạt").click()

        page.get_by_role("link", name="Thêm tài liệu").click()
        page.get_by_label("Tệp").set_input_files(str(pdf))
        page.get_by_label("Tên tài liệu").fill("Dự thảo nghị quyết tháng")
        self.assert_accessible(page)
        page.get_by_role("button", name="Tải lên").click()
        expect(page.get_by_role("link", name="Dự thảo nghị quyết tháng")).to_be_visible()
        page.get_by_role("button", name="Lên lịch và gửi giấy mời").click()
        expect(page.locator(".status-line")).to_contain_text("Đã lên lịch")
        self.assert_accessible(page)
        self.screenshot(page, "meeting-scheduled")
        meeting = Meeting.objects.get()
        assert meeting.status == "scheduled"
        assert Document.objects.get().meeting == meeting

        # The member sees the invitation, reads the document and asks to be excused.
        member_page = self.new_page()
        self.sign_in(member_page, member.user)
        notifications = member_page.get_by_role("link", name=re.compile(r"^Thông báo"))
        expect(notifications).to_have_accessible_name("Thông báo 1 chưa đọc")
        notifications.click()
        self.assert_accessible(member_page)
        self.screenshot(member_page, "member-notifications")
        member_page.get_by_role("link", name=re.compile("Giấy mời")).click()
        expect(member_page.get_by_role("heading", level=1)).to_have_text(meeting.display_title)
        with member_page.expect_download() as download:
            member_page.get_by_role("link", name="Dự thảo nghị quyết tháng").click()
        assert Path(download.value.path()).read_bytes() == MINIMAL_PDF
        member_page.get_by_label("Xin vắng mặt").check()
        member_page.get_by_label("Lý do vắng mặt").fill("Đi công tác Đà Nẵng")
        member_page.get_by_role("button", name="Gửi trả lời").click()
        expect(member_page.locator(".messages")).to_contain_text("Đã gửi lý do vắng mặt")
        self.assert_accessible(member_page)
        self.screenshot(member_page, "member-absence-sent")

        # The secretary approves; the expected vote base leaves the member out, and the member's
        # open page hears of it over the websocket.
        page.reload()
        expect(page.locator("[data-testid=vote-base]")).to_have_text("N = 4")
        page.get_by_role("button", name="Chấp thuận Trần Văn Đức", exact=True).click()
        expect(page.locator(".messages")).to_contain_text(
            "Đã chấp thuận lý do vắng mặt của đồng chí Trần Văn Đức."
        )
        expect(page.locator("[data-testid=vote-base]")).to_have_text("N = 3")
        expect(page.locator(".vote-base")).to_contain_text(
            "1 vắng mặt có lý do được chấp thuận (Quy định 24-QĐ/TW, điểm 9.3.2)"
        )
        self.assert_accessible(page)
        self.screenshot(page, "meeting-vote-base")
        expect(member_page.locator("[data-unread-number]")).to_have_text("1")

        # The month calendar of the cell shows it.
        page.get_by_role("link", name=cell.name).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            f"Lịch sinh hoạt tháng {day.month}/{day.year}"
        )
        expect(page.get_by_role("table")).to_contain_text("19:30 Sinh hoạt thường kỳ")
        self.assert_accessible(page)
        self.screenshot(page, "meeting-calendar")
        page.get_by_role("link", name=f"Kế hoạch năm {day.year}").click()
        expect(page.locator("#compliance-heading")).to_have_text("Đối chiếu với quy định")
        self.assert_accessible(page)
        self.screenshot(page, "meeting-year-plan")
        assert Invitation.objects.get(member=member).absence_decision == "approved"
