"""A member who joined and then leaves with the chair's approval ("xin về sớm"): the chair marks
them absent with a reason; the roll says they left early, and N keeps them (R-V1: only members
absent for the whole meeting are left out)."""

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import BrowserTestCase
from tests.meetings.room.conftest import build_scene

pytestmark = pytest.mark.e2e


class TestLeftEarly(BrowserTestCase):
    def test_the_roll_shows_a_member_who_left_early_and_n_keeps_them(self):
        self.scene = scene = build_scene()
        chair = self.open_room(scene.chair)
        chair.get_by_role("button", name="Bắt đầu buổi sinh hoạt").click()
        expect(chair.locator("#meeting-status")).to_contain_text("Đang họp")
        others = [self.open_room(m) for m in (scene.recorder, *scene.officials)]
        expect(chair.locator("#quorum")).to_contain_text(
            "Có quyền biểu quyết có mặt 5, cần 4; N = 5."
        )
        rows = chair.locator("#roll tbody tr")

        chair.get_by_role("button", name="Điểm danh Đảng viên 3").click()
        dialog = chair.get_by_role("dialog", name="Điểm danh")
        dialog.get_by_role("radio", name="Vắng có lý do").check()
        dialog.get_by_label("Lý do vắng").fill("Đón con ốm")
        dialog.get_by_role("button", name="Lưu điểm danh").click()
        expect(dialog).to_be_hidden()

        expect(rows.filter(has_text="Đảng viên 3")).to_contain_text("Xin về sớm: Đón con ốm")
        expect(chair.locator("#quorum")).to_contain_text(
            "Có quyền biểu quyết có mặt 4, cần 4; N = 5."
        )
        # A page that loads the room now reads the same from its snapshot.
        others[0].reload()
        expect(others[0].locator("#roll tbody tr").filter(has_text="Đảng viên 3")).to_contain_text(
            "Xin về sớm: Đón con ốm"
        )
        self.assert_accessible(chair)
        self.screenshot(chair, "left-early")
