"""Issue 13, defect 6 in the browser: the chair's end control shows the time held against the
charter's minimum and, before it, asks for a reason, with the keyboard alone."""

import pytest
from playwright.sync_api import expect

from meetings.models import Meeting
from tests.e2e.browser import BrowserTestCase
from tests.meetings.room.conftest import build_scene

pytestmark = pytest.mark.e2e


class TestEndDialog(BrowserTestCase):
    def test_an_early_end_needs_a_reason_typed_in_the_dialog(self):
        scene = build_scene()
        chair = self.new_page()
        self.sign_in(chair, scene.chair.user)
        chair.goto(self.url(f"/sinh-hoat/{scene.meeting.pk}/phong-hop/"))
        expect(chair.locator("#connection")).to_have_text("Đã kết nối")
        chair.get_by_role("button", name="Bắt đầu buổi sinh hoạt").click()
        expect(chair.locator("#meeting-status")).to_contain_text("Đang họp")

        dialog = chair.get_by_role("dialog", name="Kết thúc buổi sinh hoạt?")
        for width, height in [(1366, 900), (375, 740)]:
            chair.set_viewport_size({"width": width, "height": height})
            chair.get_by_role("button", name="Kết thúc buổi sinh hoạt").focus()
            chair.keyboard.press("Enter")
            expect(dialog).to_be_visible()
            expect(dialog).to_contain_text(
                "Đã họp 0 phút; thời lượng tối thiểu của buổi sinh hoạt này là 90 phút."
            )
            expect(dialog).to_contain_text("Chưa đủ thời lượng tối thiểu.")
            expect(chair.get_by_label("Lý do kết thúc sớm")).to_be_focused()
            self.assert_accessible(chair)
            self.screenshot(chair, f"room-end-dialog-{width}")
            chair.keyboard.press("Escape")  # cancels: nothing sent
            expect(dialog).to_be_hidden()

        # Without a reason: the server's refusal is shown in the dialog; nothing changes.
        chair.get_by_role("button", name="Kết thúc buổi sinh hoạt").click()
        chair.keyboard.press("Tab")  # from the reason field to the end button
        chair.keyboard.press("Enter")
        expect(dialog.get_by_role("alert")).to_contain_text(
            "Buổi sinh hoạt mới diễn ra 0 phút, chưa đủ thời lượng tối thiểu 90 phút"
        )
        expect(chair.get_by_label("Lý do kết thúc sớm")).to_be_focused()
        self.screenshot(chair, "room-end-dialog-refused")
        assert Meeting.objects.get(pk=scene.meeting.pk).status == "in_progress"

        chair.get_by_label("Lý do kết thúc sớm").fill("Mất điện toàn khu phố")
        chair.keyboard.press("Tab")
        chair.keyboard.press("Enter")
        expect(dialog).to_be_hidden()
        expect(chair.locator("#meeting-status")).to_contain_text("Đã kết thúc")
        meeting = Meeting.objects.get(pk=scene.meeting.pk)
        assert (meeting.status, meeting.early_end_reason) == ("ended", "Mất điện toàn khu phố")
