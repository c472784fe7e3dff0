"""Issue 16 (2): no page scrolls sideways on a 375 px phone. A secretary and a reviewer of the
superior committee open every page they use outside the live room (whose own test covers it);
on each, the document is no wider than the screen, and axe finds nothing. Screenshots at 375 and
1366 px of the agenda editor and the dashboard go to docs/screenshots/ (docs/screens.md)."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Page

from meetings.services import agenda as agenda_services
from meetings.services import scheduling
from minutes import rendering
from tests.e2e.browser import BrowserTestCase
from tests.factories import (
    CellFactory,
    CellRoleFactory,
    CommitteeSeatFactory,
    MemberFactory,
    OrganizationFactory,
)
from tests.meetings.helpers import details
from tests.minutes import samples
from tests.review.seed import at, held_meeting, really_signed, sign

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 812}
LAPTOP = {"width": 1366, "height": 768}
DOCS_SCREENSHOTS = Path(settings.BASE_DIR) / "docs" / "screenshots"

# The elements sticking out on the right (not those inside a box that scrolls by itself), to say
# what to fix when the check fails.
WIDER_THAN_THE_SCREEN = """() => {
  const width = document.documentElement.clientWidth;
  const clipped = (e) => {
    for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== 'visible') { return true; }
    }
    return false;
  };
  return [...document.querySelectorAll('body *')]
    .filter((e) => e.getBoundingClientRect().right > width + 0.5)
    .filter((e) => !e.closest('.visually-hidden, .skip-link') && !clipped(e))
    .slice(0, 8)
    .map((e) => `${e.tagName.toLowerCase()}.${e.className} (${Math.round(
      e.getBoundingClientRect().right)} px)`);
}"""


class TestNarrowScreens(BrowserTestCase):
    def assert_fits(self, page: Page, name: str) -> None:
        widths = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        sticking_out = page.evaluate(WIDER_THAN_THE_SCREEN)
        assert widths[0] <= widths[1], f"{name} scrolls sideways: {widths}, {sticking_out}"

    def shoot(self, page: Page, name: str) -> None:
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(DOCS_SCREENSHOTS / f"{name}.png"), full_page=True)

    def test_no_page_scrolls_sideways_at_375_px(self):
        ward = OrganizationFactory(name="Đảng bộ Phường Điện Biên Phủ")
        cell = CellFactory(name="Chi bộ Khu phố 1 Phường Điện Biên Phủ", parent=ward)
        other = CellFactory(name="Chi bộ Khu phố 2", parent=ward)
        secretary = CellRoleFactory(
            member__home_cell=cell, member__full_name="Nguyễn Thị Thu Hằng"
        ).member
        recorder = MemberFactory(home_cell=cell, full_name="Trần Văn Đức")
        for n in range(6):
            MemberFactory(home_cell=cell, full_name=f"Hoàng Thị Phương Thảo {n}")
        reviewer = CommitteeSeatFactory(
            organization=ward, member__home_cell=other, member__full_name="Lê Quang Vinh"
        ).member
        # The words as a real archive keeps them: the event chain's 64-digit hash, unbroken,
        # made the reviewer's page 623 px wide on a phone.
        document = really_signed(
            held_meeting(cell, "regular", at(9, 5)),
            secretary,
            recorder,
            text=rendering.document_text(samples.sample_minutes()),
        )
        sign(held_meeting(other, "regular", at(9, 6)), at(9, 7), "Biên bản Khu phố 2.")
        upcoming = scheduling.create_meeting(
            actor=secretary.user,
            cell=cell,
            details=details(
                starts_at=timezone.now() + datetime.timedelta(days=10),
                title="Sinh hoạt chuyên đề học tập và làm theo tư tưởng, đạo đức, phong cách",
            ),
        )
        agenda_services.apply_agenda_template(
            actor=secretary.user, meeting=upcoming, template="regular"
        )
        year = timezone.localdate().year

        secretary_pages = {
            "home": "/",
            "cell": f"/chi-bo/{cell.pk}/",
            "calendar": f"/chi-bo/{cell.pk}/lich-sinh-hoat/",
            "year-plan": f"/chi-bo/{cell.pk}/ke-hoach/{year}/",
            "meeting": f"/sinh-hoat/{upcoming.pk}/",
            "meeting-edit": f"/sinh-hoat/{upcoming.pk}/sua/",
            "agenda-editor": f"/sinh-hoat/{upcoming.pk}/chuong-trinh/",
            "new-meeting": f"/chi-bo/{cell.pk}/sinh-hoat/moi/",
            "add-member": f"/chi-bo/{cell.pk}/dang-vien/them/",
            "cell-history": f"/chi-bo/{cell.pk}/lich-su/",
            "time-zone": "/tai-khoan/mui-gio/",
            "backup-codes": "/tai-khoan/ma-du-phong/",
            "password": "/tai-khoan/mat-khau/",
            "roster-import": f"/chi-bo/{cell.pk}/nhap-danh-sach/",
            "member": f"/dang-vien/{recorder.pk}/",
            "minutes": f"/sinh-hoat/{document.minutes.meeting_id}/bien-ban/",
            "held-meeting": f"/sinh-hoat/{document.minutes.meeting_id}/",
            "notifications": "/thong-bao/",
        }
        reviewer_pages = {
            "organization": f"/to-chuc/{ward.pk}/",
            "dashboard": f"/xem-xet/to-chuc/{ward.pk}/theo-doi/{year}/",
            "archive": f"/xem-xet/to-chuc/{ward.pk}/luu-tru/",
            "review-document": f"/xem-xet/van-ban/{document.pk}/",
            "minutes-document": f"/van-ban/{document.pk}/",
        }
        failures = []
        for user, pages in ((secretary.user, secretary_pages), (reviewer.user, reviewer_pages)):
            page = self.new_page()
            page.set_viewport_size(PHONE)
            self.sign_in(page, user)
            for name, path in pages.items():
                page.set_viewport_size(PHONE)
                response = page.goto(self.url(path))
                assert response is not None
                assert response.status == 200, f"{name}: {response.status}"
                try:
                    self.assert_fits(page, name)
                except AssertionError as error:
                    failures.append(str(error))
                self.assert_accessible(page)
                if name == "agenda-editor":
                    # "Bỏ" was white on white (the buttons' text colour), and axe let it pass.
                    remove = page.get_by_role("button", name="Bỏ Khai mạc", exact=False).first
                    assert (
                        remove.evaluate("(e) => getComputedStyle(e).color") != "rgb(255, 255, 255)"
                    )
                if name in ("agenda-editor", "dashboard"):
                    self.shoot(page, f"{name}-375")
                    page.set_viewport_size(LAPTOP)
                    self.shoot(page, f"{name}-1366")
        assert failures == [], "\n".join(failures)
