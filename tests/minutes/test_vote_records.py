"""Votes as the minutes print them (minutes.vote_records)."""

import pytest

from minutes.vote_records import _remarks

pytestmark = pytest.mark.unit


def test_the_minutes_keep_of_the_charter_s_explanation_only_what_the_threshold_line_does_not_say():
    stated = (
        "Biểu quyết nghị quyết, kết luận (Điều lệ Đảng, Điều 9 khoản 5): cần ít nhất 3/4 phiếu "
        "tán thành (quá nửa N); có 1 phiếu tán thành: KHÔNG THÔNG QUA. Không tán thành, không "
        "biểu quyết, vắng mặt đều không tính là tán thành."
    )
    ignored = " Không tính phiếu của người không có quyền biểu quyết: Lý Thị Ánh."
    blocked = (
        "Bầu cử: không đủ điều kiện: Lý Thị Ánh. Nếu được biểu quyết, cần ít nhất 3/4 phiếu "
        "(quá nửa N)."
    )

    assert _remarks({"reason": "threshold_not_reached"}, stated) == ""
    assert _remarks({"reason": "threshold_reached"}, stated + ignored) == ignored.strip()
    assert _remarks({"reason": "ineligible_candidate"}, blocked) == (
        "Bầu cử: không đủ điều kiện: Lý Thị Ánh."
    )
    escalated = stated.replace("KHÔNG THÔNG QUA", "KHÔNG ĐẠT lần thứ 3: báo cáo cấp ủy")
    assert _remarks({"reason": "escalated_after_third_attempt"}, escalated) == escalated
