"""`manage.py backup OUTDIR`: one archive of the database (signed documents, event logs, encrypted
signing keys) and MEDIA_ROOT, with a manifest of SHA-256 sums (config/backup.py)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from config.backup import KEY_NOTE, BackupError, create_backup


class Command(BaseCommand):
    help = (
        "Sao lưu cơ sở dữ liệu và tệp tải lên vào một tệp lưu trữ. / Back up the database and "
        "uploaded files into one archive."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("outdir", help="Thư mục ghi bản sao lưu. / Folder for the archive.")

    def handle(self, *args: object, **options: object) -> None:
        try:
            archive = create_backup(Path(str(options["outdir"])))
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Đã sao lưu vào / Backed up to {archive}"))
        self.stdout.write(self.style.WARNING(KEY_NOTE))
