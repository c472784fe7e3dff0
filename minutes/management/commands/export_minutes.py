"""Writes the signed PDF of every archived document (minutes, extracts, resolutions, addenda)
to a folder, with a SHA256SUMS file that `sha256sum -c` checks."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser
from django.utils.text import slugify

from minutes.models import SignedDocument
from minutes.views.pages import download_name


class Command(BaseCommand):
    help = "Xuất tệp PDF đã ký của các văn bản đã lưu trữ (biên bản, trích biên bản, nghị quyết)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("outdir", help="Thư mục ghi tệp (tạo mới nếu chưa có).")

    def handle(self, *args: object, **options: object) -> None:
        outdir = Path(str(options["outdir"]))
        outdir.mkdir(parents=True, exist_ok=True)
        lines = []
        documents = (
            SignedDocument.objects.archived()
            .select_related("minutes__meeting__cell")
            .order_by("minutes__meeting__cell__name", "minutes__meeting__starts_at", "pk")
        )
        for document in documents.iterator(chunk_size=50):
            cell = slugify(document.minutes.meeting.cell.name, allow_unicode=False)
            name = f"{cell}-{download_name(document)}"
            (outdir / name).write_bytes(document.signed_bytes())
            lines.append(f"{document.sha256}  {name}")
        (outdir / "SHA256SUMS").write_text("\n".join(lines) + "\n", encoding="utf-8")
        self.stdout.write(self.style.SUCCESS(f"Đã xuất {len(lines)} văn bản đã ký vào {outdir}."))
