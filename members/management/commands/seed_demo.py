from django.core.management.base import BaseCommand
from django.utils import timezone

from meetings import demo as meetings_demo
from members import demo


class Command(BaseCommand):
    help = "Tạo (hoặc giữ nguyên) đảng bộ mẫu với hai chi bộ để dùng thử; chạy lại không nhân đôi."

    def handle(self, *args: object, **options: object) -> None:
        tree = demo.seed_demo(timezone.localdate())
        added = meetings_demo.seed_meetings(timezone.localdate())
        held = meetings_demo.seed_past_meetings(timezone.localdate())
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã có dữ liệu mẫu: {tree['grassroots'].name} với "
                f"{tree['cell1'].name} và {tree['cell2'].name}."
            )
        )
        self.stdout.write(f"Lịch sinh hoạt 12 tháng tới: thêm {added} buổi sinh hoạt.")
        self.stdout.write(
            f"Buổi sinh hoạt đã họp, có biên bản đã ký số và lưu trữ: thêm {held} buổi."
        )
        self.stdout.write(
            "Đăng nhập (chỉ dùng thử): tài khoản bithu1 (bí thư), dangvien101 (đảng viên), "
            f"captren (cấp ủy cấp trên); mật khẩu {demo.DEMO_PASSWORD}.\n"
            "Mã xác thực hiện tại: python manage.py demo_code bithu1"
        )
