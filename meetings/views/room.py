"""The live meeting page. Everything after the first paint goes over the websocket."""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings.access import access_meeting
from meetings.media import services as media
from meetings.room import room_state
from meetings.services.room import participant
from members.enums import CellRoleKind


def texts() -> dict[str, object]:
    """Every word the page's script shows, translated here so the script has no language."""
    return {
        "connecting": _("Đang kết nối…"),
        "connected": _("Đã kết nối"),
        "reconnecting": _("Mất kết nối, đang kết nối lại…"),
        "signed_out": _("Phiên đăng nhập đã hết. Hãy tải lại trang và đăng nhập."),
        "not_found": _("Không vào được phòng họp này."),
        "offline": _("Chưa có kết nối; hãy thử lại sau giây lát."),
        "status": {
            "draft": _("Bản nháp"),
            "scheduled": _("Chưa bắt đầu"),
            "in_progress": _("Đang họp"),
            "ended": _("Đã kết thúc"),
            "minutes_approved": _("Đã thông qua biên bản"),
            "archived": _("Đã lưu trữ"),
            "postponed": _("Hoãn"),
            "cancelled": _("Hủy"),
        },
        "elapsed": _("đã họp %(m)s phút"),
        "elapsed_of_minimum": _("đã họp %(m)s phút / tối thiểu %(min)s phút"),
        "start": _("Bắt đầu buổi sinh hoạt"),
        "end": _("Kết thúc buổi sinh hoạt"),
        "end_held": _("Đã họp %(m)s phút."),
        "end_held_of_minimum": _(
            "Đã họp %(m)s phút; thời lượng tối thiểu của buổi sinh hoạt này là %(min)s phút."
        ),
        "quorum_met": _("Đủ số lượng có mặt để biểu quyết."),
        "quorum_not_met": _("Chưa đủ số lượng có mặt: chưa được biểu quyết."),
        "quorum_numbers": _("Có quyền biểu quyết có mặt %(present)s, cần %(required)s; N = %(n)s."),
        "present_count": _("Có mặt %(present)s/%(total)s đồng chí."),
        "explanation": _("Căn cứ tính"),
        "probationary": _("Dự bị"),
        "temporary_in": _("Sinh hoạt tạm thời"),
        "online": _("đang trực tuyến"),
        "attendance": {
            "present": _("Có mặt"),
            "absent_with_reason": _("Vắng có lý do"),
            "absent_without_reason": _("Vắng không lý do"),
        },
        "modes": {"online": _("trực tuyến"), "in_room": _("tại hội trường")},
        "exempt": _("Miễn sinh hoạt"),
        "suspended": _("Đình chỉ sinh hoạt"),
        "categories": {
            "official": _("Chính thức"),
            "probationary": _("Dự bị"),
            "temporary_in": _("Sinh hoạt tạm thời"),
            "exempt": _("Miễn sinh hoạt"),
        },
        "counts_caption": _("Số lượng theo loại đảng viên"),
        "category": _("Loại"),
        "total": _("Tổng số"),
        "mark_label": _("Tình trạng có mặt của %(name)s"),
        "reason_label": _("Lý do vắng của %(name)s"),
        "save": _("Lưu"),
        "done": _("đã xong"),
        "now_discussing": _("đang thảo luận,"),
        "elapsed_planned": _("%(m)s/%(p)s phút"),
        "open_item": _("Mở nội dung"),
        "close_item": _("Kết thúc nội dung"),
        "speaking_now": _("Đang phát biểu: %(name)s"),
        "seconds_left": _("còn %(s)s giây"),
        "end_turn": _("Kết thúc lượt phát biểu"),
        "nobody_speaking": _("Chưa có ai phát biểu."),
        "ask_floor": _("Xin phát biểu"),
        "point_of_order": _("Kiến nghị về thủ tục"),
        "point_of_order_short": _("thủ tục"),
        "withdraw": _("Rút đăng ký phát biểu"),
        "grant": _("Mời phát biểu"),
        "move_up": _("Đưa %(name)s lên trước"),
        "reserved": _("ý kiến bảo lưu"),
        "note_for": _("Ý kiến của %(name)s"),
        "yes": _("Tán thành"),
        "no": _("Không tán thành"),
        "abstain": _("Không biểu quyết"),
        "forms": {
            "khien_trach": _("Khiển trách"),
            "canh_cao": _("Cảnh cáo"),
            "cach_chuc": _("Cách chức"),
            "khai_tru": _("Khai trừ"),
            "none": _("Không kỷ luật"),
        },
        "pick_up_to": _("Chọn tối đa %(n)s người"),
        "cast": _("Gửi phiếu"),
        "your_ballot": _("Phiếu của đồng chí"),
        "ballot_sent": _("Đang gửi phiếu…"),
        "ballot_resending": _("Máy chủ chưa ghi được phiếu; đang tự động gửi lại…"),
        "ballot_counted": _("Phiếu đã được ghi nhận."),
        "ballot_duplicate": _("Phiếu đã được ghi nhận từ trước (không tính hai lần)."),
        "methods": {"show_of_hands": _("Biểu quyết giơ tay"), "secret_ballot": _("Bỏ phiếu kín")},
        "method_default": _("Theo quy định (tự chọn)"),
        "cast_count": _("Đã nhận %(cast)s/%(n)s phiếu (N = %(n)s)."),
        "voters_present_count": _("%(eligible)s đồng chí có quyền biểu quyết có mặt."),
        "count_of_base": _("%(label)s: %(count)s/%(n)s"),
        "required_yes_of_base": _("Cần ít nhất %(required)s/%(n)s phiếu tán thành."),
        "required_of_base": _("Cần ít nhất %(required)s/%(n)s phiếu."),
        "you_voted": _("Đồng chí đã biểu quyết."),
        "your_receipt": _("Mã biên nhận phiếu kín:"),
        "not_eligible": _("Đồng chí không có quyền biểu quyết ở nội dung này."),
        "why_not": {
            "probationary": _("Đảng viên dự bị không biểu quyết (Điều lệ Đảng, Điều 5)."),
            "temporary_in": _("Đảng viên sinh hoạt tạm thời không biểu quyết tại chi bộ này."),
            "suspended": _("Đảng viên đang bị đình chỉ sinh hoạt không biểu quyết."),
            "exempt_absent": _("Đảng viên miễn sinh hoạt chỉ biểu quyết khi có mặt."),
            "approved_absence": _("Đồng chí được ghi vắng mặt có lý do."),
            "temporarily_out_absent": _("Đồng chí đang sinh hoạt tạm thời nơi khác."),
        },
        "close_vote": _("Kết thúc biểu quyết"),
        "no_open_vote": _("Không có biểu quyết đang diễn ra."),
        "outcome": {
            "passed": _("ĐẠT / THÔNG QUA"),
            "failed": _("KHÔNG ĐẠT"),
            "blocked": _("KHÔNG ĐƯỢC BIỂU QUYẾT"),
            "escalated": _("CHUYỂN CẤP ỦY CẤP TRÊN"),
            "partial": _("CHƯA ĐỦ, CẦN BẦU TIẾP"),
        },
        "named_votes": _("Biểu quyết của từng đồng chí"),
        "counted_receipts": _("Các mã biên nhận đã được kiểm"),
        "receipt_found": _("Mã %(r)s của đồng chí có trong danh sách: phiếu đã được kiểm."),
        "receipt_missing": _("Mã %(r)s của đồng chí KHÔNG có trong danh sách."),
        "open_vote": _("Mở biểu quyết"),
        "vote_kind": _("Loại biểu quyết"),
        "kinds": {
            "resolution": _("Nghị quyết, kết luận"),
            "admission": _("Kết nạp đảng viên"),
            "recognition": _("Công nhận đảng viên chính thức"),
            "discipline": _("Kỷ luật"),
            "election": _("Bầu cử"),
            "minutes_approval": _("Thông qua biên bản"),
        },
        "vote_question": _("Nội dung biểu quyết"),
        "vote_conclusion": _(
            "Biểu quyết thông qua kết luận của đồng chí chủ trì (chỉ dùng cho nghị quyết, kết luận)"
        ),
        "exempt_not_attending": _("Miễn sinh hoạt, không dự"),
        "vote_method": _("Hình thức"),
        "vote_people": _("Người được bầu hoặc xem xét kỷ luật"),
        "vote_people_help": _(
            "Chỉ dùng cho bầu cử (chọn các ứng cử viên) và kỷ luật (chọn một người)."
        ),
        "vote_seats": _("Số lượng cần bầu"),
        "vote_post": _("Bầu chức danh (chỉ dùng cho bầu cử)"),
        "posts": {kind: str(label) for kind, label in CellRoleKind.choices},
        "electing": _("Bầu %(post)s, vòng %(n)s"),
        "round": _("vòng %(n)s"),
        "open_runoff": _("Bầu lại giữa %(names)s"),
        "open_next_round": _("Bầu vòng tiếp theo"),
    }


def first_paint(state: dict[str, Any], roles: list[str]) -> dict[str, Any]:
    """What the server draws before the page's script runs, as the script first draws it (the
    agenda, the floor), so that drawing moves nothing on the page (CLS, docs/benchmarks.md)."""
    now = timezone.now()
    agenda = []
    for item in state["agenda"]:
        current = item["id"] == state["current_item"]
        opened = item["opened_at"] and datetime.datetime.fromisoformat(item["opened_at"])
        elapsed = int((now - opened).total_seconds() // 60) if current and opened else 0
        agenda.append(
            {
                "title": item["title"],
                "done": bool(item["closed_at"]),
                "current": current,
                "elapsed": elapsed,
                "planned": item["planned_minutes"],
                "overtime": bool(item["planned_minutes"]) and elapsed > item["planned_minutes"],
            }
        )
    in_progress = state["meeting"]["status"] == "in_progress"
    return {
        "agenda": agenda,
        "speaking": any(not turn["ended_at"] for turn in state["turns"]),
        # Rows of buttons that appear once the script runs keep their place: the member's "Xin
        # phát biểu", the chair's start or end of the meeting.
        "floor_actions": "member" in roles and bool(state["current_item"]) and in_progress,
        "meeting_controls": "chair" in roles
        and state["meeting"]["status"] in ("scheduled", "in_progress"),
    }


def room(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = access_meeting(request.user, meeting_id)
    who = participant(meeting, request.user)
    state = room_state(meeting, who.member)
    response = render(
        request,
        "meetings/room.html",
        {
            "meeting": meeting,
            "state": state,
            "first_paint": first_paint(state, who.roles),
            "texts": texts(),
            "roles": json.dumps(who.roles),
            "media": media.page_settings(meeting, who),
        },
    )
    if media.configured():  # the page's script speaks to Janus directly
        response._csp_update = {"connect-src": [media.server_origin()]}  # type: ignore[attr-defined]
    return response
