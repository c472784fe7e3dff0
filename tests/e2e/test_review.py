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
