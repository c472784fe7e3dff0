"""The live room's page and its socket (issue 14): a refused socket stops the page reconnecting
and says why (defect 9); a ballot the server failed to write is sent again under the same
ballot id until it is counted (defect 1).

Every socket of the page goes through Playwright's websocket routing, which forwards frames
both ways, so the test can drop the connection or answer a frame in the server's place."""

import json
import re

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from meetings.models import Ballot
from meetings.services import attendance, room
from meetings.services.voting import opening
from tests.e2e.browser import BrowserTestCase
from tests.factories import CellFactory
from tests.meetings.room.conftest import build_scene

pytestmark = pytest.mark.e2e

ROOM_SOCKET = re.compile(r".*/ws/meetings/\d+/(\?seq=\d+)?$")


class TestRoomConnection(BrowserTestCase):
    def open_room(self, member, on_page_frame=None):
        """The room page of `member`, its sockets routed: `self.sockets` holds each socket's
        route (one per connection the page opened); `on_page_frame(route, server, text)`
        decides what to do with a frame from the page (default: pass it on)."""
        self.sockets = []

        def route(socket):
            server = socket.connect_to_server()
            self.sockets.append(socket)
            if on_page_frame is not None:
                socket.on_message(lambda text: on_page_frame(socket, server, text))

        page = self.new_page()
        self.sign_in(page, member.user)
        page.route_web_socket(ROOM_SOCKET, route)
        page.goto(self.url(f"/sinh-hoat/{self.scene.meeting.pk}/phong-hop/"))
        expect(page.locator("#connection")).to_have_text("Đã kết nối")
        return page

    def assert_no_more_sockets_after(self, page, count):
        # The page would try again after 0.5 s, 1 s, 2 s …: four seconds covers three tries.
        page.wait_for_timeout(4000)
        assert len(self.sockets) == count

    def test_a_signed_out_page_stops_reconnecting_and_says_so(self):
        self.scene = scene = build_scene()
        page = self.open_room(scene.officials[0])

        Session.objects.all().delete()  # signed out in another tab
        self.sockets[0].close()  # the network drops: the page reconnects, and is refused

        expect(page.locator("#connection")).to_have_text(
            "Phiên đăng nhập đã hết. Hãy tải lại trang và đăng nhập."
        )
        # Said once in the page's live region, which the connection line no longer is.
        expect(page.locator("#room-messages")).to_have_text(
            "Phiên đăng nhập đã hết. Hãy tải lại trang và đăng nhập."
        )
        self.assert_no_more_sockets_after(page, 2)

    def test_a_page_that_lost_access_stops_reconnecting_and_says_so(self):
        self.scene = scene = build_scene()
        member = scene.officials[0]
        page = self.open_room(member)

        member.home_cell = CellFactory()  # moved to another cell
        member.save()
        self.sockets[0].close()

        expect(page.locator("#connection")).to_have_text("Không vào được phòng họp này.")
        self.assert_no_more_sockets_after(page, 2)

    def test_a_ballot_answered_server_error_is_sent_again_with_the_same_ballot_id(self):
        self.scene = scene = build_scene()
        meeting = scene.meeting.pk
        voter = scene.officials[0]
        room.start_meeting(meeting_id=meeting, actor=scene.chair.user)
        for member in (scene.chair, scene.recorder, *scene.officials):
            attendance.join(meeting_id=meeting, actor=member.user, connection=f"x{member.pk}")
        room.open_item(meeting_id=meeting, actor=scene.chair.user, item_id=scene.items[2].pk)
        opening.open_vote(
            meeting_id=meeting, actor=scene.chair.user, kind="resolution", question="Nghị quyết"
        )
        ballots = []

        def fail_the_first_two(socket, server, text):
            frame = json.loads(text)
            if frame.get("type") == "ballot.cast":
                ballots.append(frame)
                if len(ballots) <= 2:  # the server's answer when a write failed
                    answer = {"type": "error", "id": frame["id"], "code": "server_error"}
                    socket.send(json.dumps(answer | {"message": "Máy chủ gặp lỗi."}))
                    return
            server.send(text)

        page = self.open_room(voter, on_page_frame=fail_the_first_two)
        self.cast_ballot(page, "Tán thành")

        expect(page.locator("#room-messages")).to_have_text(
            "Máy chủ chưa ghi được phiếu; đang tự động gửi lại…"
        )
        expect(page.locator("#room-messages")).to_have_text("Phiếu đã được ghi nhận.")
        assert len(ballots) == 3
        assert len({(b["id"], b["ballot"], b["choice"]) for b in ballots}) == 1
        counted = list(Ballot.objects.values_list("member_id", "choice", "client_ballot_id"))
        assert [(m, c, str(b)) for m, c, b in counted] == [(voter.pk, "yes", ballots[0]["ballot"])]

    def test_a_page_back_after_a_drop_has_its_state_with_the_hello_without_asking(self):
        self.scene = scene = build_scene()
        meeting = scene.meeting.pk
        voter = scene.officials[0]
        room.start_meeting(meeting_id=meeting, actor=scene.chair.user)
        for member in (scene.chair, scene.recorder, *scene.officials[1:]):
            attendance.join(meeting_id=meeting, actor=member.user, connection=f"x{member.pk}")
        room.open_item(meeting_id=meeting, actor=scene.chair.user, item_id=scene.items[2].pk)
        sent = []  # (socket number, type) of every frame the page sent
        deaf = []  # while set, frames from the server are lost on the way

        page = self.new_page()
        self.sign_in(page, voter.user)
        self.sockets = []

        def route(socket):
            server = socket.connect_to_server()
            number = len(self.sockets)
            self.sockets.append(socket)

            def from_page(text):
                sent.append((number, json.loads(text)["type"]))
                server.send(text)

            socket.on_message(from_page)
            server.on_message(lambda text: None if deaf else socket.send(text))

        page.route_web_socket(ROOM_SOCKET, route)
        page.goto(self.url(f"/sinh-hoat/{meeting}/phong-hop/"))
        expect(page.locator("#connection")).to_have_text("Đã kết nối")

        deaf.append(True)  # the network falters: the vote's opening never reaches the page
        opening.open_vote(
            meeting_id=meeting, actor=scene.chair.user, kind="resolution", question="Nghị quyết"
        )
        page.wait_for_timeout(500)
        deaf.clear()
        self.sockets[0].close()  # then drops

        # Back in, the page has what it missed with the server's hello (the events after the
        # seq it connected with, unasked: docs/protocol.md, Connecting) and shows the open vote,
        # asking nothing and loading no snapshot: it was only briefly away (issue 17).
        expect(
            page.locator("#vote").get_by_role("button", name="Tán thành", exact=True)
        ).to_be_visible()
        assert page.evaluate("window.chiboRoom.snapshotsWithHello()") == 0
        assert page.evaluate("window.chiboRoom.snapshotsLoaded()") == 0
        after_drop = [kind for number, kind in sent if number == 1]
        assert not {"snapshot", "events"} & set(after_drop), sent
