"""`manage.py restore FILE [--force]`: put back an archive written by `backup`, after checking every
part against its manifest; refuses a database or MEDIA_ROOT holding data without --force."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from config.backup import BackupError, restore_backup
from minutes.authority import authority_private_key, credential_private_key
from minutes.keystore import KeyDecryptionError
from minutes.models import SigningAuthority, SigningCredential


class Command(BaseCommand):
    help = (
        "Khôi phục từ một bản sao lưu của lệnh backup. / Restore an archive written by the "
        "backup command."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Tệp sao lưu (.tar). / The backup archive (.tar).")
        parser.add_argument(
            "--force",
            action="store_true",
            help=("Xóa và thay dữ liệu hiện có. / Drop and replace the data already there."),
        )

    def handle(self, *args: object, **options: object) -> None:
        try:
            result = restore_backup(Path(str(options["file"])), force=bool(options["force"]))
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã khôi phục bản sao lưu lúc {result.manifest['created_at']} "
                f"({result.media_files} tệp tải lên). / Restored the backup of "
                f"{result.manifest['created_at']} ({result.media_files} uploaded files). "
                "Chạy / Run: manage.py migrate"
            )
        )
        unopened = unopenable_signing_keys()
        if unopened:
            self.stdout.write(
                self.style.WARNING(
                    f"{unopened} khóa ký không mở được bằng SIGNING_KEY_ENCRYPTION_KEY hiện tại: "
                    "hãy đặt đúng khóa đã dùng khi sao lưu (văn bản đã ký vẫn kiểm tra được). / "
                    f"{unopened} signing keys do not open with the configured "
                    "SIGNING_KEY_ENCRYPTION_KEY: set the key used when the backup was made "
                    "(signed documents still verify)."
                )
            )


def unopenable_signing_keys() -> int:
    """How many restored keys the configured key-encryption key does not open."""
    failures = 0
    for authority in SigningAuthority.objects.all():
        try:
            authority_private_key(authority)
        except KeyDecryptionError:
            failures += 1
    for credential in SigningCredential.objects.all():
        try:
            credential_private_key(credential)
        except KeyDecryptionError:
            failures += 1
    return failures
