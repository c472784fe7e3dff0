"""Issue 18's browser test: an encrypted secret ballot with three voters and a board of three.
The board members' pages make the key by themselves; the voters' pages encrypt and prove; one
board member closes the page before the count; the other two count, and the tally comes out
right and verifies in the page."""

import re

import pytest
from django.conf import settings
from django.test import override_settings
from playwright.sync_api import expect

from meetings.models import BallotBoard, EncryptedBallot
from meetings.secret_ballot import record
from tests.e2e.browser import BrowserTestCase
from tests.meetings.room.conftest import build_scene

pytestmark = pytest.mark.e2e


@override_settings(SECRET_BALLOT_ENCRYPTED=True)
class TestEncryptedSecretBallot(BrowserTestCase):
    def test_three_voters_a_board_of_three_one_leaves_before_the_count(self):
        self.scene = scene = build_scene()
        chair = self.open_room(scene.chair)
        chair.get_by_role("button", name="Bắt đầu buổi sinh hoạt").click()
        expect(chair.locator("#meeting-status")).to_contain_text("Đang họp")
        recorder = self.open_room(scene.recorder)
        members = [self.open_room(m) for m in scene.officials]
        pages = {scene.chair.pk: chair, scene.recorder.pk: recorder}
        pages |= {m.pk: p for m, p in zip(scene.officials, members, strict=True)}

        chair.locator("#agenda li").nth(1).get_by_role("button", name="Mở nội dung").click()
        chair.get_by_label("Loại biểu quyết").select_option(label="Kết nạp đảng viên")
        chair.get_by_label("Nội dung biểu quyết").fill("Kết nạp (phiếu kín mã hóa)")
        chair.get_by_label("Hình thức").select_option(label="Bỏ phiếu kín")
        chair.locator("#vote").get_by_role("button", name="Mở biểu quyết").click()
        expect(chair.locator("#vote h3")).to_have_text("Kết nạp (phiếu kín mã hóa)")

        board = BallotBoard.objects.get(vote__question="Kết nạp (phiếu kín mã hóa)")
        assert board.members[0] == scene.chair.pk
        board_pages = [pages[m] for m in board.members]
        expect(board_pages[1].locator("#secret-ballot")).to_contain_text(
            "thành viên ban kiểm phiếu số 2"
        )
        # The board's pages make the key with nobody clicking anything.
        voters = [m for m in pages if m not in board.members][:1] + board.members[:2]
        for _ in range(100):
            board.refresh_from_db()
            if board.phase == "voting":
                break
            chair.wait_for_timeout(100)
        assert board.phase == "voting"

        for member, label in zip(
            voters, ["Tán thành", "Tán thành", "Không tán thành"], strict=True
        ):
            page = pages[member]
            self.cast_ballot(page, label)
            expect(page.locator("#room-messages")).to_contain_text(
                "Phiếu đã được ghi nhận.", timeout=15_000
            )
            expect(page.locator("#secret-ballot .tracker")).to_have_text(re.compile("[0-9a-f]{64}"))
            # The 64 characters wrap inside the ballot's box, not past its edge.
            panel = page.locator("#secret-ballot").bounding_box()
            tracker = page.locator("#secret-ballot .tracker").bounding_box()
            assert tracker["x"] + tracker["width"] <= panel["x"] + panel["width"]
        trackers = {pages[m].locator("#secret-ballot .tracker").inner_text() for m in voters}
        assert trackers == set(
            EncryptedBallot.objects.filter(vote=board.vote).values_list("tracker", flat=True)
        )

        # Board member 3 reloads the page: its key share comes back from its browser.
        board_pages[2].reload()
        expect(board_pages[2].locator("#connection")).to_have_text("Đã kết nối")
        # Board member 2 closes the page; the chair closes the vote; members 1 and 3 count.
        board_pages[1].context.close()
        chair.get_by_role("button", name="Kết thúc biểu quyết").click()
        voter = pages[voters[0]]
        result = voter.locator("#results .result").first
        expect(result).to_contain_text("Tán thành: 2", timeout=20_000)
        expect(result).to_contain_text("Không tán thành: 1")
        box = voter.locator("#secret-ballot")
        expect(box).to_contain_text("Phiếu của đồng chí có trong danh sách đã kiểm.")
        box.get_by_role("button", name="Kiểm tra kết quả").click()
        board.refresh_from_db()
        expect(box.locator(".verification")).to_contain_text(
            f"Hợp lệ: kết quả tính lại đúng. Dấu vân tay: {board.fingerprint}", timeout=20_000
        )
        verification = box.locator(".verification").bounding_box()
        outer = box.bounding_box()
        assert verification["x"] + verification["width"] <= outer["x"] + outer["width"]
        assert record.verify(board.record.encode()).counts == {"yes": 2, "no": 1, "abstain": 0}
        assert sorted(board.decryptions) == ["1", "3"]
        # The page's verifier refuses the record with one bit changed, anywhere we try.
        text = board.record
        script = """async ([text, url]) => {
          const sb = await import(url);
          try { return sb.verifyRecord(text).fingerprint; } catch (e) { return "refused"; }
        }"""
        module = f"{settings.STATIC_URL}js/secret-ballot.js"
        assert voter.evaluate(script, [text, module]) == board.fingerprint
        for at in (text.index('"question"') + 14, text.index('"sum_proof"') + 20, len(text) - 9):
            changed = text[:at] + chr(ord(text[at]) ^ 1) + text[at + 1 :]
            assert voter.evaluate(script, [changed, module]) == "refused"
        # The board members' pages that saw the count erased their key shares.
        for page in (board_pages[0], board_pages[2]):
            expect(page.locator("#results .result").first).to_contain_text("Tán thành: 2")
            keys = page.evaluate("Object.keys(localStorage)")
            assert not [k for k in keys if k.startswith("board-")], keys
        self.screenshot(voter, "room-encrypted-secret-ballot")
        self.assert_accessible(voter)
