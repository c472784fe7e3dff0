from django.core.management.base import BaseCommand
from django.utils import timezone

from demo import meetings as meetings_demo
from demo import past as past_demo
from demo import roster as demo
from members.enums import Level
from members.models import Organization


class Command(BaseCommand):
    help = "Tạo (hoặc giữ nguyên) đảng bộ mẫu với hai chi bộ để dùng thử; chạy lại không nhân đôi."

    def handle(self, *args: object, **options: object) -> None:
        today = timezone.localdate()
        existed = Organization.objects.filter(
            name=demo.GRASSROOTS_NAME, level=Level.GRASSROOTS
        ).exists()
        tree = demo.seed_demo(today)
        held = past_demo.seed_past_meetings(today)
        added = meetings_demo.seed_meetings(today)
        ongoing = meetings_demo.seed_meeting_in_progress(timezone.now())
        which = f"{tree['grassroots'].name} với {tree['cell1'].name} và {tree['cell2'].name}"
        if existed:
            self.stdout.write(
                f"Dữ liệu mẫu đã có sẵn: {which}; chỉ thêm những gì còn thiếu đến hôm nay."
            )
        else:
            self.stdout.write(self.style.SUCCESS(f"Đã tạo dữ liệu mẫu: {which}."))
        first = past_demo.first_held_day(today)
        self.stdout.write(
            f"Từ {first:%d/%m/%Y} đến hôm qua: thêm {held} buổi sinh hoạt đã họp, "
            "biên bản đã ký số đúng hạn và lưu trữ."
        )
        self.stdout.write(f"Lịch sinh hoạt từ hôm nay đến một năm tới: thêm {added} buổi.")
        if ongoing is not None:
            self.stdout.write(
                f"Đang họp: {ongoing.display_title} của {ongoing.cell.name}, bắt đầu lúc "
                f"{timezone.localtime(ongoing.started_at):%H:%M}; đăng nhập để vào phòng họp."
            )
        self.stdout.write(
            "Đăng nhập (chỉ dùng thử): tài khoản bithu1 (bí thư), dangvien102 (đảng viên), "
            f"captren (cấp ủy cấp trên); mật khẩu {demo.DEMO_PASSWORD}.\n"
            "Mã xác thực hiện tại: python manage.py demo_code bithu1"
        )
