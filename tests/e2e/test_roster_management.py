import pytest

from members.models import Member, RosterChange
from tests.e2e.browser import BrowserTestCase, TasksInProcess
from tests.factories import CellRoleFactory, MemberFactory

pytestmark = pytest.mark.e2e

HEADER = "Họ và tên;Ngày sinh;Số thẻ đảng viên;Ngày vào Đảng;Ngày chính thức;Loại đảng viên\r\n"
GOOD = "Đỗ Minh Khoa;12/08/1985;55000001;03/02/2012;03/02/2013;chính thức\r\n"
BAD = "Vũ Thị Hoa;01/01/1992;;31/02/2024;;dự bị\r\n"
FIXED = "Vũ Thị Hoa;01/01/1992;;29/02/2024;;dự bị\r\n"


def csv_upload(text: str) -> dict[str, object]:
    return {"name": "danh-sach.csv", "mimeType": "text/csv", "buffer": text.encode("utf-8-sig")}


class TestRosterManagement(TasksInProcess, BrowserTestCase):
    """The import task runs in-process in the server forked from the test."""

    def test_secretary_adds_exempts_and_imports_in_the_browser(self):
        secretary = CellRoleFactory(member__full_name="Nguyễn Thị Hằng").member
        cell = secretary.home_cell
        MemberFactory(home_cell=cell, full_name="Trần Văn Đức")
        page = self.new_page()
        self.sign_in(page, secretary.user)
        page.get_by_role("link", name=cell.name).click()

        # Add a member.
        page.get_by_role("link", name="Thêm đảng viên").click()
        page.get_by_label("Họ và tên").fill("Lê Quang Vinh")
        page.get_by_label("Ngày vào Đảng").fill("31/13/2015")
        page.get_by_role("button", name="Thêm", exact=True).click()
        assert page.get_by_role("alert").get_by_role("link").all_inner_texts() == [
            "Ngày vào Đảng: Ngày không đúng dạng ngày/tháng/năm, ví dụ 19/05/2010.",
            "Loại đảng viên: Hãy chọn loại đảng viên.",
        ]
        self.assert_accessible(page)
        self.screenshot(page, "roster-add-errors")
        page.get_by_label("Họ và tên").fill("Lê Quang Vinh")
        page.get_by_label("Ngày sinh").fill("20/10/1988")
        page.get_by_label("Số thẻ đảng viên").fill("55000009")
        page.get_by_label("Ngày vào Đảng").fill("19/05/2015")
        page.get_by_label("Ngày chính thức").fill("19/05/2016")
        page.get_by_label("Loại đảng viên").select_option("official")
        page.get_by_role("button", name="Thêm", exact=True).click()
        assert page.locator(".messages").inner_text() == (
            "Đã thêm đồng chí Lê Quang Vinh vào danh sách chi bộ."
        )

        # Mark one exempt.
        page.get_by_role("link", name="Miễn sinh hoạt: đồng chí Trần Văn Đức").click()
        page.get_by_label("Lý do").fill("Tuổi cao, sức khỏe yếu")
        self.assert_accessible(page)
        self.screenshot(page, "roster-exempt")
        page.get_by_role("button", name="Ghi miễn sinh hoạt").click()
        row = page.get_by_role("row").filter(has_text="Trần Văn Đức")
        assert "Miễn sinh hoạt" in row.get_by_role("cell").nth(2).inner_text()

        # Import a file with one bad row: the report, and nothing imported.
        page.get_by_role("link", name="Nhập danh sách từ tệp").click()
        self.assert_accessible(page)
        page.get_by_label("Tệp danh sách").set_input_files(csv_upload(HEADER + GOOD + BAD))
        page.get_by_role("button", name="Nhập danh sách").click()
        alert = page.get_by_role("alert")
        assert "Chưa nhập được: tệp có 1 lỗi; không đảng viên nào được thêm." in alert.inner_text()
        report = page.get_by_role("table", name="Các lỗi trong tệp")
        assert report.get_by_role("row").nth(1).get_by_role("cell").all_inner_texts() == [
            "3",
            "Ngày vào Đảng",
            "“31/02/2024” không phải ngày theo dạng dd/mm/yyyy, ví dụ 19/05/2010.",
        ]
        assert not Member.objects.filter(full_name="Đỗ Minh Khoa").exists()
        self.assert_accessible(page)
        self.screenshot(page, "roster-import-report")

        # Fixed, it goes in.
        page.get_by_label("Tệp danh sách").set_input_files(csv_upload(HEADER + GOOD + FIXED))
        page.get_by_role("button", name="Nhập danh sách").click()
        assert page.locator(".messages").inner_text() == (
            "Đã nhập 2 đảng viên từ tệp danh-sach.csv."
        )
        names = page.get_by_role("table").first.get_by_role("rowheader").all_inner_texts()
        # Sorted here: the page orders by the database's collation, which puts "Đ" after "V".
        assert sorted(names) == [
            "Lê Quang Vinh",
            "Nguyễn Thị Hằng",
            "Trần Văn Đức",
            "Vũ Thị Hoa",
            "Đỗ Minh Khoa",
        ]
        self.assert_accessible(page)
        self.screenshot(page, "roster-managed")

        # The cell's history tells the story.
        page.get_by_role("link", name="Lịch sử danh sách").click()
        kinds = sorted(RosterChange.objects.values_list("kind", flat=True))
        assert kinds == ["added", "exempted", "imported", "imported"]
        assert page.get_by_role("table").get_by_role("row").count() == 5
        self.assert_accessible(page)
        self.screenshot(page, "roster-history")

        page.get_by_role("link", name="Trần Văn Đức").click()
        assert page.get_by_role("heading", level=1).inner_text() == "Hồ sơ đồng chí Trần Văn Đức"
        self.assert_accessible(page)
        self.screenshot(page, "roster-member")
