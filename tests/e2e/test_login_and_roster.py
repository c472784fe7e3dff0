import pytest
from playwright.sync_api import expect

from tests.e2e.browser import BrowserTestCase
from tests.factories import CellRoleFactory, MemberFactory

pytestmark = pytest.mark.e2e


class TestSignInAndRoster(BrowserTestCase):
    def test_secretary_signs_in_with_a_code_and_sees_the_roster(self):
        secretary = CellRoleFactory(member__full_name="Nguyễn Thị Hằng").member
        MemberFactory(home_cell=secretary.home_cell, full_name="Trần Văn Đức")
        MemberFactory(
            home_cell=secretary.home_cell, full_name="Lý Thị Ngọc Ánh", standing="probationary"
        )
        page = self.new_page()
        page.goto(self.url("/dang-nhap/"))
        self.assert_accessible(page)

        self.sign_in(page, secretary.user)
        self.assert_accessible(page)
        page.get_by_role("link", name=secretary.home_cell.name).click()

        table = page.get_by_role("table").first
        assert page.get_by_role("heading", level=1).inner_text() == secretary.home_cell.name
        names = table.get_by_role("rowheader").all_inner_texts()
        # Vietnamese order: by given name (Ánh, Đức, Hằng: đ comes before h), members/names.py.
        assert names == ["Lý Thị Ngọc Ánh", "Trần Văn Đức", "Nguyễn Thị Hằng"]
        assert "Dự bị" in table.inner_text()
        self.assert_accessible(page)
        self.screenshot(page, "roster")

    def test_a_table_wider_than_the_screen_scrolls_from_the_keyboard(self):
        secretary = CellRoleFactory(member__full_name="Nguyễn Thị Hằng").member
        page = self.new_page()
        page.set_viewport_size({"width": 360, "height": 800})
        self.sign_in(page, secretary.user)
        page.get_by_role("link", name=secretary.home_cell.name).click()
        box = page.locator(".table-scroll").first

        expect(box).to_have_attribute("role", "region")
        box.focus()
        for _ in range(10):
            page.keyboard.press("ArrowRight")
        assert box.evaluate("box => box.scrollLeft") > 0
        self.assert_accessible(page)

        page.set_viewport_size({"width": 1600, "height": 800})  # the table fits: no tab stop
        expect(box).not_to_have_attribute("tabindex", "0")
