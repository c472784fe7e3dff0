"""A reviewer of the superior committee, in the browser: searches the archive without
diacritics, opens the minutes, checks their signatures, leaves a comment; the cell's secretary
reads it."""

import pytest

from tests.e2e.browser import BrowserTestCase
from tests.factories import (
    CellFactory,
    CellRoleFactory,
    CommitteeSeatFactory,
    MemberFactory,
    OrganizationFactory,
)
from tests.review.seed import at, held_meeting, really_signed, sign

pytestmark = pytest.mark.e2e

COMMENT = "Đề nghị chi bộ bổ sung thời hạn hoàn thành nhiệm vụ chuyển đổi số."


class TestReview(BrowserTestCase):
    def test_reviewer_searches_verifies_and_comments_and_the_secretary_reads_it(self):
        ward = OrganizationFactory(name="Đảng bộ Phường Điện Biên")
        cell = CellFactory(name="Chi bộ Khu phố 1", parent=ward)
        other = CellFactory(name="Chi bộ Khu phố 2", parent=ward)
        secretary = CellRoleFactory(
            member__home_cell=cell, member__full_name="Nguyễn Thị Hằng"
        ).member
        recorder = MemberFactory(home_cell=cell, full_name="Trần Văn Đức")
        reviewer = CommitteeSeatFactory(
            organization=ward, member__home_cell=other, member__full_name="Lê Quang Vinh"
        ).member
        really_signed(held_meeting(cell, "regular", at(9, 5)), secretary, recorder)
        sign(held_meeting(other, "regular", at(9, 6)), at(9, 7), "Biên bản Khu phố 2.")

        page = self.new_page()
        self.sign_in(page, reviewer.user)
        page.get_by_role("link", name=ward.name).click()
        page.get_by_role("link", name="Bảng theo dõi").click()
        page.get_by_role("img", name="Số chi bộ sinh hoạt thường kỳ theo tháng, năm 2026")
        page.goto(self.url(f"/xem-xet/to-chuc/{ward.pk}/theo-doi/2025/"))
        assert "2" in page.locator("tr[data-row=total] td").first.inner_text()
        self.assert_accessible(page)
        self.screenshot(page, "review-dashboard")

        page.get_by_role("link", name="Lưu trữ biên bản").click()
        page.get_by_label("Tìm trong nội dung").fill("dong chi bi thu chu tri")
        page.get_by_role("button", name="Tìm").click()
        results = page.locator("table[data-archive] tbody tr")
        assert results.count() == 1
        assert "Đồng chí Bí thư chủ trì" in results.inner_text()
        self.assert_accessible(page)
        self.screenshot(page, "review-archive-search")

        results.get_by_role("link").click()
        verdict = page.get_by_test_id("verdict")
        assert "HỢP LỆ" in verdict.inner_text()
        assert "2 chữ ký số hợp lệ (Nguyễn Thị Hằng, Trần Văn Đức)" in verdict.inner_text()
        page.get_by_label("Ý kiến", exact=True).check()
        page.get_by_label("Nội dung", exact=True).fill(COMMENT)
        page.get_by_role("button", name="Ghi", exact=True).click()
        assert page.locator(".messages").inner_text() == "Đã ghi ý kiến của cấp ủy cấp trên."
        assert COMMENT in page.locator("[data-review]").inner_text()
        self.assert_accessible(page)
        self.screenshot(page, "review-document")

        # The public verification page tells the same.
        page.get_by_role("link", name="Trang xác thực văn bản").click()
        assert "HỢP LỆ" in page.get_by_test_id("verdict").inner_text()

        page = self.new_page()
        self.sign_in(page, secretary.user)
        page.get_by_role("link", name=cell.name).first.click()
        page.get_by_role("link", name="Ý kiến của cấp ủy cấp trên").click()
        review = page.locator("[data-review]")
        assert COMMENT in review.inner_text()
        assert "Lê Quang Vinh" in review.inner_text()
        self.assert_accessible(page)
        self.screenshot(page, "review-secretary-reads")
        # And who from outside read the cell's records.
        page.go_back()
        page.get_by_role("link", name="Nhật ký truy cập hồ sơ").click()
        assert "Lê Quang Vinh" in page.locator("table[data-audit]").inner_text()
        self.assert_accessible(page)


class TestArchiveSearch(BrowserTestCase):
    def test_the_search_finds_words_as_typed_and_marks_the_passage(self):
        ward = OrganizationFactory(name="Đảng bộ Phường Điện Biên")
        cell = CellFactory(name="Chi bộ Khu phố 1", parent=ward)
        reviewer = CommitteeSeatFactory(organization=ward, member__home_cell=cell).member
        letterhead = (
            "ĐẢNG BỘ PHƯỜNG ĐIỆN BIÊN CHI BỘ KHU PHỐ 1 ĐẢNG CỘNG SẢN VIỆT NAM. BIÊN BẢN SINH "
            "HOẠT CHI BỘ. Căn cứ Hướng dẫn số 12-HD/BTCTW của Ban Tổ chức Trung ương. "
        )
        found = sign(
            held_meeting(cell, "regular", at(3, 5)),
            at(3, 6),
            letterhead + "Đồng chí Nguyễn Thị Hương Sen phát biểu về vệ sinh môi trường.",
        )
        sign(
            held_meeting(cell, "regular", at(4, 5)),
            at(4, 6),
            letterhead + "(exclude_approved_absentees) Đồng chí Lê Văn Hưởng phát biểu.",
        )

        page = self.new_page()
        page.set_default_timeout(60_000)  # generous: the machine may be loaded
        self.sign_in(page, reviewer.user)
        page.goto(self.url(f"/xem-xet/to-chuc/{ward.pk}/luu-tru/"))
        search = page.get_by_label("Tìm trong nội dung")
        search.fill("Hương Sen")
        page.get_by_role("button", name="Tìm").click()
        rows = page.locator("table[data-archive] tbody tr")
        assert rows.count() == 1
        assert rows.get_attribute("data-document") == str(found.pk)
        assert rows.locator("mark").all_inner_texts() == ["Hương", "Sen"]
        assert "ĐẢNG CỘNG SẢN" not in rows.inner_text()
        assert "…Đồng chí Nguyễn Thị Hương Sen phát biểu" in rows.inner_text()
        self.assert_accessible(page)
        self.screenshot(page, "review-archive-search-diacritics")

        page.get_by_label("Tìm trong nội dung").fill("huong")
        page.get_by_role("button", name="Tìm").click()
        assert page.locator("table[data-archive] tbody tr").count() == 2

        page.get_by_label("Tìm trong nội dung").fill('" "')
        page.get_by_role("button", name="Tìm").click()
        assert "Cụm từ trong ngoặc kép đang trống." in page.content()
        self.assert_accessible(page)
