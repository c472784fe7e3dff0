"""Forms, the header and the enrolment QR code as a keyboard and screen reader user meets them."""

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import BrowserTestCase
from tests.factories import PASSWORD, MemberFactory

pytestmark = pytest.mark.e2e

# WCAG 2.x relative luminance and contrast ratio of two "rgb(r, g, b)" colours.
LUMINANCE = """(colour) => {
  const [r, g, b] = colour.match(/[\\d.]+/g).slice(0, 3).map((v) => {
    const c = Number(v) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}"""


class TestFormAccessibility(BrowserTestCase):
    def test_a_form_with_errors_takes_focus_to_its_summary_whose_links_reach_each_field(self):
        page = self.new_page()
        page.goto(self.url("/dang-nhap/"))
        page.get_by_role("button", name="Tiếp tục").click()

        summary = page.locator(".error-summary")
        expect(summary).to_be_focused()
        summary.get_by_role("link").nth(1).click()
        password = page.get_by_label("Mật khẩu")
        expect(password).to_be_focused()
        described_by = password.get_attribute("aria-describedby")
        assert page.locator(f"#{described_by}").inner_text() != ""
        self.assert_accessible(page)

    def test_the_focus_ring_in_the_red_header_stands_out_at_least_three_to_one(self):
        page = self.new_page()
        page.goto(self.url("/dang-nhap/"))
        page.locator(".skip-link").focus()
        page.keyboard.press("Tab")  # the brand, in the header
        brand = page.locator(".brand")
        expect(brand).to_be_focused()
        assert brand.evaluate("e => e.matches(':focus-visible')")

        ring = brand.evaluate("e => getComputedStyle(e).outlineColor")
        bar = page.locator(".site-header").evaluate("e => getComputedStyle(e).backgroundColor")
        lighter, darker = sorted(
            (page.evaluate(f"({LUMINANCE})('{colour}')") for colour in (ring, bar)), reverse=True
        )
        assert (lighter + 0.05) / (darker + 0.05) >= 3

    def test_the_whole_enrolment_qr_code_is_shown_on_a_phone(self):
        member = MemberFactory()
        page = self.new_page()
        page.set_viewport_size({"width": 375, "height": 800})
        page.goto(self.url("/dang-nhap/"))
        page.get_by_label("Tên đăng nhập").fill(member.user.username)
        page.get_by_label("Mật khẩu").fill(PASSWORD)
        page.get_by_role("button", name="Tiếp tục").click()
        page.wait_for_url("**/dang-nhap/dang-ky-ma/**")

        svg = page.locator(".qr svg")
        shown = svg.bounding_box()
        drawn = svg.locator("path").last.bounding_box()  # the dark modules
        assert shown["x"] >= 0
        assert shown["x"] + shown["width"] <= 375
        assert shown["width"] == pytest.approx(shown["height"], abs=1)
        assert shown["x"] <= drawn["x"]
        assert shown["y"] <= drawn["y"]
        assert drawn["x"] + drawn["width"] <= shown["x"] + shown["width"]
        assert drawn["y"] + drawn["height"] <= shown["y"] + shown["height"]
        self.assert_accessible(page)
