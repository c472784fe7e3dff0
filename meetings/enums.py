"""Choices of the meetings app. Values of kinds and formats match the charter engine's enums."""

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class MeetingKind(models.TextChoices):
    REGULAR = "regular", _("Sinh hoạt thường kỳ")
    THEMATIC = "thematic", _("Sinh hoạt chuyên đề")
    EXTRAORDINARY = "extraordinary", _("Sinh hoạt bất thường")
    COMMITTEE = "committee", _("Họp chi ủy")


class MeetingMode(models.TextChoices):
    IN_PERSON = "in_person", _("Trực tiếp")
    ONLINE = "online", _("Trực tuyến")
    HYBRID = "hybrid", _("Kết hợp trực tiếp và trực tuyến")


ONLINE_MODES = frozenset({MeetingMode.ONLINE, MeetingMode.HYBRID})


class MeetingStatus(models.TextChoices):
    DRAFT = "draft", _("Bản nháp")
    SCHEDULED = "scheduled", _("Đã lên lịch")
    IN_PROGRESS = "in_progress", _("Đang họp")
    ENDED = "ended", _("Đã kết thúc")
    MINUTES_APPROVED = "minutes_approved", _("Đã thông qua biên bản")
    ARCHIVED = "archived", _("Đã lưu trữ")
    POSTPONED = "postponed", _("Hoãn")
    CANCELLED = "cancelled", _("Hủy")


# The meeting's life: every allowed step from each state. Postponing and cancelling need a reason.
TRANSITIONS: dict[str, frozenset[str]] = {
    MeetingStatus.DRAFT: frozenset({MeetingStatus.SCHEDULED, MeetingStatus.CANCELLED}),
    MeetingStatus.SCHEDULED: frozenset(
        {MeetingStatus.IN_PROGRESS, MeetingStatus.POSTPONED, MeetingStatus.CANCELLED}
    ),
    MeetingStatus.POSTPONED: frozenset({MeetingStatus.SCHEDULED, MeetingStatus.CANCELLED}),
    MeetingStatus.IN_PROGRESS: frozenset({MeetingStatus.ENDED}),
    MeetingStatus.ENDED: frozenset({MeetingStatus.MINUTES_APPROVED}),
    MeetingStatus.MINUTES_APPROVED: frozenset({MeetingStatus.ARCHIVED}),
    MeetingStatus.ARCHIVED: frozenset(),
    MeetingStatus.CANCELLED: frozenset(),
}
REASON_REQUIRED = frozenset({MeetingStatus.POSTPONED, MeetingStatus.CANCELLED})
# Time, place, agenda and invitations may still change in these states.
PREPARATION_STATUSES = frozenset(
    {MeetingStatus.DRAFT, MeetingStatus.SCHEDULED, MeetingStatus.POSTPONED}
)
# Documents may be added until the meeting is over.
DOCUMENT_STATUSES = PREPARATION_STATUSES | {MeetingStatus.IN_PROGRESS}
# Members are told about meetings in these states; a draft is the secretary's alone.
ANNOUNCED_STATUSES = frozenset(set(MeetingStatus.values) - {MeetingStatus.DRAFT})
# The plan of a year counts every meeting that is not cancelled; "held" counts the ones that were.
HELD_STATUSES = frozenset(
    {MeetingStatus.ENDED, MeetingStatus.MINUTES_APPROVED, MeetingStatus.ARCHIVED}
)
UPCOMING_STATUSES = frozenset(
    {MeetingStatus.SCHEDULED, MeetingStatus.POSTPONED, MeetingStatus.IN_PROGRESS}
)

# The button that leads into each state, as the secretary reads it.
TRANSITION_LABELS: "dict[str, StrOrPromise]" = {
    MeetingStatus.SCHEDULED: _("Lên lịch và gửi giấy mời"),
    MeetingStatus.IN_PROGRESS: _("Bắt đầu buổi sinh hoạt"),
    MeetingStatus.ENDED: _("Kết thúc buổi sinh hoạt"),
    MeetingStatus.MINUTES_APPROVED: _("Ghi nhận đã thông qua biên bản"),
    MeetingStatus.ARCHIVED: _("Lưu trữ"),
    MeetingStatus.POSTPONED: _("Hoãn"),
    MeetingStatus.CANCELLED: _("Hủy"),
}


class MeetingChangeAction(models.TextChoices):
    CREATED = "created", _("Tạo mới")
    GENERATED = "generated", _("Tạo theo lịch năm")
    EDITED = "edited", _("Sửa thông tin")
    STATUS_CHANGED = "status_changed", _("Đổi trạng thái")
    AGENDA_CHANGED = "agenda_changed", _("Sửa chương trình")
    DOCUMENT_ADDED = "document_added", _("Thêm tài liệu")
    DOCUMENT_REMOVED = "document_removed", _("Gỡ tài liệu")
    ABSENCE_DECIDED = "absence_decided", _("Xét lý do vắng mặt")


class AgendaItemKind(models.TextChoices):
    NEWS = "news", _("Thông tin thời sự, quán triệt văn bản cấp trên")
    REVIEW = "review", _("Đánh giá kết quả tháng trước")
    PLAN = "plan", _("Phương hướng, nhiệm vụ tháng tới")
    DISCUSSION = "discussion", _("Thảo luận")
    ADMISSION = "admission", _("Kết nạp đảng viên")
    RECOGNITION = "recognition", _("Công nhận đảng viên chính thức")
    DISCIPLINE = "discipline", _("Kỷ luật")
    ELECTION = "election", _("Bầu cử")
    RESOLUTION = "resolution", _("Biểu quyết nghị quyết, kết luận")
    THEMATIC_REPORT = "thematic_report", _("Báo cáo chuyên đề")
    # The minutes print the chair's conclusion and the quality assessment under these items.
    CONCLUSION = "conclusion", _("Kết luận của đồng chí chủ trì")
    ASSESSMENT = "assessment", _("Tự đánh giá chất lượng buổi sinh hoạt")
    # The read-back and the closing: the minutes print them in their section IV (KẾT THÚC).
    CLOSING = "closing", _("Thông qua biên bản, bế mạc")
    OTHER = "other", _("Nội dung khác")


class Classification(models.TextChoices):
    """Độ mật. Only unclassified content may be stored; the others exist to be refused (R-I1)."""

    UNCLASSIFIED = "unclassified", _("Không mật")
    MAT = "mat", _("Mật")
    TOI_MAT = "toi_mat", _("Tối mật")
    TUYET_MAT = "tuyet_mat", _("Tuyệt mật")


class DocumentType(models.TextChoices):
    PDF = "pdf", "PDF"
    DOCX = "docx", "Word (DOCX)"
    XLSX = "xlsx", "Excel (XLSX)"
    JPEG = "jpg", _("Ảnh JPEG")
    PNG = "png", _("Ảnh PNG")
    WEBP = "webp", _("Ảnh WebP")


class Reply(models.TextChoices):
    PENDING = "pending", _("Chưa trả lời")
    ATTEND = "attend", _("Dự họp")
    ABSENT = "absent", _("Xin vắng mặt")


class AbsenceDecision(models.TextChoices):
    PENDING = "pending", _("Chờ xét")
    APPROVED = "approved", _("Được chấp thuận")
    REJECTED = "rejected", _("Không chấp thuận")


class DeliveryKind(models.TextChoices):
    INVITATION = "invitation", _("Giấy mời")
    REMINDER = "reminder", _("Nhắc lịch")
    POSTPONED = "postponed", _("Thông báo hoãn")
    CANCELLED = "cancelled", _("Thông báo hủy")


class NotificationKind(models.TextChoices):
    INVITATION = "invitation", _("Giấy mời")
    REMINDER = "reminder", _("Nhắc lịch")
    POSTPONED = "postponed", _("Hoãn họp")
    CANCELLED = "cancelled", _("Hủy họp")
    ABSENCE_REQUESTED = "absence_requested", _("Xin vắng mặt")
    ABSENCE_DECIDED = "absence_decided", _("Kết quả xét vắng mặt")
    SIGNATURE_AWAITED = "signature_awaited", _("Chờ ký văn bản")
    REVIEW_COMMENT = "review_comment", _("Ý kiến của cấp ủy cấp trên")


class VoteKind(models.TextChoices):
    """The charter's decision kinds, plus approving the minutes (counted, not gated by N)."""

    RESOLUTION = "resolution", _("Nghị quyết, kết luận")
    ADMISSION = "admission", _("Kết nạp đảng viên")
    RECOGNITION = "recognition", _("Công nhận đảng viên chính thức")
    DISCIPLINE = "discipline", _("Kỷ luật")
    ELECTION = "election", _("Bầu cử")
    MINUTES_APPROVAL = "minutes_approval", _("Thông qua biên bản")
    # A procedural vote by show of hands (R-V5): the meeting elects the vote-counting board of
    # its secret ballots (docs/secret-ballot.md).
    BOARD = "board", _("Bầu ban kiểm phiếu")


class VoteMethod(models.TextChoices):
    SHOW_OF_HANDS = "show_of_hands", _("Biểu quyết giơ tay")
    SECRET_BALLOT = "secret_ballot", _("Bỏ phiếu kín")


class VoteStatus(models.TextChoices):
    OPEN = "open", _("Đang biểu quyết")
    CLOSED = "closed", _("Đã kết thúc")
    # An encrypted secret ballot the board could not count, annulled by the chair: no decision,
    # not an attempt in the charter's sense; the question may be put again (secret-ballot.md).
    VOID = "void", _("Không kiểm được phiếu")


class BoardChoice(models.TextChoices):
    """Who named a secret ballot's vote-counting board (the minutes say so)."""

    DEFAULT = "default", _("theo mặc định")
    ELECTED = "elected", _("do hội nghị bầu bằng biểu quyết giơ tay")
    CHAIR = "chair", _("do chủ trì chỉ định")


class BoardPhase(models.TextChoices):
    KEYING = "keying", _("Ban kiểm phiếu đang tạo khóa")
    VOTING = "voting", _("Đang bỏ phiếu")
    COUNTING = "counting", _("Ban kiểm phiếu đang giải mã kết quả")
    COUNTED = "counted", _("Đã kiểm phiếu")
    VOID = "void", _("Không kiểm được phiếu")


class FloorRequestKind(models.TextChoices):
    REGULAR = "regular", _("Phát biểu")
    POINT_OF_ORDER = "point_of_order", _("Kiến nghị về thủ tục")


class FloorRequestStatus(models.TextChoices):
    PENDING = "pending", _("Đang chờ")
    GRANTED = "granted", _("Được phát biểu")
    WITHDRAWN = "withdrawn", _("Đã rút")
    DROPPED = "dropped", _("Hết lượt (nội dung đã đóng)")


class AttendanceStatus(models.TextChoices):
    """Values match the charter engine's `Attendance`."""

    PRESENT = "present", _("Có mặt")
    ABSENT_WITH_REASON = "absent_with_reason", _("Vắng mặt có lý do")
    ABSENT_WITHOUT_REASON = "absent_without_reason", _("Vắng mặt không lý do")


class PresenceMode(models.TextChoices):
    ONLINE = "online", _("Trực tuyến")
    IN_ROOM = "in_room", _("Tại hội trường")
