"""The vote-counting board elected by show of hands (R-V5, glossary "ban kiểm phiếu"), in the
browser: the chair proposes three members in the vote form, the members raise their hands, and
the secret ballot opened next is counted by the board the meeting adopted."""

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from meetings.models import BallotBoard, Vote
from tests.e2e.browser import BrowserTestCase
from tests.e2e.test_secret_ballot_board import wait_for_phase
from tests.meetings.room.conftest import build_scene

pytestmark = pytest.mark.e2e


@override_settings(SECRET_BALLOT_ENCRYPTED=True)
class TestTheMeetingElectsTheBoard(BrowserTestCase):
    def test_the_board_elected_by_show_of_hands_counts_the_secret_ballot(self):
        self.scene = scene = build_scene()
        chair = self.open_room(scene.chair)
        chair.get_by_role("button", name="Bắt đầu buổi sinh hoạt").click()
        expect(chair.locator("#meeting-status")).to_contain_text("Đang họp")
        pages = {scene.chair.pk: chair}
        for member in (scene.recorder, *scene.officials):
            pages[member.pk] = self.open_room(member)
        a, b, c = scene.officials
        voters = [scene.chair, scene.recorder, a, b, c]

        # The chair proposes a, b and c (not the default board) to a show of hands.
        chair.locator("#agenda li").nth(1).get_by_role("button", name="Mở nội dung").click()
        proposed = chair.locator("#vote-board")
        # Shown for this kind only: the form's button stays in view for the others.
        expect(proposed).to_be_hidden()
        chair.get_by_label("Loại biểu quyết").select_option(label="Bầu ban kiểm phiếu")
        chair.get_by_label("Nội dung biểu quyết").fill("Bầu ban kiểm phiếu")
        proposed = chair.get_by_role("group", name="Ban kiểm phiếu đề nghị hội nghị biểu quyết")
        expect(proposed).to_be_visible()
        # Only official members present who may vote are offered (not the probationary).
        expect(proposed.get_by_role("checkbox")).to_have_count(5)
        for member in (a, b, c):
            proposed.get_by_role("checkbox", name=member.full_name).check()
        chair.locator("#vote").get_by_role("button", name="Mở biểu quyết").click()
        expect(chair.locator("#vote h3")).to_have_text("Bầu ban kiểm phiếu")
        board_vote = Vote.objects.get(kind="board")
        assert (board_vote.method, board_vote.options) == (
            "show_of_hands",
            {"members": [a.pk, b.pk, c.pk]},
        )
        # Every member sees whom the meeting votes for.
        expect(pages[b.pk].locator("#vote .board-proposed")).to_have_text(
            f"Ban kiểm phiếu đề nghị gồm các đồng chí: {a.full_name}, {b.full_name}, {c.full_name}."
        )
        for member, choice in zip(
            voters,
            ["Tán thành", "Tán thành", "Tán thành", "Tán thành", "Không tán thành"],
            strict=True,
        ):
            self.cast_ballot(pages[member.pk], choice)
            expect(pages[member.pk].locator("#room-messages")).to_contain_text(
                "Phiếu đã được ghi nhận.", timeout=15_000
            )
        chair.get_by_role("button", name="Kết thúc biểu quyết").click()
        result = pages[c.pk].locator("#results .result").first
        expect(result).to_contain_text("Bầu ban kiểm phiếu", timeout=15_000)
        expect(result).to_contain_text("Biểu quyết thông qua ban kiểm phiếu")
        board_vote.refresh_from_db()
        assert board_vote.result["decision"]["status"] == "passed"

        # The secret ballot opened next is counted by the elected board.
        chair.get_by_label("Loại biểu quyết").select_option(label="Kết nạp đảng viên")
        chair.get_by_label("Nội dung biểu quyết").fill("Kết nạp quần chúng Phạm Văn A")
        chair.get_by_label("Hình thức").select_option(label="Bỏ phiếu kín")
        chair.locator("#vote").get_by_role("button", name="Mở biểu quyết").click()
        expect(chair.locator("#vote h3")).to_have_text("Kết nạp quần chúng Phạm Văn A")
        board = BallotBoard.objects.get(vote__question="Kết nạp quần chúng Phạm Văn A")
        assert board.members == [a.pk, b.pk, c.pk]
        assert (board.chosen_by, board.elected_by_id) == ("elected", board_vote.pk)
        expect(pages[scene.recorder.pk].locator("#secret-ballot .board-names")).to_have_text(
            f"Ban kiểm phiếu: {a.full_name}, {b.full_name}, {c.full_name} (do hội nghị bầu "
            "bằng biểu quyết giơ tay)."
        )
        wait_for_phase(chair, board, "voting")
        for member in voters[:4]:
            self.cast_ballot(pages[member.pk], "Tán thành")
            expect(pages[member.pk].locator("#room-messages")).to_contain_text(
                "Phiếu đã được ghi nhận.", timeout=15_000
            )
        chair.get_by_role("button", name="Kết thúc biểu quyết").click()
        wait_for_phase(chair, board, "counted")
        counted = Vote.objects.get(pk=board.vote_id)
        assert counted.result["tally"] == {"yes": 4}
        self.screenshot(pages[a.pk], "room-board-elected")
        self.assert_accessible(pages[a.pk])
        # The chair's vote form, with its group of members to propose, is accessible too.
        chair.get_by_label("Loại biểu quyết").select_option(label="Bầu ban kiểm phiếu")
        expect(
            chair.get_by_role("group", name="Ban kiểm phiếu đề nghị hội nghị biểu quyết")
        ).to_be_visible()
        self.assert_accessible(chair)
