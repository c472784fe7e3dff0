import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from meetings.models import BallotReceipt, EncryptedBallot, SecretBallot, Vote
from tests.e2e.browser import BrowserTestCase
from tests.meetings.room.conftest import build_scene

pytestmark = pytest.mark.e2e


class TestLiveRoom(BrowserTestCase):
    def vote(self, page, label):
        self.cast_ballot(page, label)
        expect(page.locator("#room-messages")).to_contain_text("Phiếu đã được ghi nhận.")

    def test_a_meeting_from_roll_call_to_a_secret_ballot(self):
        self.scene = scene = build_scene()
        chair = self.open_room(scene.chair)
        chair.get_by_role("button", name="Bắt đầu buổi sinh hoạt").click()
        expect(chair.locator("#meeting-status")).to_contain_text("Đang họp")
        recorder = self.open_room(scene.recorder)
        members = [self.open_room(m) for m in scene.officials]
        probationary = self.open_room(scene.probationary)

        # Roll call: everyone who opened the room is present; the quorum holds.
        expect(chair.locator("#quorum")).to_contain_text("Có mặt 6/7 đồng chí.")
        expect(chair.locator("#quorum")).to_contain_text("Đủ số lượng có mặt để biểu quyết.")
        self.assert_accessible(chair)

        # Floor: a regular request, then a point of order that goes first.
        chair.locator("#agenda li").nth(0).get_by_role("button", name="Mở nội dung").click()
        expect(chair.locator("#queue-empty")).to_have_text("Chưa có ai đăng ký phát biểu.")
        expect(chair.locator("#queue")).to_be_hidden()
        members[0].get_by_role("button", name="Xin phát biểu").click()
        expect(chair.locator("#queue li")).to_have_count(1)
        members[1].get_by_role("button", name="Kiến nghị về thủ tục").click()
        expect(chair.locator("#queue li").first).to_contain_text("Đảng viên 2")
        chair.locator("#queue li").first.get_by_role("button", name="Mời phát biểu").click()
        expect(members[2].locator("#speaker")).to_contain_text("Đang phát biểu: Đảng viên 2")
        # What the recorder is typing survives the page redrawing for someone else's request.
        recorder.get_by_label("Ý kiến của Đảng viên 2").fill("Đề nghị đọc lại chương trình.")
        members[2].get_by_role("button", name="Xin phát biểu").click()
        expect(recorder.locator("#queue li")).to_have_count(2)
        expect(recorder.get_by_label("Ý kiến của Đảng viên 2")).to_have_value(
            "Đề nghị đọc lại chương trình."
        )
        recorder.locator("#turns").get_by_role("button", name="Lưu").click()
        expect(chair.locator("#turns")).to_contain_text("Đề nghị đọc lại chương trình.")
        self.screenshot(chair, "room-floor")

        # A resolution that passes: 4 of N = 5 say yes. Online, the chair is offered no
        # discipline or election (R-O4).
        chair.locator("#agenda li").nth(2).get_by_role("button", name="Mở nội dung").click()
        expect(chair.get_by_label("Loại biểu quyết").locator("option")).to_have_text(
            [
                "Nghị quyết, kết luận",
                "Kết nạp đảng viên",
                "Công nhận đảng viên chính thức",
                "Thông qua biên bản",
                # Procedural, by show of hands (R-V5): allowed online.
                "Bầu ban kiểm phiếu",
            ]
        )
        expect(chair.locator("#vote-people")).to_have_count(0)  # no candidates, no subject
        self.open_vote(chair, "Nghị quyết, kết luận", "Thông qua nghị quyết tháng")
        expect(probationary.locator("#vote")).to_contain_text("không có quyền biểu quyết")
        expect(probationary.locator("#vote").get_by_role("button", name="Tán thành")).to_have_count(
            0
        )
        for page, label in zip(
            [chair, recorder, *members], ["Tán thành"] * 4 + ["Không tán thành"], strict=True
        ):
            self.vote(page, label)
        chair.get_by_role("button", name="Kết thúc biểu quyết").click()
        expect(members[0].locator("#results .result").first).to_contain_text("ĐẠT / THÔNG QUA")

        # An admission that fails at 2/3: 3 yes of N = 5 (needs 4).
        chair.locator("#agenda li").nth(1).get_by_role("button", name="Mở nội dung").click()
        self.open_vote(chair, "Kết nạp đảng viên", "Kết nạp quần chúng Phạm Văn A")
        for page, label in zip(
            [chair, recorder, *members], ["Tán thành"] * 3 + ["Không tán thành"] * 2, strict=True
        ):
            self.vote(page, label)
        chair.get_by_role("button", name="Kết thúc biểu quyết").click()
        first_result = members[0].locator("#results .result").first
        expect(first_result).to_contain_text("KHÔNG ĐẠT")
        expect(first_result).to_contain_text("Điều lệ Đảng, Điều 4 khoản 3")

        # A secret ballot, encrypted in each voter's page: the board's pages (the chair and the
        # first two members present) make the key by themselves, each voter keeps a tracker and
        # finds it among the counted ones, and the board's pages count at the close.
        self.open_vote(chair, "Kết nạp đảng viên", "Kết nạp (bỏ phiếu kín)", method="Bỏ phiếu kín")
        for page in [chair, recorder, *members]:
            self.vote(page, "Tán thành")
            expect(page.locator("#secret-ballot .tracker")).to_have_text(
                re.compile("[0-9a-f]{64}"), timeout=15_000
            )
        expect(chair.locator("#vote")).to_contain_text("Đã nhận 5/5 phiếu")
        chair.get_by_role("button", name="Kết thúc biểu quyết").click()
        secret_result = members[0].locator("#results .result").first
        expect(secret_result).to_contain_text("Tán thành: 5", timeout=20_000)
        expect(members[0].locator("#secret-ballot")).to_contain_text(
            "Phiếu của đồng chí có trong danh sách đã kiểm."
        )
        self.screenshot(members[0], "room-results")
        self.assert_accessible(members[0])

        # In the database: who voted, and ciphertexts that name no one; no choice in the clear.
        vote = Vote.objects.get(question="Kết nạp (bỏ phiếu kín)")
        assert BallotReceipt.objects.filter(vote=vote).count() == 5
        assert EncryptedBallot.objects.filter(vote=vote).count() == 5
        assert not SecretBallot.objects.filter(vote=vote).exists()
        columns = {f.column for f in EncryptedBallot._meta.concrete_fields}
        assert not columns & {"member_id", "cast_at", "client_ballot_id"}

    def open_vote(self, chair, kind, question, method=None):
        chair.get_by_label("Loại biểu quyết").select_option(label=kind)
        chair.get_by_label("Nội dung biểu quyết").fill(question)
        if method:
            chair.get_by_label("Hình thức").select_option(label=method)
        chair.locator("#vote").get_by_role("button", name="Mở biểu quyết").click()
        expect(chair.locator("#vote h3")).to_have_text(question)


class TestElectionRatification(BrowserTestCase):
    def test_the_reviewer_above_ratifies_and_the_secretary_sees_it(self):
        from types import SimpleNamespace

        from tests.factories import (
            CellFactory,
            CellRoleFactory,
            CommitteeSeatFactory,
            MemberFactory,
        )
        from tests.meetings.scenes import tree_election

        cell = CellFactory(name="Chi bộ Khu phố 5")
        tree = SimpleNamespace(
            cell=cell,
            secretary=CellRoleFactory(member__home_cell=cell).member,
            member=MemberFactory(home_cell=cell, full_name="Phạm Thu Trang"),
        )
        election = tree_election(tree)
        reviewer = CommitteeSeatFactory(
            organization=cell.parent, member__home_cell=CellFactory(parent=cell.parent)
        ).member

        page = self.new_page()
        self.sign_in(page, reviewer.user)
        page.goto(self.url("/chuan-y-bau-cu/"))
        card = page.locator(f"#election-{election.pk}")
        expect(card).to_contain_text("Phạm Thu Trang")
        card.get_by_label("Số quyết định chuẩn y").fill("125-QĐ/ĐU")
        card.get_by_label("Ngày quyết định").fill("32/13/2026")
        card.get_by_role("button", name="Chuẩn y").click()
        expect(page.locator(f"#election-{election.pk}")).to_contain_text("Ngày không hợp lệ")
        self.assert_accessible(page)
        self.screenshot(page, "ratification-errors")
        card = page.locator(f"#election-{election.pk}")
        card.get_by_label("Ngày quyết định").fill(timezone.localdate().strftime("%d/%m/%Y"))
        card.get_by_role("button", name="Chuẩn y").click()
        expect(page.locator("main")).to_contain_text("Đã chuẩn y kết quả bầu cử")

        secretary = self.new_page()
        self.sign_in(secretary, tree.secretary.user)
        secretary.goto(self.url(f"/sinh-hoat/{election.meeting.pk}/"))
        expect(secretary.locator("#elections-heading")).to_be_visible()
        expect(secretary.locator("main")).to_contain_text("Quyết định số 125-QĐ/ĐU")
        self.assert_accessible(secretary)
        self.screenshot(secretary, "ratification-on-meeting-page")


class TestEventsOutOfOrder(BrowserTestCase):
    """With several daphnes each sends its own events after commit, so a page may get an event
    before an earlier one (docs/protocol.md): it waits for the earlier one, it does not reload."""

    def test_an_event_ahead_of_an_earlier_one_waits_for_it(self):
        import json
        from concurrent.futures import ThreadPoolExecutor

        from asgiref.sync import async_to_sync
        from channels.layers import get_channel_layer
        from django.conf import settings
        from django.db import connection

        from meetings import events
        from meetings.models import MeetingEvent
        from meetings.services import room

        if not settings.REDIS_URL:
            pytest.skip("the page's server and this test share events only through Redis")

        def off_the_browser_loop(call, *args, **kwargs):
            """Playwright runs an event loop in this thread, and async_to_sync (broadcasts, the
            channel layer) refuses to run in such a thread."""

            def run():
                try:
                    return call(*args, **kwargs)
                finally:
                    connection.close()  # the thread's own database connection

            with ThreadPoolExecutor(max_workers=1) as thread:
                return thread.submit(run).result()

        scene = build_scene()
        item = scene.items[0]
        chair = {"meeting_id": scene.meeting.pk, "actor": scene.chair.user}
        off_the_browser_loop(room.start_meeting, **chair)
        off_the_browser_loop(room.open_item, **chair, item_id=item.pk)
        page = self.new_page()
        page.add_init_script(
            "window.snapshots = 0; const send = WebSocket.prototype.send;"
            "WebSocket.prototype.send = function (data) {"
            ' if (String(data).includes(\'"type":"snapshot"\')) window.snapshots += 1;'
            " return send.call(this, data); };"
        )
        self.sign_in(page, scene.officials[2].user)
        page.goto(self.url(f"/sinh-hoat/{scene.meeting.pk}/phong-hop/"))
        expect(page.locator("#connection")).to_have_text("Đã kết nối")
        expect(page.locator("#queue-empty")).to_be_visible()
        page.wait_for_timeout(500)  # the join's own event and snapshot have come and gone
        loaded = page.evaluate("window.snapshots")
        head = MeetingEvent.objects.filter(meeting=scene.meeting).order_by("-seq").first().seq

        def event(seq, member, request, queue):
            payload = {
                "request": request,
                "member": member.pk,
                "kind": "regular",
                "item": item.pk,
                "queue": queue,
            }
            frame = {
                "type": "event",
                "seq": seq,
                "event": events.FLOOR_REQUESTED,
                "payload": payload,
            }
            return {
                "type": "meeting.event",
                "seq": seq,
                "event": events.FLOOR_REQUESTED,
                "text": json.dumps(frame),
            }

        send = async_to_sync(get_channel_layer().group_send)
        group = events.group_name(scene.meeting.pk)
        later = event(head + 2, scene.officials[1], 9002, [9001, 9002])
        off_the_browser_loop(send, group, later)  # the later one first
        page.wait_for_timeout(150)
        off_the_browser_loop(send, group, event(head + 1, scene.officials[0], 9001, [9001]))

        expect(page.locator("#queue li")).to_have_text(["Đảng viên 1", "Đảng viên 2"])
        assert page.evaluate("window.snapshots") == loaded
