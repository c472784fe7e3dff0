import datetime
import re
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from meetings.services import scheduling
from tests.e2e.browser import BrowserTestCase
from tests.factories import CellRoleFactory, MemberFactory
from tests.meetings.helpers import draft_meeting

pytestmark = pytest.mark.e2e


class TestNotificationsInTheReadersLanguage(BrowserTestCase):
    def test_an_english_reader_hears_and_reads_a_vietnamese_members_notice_in_english(self):
        secretary = CellRoleFactory(member__full_name="Nguyễn Thị Hằng").member
        cell = secretary.home_cell
        member = MemberFactory(home_cell=cell, full_name="Trần Văn Đức")
        scene = SimpleNamespace(secretary=secretary, cell=cell)
        # A month ahead: no invitation is due yet, the secretary's only notice is the absence.
        starts_at = timezone.now() + datetime.timedelta(days=30)
        meeting = scheduling.schedule_meeting(
            actor=secretary.user, meeting=draft_meeting(scene, starts_at=starts_at)
        )
        day = meeting.local_day.strftime("%d/%m/%Y")

        page = self.new_page()
        self.sign_in(page, secretary.user)
        page.context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": self.live_server_url}]
        )
        frames: list = []
        page.on("websocket", lambda ws: ws.on("framereceived", lambda f: frames.append(f)))
        page.goto(self.url("/thong-bao/"))
        expect(page.get_by_text("No notifications yet.")).to_be_visible()
        for _ in range(100):  # the notifications socket says hello once it is in its group
            if frames:
                break
            page.wait_for_timeout(50)
        assert frames

        # The member, reading Vietnamese, asks to be excused on the meeting's page.
        member_page = self.new_page()
        self.sign_in(member_page, member.user)
        member_page.goto(self.url(f"/sinh-hoat/{meeting.pk}/"))
        member_page.get_by_label("Xin vắng mặt").check()
        member_page.get_by_label("Lý do vắng mặt").fill("Đi công tác Đà Nẵng")
        member_page.get_by_role("button", name="Gửi trả lời").click()
        expect(member_page.locator(".messages")).to_contain_text("Đã gửi lý do vắng mặt")

        english = f"Comrade Trần Văn Đức asks to be excused: Regular meeting {day}"
        expect(page.get_by_role("status")).to_have_text(english)
        expect(page.locator("[data-unread-number]")).to_have_text("1")
        page.reload()
        expect(page.get_by_role("link", name=english)).to_be_visible()
        expect(page.locator(".notifications")).to_contain_text("Đi công tác Đà Nẵng")
        self.assert_accessible(page)
        self.screenshot(page, "notifications-in-english")
        expect(page.locator("body")).not_to_contain_text(re.compile("xin vắng mặt"))
