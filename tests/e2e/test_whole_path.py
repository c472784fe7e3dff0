"""Issue 13, "Done when": one meeting's whole path in the browser, as its people do it: the
secretary schedules it, starts it within the window, gives the floor, opens the votes (a secret
ballot among them) that the members cast on their own pages and ends it early with a reason; the
deputy drafts the minutes; chair and deputy sign; a visitor checks the PDF; a member of the
superior committee searches the archive with and without diacritics. What each of them sees, and
the signed PDF's text, shows none of the issue's defects."""

from __future__ import annotations

import datetime
import subprocess
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from meetings.models import Meeting, SpeakingTurn, Vote
from minutes.models import SignedDocument
from minutes.wording import clock
from tests.e2e.browser import (
    BrowserTestCase,
    TasksInProcess,
    next_code,
    with_time_left_in_the_step,
)
from tests.factories import (
    CellFactory,
    CellRoleFactory,
    CommitteeSeatFactory,
    MemberFactory,
    OrganizationFactory,
)
from tests.minutes.conftest import poppler
from tests.minutes.test_record import ITEM, internal_names, section
from tests.review.seed import at, held_meeting, sign

pytestmark = pytest.mark.e2e

EARLY_END = "Mưa bão, nhiều đồng chí phải về chằng chống nhà cửa"
CONCLUSION = "Chi bộ thống nhất giao chỉ tiêu cho từng tổ."
SPEAKER = "Nguyễn Thị Hương Sen"  # noted by the recorder
SILENT = "Đỗ Văn Bình"  # given the floor, not noted
EXEMPT = "Cao Văn Thọ"


class TestTheWholePath(TasksInProcess, BrowserTestCase):
    def new_page(self, locale: str = "vi-VN") -> Page:
        page = super().new_page(locale)
        page.set_default_timeout(60_000)  # generous: the machine may be loaded
        return page

    def open_room(self, member=None, page: Page | None = None) -> Page:
        """The room in `page`, or in a new page `member` signs in to."""
        if page is None:
            page = self.new_page()
            self.sign_in(page, member.user)
        page.goto(self.url(f"/sinh-hoat/{self.meeting.pk}/phong-hop/"))
        expect(page.locator("#connection")).to_have_text("Đã kết nối")
        return page

    def open_item(self, chair: Page, position: int) -> None:
        item = chair.locator("#agenda li").nth(position - 1)
        item.get_by_role("button", name="Mở nội dung").click()
        expect(item).to_contain_text("đang thảo luận")

    def give_floor(self, chair: Page, member: Page, name: str) -> None:
        member.get_by_role("button", name="Xin phát biểu").click()
        request = chair.locator("#queue li", has_text=name)
        request.get_by_role("button", name="Mời phát biểu").click()
        expect(member.locator("#speaker")).to_contain_text(f"Đang phát biểu: {name}")

    def vote_round(self, chair: Page, question: str, choices: dict, *, secret=False, conclusion):
        chair.get_by_label("Loại biểu quyết").select_option(label="Nghị quyết, kết luận")
        chair.get_by_label("Nội dung biểu quyết").fill(question)
        if secret:
            chair.get_by_label("Hình thức").select_option(label="Bỏ phiếu kín")
        chair.get_by_label("Biểu quyết thông qua kết luận của đồng chí chủ trì").set_checked(
            conclusion
        )
        chair.locator("#vote").get_by_role("button", name="Mở biểu quyết").click()
        for page, label in choices.items():
            expect(page.locator("#vote h3")).to_have_text(question)
            self.cast_ballot(page, label)
            expect(page.locator("#room-messages")).to_contain_text("Phiếu đã được ghi nhận.")
        expect(chair.locator("#vote")).to_contain_text(f"Đã nhận {len(choices)}/{len(choices)}")
        chair.get_by_role("button", name="Kết thúc biểu quyết").click()
        expect(chair.locator("#results .result").first).to_contain_text(question)

    def assert_plain_words(self, page: Page, where: str) -> None:
        assert internal_names(page.locator("main").inner_text()) == [], where

    def test_schedule_hold_record_sign_verify_and_find(self):
        ward = OrganizationFactory(name="Đảng bộ Phường Hòa Bình")
        cell = CellFactory(name="Chi bộ Khu phố 7", parent=ward)
        chair = CellRoleFactory(member__home_cell=cell, member__full_name="Vũ Thị Mai").member
        recorder = CellRoleFactory(
            member__home_cell=cell, member__full_name="Đặng Văn Hải", kind="deputy_secretary"
        ).member
        speaker = MemberFactory(home_cell=cell, full_name=SPEAKER)
        silent = MemberFactory(home_cell=cell, full_name=SILENT)
        MemberFactory(
            home_cell=cell,
            full_name=EXEMPT,
            exempt_from=datetime.date(2020, 1, 1),
            exempt_reason="Tuổi cao, sức yếu",
        )
        reviewer = CommitteeSeatFactory(
            organization=ward, member__home_cell=CellFactory(name="Chi bộ Khu phố 8", parent=ward)
        ).member
        # Another cell's minutes in the archive, with "Hưởng" and "hướng" but no "Hương".
        other = sign(
            held_meeting(reviewer.home_cell, "regular", at(9, 6)),
            at(9, 7),
            "Đồng chí Lê Văn Hưởng phát biểu về phương hướng tháng tới.",
        )

        # --- The secretary schedules the meeting for half an hour from now. -----------------
        called_for = timezone.localtime() + datetime.timedelta(minutes=30)
        page = self.new_page()
        self.sign_in(page, chair.user)
        page.goto(self.url(f"/chi-bo/{cell.pk}/lich-sinh-hoat/"))
        page.get_by_role("link", name="Buổi sinh hoạt mới").click()
        page.get_by_label("Hình thức").select_option(value="online")
        page.get_by_label("Số văn bản cho phép của cấp ủy cấp trên").fill("15-CV/ĐU")
        page.get_by_label("Ngày văn bản cho phép").fill(timezone.localdate().strftime("%d/%m/%Y"))
        page.get_by_label("Ngày họp").fill(called_for.strftime("%d/%m/%Y"))
        page.get_by_label("Giờ bắt đầu").fill(called_for.strftime("%H:%M"))
        page.get_by_label("Chủ trì").select_option(label="Vũ Thị Mai")
        page.get_by_label("Thư ký").select_option(label="Đặng Văn Hải")
        page.get_by_role("button", name="Tạo bản nháp").click()
        page.get_by_role("button", name="Áp dụng mẫu").click()
        expect(page.get_by_role("table")).to_contain_text("Phương hướng, nhiệm vụ tháng tới")
        page.get_by_role("link", name="Xong, về trang buổi sinh hoạt").click()
        page.get_by_role("button", name="Lên lịch và gửi giấy mời").click()
        expect(page.locator(".status-line")).to_contain_text("Đã lên lịch")
        self.assert_plain_words(page, "meeting page")
        self.meeting = meeting = Meeting.objects.get(cell=cell)

        # --- The room: started within the window; the exempt member stays away. -------------
        room = self.open_room(page=page)
        room.get_by_role("button", name="Bắt đầu buổi sinh hoạt").click()
        expect(room.locator("#meeting-status")).to_contain_text("Đang họp")
        deputy = self.open_room(recorder)
        speaking, quiet = self.open_room(speaker), self.open_room(silent)
        expect(room.locator("#quorum")).to_contain_text("Đủ số lượng có mặt để biểu quyết.")
        exempt_row = room.locator("#roll tr", has_text=EXEMPT)
        expect(exempt_row).to_contain_text("Miễn sinh hoạt, không dự")
        expect(exempt_row).not_to_contain_text("Vắng không lý do")

        # Two members take the floor on the plan; the recorder notes only the first.
        self.open_item(room, 4)
        self.give_floor(room, speaking, SPEAKER)
        deputy.get_by_label(f"Ý kiến của {SPEAKER}").fill("Đề nghị giao chỉ tiêu cho từng tổ.")
        deputy.locator("#turns").get_by_role("button", name="Lưu").click()
        expect(room.locator("#turns")).to_contain_text("Đề nghị giao chỉ tiêu cho từng tổ.")
        room.get_by_role("button", name="Kết thúc lượt phát biểu").click()
        self.give_floor(room, quiet, SILENT)
        room.get_by_role("button", name="Kết thúc lượt phát biểu").click()
        self.screenshot(room, "whole-path-room-floor")

        # Two votes in the resolution item: a secret ballot on the plan that fails, then the
        # conclusion, opened as such, by show of hands; then the read-back of the minutes.
        self.open_item(room, 8)
        voters = [room, deputy, speaking, quiet]
        plan = "Thông qua kế hoạch làm đường giao thông nông thôn"
        choices = ["Tán thành", "Không tán thành", "Không tán thành", "Không biểu quyết"]
        ballots = dict(zip(voters, choices, strict=True))
        self.vote_round(room, plan, ballots, secret=True, conclusion=False)
        expect(speaking.locator("#results .result").first).to_contain_text("KHÔNG ĐẠT")
        conclusion = "Thông qua kết luận của đồng chí chủ trì"
        choices = ["Tán thành", "Tán thành", "Tán thành", "Không tán thành"]
        self.vote_round(room, conclusion, dict(zip(voters, choices, strict=True)), conclusion=True)
        expect(speaking.locator("#results .result").first).to_contain_text("ĐẠT / THÔNG QUA")
        self.open_item(room, 10)
        room.get_by_label("Loại biểu quyết").select_option(label="Thông qua biên bản")
        room.get_by_label("Nội dung biểu quyết").fill("Thông qua biên bản")
        room.locator("#vote").get_by_role("button", name="Mở biểu quyết").click()
        for page in voters:
            self.cast_ballot(page, "Tán thành")
            expect(page.locator("#room-messages")).to_contain_text("Phiếu đã được ghi nhận.")
        room.get_by_role("button", name="Kết thúc biểu quyết").click()
        expect(speaking.locator("#results .result")).to_have_count(3)
        self.screenshot(speaking, "whole-path-room-results")
        self.assert_plain_words(room, "room")
        self.assert_plain_words(speaking, "member's room")

        # Ended early: the dialog asks for the reason.
        room.get_by_role("button", name="Kết thúc buổi sinh hoạt").click()
        dialog = room.get_by_role("dialog", name="Kết thúc buổi sinh hoạt?")
        expect(dialog).to_contain_text("Chưa đủ thời lượng tối thiểu.")
        room.get_by_label("Lý do kết thúc sớm").fill(EARLY_END)
        self.screenshot(room, "whole-path-end-dialog")
        room.keyboard.press("Tab")
        room.keyboard.press("Enter")
        expect(room.locator("#meeting-status")).to_contain_text("Đã kết thúc")

        # --- The recorder drafts; the cell's approval in the room is recorded. ---------------
        deputy.goto(self.url(f"/sinh-hoat/{meeting.pk}/"))
        deputy.get_by_role("link", name="Biên bản", exact=True).click()
        deputy.get_by_role("link", name="Soạn, sửa biên bản").click()
        deputy.get_by_label("Kết luận của đồng chí chủ trì").fill(CONCLUSION)
        deputy.get_by_label("Chi bộ tự đánh giá chất lượng buổi sinh hoạt").select_option("Khá")
        deputy.get_by_role("button", name="Lưu phiên bản mới").click()
        expect(deputy.locator(".messages")).to_contain_text("Đã lưu phiên bản 1 của biên bản.")
        self.assert_plain_words(deputy, "minutes form")
        deputy.get_by_role("link", name="Xem trước biên bản").first.click()
        preview = deputy.locator(".minutes-preview")
        expect(preview).to_contain_text("Miễn sinh hoạt, không dự")
        self.assert_plain_words(deputy, "minutes preview")
        deputy.get_by_role("link", name="Biên bản", exact=True).click()
        deputy.get_by_role("button", name="Ghi nhận chi bộ đã thông qua biên bản").click()
        expect(deputy.get_by_test_id("document-status")).to_have_text("Chờ ký số")
        document_url = deputy.url

        # --- Chair and recorder sign with the next code of their authenticators. -------------
        for page, member in [(room, chair), (deputy, recorder)]:
            with_time_left_in_the_step(member.user)
            page.goto(document_url)
            page.get_by_label("Mã xác thực").fill(next_code(member.user))
            page.get_by_role("button", name="Ký số", exact=True).click()
            expect(page.locator(".messages")).to_contain_text("Đã ký số")
        expect(deputy.get_by_test_id("document-status")).to_have_text("Đã ký và lưu trữ")
        self.assert_plain_words(deputy, "signed document")
        with deputy.expect_download() as download:
            deputy.get_by_role("link", name="Tải tệp PDF đã ký").first.click()
        signed = Path(download.value.path()).read_bytes()

        # --- The signed PDF says what happened, where it belongs, in plain words. -------------
        text = " ".join(poppler("pdftotext", "-enc", "UTF-8", "-", "-", stdin=signed).split())
        self.look_at_the_pdf(signed)
        assert internal_names(text) == []
        roll = section(text, r"II\. THÀNH PHẦN", r"III\. NỘI DUNG")
        assert f"Miễn sinh hoạt, không dự: {EXEMPT}" in roll
        assert roll.count(EXEMPT) == 1  # not also among the absent
        assert "Vắng mặt: 0 đồng chí." in roll
        held = timezone.localtime(Meeting.objects.get(pk=meeting.pk).started_at)
        assert f"Ngày {held:%d} tháng {held:%m} năm {held:%Y}" in text  # the header
        assert f"bắt đầu lúc {clock(held)}, ngày {held:%d/%m/%Y}" in text
        assert f"THƯỜNG KỲ THÁNG {held.month} NĂM {held:%Y}" in text
        turns = SpeakingTurn.objects.filter(meeting=meeting).order_by("started_at")
        times = [clock(timezone.localtime(turn.started_at)) for turn in turns]
        plan_item = section(text, r"4\. Phương hướng, nhiệm vụ tháng tới", ITEM)
        assert (
            f"- Đồng chí {SPEAKER} ({times[0]}): Đề nghị giao chỉ tiêu cho từng tổ. "
            f"- Đồng chí {SILENT} ({times[1]}) phát biểu."
        ) in plan_item
        votes = section(text, r"8\. Biểu quyết thông qua kết luận, nghị quyết", ITEM)
        assert votes.index(f"Biểu quyết: {plan}") < votes.index("bỏ phiếu kín")
        assert "; tán thành: 1 phiếu; không tán thành: 2 phiếu; không biểu quyết: 1 phiếu" in votes
        assert votes.index("KHÔNG THÔNG QUA") < votes.index(f"Biểu quyết: {conclusion}")
        # Opened as the conclusion vote (the room's checkbox); its heading, which names the
        # conclusion already, says so once.
        assert Vote.objects.get(meeting=meeting, question=conclusion).is_conclusion
        assert "(biểu quyết thông qua kết luận" not in votes
        assert CONCLUSION in section(text, r"7\. Đồng chí chủ trì kết luận", ITEM)
        assert f"Lý do kết thúc trước thời lượng tối thiểu: {EARLY_END}." in text

        # --- A visitor checks the PDF: one verdict, the same on every row. -------------------
        document = SignedDocument.objects.get(minutes__meeting=meeting)
        visitor = self.new_page()
        visitor.goto(self.url(f"/x/{document.verification_code}/"))  # the QR code's link
        expect(visitor.get_by_test_id("verdict").locator(".verdict-word")).to_have_text("HỢP LỆ")
        for pdf, word in [(signed, "HỢP LỆ"), (tampered(signed), "KHÔNG HỢP LỆ")]:
            visitor.goto(self.url("/xac-thuc/"))
            visitor.get_by_label("Tệp PDF cần kiểm tra").set_input_files(
                files=[{"name": "bien-ban.pdf", "mimeType": "application/pdf", "buffer": pdf}]
            )
            visitor.get_by_role("button", name="Kiểm tra", exact=True).click()
            verdict = visitor.get_by_test_id("verdict")
            expect(verdict.locator(".verdict-word")).to_have_text(word)
            shown = visitor.locator("main").inner_text()
            if word == "HỢP LỆ":
                assert "2 chữ ký số hợp lệ (Vũ Thị Mai, Đặng Văn Hải)" in shown
                assert "Không:" not in shown
                assert "Có:" not in shown
            else:
                assert "Không có sửa đổi trái phép" not in shown
            self.assert_plain_words(visitor, f"verification ({word})")
        self.screenshot(visitor, "whole-path-verify-tampered")

        # --- The superior committee's member searches the archive. ---------------------------
        search = self.new_page()
        self.sign_in(search, reviewer.user)
        search.goto(self.url(f"/xem-xet/to-chuc/{ward.pk}/luu-tru/"))
        found = {}
        for query in ["Hương Sen", "Hương", "huong sen", "huong"]:
            search.get_by_label("Tìm trong nội dung").fill(query)
            search.get_by_role("button", name="Tìm").click()
            rows = search.locator("table[data-archive] tbody tr")
            expect(rows.first).to_be_visible()
            found[query] = [int(row.get_attribute("data-document")) for row in rows.all()]
            if query == "Hương Sen":
                self.screenshot(search, "whole-path-archive-search")
                assert rows.first.locator("mark").all_inner_texts() == ["Hương", "Sen"]
        found["huong"] = sorted(found["huong"])  # without diacritics: every spelling
        assert found == {
            "Hương Sen": [document.pk],
            "Hương": [document.pk],  # not "Hưởng", not "hướng"
            "huong sen": [document.pk],
            "huong": sorted([document.pk, other.pk]),
        }
        self.assert_plain_words(search, "archive")

        # Their dashboard counts the exempt member neither absent nor in the attendance rate.
        search.goto(self.url(f"/xem-xet/to-chuc/{ward.pk}/theo-doi/{held.year}/"))
        figures = search.locator(f'tr[data-row="{cell.pk}"] td')
        expect(figures.nth(5)).to_contain_text("100")  # the attendance rate: 4 of 4
        expect(figures.nth(6)).to_have_text("1/1")  # the meeting meets the criterion
        expect(search.locator("table[data-short]")).to_contain_text(EARLY_END)
        self.screenshot(search, "whole-path-dashboard")
        self.assert_plain_words(search, "dashboard")

    def look_at_the_pdf(self, pdf: bytes) -> None:
        """Pages as PNG beside the screenshots, for a person to read (not asserted)."""
        from tests.e2e.browser import SCREENSHOTS

        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        signed = SCREENSHOTS / "whole-path.pdf"
        signed.write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-png", "-r", "90", str(signed), str(SCREENSHOTS / "whole-path-pdf")],
            check=True,
            timeout=120,
        )


def tampered(pdf: bytes) -> bytes:
    middle = len(pdf) // 3
    return pdf[:middle] + b"X" + pdf[middle + 1 :]
