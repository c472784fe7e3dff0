from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    """Levels of the party tree, from the top down (Điều lệ Đảng, Điều 21–24)."""

    SUPERIOR = "superior", _("Đảng bộ cấp trên cơ sở")
    GRASSROOTS = "grassroots", _("Đảng bộ cơ sở")
    PARTIAL = "partial", _("Đảng bộ bộ phận")
    CELL = "cell", _("Chi bộ")


class Standing(models.TextChoices):
    OFFICIAL = "official", _("Chính thức")
    PROBATIONARY = "probationary", _("Dự bị")


class CellRoleKind(models.TextChoices):
    SECRETARY = "secretary", _("Bí thư")
    DEPUTY_SECRETARY = "deputy_secretary", _("Phó Bí thư")
    COMMITTEE_MEMBER = "committee_member", _("Chi ủy viên")


class VoteBasePolicy(models.TextChoices):
    EXCLUDE_APPROVED_ABSENTEES = (
        "exclude_approved_absentees",
        _("Trừ đảng viên vắng mặt có lý do được chấp thuận (Quy định 24-QĐ/TW, 9.3.2)"),
    )
    STRICT = "strict", _("Tính cả đảng viên vắng mặt có lý do")


class QuorumPolicy(models.TextChoices):
    TWO_THIRDS = "two_thirds", _("Ít nhất 2/3 số đảng viên làm căn cứ biểu quyết có mặt")
    HALF = "half", _("Quá nửa số đảng viên làm căn cứ biểu quyết có mặt")
    NONE = "none", _("Không đặt điều kiện số lượng có mặt")


class ExemptCountedWhen(models.TextChoices):
    PRESENT = "present", _("Đảng viên miễn sinh hoạt được tính khi có mặt")
    VOTING = "voting", _("Đảng viên miễn sinh hoạt chỉ được tính khi tham gia biểu quyết")


class RosterChangeKind(models.TextChoices):
    ADDED = "added", _("Thêm vào danh sách")
    EDITED = "edited", _("Sửa thông tin")
    EXEMPTED = "exempted", _("Miễn công tác và sinh hoạt đảng")
    EXEMPTION_ENDED = "exemption_ended", _("Thôi miễn sinh hoạt")
    TEMPORARY_OUT = "temporary_out", _("Giới thiệu sinh hoạt tạm thời nơi khác")
    TEMPORARY_ENDED = "temporary_ended", _("Kết thúc sinh hoạt tạm thời")
    TRANSFERRED_OUT = "transferred_out", _("Chuyển sinh hoạt đi")
    TRANSFERRED_IN = "transferred_in", _("Chuyển sinh hoạt đến")
    IMPORTED = "imported", _("Nhập từ tệp")


class RosterImportState(models.TextChoices):
    QUEUED = "queued", _("Đang chờ đọc tệp")
    RUNNING = "running", _("Đang đọc tệp")
    SUCCEEDED = "succeeded", _("Đã nhập xong")
    FAILED = "failed", _("Không nhập được")


class ReadKind(models.TextChoices):
    """What was read, as the audit log names it."""

    CELL = "cell", _("Trang chi bộ (danh sách đảng viên, lịch sinh hoạt)")
    MEETING = "meeting", _("Buổi sinh hoạt")
    DOCUMENT = "document", _("Tài liệu")
    MINUTES = "minutes", _("Biên bản")
    DASHBOARD = "dashboard", _("Số liệu trên bảng theo dõi")
