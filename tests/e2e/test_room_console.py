"""The room as people use it (issue 16): the chair's console on a 1366×768 laptop, the ballot on
a 375 px phone, and the room with the keyboard alone. The screenshots are those of docs/room.md
(`CHIBO_DOCS_SCREENSHOTS=1` writes them to docs/screenshots/)."""

import json
import os
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from meetings.models import Attendance, Ballot
from tests.e2e.browser import SCREENSHOTS, BrowserTestCase
from tests.factories import MemberFactory
from tests.meetings.room.conftest import build_scene

pytestmark = pytest.mark.e2e

# The pictures in docs/room.md: refreshed with CHIBO_DOCS_SCREENSHOTS=1, else kept under var/ (a
# test run does not rewrite tracked files).
DOCS_SCREENSHOTS = (
    Path(settings.BASE_DIR) / "docs" / "screenshots"
    if os.environ.get("CHIBO_DOCS_SCREENSHOTS")
    else SCREENSHOTS
)
LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 375, "height": 740}
ROOM_SOCKET = "**/ws/meetings/**"


class TestRoomConsole(BrowserTestCase):
    def shoot(self, page, name):
        """The page scrolls no way but down at this width, and its picture goes to the docs."""
        widths = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1], f"{name} scrolls sideways: {widths}"
        page.evaluate("window.scrollTo(0, 0)")
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(DOCS_SCREENSHOTS / f"{name}.png"), full_page=True)

    def focused(self, page):
        return page.evaluate(
            "(() => { const a = document.activeElement;"
            " return (a.getAttribute('aria-label') || a.textContent).trim(); })()"
        )

    def start_with_everyone(self, scene, extra=7):
        for n in range(extra):  # a cell of fourteen, as in the issue
            MemberFactory(home_cell=scene.cell, full_name=f"Hoàng Văn Thành Viên {n + 4}")
        chair = self.open_room(scene.chair)
        chair.set_viewport_size(LAPTOP)
        chair.get_by_role("button", name="Bắt đầu buổi sinh hoạt").click()
        expect(chair.locator("#meeting-status")).to_contain_text("Đang họp")
        return chair

    def open_vote(self, chair, question="Thông qua nghị quyết tháng", open_item=True):
        if open_item:
            chair.locator("#agenda li").nth(2).get_by_role("button", name="Mở nội dung").click()
        chair.get_by_label("Nội dung biểu quyết").fill(question)
        chair.locator("#vote").get_by_role("button", name="Mở biểu quyết").click()
        expect(chair.locator("#vote h3")).to_have_text(question)

    def test_the_chairs_console_marks_in_bulk_and_keeps_the_live_panel_in_view(self):
        self.scene = scene = build_scene()
        chair = self.start_with_everyone(scene)
        members = [self.open_room(m) for m in (scene.recorder, *scene.officials[:2])]
        expect(chair.locator("#quorum")).to_contain_text("Có mặt 4/14 đồng chí.")

        # One line per member: one control each, named after its row.
        rows = chair.locator("#roll tbody tr")
        expect(rows).to_have_count(14)
        for box in [rows.nth(i).bounding_box() for i in range(14)]:
            assert box["height"] < 48  # one line, not three
        expect(rows.filter(has_text="Lý Thị Ánh")).to_contain_text("Dự bị")
        names = chair.locator("#room button").evaluate_all(
            "(buttons) => buttons.filter((b) => b.offsetParent)"
            ".map((b) => (b.getAttribute('aria-label') || b.textContent).trim())"
        )
        assert len(names) == len(set(names)), names

        # Two members away with one reason, in one dialog.
        chair.get_by_role("button", name="Điểm danh Đảng viên 3").click()
        dialog = chair.get_by_role("dialog", name="Điểm danh")
        dialog.get_by_label("Đinh Công Thành").check()
        dialog.get_by_role("radio", name="Vắng có lý do").check()
        dialog.get_by_role("button", name="Lưu điểm danh").click()
        expect(dialog.locator("#mark-error")).to_have_text("Hãy ghi lý do vắng mặt.")
        dialog.get_by_label("Lý do vắng").fill("Đi công tác")
        dialog.get_by_role("button", name="Lưu điểm danh").click()
        expect(dialog).to_be_hidden()
        expect(rows.filter(has_text="Đảng viên 3")).to_contain_text("Vắng có lý do (Đi công tác)")
        expect(rows.filter(has_text="Đinh Công Thành")).to_contain_text("Vắng có lý do")
        assert self.focused(chair) == "Điểm danh Đảng viên 3"  # back where the chair was

        # A member who left the cell since the page loaded: nobody is marked, and it says why.
        leaving = scene.officials[2]
        leaving.home_cell = scene.temporary.home_cell
        leaving.save(update_fields=["home_cell"])
        before = dict(
            Attendance.objects.filter(meeting=scene.meeting).values_list("member_id", "status")
        )
        chair.get_by_role("button", name="Điểm danh nhiều đồng chí…").click()
        dialog.get_by_label("Đảng viên 3").check()
        dialog.get_by_label("Hoàng Văn Thành Viên 4").check()
        dialog.get_by_role("radio", name="Vắng không lý do").check()
        dialog.get_by_role("button", name="Lưu điểm danh").click()
        expect(dialog.locator("#mark-error")).to_have_text(
            "Đảng viên 3 không còn sinh hoạt ở chi bộ này: chưa đánh dấu ai."
            " Hãy bỏ chọn rồi lưu lại."
        )
        after = dict(
            Attendance.objects.filter(meeting=scene.meeting).values_list("member_id", "status")
        )
        assert after == before
        dialog.get_by_role("button", name="Hủy").click()

        # The floor and the vote stay in view while the chair works down the page.
        chair.locator("#agenda li").nth(2).get_by_role("button", name="Mở nội dung").click()
        members[1].get_by_role("button", name="Xin phát biểu").click()
        expect(chair.locator("#queue li")).to_have_count(1)
        chair.locator("#roll tbody tr").last.scroll_into_view_if_needed()
        for part in ("#current-item", "#queue", "#vote h3", "#vote button[type=submit]"):
            box = chair.locator(part).bounding_box()
            assert box["y"] >= 0, part
            assert box["y"] + box["height"] <= LAPTOP["height"], part
        chair.evaluate("window.scrollTo(0, 0)")
        self.assert_accessible(chair)
        self.shoot(chair, "console-1366")
        chair.set_viewport_size(PHONE)
        self.shoot(chair, "console-375")

    def test_a_phone_ballot_is_found_from_the_top_chosen_then_confirmed(self):
        self.scene = scene = build_scene()
        chair = self.start_with_everyone(scene, extra=0)
        phone = self.open_room(scene.officials[0])
        phone.set_viewport_size(PHONE)
        other = self.open_room(scene.officials[1])
        late = self.open_room(scene.officials[2], hold_vote_closed=True)
        watcher = self.open_room(scene.recorder)
        self.open_vote(chair)

        # At the top of the page, a banner that jumps to the ballot.
        banner = phone.get_by_role("link", name="Đang biểu quyết: Thông qua nghị quyết tháng")
        expect(banner).to_be_visible()
        # Above the meeting's title, in the first screenful.
        assert banner.bounding_box()["y"] < phone.locator("h1").bounding_box()["y"] < 400
        banner.click()
        yes = phone.locator("#vote").get_by_role("button", name="Tán thành", exact=True)
        expect(yes).to_be_focused()
        colours = phone.locator("#vote .choice").evaluate_all(
            "(bs) => bs.map((b) => getComputedStyle(b).backgroundColor)"
        )
        assert len(set(colours)) == 3, colours
        self.assert_accessible(phone)
        self.shoot(phone, "member-vote-375")
        phone.set_viewport_size(LAPTOP)
        self.shoot(phone, "member-vote-1366")
        phone.set_viewport_size(PHONE)

        # One tap is not final: it asks.
        yes.click()
        confirm = phone.get_by_role("dialog", name="Xác nhận phiếu biểu quyết")
        expect(confirm).to_contain_text("Tán thành")
        self.assert_accessible(phone)
        self.shoot(phone, "member-confirm-375")
        assert Ballot.objects.count() == 0
        confirm.get_by_role("button", name="Chọn lại").click()
        phone.locator("#vote").get_by_role("button", name="Không biểu quyết").click()
        confirm.get_by_role("button", name="Xác nhận, gửi phiếu").click()
        expect(phone.locator("#vote")).to_contain_text("Đồng chí đã biểu quyết.")
        assert list(Ballot.objects.values_list("choice", flat=True)) == ["abstain"]

        # A double confirm counts once and says so.
        other.locator("#vote").get_by_role("button", name="Tán thành", exact=True).click()
        other.locator("#ballot-confirm").evaluate("(b) => { b.click(); b.click(); }")
        expect(other.locator("#room-messages")).to_contain_text("không tính hai lần")
        assert Ballot.objects.filter(member=scene.officials[1]).count() == 1
        expect(chair.locator("#vote")).to_contain_text("Đã nhận 2/")

        # The vote closes while a confirmation is open: the confirmation says so and cannot
        # send; one whose page has not yet heard of the close sends, and the server refuses.
        watcher.locator("#vote").get_by_role("button", name="Tán thành", exact=True).click()
        watching = watcher.get_by_role("dialog", name="Xác nhận phiếu biểu quyết")
        expect(watching).to_be_visible()
        # The vote closes while a confirmation is open (its event not yet on this page): the
        # server refuses the ballot, the page says so, and nothing is counted.
        late.locator("#vote").get_by_role("button", name="Không tán thành").click()
        chair.get_by_role("button", name="Kết thúc biểu quyết").click()
        expect(chair.locator("#results .result").first).to_contain_text("Thông qua nghị quyết")
        expect(watching.locator("#ballot-error")).to_have_text(
            "Biểu quyết đã kết thúc: phiếu của đồng chí không được ghi nhận."
        )
        expect(watching.get_by_role("button", name="Xác nhận, gửi phiếu")).to_be_hidden()
        expect(watching.get_by_role("button", name="Đóng")).to_be_focused()
        late.get_by_role("button", name="Xác nhận, gửi phiếu").click()
        expect(late.locator("#room-messages")).to_have_text(
            "Biểu quyết đã kết thúc: phiếu của đồng chí không được ghi nhận."
        )
        assert Ballot.objects.filter(member=scene.officials[2]).count() == 0
        assert Ballot.objects.filter(member=scene.recorder).count() == 0

    def open_room(self, member, hold_vote_closed=False):
        """As BrowserTestCase.open_room; with `hold_vote_closed`, the page does not hear that a
        vote closed (as if the event were still on its way)."""
        if not hold_vote_closed:
            return super().open_room(member)

        def route(socket):
            server = socket.connect_to_server()

            def from_server(text):
                if '"vote.closed"' not in text:
                    socket.send(text)

            server.on_message(from_server)

        page = self.new_page()
        self.sign_in(page, member.user)
        page.route_web_socket(ROOM_SOCKET, route)
        page.goto(self.url(f"/sinh-hoat/{self.scene.meeting.pk}/phong-hop/"))
        expect(page.locator("#connection")).to_have_text("Đã kết nối")
        return page

    def test_with_the_keyboard_alone_focus_stays_where_the_member_is(self):
        self.scene = scene = build_scene()
        chair = self.start_with_everyone(scene, extra=0)
        member = self.open_room(scene.officials[0])
        other = self.open_room(scene.officials[1])
        self.open_room(scene.recorder)  # four of five: quorum
        chair.locator("#agenda li").nth(2).get_by_role("button", name="Mở nội dung").click()

        def tab_to(name, most=80):
            for _ in range(most):
                member.keyboard.press("Tab")
                if self.focused(member).startswith(name):
                    return
            raise AssertionError(f"Tab never reached {name!r}")

        tab_to("Xin phát biểu")
        member.keyboard.press("Enter")
        expect(member.get_by_role("button", name="Rút đăng ký phát biểu")).to_be_focused()
        expect(chair.locator("#queue li")).to_have_count(1)

        self.open_vote(chair, open_item=False)
        expect(member.locator("#vote-banner")).to_be_visible()
        # The vote opened elsewhere: focus did not move.
        expect(member.get_by_role("button", name="Rút đăng ký phát biểu")).to_be_focused()
        expect(member.locator("#room-messages")).to_have_text(
            "Đang biểu quyết: Thông qua nghị quyết tháng"
        )
        member.keyboard.press("Shift+Tab")
        for _ in range(80):
            if self.focused(member).startswith("Đang biểu quyết"):
                break
            member.keyboard.press("Shift+Tab")
        member.keyboard.press("Enter")
        yes = member.locator("#vote").get_by_role("button", name="Tán thành", exact=True)
        expect(yes).to_be_focused()
        member.keyboard.press("Enter")
        expect(member.get_by_role("button", name="Xác nhận, gửi phiếu")).to_be_focused()
        member.keyboard.press("Enter")
        voted = member.locator("#vote").get_by_text("Đồng chí đã biểu quyết.")
        expect(voted).to_be_focused()

        # Another member's ballot and a refresh from the server leave focus where it is.
        self.cast_ballot(other, "Tán thành")
        expect(member.locator("#vote")).to_contain_text("Đã nhận 2/")
        expect(voted).to_be_focused()
        member.evaluate("document.dispatchEvent(new Event('room:refresh'))")
        member.wait_for_timeout(500)
        expect(member.locator("#vote").get_by_text("Đồng chí đã biểu quyết.")).to_be_focused()

        # The countdown is not a live region: the status says real changes only.
        chair.locator("#queue li").first.get_by_role("button", name="Mời phát biểu").click()
        expect(member.locator("#room-messages")).to_have_text("Đồng chí được mời phát biểu.")
        live = member.evaluate(
            "Array.from(document.querySelectorAll('#room [aria-live], #room [role=status],"
            " #room [role=alert]')).filter((n) => !n.closest('dialog') && !n.closest('#media'))"
            ".map((n) => n.id)"
        )
        assert live == ["room-messages"], json.dumps(live)

    def test_the_room_speaks_english_to_a_member_who_chose_it(self):
        self.scene = scene = build_scene()
        chair = self.start_with_everyone(scene, extra=0)
        chair.context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": self.live_server_url}]
        )
        chair.reload()

        expect(chair.locator("#connection")).to_have_text("Connected")
        expect(chair.locator("#meeting-status")).to_contain_text("In progress")
        expect(chair.get_by_role("button", name="Mark several members…")).to_be_visible()
