"""Rule ids become the Party texts they come from, in sentences members read (issue 13)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from meetings.charter import RULE_SOURCES, for_members, in_words, sources_of

pytestmark = pytest.mark.unit

CHARTER = Path(__file__).resolve().parents[3] / "meetings" / "charter"


def test_every_rule_id_the_charter_cites_has_its_party_text() -> None:
    cited = {
        rule_id
        for path in CHARTER.glob("*.py")
        if path.name != "citations.py"
        for rule_id in re.findall(r"R-[A-Z]\d+", path.read_text(encoding="utf-8"))
    }

    assert cited - set(RULE_SOURCES) == set()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Chi bộ có 3 đảng viên chính thức (R-S1, R-S2).",
            "Chi bộ có 3 đảng viên chính thức (Điều lệ Đảng, Điều 24 khoản 1; Điều lệ Đảng, "
            "Điều 24 khoản 4).",
        ),
        (
            "cần ít nhất 3/5 (R-V3, R-V2): THÔNG QUA.",
            "cần ít nhất 3/5 (Điều lệ Đảng, Điều 9 khoản 5): THÔNG QUA.",
        ),
        (
            "(chi bộ đề nghị, cấp có thẩm quyền quyết định, R-D1)",
            "(chi bộ đề nghị, cấp có thẩm quyền quyết định, Quy định 296-QĐ/TW về thẩm quyền "
            "thi hành kỷ luật)",
        ),
        ("Không có mã quy tắc.", "Không có mã quy tắc."),
    ],
    ids=["two texts", "one text cited twice", "inside other words", "nothing to replace"],
)
def test_in_words_names_the_party_texts(text: str, expected: str) -> None:
    assert in_words(text) == expected


def test_an_unknown_rule_id_is_left_out_not_printed() -> None:
    assert sources_of(("R-Z9", "R-V1")) == "Quy định 24-QĐ/TW, điểm 9.3.2"


NAMES = {"12": "Nguyễn Văn An", "15": "Lê Thị Bình", "6": "Không được thay"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Bầu cử 2 chỗ. Trúng cử: 12 (6 phiếu), 15 (5 phiếu).",
            "Bầu cử 2 chỗ. Trúng cử: Nguyễn Văn An (6 phiếu), Lê Thị Bình (5 phiếu).",
        ),
        (
            "Bằng phiếu nhau ở chỗ cuối cùng: bầu lại giữa 12, 15 (R-E7).",
            "Bằng phiếu nhau ở chỗ cuối cùng: bầu lại giữa Nguyễn Văn An, Lê Thị Bình (Quy chế "
            "bầu cử trong Đảng, Điều 20 khoản 2).",
        ),
        (
            "Không tính phiếu của người không có quyền biểu quyết: 12, 99 (R-V1).",
            "Không tính phiếu của người không có quyền biểu quyết: Nguyễn Văn An, 99 (Quy định "
            "24-QĐ/TW, điểm 9.3.2).",
        ),
        ("Có mặt và có quyền biểu quyết: 6.", "Có mặt và có quyền biểu quyết: 6."),
    ],
    ids=["winners with their votes", "runoff", "unknown id kept", "counts are not members"],
)
def test_for_members_names_the_members_listed(text: str, expected: str) -> None:
    assert for_members(text, NAMES) == expected
