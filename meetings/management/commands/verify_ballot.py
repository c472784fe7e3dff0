"""Checks an encrypted secret ballot's published record: `verify_ballot VOTE_ID` recomputes the
count from what the server stored, `verify_ballot --file record.json` from an exported file
(anyone can check a file; docs/secret-ballot.md describes it), and `--export FILE` writes the
record for others to check."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from meetings.models import BallotBoard, BoardPhase
from meetings.secret_ballot import record
from meetings.secret_ballot.protocol import ProtocolError


class Command(BaseCommand):
    help = "Kiểm tra kết quả một cuộc bỏ phiếu kín mã hóa từ dữ liệu công bố."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("vote_id", nargs="?", type=int, help="Mã biểu quyết.")
        parser.add_argument("--file", help="Kiểm tra một tệp kết quả đã xuất (không dùng CSDL).")
        parser.add_argument("--export", help="Ghi bản kết quả công bố ra tệp này.")

    def handle(self, *args: object, **options: object) -> None:
        vote_id, path = options.get("vote_id"), options.get("file")
        if vote_id is not None and not isinstance(vote_id, int):
            raise CommandError("Mã biểu quyết phải là số.")
        if (vote_id is None) == (path is None):
            raise CommandError("Hãy cho mã biểu quyết hoặc --file (một trong hai).")
        if vote_id is None:
            data = Path(str(path)).read_bytes()
            expected = None
        else:
            board = BallotBoard.objects.filter(vote_id=vote_id).select_related("vote").first()
            if board is None or board.phase != BoardPhase.COUNTED:
                raise CommandError(f"Biểu quyết {vote_id} không phải phiếu kín mã hóa đã kiểm.")
            data = board.record.encode()
            expected = board.vote.result.get("fingerprint")
        try:
            verified = record.verify(data)
        except ProtocolError as error:
            raise CommandError(f"KHÔNG HỢP LỆ: {error}") from None
        if expected is not None and verified.fingerprint != expected:
            raise CommandError("KHÔNG HỢP LỆ: dấu vân tay khác với kết quả đã công bố.")
        if options.get("export"):
            Path(str(options["export"])).write_bytes(data)
        counts = ", ".join(f"{option}: {n}" for option, n in verified.counts.items())
        self.stdout.write(f"Số phiếu: {len(verified.trackers)}; {counts}")
        self.stdout.write(f"Dấu vân tay (SHA-256): {verified.fingerprint}")
        self.stdout.write(self.style.SUCCESS("HỢP LỆ: kết quả tính lại đúng từ dữ liệu công bố."))
