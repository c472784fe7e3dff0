import re

import pytest
from playwright.sync_api import expect

from minutes.models import SignedDocument
from tests.e2e.browser import (
    BrowserTestCase,
    TasksInProcess,
    current_code,
    next_code,
    with_time_left_in_the_step,
)
from tests.meetings.room.conftest import build_scene
from tests.minutes.flow import run_meeting

pytestmark = pytest.mark.e2e


class TestMinutes(TasksInProcess, BrowserTestCase):
    def test_recorder_drafts_the_meeting_approves_chair_and_recorder_sign_with_their_codes(self):
        scene = build_scene()
        meeting = run_meeting(scene)

        recorder = self.new_page()
        self.sign_in(recorder, scene.recorder.user)
        recorder.goto(self.url(f"/sinh-hoat/{meeting.pk}/"))
        recorder.get_by_role("link", name="Biên bản", exact=True).click()
        recorder.get_by_role("link", name="Soạn, sửa biên bản").click()
        recorder.get_by_label("Kết luận của đồng chí chủ trì").fill(
            "Chi bộ thống nhất phương hướng tháng 12."
        )
        recorder.get_by_label("Phân công nhiệm vụ").fill("Trần Văn Đức | Thu đảng phí | 15/12/2026")
        recorder.get_by_label("Chi bộ tự đánh giá chất lượng buổi sinh hoạt").select_option("Tốt")
        recorder.get_by_role("button", name="Lưu phiên bản mới").click()
        expect(recorder.locator(".messages")).to_contain_text("Đã lưu phiên bản 1 của biên bản.")
        self.assert_accessible(recorder)
        self.screenshot(recorder, "minutes-edit")

        recorder.get_by_role("link", name="Xem trước biên bản").first.click()
        preview = recorder.locator(".minutes-preview")
        expect(preview).to_contain_text("Chi bộ thống nhất phương hướng tháng 12.")
        expect(preview).to_contain_text("Đề nghị tăng cường sinh hoạt chuyên đề.")
        self.screenshot(recorder, "minutes-preview")
        self.assert_accessible(recorder)

        recorder.get_by_role("link", name="Biên bản", exact=True).click()
        expect(recorder.locator("#approval-heading + p")).to_contain_text("4/4 tán thành")
        self.assert_accessible(recorder)
        self.screenshot(recorder, "minutes-detail")
        recorder.get_by_role("button", name="Ghi nhận chi bộ đã thông qua biên bản").click()
        expect(recorder.get_by_test_id("document-status")).to_have_text("Chờ ký số")
        expect(recorder.locator(".signatures-list")).to_contain_text("Chờ ký: Nguyễn Thị Hằng")
        document_url = recorder.url

        # The chair signs: the code that signed her in is spent; the next one signs.
        chair = self.new_page()
        with_time_left_in_the_step(scene.chair.user)
        self.sign_in(chair, scene.chair.user)
        chair.goto(document_url)
        chair.get_by_label("Mã xác thực").fill(current_code(scene.chair.user))
        chair.get_by_role("button", name="Ký số", exact=True).click()
        expect(chair.locator(".messages")).to_contain_text("đã được dùng")
        self.screenshot(chair, "minutes-sign-refused")
        chair.wait_for_timeout(1500)  # django-otp holds a device back a second after a miss
        chair.get_by_label("Mã xác thực").fill(next_code(scene.chair.user))
        chair.get_by_role("button", name="Ký số", exact=True).click()
        expect(chair.locator(".messages")).to_contain_text("Đã ký số; chờ người ký tiếp theo.")
        expect(chair.locator(".signatures-list")).to_contain_text("Chờ ký: Trần Văn Đức")
        self.assert_accessible(chair)

        recorder.reload()
        recorder.get_by_label("Mã xác thực").fill(next_code(scene.recorder.user))
        recorder.get_by_role("button", name="Ký số", exact=True).click()
        expect(recorder.locator(".messages")).to_contain_text("Văn bản đã đủ chữ ký")
        expect(recorder.get_by_test_id("document-status")).to_have_text("Đã ký và lưu trữ")
        expect(recorder.locator(".signatures-list")).to_contain_text("Chủ trì: Nguyễn Thị Hằng")
        expect(recorder.locator(".signatures-list")).to_contain_text("Thư ký: Trần Văn Đức")
        self.screenshot(recorder, "minutes-archived")
        self.assert_accessible(recorder)

        # Anyone holding the paper: the QR link, no sign-in, no content.
        document = SignedDocument.objects.get(minutes__meeting=meeting)
        visitor = self.new_page()
        visitor.goto(self.url(f"/x/{document.verification_code}/"))
        expect(visitor.get_by_test_id("verdict")).to_contain_text("HỢP LỆ")
        expect(visitor.locator("body")).to_contain_text(document.sha256)
        expect(visitor.locator("body")).not_to_contain_text("phương hướng tháng 12")
        self.assert_accessible(visitor)
        self.screenshot(visitor, "minutes-verify-code")

        signed = bytes(document.signed_pdf)
        tampered = signed[: len(signed) // 3] + b"X" + signed[len(signed) // 3 + 1 :]
        visitor.goto(self.url("/xac-thuc/"))
        visitor.get_by_label("Tệp PDF cần kiểm tra").set_input_files(
            files=[{"name": "bien-ban.pdf", "mimeType": "application/pdf", "buffer": tampered}]
        )
        visitor.get_by_role("button", name="Kiểm tra", exact=True).click()
        expect(visitor.get_by_test_id("verdict")).to_contain_text("KHÔNG HỢP LỆ")
        expect(visitor.get_by_test_id("verdict")).to_contain_text(
            re.compile("không còn nguyên vẹn|không khớp")
        )
        self.assert_accessible(visitor)
        self.screenshot(visitor, "minutes-verify-tampered")
