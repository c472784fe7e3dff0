"""One socket per room page (issue 17): the room's own socket is the page's live channel; every
other signed-in page keeps the notifications socket for the header's unread count."""

import pytest
from playwright.sync_api import Page, expect

from meetings.enums import NotificationKind
from meetings.models import Notification
from tests.e2e.browser import BrowserTestCase
from tests.meetings.room.conftest import build_scene

pytestmark = pytest.mark.e2e


def sockets_opened(page: Page) -> list[str]:
    """The address of every websocket the page opens from now on (kept in order)."""
    opened: list[str] = []
    page.on("websocket", lambda socket: opened.append(socket.url))
    return opened


def paths(urls: list[str]) -> list[str]:
    """Each address's path, without its query (the room's carries the page's `seq`)."""
    return ["/" + url.split("/", 3)[3].split("?")[0] for url in urls]


class TestRoomSockets(BrowserTestCase):
    def test_the_room_page_opens_only_the_rooms_socket_other_pages_the_notifications_one(self):
        self.scene = scene = build_scene()
        member = scene.officials[0]
        Notification.objects.create(
            user=member.user, kind=NotificationKind.INVITATION, title="Giấy mời họp chi bộ"
        )
        signed_in = self.new_page()
        self.sign_in(signed_in, member.user)
        # Each page in a tab of its own, watched from before it loads.
        page = signed_in.context.new_page()
        opened = sockets_opened(page)

        # Another signed-in page: the notifications socket (the header's live count).
        page.goto(self.url(f"/sinh-hoat/{scene.meeting.pk}/"))
        page.wait_for_load_state("load")  # the page's modules have run (they are deferred)
        expect(page.locator("[data-unread-number]")).to_have_text("1")
        assert paths(opened) == ["/ws/notifications/"]

        # The room page: its own socket only, and the header's count as the server rendered it.
        page = signed_in.context.new_page()
        opened = sockets_opened(page)
        page.goto(self.url(f"/sinh-hoat/{scene.meeting.pk}/phong-hop/"))
        expect(page.locator("#connection")).to_have_text("Đã kết nối")
        page.wait_for_load_state("load")
        expect(page.locator("[data-unread-number]")).to_have_text("1")
        expect(page.locator("[data-unread-count]")).to_be_visible()
        expect(page.locator("script[src*='notifications']")).to_have_count(0)
        assert paths(opened) == [f"/ws/meetings/{scene.meeting.pk}/"]
