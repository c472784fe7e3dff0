"""Browser tests: a real Daphne server (HTTP and websockets) driven by Debian's Chromium.

Subclass `BrowserTestCase`; each test gets fresh browser contexts from `new_page()`, and
`sign_in(page, user)` goes through the real login with a TOTP code.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from asgiref.sync import SyncToAsync
from axe_playwright_python.sync_playwright import Axe
from channels.testing import ChannelsLiveServerTestCase
from django.conf import settings
from django.db import connection
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, Locator, Page, Playwright, expect, sync_playwright

from config.celery import app as celery_app
from members.models import User
from tests.factories import PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path(settings.VAR_DIR) / "screenshots"
# WCAG 2.1 A and AA, the level the product promises.
AXE_OPTIONS = {
    "resultTypes": ["violations"],
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
}


def current_code(user: User) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    return f"{totp.token():0{device.digits}d}"


def with_time_left_in_the_step(user, seconds: float = 15) -> None:
    """Waits until at least `seconds` remain in the user's current TOTP time step, for steps that
    expect the code just used to still be the current one a few actions later (otherwise, across
    a step boundary, the "spent" code would be a fresh one)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice()
    left = device.step - (time.time() - device.t0) % device.step
    if left < seconds:
        time.sleep(left + 0.5)


def next_code(user) -> str:
    """The code the authenticator shows next (django-otp accepts one step ahead)."""
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    totp.time += device.step
    return f"{totp.token():0{device.digits}d}"


@pytest.mark.e2e
class BrowserTestCase(ChannelsLiveServerTestCase):
    host = "127.0.0.1"
    playwright: Playwright
    browser: Browser

    @classmethod
    def setUpClass(cls) -> None:
        # Playwright's sync API runs an event loop in this thread; the ORM calls made by the
        # test itself are still synchronous and safe (Playwright's advice for Django).
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        # The live server is a forked process. If an earlier async test in this process started
        # asgiref's thread-sensitive executor, the child inherits the executor but not its
        # thread: every database call of the server's websockets would wait forever. A fresh
        # executor starts its thread in whichever process first uses it.
        SyncToAsync.single_thread_executor = ThreadPoolExecutor(max_workers=1)
        super().setUpClass()
        cls.playwright = sync_playwright().start()
        cls.browser = cls.playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

    @classmethod
    def tearDownClass(cls) -> None:
        cls.browser.close()
        cls.playwright.stop()
        super().tearDownClass()
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)

    def setUp(self) -> None:
        super().setUp()
        self.contexts = []

    def tearDown(self) -> None:
        for context in self.contexts:
            context.close()
        self.wait_for_departures()
        self.wait_for_the_server_to_settle()
        super().tearDown()

    @staticmethod
    def wait_for_the_server_to_settle(quiet: float = 1.0, limit: float = 60.0) -> None:
        """Waits until the server has written what the closed pages left it to write (a room's
        departures): the database flush after the test would otherwise deadlock with it."""
        if connection.vendor != "postgresql":
            return
        busy = (
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid() AND state <> 'idle'"
        )
        calm_since, give_up = None, time.monotonic() + limit
        while time.monotonic() < give_up:
            with connection.cursor() as cursor:
                cursor.execute(busy)
                working = cursor.fetchone()[0]
            now = time.monotonic()
            calm_since = (calm_since or now) if not working else None
            if calm_since is not None and now - calm_since >= quiet:
                return
            time.sleep(0.1)

    def wait_for_departures(self, timeout: float = 30.0) -> None:
        """The live server writes the closed pages' departures (a meeting's lock, an event)
        after they close: the flush between tests waits for them, or the two deadlock."""
        from meetings.models import PresenceSpan

        deadline = time.monotonic() + timeout
        while PresenceSpan.objects.filter(left_at=None).exists() and time.monotonic() < deadline:
            time.sleep(0.1)

    def new_page(self, locale: str = "vi-VN") -> Page:
        context = self.browser.new_context(locale=locale, timezone_id="Asia/Ho_Chi_Minh")
        context.set_default_timeout(10_000)
        self.contexts.append(context)
        return context.new_page()

    def open_room(self, member) -> Page:
        """A page signed in as `member`, in the room of `self.scene`'s meeting, connected."""
        page = self.new_page()
        self.sign_in(page, member.user)
        page.goto(self.url(f"/sinh-hoat/{self.scene.meeting.pk}/phong-hop/"))
        expect(page.locator("#connection")).to_have_text("Đã kết nối")
        return page

    def cast_ballot(self, page: Page, label: str) -> None:
        """Chooses `label` on the open ballot, then confirms it in the dialog (one tap is not
        final)."""
        page.locator("#vote").get_by_role("button", name=label, exact=True).click()
        dialog = page.get_by_role("dialog", name="Xác nhận phiếu biểu quyết")
        dialog.get_by_role("button", name="Xác nhận, gửi phiếu").click()
        expect(dialog).to_be_hidden()

    def url(self, path: str) -> str:
        return f"{self.live_server_url}{path}"

    def sign_in(self, page: Page, user: User, password: str = PASSWORD) -> None:
        """Signs in through the login form and the one-time code, as a member would."""
        if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            TOTPDevice.objects.create(user=user, name="totp", confirmed=True)
        page.goto(self.url("/dang-nhap/"))
        page.get_by_label("Tên đăng nhập").fill(user.username)
        page.get_by_label("Mật khẩu").fill(password)
        page.get_by_role("button", name="Tiếp tục").click()
        page.get_by_label("Mã xác thực").fill(current_code(user))
        page.get_by_role("button", name="Đăng nhập").click()
        page.wait_for_url(lambda url: "/dang-nhap/" not in url)

    def assert_accessible(self, page: Page) -> None:
        """axe-core finds no WCAG 2.1 A/AA violation on the page as it is now."""
        results = Axe().run(page, options=AXE_OPTIONS)
        violations = [
            f"{v['id']}: {v['help']} ({', '.join(str(n['target']) for n in v['nodes'][:3])})"
            for v in results.response["violations"]
        ]
        assert violations == []

    def assert_reachable(self, page: Page, target: Locator) -> None:
        """A user can scroll `target` into the window with the mouse wheel (over its column:
        the page, or a panel that scrolls on its own) and it is what a pointer there hits: not
        cut off by a panel that cannot scroll, not under another element."""
        window = page.viewport_size
        page.evaluate("window.scrollTo(0, 0)")
        target.evaluate(
            "(e) => { for (let p = e.parentElement; p; p = p.parentElement) p.scrollTop = 0; }"
        )

        def in_window():
            box = target.bounding_box()
            return box and box["y"] >= 0 and box["y"] + box["height"] <= window["height"]

        for _ in range(60):
            if in_window():
                break
            box = target.bounding_box()
            page.mouse.move(box["x"] + box["width"] / 2, window["height"] / 2)
            page.mouse.wheel(0, 150)
            page.wait_for_timeout(50)
        box = target.bounding_box()
        assert in_window(), f"out of reach: {box}"
        assert box["x"] >= 0, box
        assert box["x"] + box["width"] <= window["width"], box
        assert target.evaluate(
            "(e) => { const r = e.getBoundingClientRect();"
            " const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);"
            " return e === hit || e.contains(hit); }"
        ), box

    def screenshot(self, page: Page, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path


class TasksInProcess:
    """Mixin (before `BrowserTestCase`): Celery tasks run in-process, in the test and in the live
    server forked from it (invitations sent, minutes rendered while the page waits)."""

    @classmethod
    def setUpClass(cls) -> None:
        cls._eager_before = celery_app.conf.task_always_eager
        celery_app.conf.task_always_eager = True
        super().setUpClass()

    @classmethod
    def tearDownClass(cls) -> None:
        super().tearDownClass()
        celery_app.conf.task_always_eager = cls._eager_before
