"""Encrypted secret ballots in the browser beyond yes/no (issue 18's follow-up): an election of
three candidates for two seats and a discipline vote, chosen in the voters' pages, counted by
the board's pages, decided and verified; and the board's way out: the chair changes a board
whose member dropped out during the key ceremony (the dialog, by keyboard), then annuls a count
too few board members remain to finish, and puts the question again."""

import re

import pytest
from django.test import override_settings
from playwright.sync_api import Page, expect

from meetings.models import BallotBoard, PresenceSpan, Vote
from meetings.secret_ballot import record
from tests.e2e.browser import BrowserTestCase
from tests.meetings.room.conftest import build_scene

pytestmark = pytest.mark.e2e


def wait_for_phase(page: Page, board: BallotBoard, phase: str) -> None:
    for _ in range(150):
        board.refresh_from_db()
        if board.phase == phase:
            return
        page.wait_for_timeout(100)
    assert board.phase == phase


@override_settings(SECRET_BALLOT_ENCRYPTED=True)
class TestEncryptedElectionAndDiscipline(BrowserTestCase):
    def start(self, scene):
        chair = self.open_room(scene.chair)
        chair.get_by_role("button", name="Bắt đầu buổi sinh hoạt").click()
        expect(chair.locator("#meeting-status")).to_contain_text("Đang họp")
        pages = {scene.chair.pk: chair}
        for member in (scene.recorder, *scene.officials):
            pages[member.pk] = self.open_room(member)
        return chair, pages

    def open_vote(self, chair, item, kind, question, people, seats=None):
        chair.locator("#agenda li").nth(item).get_by_role("button", name="Mở nội dung").click()
        chair.get_by_label("Loại biểu quyết").select_option(label=kind)
        chair.get_by_label("Nội dung biểu quyết").fill(question)
        chair.get_by_label("Người được bầu hoặc xem xét kỷ luật").select_option(label=people)
        if seats:
            chair.get_by_label("Số lượng cần bầu").fill(str(seats))
        chair.locator("#vote").get_by_role("button", name="Mở biểu quyết").click()
        expect(chair.locator("#vote h3")).to_have_text(question)
        board = BallotBoard.objects.get(vote__question=question)
        wait_for_phase(chair, board, "voting")
        return board

    def elect(self, page, names):
        vote = page.locator("#vote")
        for name in names:
            vote.get_by_role("checkbox", name=name).check()
        vote.get_by_role("button", name="Gửi phiếu").click()
        dialog = page.get_by_role("dialog", name="Xác nhận phiếu biểu quyết")
        expect(dialog).to_contain_text(", ".join(names))
        dialog.get_by_role("button", name="Xác nhận, gửi phiếu").click()
        expect(dialog).to_be_hidden()
        expect(page.locator("#room-messages")).to_contain_text(
            "Phiếu đã được ghi nhận.", timeout=15_000
        )

    def verify_in_page(self, page, board):
        box = page.locator("#secret-ballot")
        expect(box).to_contain_text("Phiếu của đồng chí có trong danh sách đã kiểm.")
        box.get_by_role("button", name="Kiểm tra kết quả").click()
        board.refresh_from_db()
        expect(box.locator(".verification")).to_contain_text(
            f"Hợp lệ: kết quả tính lại đúng. Dấu vân tay: {board.fingerprint}", timeout=20_000
        )

    def test_an_encrypted_election_for_two_seats_and_a_discipline_vote(self):
        # In the hall: an online meeting may not hold an election or a discipline vote (R-O4).
        self.scene = scene = build_scene(mode="in_person")
        chair, pages = self.start(scene)
        a, b, c = scene.officials
        voters = [scene.chair, scene.recorder, a, b, c]

        board = self.open_vote(
            chair, 2, "Bầu cử", "Bầu chi ủy viên", [a.full_name, b.full_name, c.full_name], seats=2
        )
        assert board.manifest["max"] == 2
        choices = [[a, b], [a, b], [a, c], [a], [b, c]]
        for member, chosen in zip(voters, choices, strict=True):
            self.elect(pages[member.pk], [m.full_name for m in chosen])
        chair.get_by_role("button", name="Kết thúc biểu quyết").click()
        voter = pages[c.pk]
        result = voter.locator("#results .result").first
        expect(result).to_contain_text("ĐẠT / THÔNG QUA", timeout=20_000)
        expect(result).to_contain_text(f"{a.full_name}: 4/5")
        expect(result).to_contain_text(f"{b.full_name}: 3/5")
        expect(result).to_contain_text(f"{c.full_name}: 2/5")
        vote = Vote.objects.get(pk=board.vote_id)
        assert vote.result["decision"]["elected"] == [a.pk, b.pk]
        self.verify_in_page(voter, board)
        assert record.verify(board.record.encode()).counts == {
            str(a.pk): 4,
            str(b.pk): 3,
            str(c.pk): 2,
        }

        board = self.open_vote(chair, 1, "Kỷ luật", "Kỷ luật Đảng viên 3", c.full_name)
        for member, form in zip(
            voters[:4], ["Khiển trách", "Khiển trách", "Không kỷ luật", "Cảnh cáo"], strict=True
        ):
            self.cast_ballot(pages[member.pk], form)
            expect(pages[member.pk].locator("#room-messages")).to_contain_text(
                "Phiếu đã được ghi nhận.", timeout=15_000
            )
        chair.get_by_role("button", name="Kết thúc biểu quyết").click()
        voter = pages[b.pk]
        result = voter.locator("#results .result").first
        expect(result).to_contain_text("Kỷ luật Đảng viên 3", timeout=20_000)
        expect(result).to_contain_text("ĐẠT / THÔNG QUA")
        expect(result).to_contain_text("Khiển trách: 2/5")
        expect(result).to_contain_text("Cảnh cáo: 1/5")
        decision = Vote.objects.get(pk=board.vote_id).result["decision"]
        # Counted down from the most severe form (R-D3): warning 1, reprimand 2 + 1 = 3 of 5.
        assert (decision["status"], decision["form"]) == ("passed", "khien_trach")
        self.verify_in_page(voter, board)
        self.screenshot(voter, "room-encrypted-election-discipline")
        self.assert_accessible(voter)


@override_settings(SECRET_BALLOT_ENCRYPTED=True)
class TestTheBoardsWayOut(BrowserTestCase):
    def test_the_chair_changes_the_board_then_annuls_a_count_and_votes_again(self):
        self.scene = scene = build_scene()
        chair = self.open_room(scene.chair)
        chair.get_by_role("button", name="Bắt đầu buổi sinh hoạt").click()
        expect(chair.locator("#meeting-status")).to_contain_text("Đang họp")
        pages = {scene.chair.pk: chair}
        for member in (scene.recorder, *scene.officials):
            pages[member.pk] = self.open_room(member)
        a, b, c = scene.officials
        # Board member 3 by default (the first two others by id: the recorder, then a) closes
        # the page before the vote opens: present on the roll, but its part never comes.
        pages.pop(a.pk).context.close()

        chair.locator("#agenda li").nth(1).get_by_role("button", name="Mở nội dung").click()
        chair.get_by_label("Loại biểu quyết").select_option(label="Kết nạp đảng viên")
        chair.get_by_label("Nội dung biểu quyết").fill("Kết nạp quần chúng Phạm Văn A")
        chair.get_by_label("Hình thức").select_option(label="Bỏ phiếu kín")
        chair.locator("#vote").get_by_role("button", name="Mở biểu quyết").click()
        expect(chair.locator("#vote h3")).to_have_text("Kết nạp quần chúng Phạm Văn A")
        board = BallotBoard.objects.get(vote__question="Kết nạp quần chúng Phạm Văn A")
        assert board.members == [scene.chair.pk, scene.recorder.pk, a.pk]

        # The chair sees who has not done their part, and changes the board by keyboard.
        panel = chair.locator("#secret-ballot .board-chair")
        expect(panel).to_contain_text(f"3. {a.full_name} — chưa gửi phần")
        # Its page closed: the chair's list says so at once, not with the next snapshot (~1 min).
        expect(panel.locator("li").nth(2)).to_contain_text("(không kết nối)", timeout=5_000)
        expect(panel.locator("li").nth(1)).not_to_contain_text("(không kết nối)")
        expect(panel).to_contain_text(
            f"1. {scene.chair.full_name} — đã gửi phần khóa, chờ các thành viên khác"
        )
        panel.get_by_role("button", name="Đổi ban kiểm phiếu").focus()
        chair.keyboard.press("Enter")
        dialog = chair.get_by_role("dialog", name="Đổi ban kiểm phiếu")
        expect(dialog).to_be_visible()
        self.screenshot(chair, "room-board-change")
        self.assert_accessible(chair)
        members = dialog.get_by_role("group", name="Thành viên ban kiểm phiếu")
        expect(members.get_by_role("checkbox")).to_have_count(5)  # the probationary is not offered
        # A member who closes the page while the dialog is open is marked there too, at once.
        expect(dialog.locator(f'label[data-member="{a.pk}"] .muted')).to_be_visible()
        away = dialog.locator(f'label[data-member="{c.pk}"] .muted')
        expect(away).to_be_hidden()
        c_page = pages.pop(c.pk)
        c_page.close()  # the page only: its context keeps the session, to come back below
        expect(away).to_be_visible(timeout=5_000)
        expect(away).to_have_text("(không kết nối)")
        box_a = members.get_by_role("checkbox", name=re.compile(a.full_name))
        box_b = members.get_by_role("checkbox", name=re.compile(b.full_name))
        if box_a.is_checked():
            box_a.focus()
            chair.keyboard.press("Space")
        box_b.focus()
        chair.keyboard.press("Space")
        expect(box_b).to_be_checked()
        dialog.get_by_role("button", name="Đổi ban kiểm phiếu").focus()
        chair.keyboard.press("Enter")
        expect(dialog).to_be_hidden()
        wait_for_phase(chair, board, "voting")
        # Focus is not lost to the page's top: it stays in the ballot's box as it is redrawn.
        expect(chair.locator("#secret-ballot")).not_to_contain_text("Đổi ban kiểm phiếu")
        assert chair.evaluate("Boolean(document.activeElement.closest('#secret-ballot'))")
        assert board.members == [scene.chair.pk, scene.recorder.pk, b.pk]
        assert board.threshold == 2
        pages[c.pk] = c_page.context.new_page()
        pages[c.pk].goto(self.url(f"/sinh-hoat/{scene.meeting.pk}/phong-hop/"))
        expect(pages[c.pk].locator("#connection")).to_have_text("Đã kết nối")

        for member in (scene.chair, scene.recorder, b, c):
            page = pages[member.pk]
            self.cast_ballot(page, "Tán thành")
            expect(page.locator("#room-messages")).to_contain_text(
                "Phiếu đã được ghi nhận.", timeout=15_000
            )
        # Board members 2 and 3 leave before the count: the chair's page decrypts alone.
        pages.pop(scene.recorder.pk).context.close()
        pages.pop(b.pk).context.close()
        chair.get_by_role("button", name="Kết thúc biểu quyết").click()
        wait_for_phase(chair, board, "counting")
        # While the board counts, no one is offered a ballot or a close that can do nothing.
        expect(chair.locator("#vote")).to_contain_text(
            "Biểu quyết đã kết thúc; ban kiểm phiếu đang kiểm phiếu."
        )
        expect(chair.get_by_role("button", name="Kết thúc biểu quyết")).to_have_count(0)
        expect(pages[c.pk].locator("#vote-banner-link")).to_have_text(
            "Đang kiểm phiếu: Kết nạp quần chúng Phạm Văn A"
        )
        expect(panel).to_contain_text(f"2. {scene.recorder.full_name} — chưa gửi phần giải mã")
        panel.get_by_role("button", name="Hủy kết quả, bỏ phiếu lại").click()
        confirm = chair.get_by_role("dialog", name="Hủy kết quả biểu quyết này?")
        expect(confirm).to_contain_text(scene.recorder.full_name)
        confirm.get_by_role("button", name="Hủy kết quả, bỏ phiếu lại").click()
        expect(confirm).to_be_hidden()

        watcher = pages[c.pk]
        result = watcher.locator("#results .result").first
        expect(result).to_contain_text("KHÔNG KIỂM ĐƯỢC PHIẾU", timeout=15_000)
        expect(result).to_contain_text("Đã nhận 4/5 phiếu")
        expect(result).to_contain_text("chưa giải mã")
        expect(result).to_contain_text(b.full_name)
        expect(watcher.locator("#secret-ballot")).to_contain_text("Phiếu của đồng chí đã được nhận")
        void = Vote.objects.get(pk=board.vote_id)
        assert (void.status, void.attempt) == ("void", 1)
        self.screenshot(watcher, "room-encrypted-void")
        self.assert_accessible(watcher)

        # The chair puts the same question again: the same attempt, a new board of those present.
        chair.locator("#results").get_by_role("button", name="Bỏ phiếu lại").click()
        expect(chair.locator("#vote h3")).to_have_text("Kết nạp quần chúng Phạm Văn A")
        again = Vote.objects.filter(question="Kết nạp quần chúng Phạm Văn A").latest("pk")
        assert again.pk != void.pk
        assert (again.status, again.attempt, again.method) == ("open", 1, "secret_ballot")
        assert BallotBoard.objects.get(vote=again).members[0] == scene.chair.pk


@override_settings(SECRET_BALLOT_ENCRYPTED=True)
class TestAnOfflineBoardMember(BrowserTestCase):
    def test_the_change_dialog_marks_a_member_gone_before_the_chairs_snapshot(self):
        # The page's `online` list comes with the snapshot: a board member whose page closed
        # before the chair's page loaded is not in it, and the dialog says "(không kết nối)".
        self.scene = scene = build_scene()
        chair = self.open_room(scene.chair)
        chair.get_by_role("button", name="Bắt đầu buổi sinh hoạt").click()
        expect(chair.locator("#meeting-status")).to_contain_text("Đang họp")
        a, b, c = scene.officials
        pages = {m.pk: self.open_room(m) for m in (scene.recorder, b, c)}
        self.open_room(a).context.close()  # present on the roll, then gone
        for _ in range(100):
            if not PresenceSpan.objects.filter(attendance__member=a, left_at=None).exists():
                break
            chair.wait_for_timeout(100)
        chair.reload()
        expect(chair.locator("#connection")).to_have_text("Đã kết nối")

        chair.locator("#agenda li").nth(1).get_by_role("button", name="Mở nội dung").click()
        chair.get_by_label("Loại biểu quyết").select_option(label="Kết nạp đảng viên")
        chair.get_by_label("Nội dung biểu quyết").fill("Kết nạp quần chúng Phạm Văn B")
        chair.get_by_label("Hình thức").select_option(label="Bỏ phiếu kín")
        chair.locator("#vote").get_by_role("button", name="Mở biểu quyết").click()
        expect(chair.locator("#vote h3")).to_have_text("Kết nạp quần chúng Phạm Văn B")
        board = BallotBoard.objects.get(vote__question="Kết nạp quần chúng Phạm Văn B")
        assert board.members == [scene.chair.pk, scene.recorder.pk, a.pk]

        panel = chair.locator("#secret-ballot .board-chair")
        expect(panel.locator("li").nth(2)).to_contain_text(f"{a.full_name} — chưa gửi phần")
        expect(panel.locator("li").nth(2)).to_contain_text("(không kết nối)")
        expect(panel.locator("li").nth(1)).not_to_contain_text("(không kết nối)")
        panel.get_by_role("button", name="Đổi ban kiểm phiếu").click()
        dialog = chair.get_by_role("dialog", name="Đổi ban kiểm phiếu")
        away = dialog.locator(f'label[data-member="{a.pk}"] .muted')
        expect(away).to_be_visible()
        expect(away).to_have_text("(không kết nối)")
        expect(dialog.get_by_role("checkbox", name=re.compile(a.full_name))).not_to_be_checked()
        for present in (scene.recorder, b, c):
            expect(dialog.locator(f'label[data-member="{present.pk}"] .muted')).to_be_hidden()
        self.screenshot(chair, "room-board-change-offline")

        # Meanwhile c votes: the choice waits for the key, c is told so, and it is not lost.
        self.cast_ballot(pages[c.pk], "Tán thành")
        expect(pages[c.pk].locator("#room-messages")).to_have_text(
            "Ban kiểm phiếu đang tạo khóa: phiếu của đồng chí sẽ tự gửi khi xong;"
            " hãy giữ trang này mở."
        )
        dialog.get_by_role("checkbox", name=re.compile(b.full_name)).check()
        dialog.get_by_role("button", name="Đổi ban kiểm phiếu").click()
        expect(dialog).to_be_hidden()
        wait_for_phase(chair, board, "voting")
        expect(pages[c.pk].locator("#room-messages")).to_have_text(
            "Phiếu đã được ghi nhận.", timeout=15_000
        )
        vote = Vote.objects.get(pk=board.vote_id)
        assert list(vote.receipts.values_list("member", flat=True)) == [c.pk]
        assert vote.encrypted_ballots.count() == 1
