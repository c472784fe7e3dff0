"""The recorder's note on a speaking turn is not lost when saving it did not go through (the
connection dropped on the way): it stays in its box across the page's redraws until the
server confirms it, and the page says when it is saved."""

import re

import pytest
from playwright.sync_api import expect

from meetings.models import SpeakingTurn
from tests.e2e.browser import BrowserTestCase
from tests.meetings.room.conftest import build_scene

pytestmark = pytest.mark.e2e

ROOM_SOCKET = re.compile(r".*/ws/meetings/\d+/(\?seq=\d+)?$")
NOTE = "Đồng chí đề nghị ra quân vào sáng Chủ nhật, mỗi tổ phụ trách một tuyến đường."


class TestRecorderNotes(BrowserTestCase):
    def open_recorder(self, member):
        """The recorder's page; while `self.cut` is set, a note on its way to the server is lost
        with the connection (the network drops as it is sent)."""
        self.cut = False

        def route(socket):
            server = socket.connect_to_server()

            def from_page(text):
                if self.cut and '"turn.note"' in text:
                    socket.close()
                else:
                    server.send(text)

            socket.on_message(from_page)

        page = self.new_page()
        self.sign_in(page, member.user)
        page.route_web_socket(ROOM_SOCKET, route)
        page.goto(self.url(f"/sinh-hoat/{self.scene.meeting.pk}/phong-hop/"))
        expect(page.locator("#connection")).to_have_text("Đã kết nối")
        return page

    def give_floor(self, chair, page, member):
        page.get_by_role("button", name="Xin phát biểu").click()
        chair.get_by_role("button", name=f"Mời phát biểu: {member.full_name}").click()
        expect(chair.locator("#speaker")).to_contain_text(f"Đang phát biểu: {member.full_name}")

    def test_a_note_that_did_not_reach_the_server_stays_until_saved(self):
        self.scene = scene = build_scene()
        chair = self.open_room(scene.chair)
        chair.get_by_role("button", name="Bắt đầu buổi sinh hoạt").click()
        expect(chair.locator("#meeting-status")).to_contain_text("Đang họp")
        recorder = self.open_recorder(scene.recorder)
        a, b, _c = scene.officials
        pages = {m.pk: self.open_room(m) for m in (a, b)}
        chair.locator("#agenda li").nth(2).get_by_role("button", name="Mở nội dung").click()
        self.give_floor(chair, pages[a.pk], a)

        area = recorder.get_by_label(f"Ý kiến của {a.full_name}")
        save = recorder.get_by_role("button", name=f"Lưu ghi chép phát biểu của {a.full_name}")
        area.fill("x" * 4100)  # no longer than the server keeps (NOTE_MAX_LENGTH)
        assert len(area.input_value()) == 4000
        area.fill(NOTE)
        self.cut = True
        save.click()
        expect(recorder.locator("#connection")).not_to_have_text("Đã kết nối")
        self.cut = False
        expect(recorder.locator("#connection")).to_have_text("Đã kết nối")

        # The next speaker: the turns are redrawn, and what the recorder wrote is still there.
        chair.get_by_role("button", name="Kết thúc lượt phát biểu").click()
        self.give_floor(chair, pages[b.pk], b)
        expect(recorder.get_by_label(f"Ý kiến của {b.full_name}")).to_be_visible()
        expect(area).to_have_value(NOTE)
        expect(recorder.locator("#room-messages")).not_to_contain_text("Đã lưu")
        assert SpeakingTurn.objects.get(meeting=scene.meeting, member=a).note == ""

        save.click()
        expect(recorder.locator("#room-messages")).to_have_text(f"Đã lưu ý kiến của {a.full_name}.")
        expect(area).to_have_value(NOTE)
        assert SpeakingTurn.objects.get(meeting=scene.meeting, member=a).note == NOTE
        expect(chair.locator("#turns")).to_contain_text(NOTE)

        # On a phone the box takes the list's width, and "Lưu" stands apart from "ý kiến bảo
        # lưu" (a tap on the label's last word would mark the note a reserved opinion).
        recorder.set_viewport_size({"width": 375, "height": 740})
        table = recorder.locator("#turns").bounding_box()
        assert area.bounding_box()["width"] >= 0.8 * table["width"]
        label = recorder.get_by_text("ý kiến bảo lưu").first.bounding_box()
        button = save.bounding_box()
        apart_across = button["x"] - (label["x"] + label["width"])
        apart_down = button["y"] - (label["y"] + label["height"])
        assert max(apart_across, apart_down) >= 12, (label, button)
        self.screenshot(recorder, "room-recorder-notes-375")
