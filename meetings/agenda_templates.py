"""Agenda templates in the standard order of a cell meeting (shared/domain/charter-rules.md,
"The regular agenda"; Hướng dẫn 12-HD/BTCTW on the content of cell meetings)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from meetings.enums import AgendaItemKind, MeetingKind


@dataclass(frozen=True)
class TemplateItem:
    kind: str
    title: Promise
    planned_minutes: int


REGULAR = (
    TemplateItem(
        AgendaItemKind.OTHER,
        _(
            "Khai mạc: nêu lý do, giới thiệu đại biểu, cử thư ký, báo cáo tình hình đảng viên "
            "dự họp, thông qua chương trình"
        ),
        5,
    ),
    TemplateItem(
        AgendaItemKind.NEWS, _("Thông tin thời sự, quán triệt chỉ thị, nghị quyết của cấp trên"), 15
    ),
    TemplateItem(AgendaItemKind.REVIEW, _("Đánh giá kết quả thực hiện nhiệm vụ tháng trước"), 15),
    TemplateItem(AgendaItemKind.PLAN, _("Phương hướng, nhiệm vụ tháng tới"), 15),
    TemplateItem(AgendaItemKind.DISCUSSION, _("Đảng viên thảo luận"), 20),
    TemplateItem(AgendaItemKind.OTHER, _("Các nội dung khác"), 5),
    TemplateItem(AgendaItemKind.CONCLUSION, _("Đồng chí chủ trì kết luận"), 5),
    TemplateItem(AgendaItemKind.RESOLUTION, _("Biểu quyết thông qua kết luận, nghị quyết"), 5),
    TemplateItem(AgendaItemKind.ASSESSMENT, _("Tự đánh giá chất lượng buổi sinh hoạt"), 5),
    TemplateItem(AgendaItemKind.CLOSING, _("Thông qua biên bản, bế mạc"), 5),
)

THEMATIC = (
    TemplateItem(
        AgendaItemKind.OTHER,
        _("Khai mạc: nêu lý do, giới thiệu đại biểu, cử thư ký, thông qua chương trình"),
        5,
    ),
    TemplateItem(AgendaItemKind.THEMATIC_REPORT, _("Báo cáo chuyên đề"), 30),
    TemplateItem(AgendaItemKind.DISCUSSION, _("Đảng viên thảo luận chuyên đề"), 40),
    TemplateItem(AgendaItemKind.CONCLUSION, _("Đồng chí chủ trì kết luận"), 5),
    TemplateItem(AgendaItemKind.RESOLUTION, _("Biểu quyết thông qua kết luận chuyên đề"), 5),
    TemplateItem(AgendaItemKind.CLOSING, _("Thông qua biên bản, bế mạc"), 5),
)

TEMPLATES: dict[str, tuple[Promise, tuple[TemplateItem, ...]]] = {
    "regular": (_("Chương trình sinh hoạt thường kỳ"), REGULAR),
    "thematic": (_("Chương trình sinh hoạt chuyên đề"), THEMATIC),
}
# The template offered first for each kind of meeting.
DEFAULT_TEMPLATE: dict[str, str] = {
    MeetingKind.REGULAR: "regular",
    MeetingKind.THEMATIC: "thematic",
    MeetingKind.EXTRAORDINARY: "regular",
    MeetingKind.COMMITTEE: "regular",
}
