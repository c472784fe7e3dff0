from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo import roster as demo
from members.models import User


class Command(BaseCommand):
    help = "In mã xác thực hiện tại và khóa bí mật TOTP của một tài khoản mẫu (chỉ dùng thử)."
    # The system checks import every view (and with them WeasyPrint, pyHanko, Daphne): seconds
    # before a code that lasts 30. This command reads one row.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: object, username: str, **options: object) -> None:
        if not User.objects.filter(username=username, totpdevice__name="demo").exists():
            raise CommandError(f"{username} không phải tài khoản mẫu (chạy seed_demo trước).")
        self.stdout.write(
            f"{username}: mã hiện tại {demo.current_code(username)} "
            f"(khóa bí mật {demo.totp_secret_base32(username)})"
        )
