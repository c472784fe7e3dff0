"""A board member's part lost with its connection (a Daphne killed while the message was on its
way to it, tests/e2e/test_secret_ballot_restarts.py): the page sends it again once it is
connected again, and the key ceremony completes. Here the test holds the page's round 1 back
(Playwright's websocket route) and cuts its connection once the others' round 1 reached it.

Regression: the page used to keep such a part "in flight" until the page was reloaded, and,
back with nothing missed, did not even look at the board again: the key was never made."""

import json
import re

import pytest
from django.test import override_settings
from playwright.sync_api import Page, WebSocketRoute, expect

from meetings.models import BallotBoard
from tests.e2e.browser import BrowserTestCase
from tests.meetings.room.conftest import build_scene

pytestmark = pytest.mark.e2e


@override_settings(SECRET_BALLOT_ENCRYPTED=True)
class TestABoardMembersLostPart(BrowserTestCase):
    def open_room_losing(self, member, command: str, lost: list[str], routes: list) -> Page:
        """The member's room page, whose first `command` never reaches the server (its
        connection is cut later, by the test, through `routes`: one per connection)."""
        page = self.new_page()
        self.sign_in(page, member.user)

        def route(ws: WebSocketRoute) -> None:
            server = ws.connect_to_server()
            routes.append(ws)

            def from_page(message: str | bytes) -> None:
                if not lost and json.loads(message).get("type") == command:
                    lost.append(str(message))
                    return
                server.send(message)

            ws.on_message(from_page)

        page.route_web_socket(re.compile(r"/ws/meetings/"), route)
        page.goto(self.url(f"/sinh-hoat/{self.scene.meeting.pk}/phong-hop/"))
        expect(page.locator("#connection")).to_have_text("Đã kết nối")
        return page

    def test_a_round_1_lost_with_the_connection_is_sent_again(self):
        self.scene = scene = build_scene()
        chair = self.open_room(scene.chair)
        chair.get_by_role("button", name="Bắt đầu buổi sinh hoạt").click()
        expect(chair.locator("#meeting-status")).to_contain_text("Đang họp")
        lost: list[str] = []
        routes: list[WebSocketRoute] = []
        self.open_room(scene.recorder)
        # Board member 3 by default: the chair, then the first two others by id.
        third = self.open_room_losing(scene.officials[0], "board.commit", lost, routes)
        for member in scene.officials[1:]:
            self.open_room(member)

        chair.locator("#agenda li").nth(1).get_by_role("button", name="Mở nội dung").click()
        chair.get_by_label("Loại biểu quyết").select_option(label="Kết nạp đảng viên")
        chair.get_by_label("Nội dung biểu quyết").fill("Kết nạp (phần khóa bị mất)")
        chair.get_by_label("Hình thức").select_option(label="Bỏ phiếu kín")
        chair.locator("#vote").get_by_role("button", name="Mở biểu quyết").click()
        expect(chair.locator("#vote h3")).to_have_text("Kết nạp (phần khóa bị mất)")
        board = BallotBoard.objects.get(vote__question="Kết nạp (phần khóa bị mất)")
        assert board.members == [scene.chair.pk, scene.recorder.pk, scene.officials[0].pk]

        # Members 1 and 2 sent their round 1 and member 3's page has seen both (its own is on
        # its way); then its connection drops: nothing happens meanwhile, so the page is up to
        # date when it is back, with its round 1 not taken.
        commitments = "window.chiboRoom.state().votes.at(-1).board.commitments"
        third.wait_for_function(f"() => Object.keys({commitments}).length === 2")
        assert lost, "the page never sent its round 1"
        routes[0].close(code=1012, reason="restart")
        for _ in range(100):
            if len(routes) == 2:
                break
            third.wait_for_timeout(100)
        expect(third.locator("#connection")).to_have_text("Đã kết nối")
        for _ in range(200):
            board.refresh_from_db()
            if board.phase == "voting":
                break
            third.wait_for_timeout(100)
        assert len(routes) == 2, "one reconnection"
        done = (sorted(board.commitments), sorted(board.sealed))
        assert board.phase == "voting", (board.phase, done)
        # The same round 1 as the lost one (kept in the browser), taken once.
        assert board.commitments["3"] == json.loads(lost[0])["commitment"]
