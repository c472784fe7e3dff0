"""A vote's counts read against the same N as its requirement, zeros included, and the chair's
question starts as the agenda item's draft resolution (issue 16, items 2 and 4)."""

import pytest
from playwright.sync_api import expect

from meetings.models import Vote
from tests.e2e.browser import BrowserTestCase
from tests.meetings.room.conftest import build_scene

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 740}
LAPTOP = {"width": 1280, "height": 800}
DRAFT = "Chi bộ thống nhất ra quân vệ sinh môi trường ngày 15."


class TestRoomCounts(BrowserTestCase):
    def test_counts_and_requirement_share_n_and_the_question_starts_from_the_draft(self):
        self.scene = scene = build_scene()
        scene.items[2].draft_resolution = DRAFT
        scene.items[2].save()
        chair = self.open_room(scene.chair)
        chair.set_viewport_size(LAPTOP)
        chair.get_by_role("button", name="Bắt đầu buổi sinh hoạt").click()
        expect(chair.locator("#meeting-status")).to_contain_text("Đang họp")
        # Four of the five officials come; the fifth, away without a reason, still counts in N.
        others = [self.open_room(m) for m in (scene.recorder, *scene.officials[:2])]
        expect(chair.locator("#quorum")).to_contain_text("Đủ số lượng có mặt để biểu quyết.")

        chair.locator("#agenda li").nth(2).get_by_role("button", name="Mở nội dung").click()
        question = chair.get_by_label("Nội dung biểu quyết")
        expect(question).to_have_value(DRAFT)
        question.fill(f"{DRAFT} (sửa)")  # prefilled, still the chair's to edit
        # On a 1280x800 laptop the live panel's last button is within reach for every kind,
        # the longest form (the board's proposed members) included, and with a speaker queued.
        # A double click asks once, and is not answered "already asked" (nor is the chair's).
        others[0].get_by_role("button", name="Xin phát biểu").dblclick()
        expect(chair.locator("#queue li")).to_have_count(1)
        kinds = chair.get_by_label("Loại biểu quyết").locator("option").all_text_contents()
        assert "Bầu ban kiểm phiếu" in kinds
        for kind in kinds:
            chair.get_by_label("Loại biểu quyết").select_option(label=kind)
            self.assert_reachable(
                chair, chair.locator("#vote").get_by_role("button", name="Mở biểu quyết")
            )
        self.assert_reachable(
            chair, chair.locator("#queue").get_by_role("button", name="Mời phát biểu")
        )
        expect(others[0].locator("#room-messages .error")).to_have_count(0)
        chair.locator("#queue").get_by_role("button", name="Mời phát biểu").dblclick()
        expect(chair.locator("#speaker")).to_contain_text("Đang phát biểu:")
        chair.wait_for_timeout(1000)  # the second click's answer, had it been sent
        expect(chair.locator("#room-messages .error")).to_have_count(0)
        chair.get_by_label("Loại biểu quyết").select_option(label="Nghị quyết, kết luận")
        # A double click opens one vote, and the chair is told it opened, not that one is open.
        chair.locator("#vote").get_by_role("button", name="Mở biểu quyết").dblclick()
        expect(chair.locator("#vote h3")).to_have_text(f"{DRAFT} (sửa)")
        chair.wait_for_timeout(1000)  # the second click's answer, had it been sent
        expect(chair.locator("#room-messages")).to_have_text(f"Đang biểu quyết: {DRAFT} (sửa)")
        assert Vote.objects.filter(meeting=scene.meeting).count() == 1
        self.assert_reachable(chair, chair.get_by_role("button", name="Kết thúc biểu quyết"))

        for page, label in zip(
            [chair, *others], ["Tán thành"] * 3 + ["Không tán thành"], strict=True
        ):
            self.cast_ballot(page, label)
            expect(page.locator("#room-messages")).to_contain_text("Phiếu đã được ghi nhận.")
        expect(chair.locator("#vote")).to_contain_text(
            "Đã nhận 4/5 phiếu (N = 5). 4 đồng chí có quyền biểu quyết có mặt."
        )
        self.assert_accessible(chair)
        # On a 375 px phone "(N = 5)" never breaks after "N =": its spaces do not break.
        chair.set_viewport_size(PHONE)
        assert "(N\u00a0=\u00a05)." in chair.locator("#vote").text_content()
        assert "N\u00a0=\u00a05." in chair.locator("#quorum").text_content()
        chair.set_viewport_size(LAPTOP)

        chair.get_by_role("button", name="Kết thúc biểu quyết").click()
        result = others[-1].locator("#results .result").first
        expect(result).to_contain_text("ĐẠT / THÔNG QUA")
        expect(result).to_contain_text(
            "Tán thành: 3/5; Không tán thành: 1/5; Không biểu quyết: 0/5"
        )
        expect(result).to_contain_text("Cần ít nhất 3/5 phiếu tán thành.")
        assert "Không tán thành:\u00a01/5" in result.text_content()
        expect(result).to_contain_text("cần ít nhất 3/5")
        self.assert_accessible(others[-1])

        # Home shows the meeting under way with the way back into its room (issue 16, item 4).
        member = others[1]
        member.goto(self.url("/"))
        enter = member.get_by_role("link", name="Vào phòng họp")
        expect(enter).to_be_visible()
        self.assert_accessible(member)
        enter.click()
        expect(member.locator("#connection")).to_have_text("Đã kết nối")
