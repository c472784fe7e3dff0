import dataclasses
import datetime
import re

import pytest
from django.template.loader import render_to_string

from minutes import rendering
from minutes.document import MeetingMode, ReadBack, Speech
from tests.minutes import samples
from tests.minutes.conftest import poppler, rendered_sample

# No database mark: pytest-django fails any test here that touches the database, which is how
# these tests also check that rendering needs none.
pytestmark = pytest.mark.unit

MINUTES_TEXTS = [
    # Header blocks (36-HD/VPTW) and title
    "ĐẢNG BỘ PHƯỜNG HOÀNG LIỆT",
    "CHI BỘ TỔ DÂN PHỐ SỐ 7",
    "ĐẢNG CỘNG SẢN VIỆT NAM",
    "Hà Nội, ngày 05 tháng 11 năm 2026",
    "BIÊN BẢN",
    "SINH HOẠT CHI BỘ THƯỜNG KỲ THÁNG 11 NĂM 2026",
    # I
    "I. THỜI GIAN, ĐỊA ĐIỂM, HÌNH THỨC",
    "Thời gian: bắt đầu lúc 19 giờ 30 phút, ngày 05/11/2026.",
    "Hình thức: kết hợp trực tiếp và trực tuyến; căn cứ Công văn số 85-CV/ĐU",
    "họp trên hệ thống do đơn vị tự vận hành, không qua dịch vụ bên ngoài.",
    # II
    "II. THÀNH PHẦN",
    "Tổng số đảng viên của chi bộ: 17 đồng chí; trong đó: chính thức 15, dự bị 2.",
    "Đảng viên được miễn công tác và sinh hoạt đảng: 1 đồng chí.",
    "Đảng viên giới thiệu sinh hoạt tạm thời nơi khác: 1 đồng chí.",
    "Đảng viên sinh hoạt tạm thời tại chi bộ: 1 đồng chí.",
    "Có mặt: 14 đồng chí (chính thức 11, dự bị 2, sinh hoạt tạm thời 1, miễn sinh hoạt có mặt 0).",
    "Vắng mặt: 2 đồng chí",
    "Có lý do: Phạm Văn Long – đi công tác tại Đà Nẵng, đã báo cáo chi ủy.",
    "Không có lý do: Cao Văn Thắng.",
    "Tỷ lệ đảng viên dự sinh hoạt: 86,67% (13/15).",
    "Số thành viên làm căn cứ biểu quyết (N): 12 (cách tính: trừ đảng viên vắng mặt có lý do "
    "được chấp thuận (Quy định 24-QĐ/TW, 9.3.2)).",
    "Đại biểu dự: đồng chí Nguyễn Văn Thành, Đảng ủy viên",
    "Chủ trì: đồng chí Nguyễn Thị Hằng, Bí thư chi bộ.",
    "Thư ký: đồng chí Trần Văn Đức.",
    "Tài liệu sử dụng:",
    # III
    "III. NỘI DUNG VÀ DIỄN BIẾN",
    "1. Phần mở đầu",
    "2. Thông tin thời sự, quán triệt văn bản cấp trên",
    "4. Xét đề nghị kết nạp quần chúng Lê Thị Mai vào Đảng",
    "Đồng chí Phạm Thị Lan: Nhất trí với báo cáo.",
    "Đồng chí Nguyễn Văn Thành: Đại biểu Đảng ủy phường",
    "Ý kiến bảo lưu: đồng chí Đặng Quốc Bảo:",
    "Hình thức biểu quyết: bỏ phiếu kín.",
    "Hình thức biểu quyết: biểu quyết điện tử.",
    "Số thành viên căn cứ (N): 12; số tham gia biểu quyết: 11.",
    "số phiếu phát ra 11, số phiếu thu vào 11, hợp lệ 11, không hợp lệ 0; đồng ý kết nạp: 10 "
    "phiếu; không đồng ý kết nạp: 1 phiếu.",
    "Kết quả: tán thành 10/12 (83,33%), không tán thành 1, không biểu quyết 0.",
    "Ngưỡng áp dụng: cần ít nhất 8/12 tán thành (ít nhất hai phần ba N; căn cứ Điều lệ Đảng, "
    "Điều 4 khoản 3; Điều lệ Đảng, Điều 9 khoản 5) → ĐẠT.",
    "Ngưỡng áp dụng: cần ít nhất 7/12 tán thành (quá nửa N; căn cứ Điều lệ Đảng, Điều 9 khoản 5) "
    "→ KHÔNG THÔNG QUA.",
    "Ngưỡng áp dụng: cần ít nhất 7/12 tán thành (quá nửa N; căn cứ Điều lệ Đảng, Điều 9 khoản 5) "
    "→ THÔNG QUA.",
    "7. Kết luận của đồng chí chủ trì",
    "Phân công nhiệm vụ",
    "Hoàng Văn Nam",
    "20/11/2026",
    "thường xuyên",
    "8. Đánh giá chất lượng buổi sinh hoạt",
    "Tổng điểm: 88; xếp loại: Khá.",
    # IV
    "IV. KẾT THÚC",
    "Biên bản đã được thư ký đọc lại trước chi bộ; chi bộ nhất trí thông qua (11/11).",
    "Buổi sinh hoạt kết thúc lúc 21 giờ 35 phút cùng ngày; thời lượng 2 giờ 05 phút (tối "
    "thiểu 90 phút: đạt).",
    "THƯ KÝ",
    "(Ký, ghi rõ họ tên)",
    "CHỦ TRÌ",
    "(Ký, ghi rõ họ tên, chức vụ)",
    "Trần Văn Đức",
    "Nguyễn Thị Hằng",
    # Verification block and footer
    "Xác thực văn bản: quét mã QR hoặc truy cập https://chibo.hoangliet.vn/x/7600BD639C",
    "Mã văn bản: 7600bd63-9ce0-5547-be6f-5899016364cc",
    "Mã băm chuỗi sự kiện buổi sinh hoạt (SHA-256):",
    "Trang 1/",
]


def text_of(pdf: bytes, *options: str) -> str:
    text = poppler("pdftotext", *options, "-enc", "UTF-8", "-", "-", stdin=pdf)
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module")
def minutes_text(sample_pdf):
    return text_of(sample_pdf.pdf)


@pytest.mark.parametrize("expected", MINUTES_TEXTS)
def test_minutes_pdf_contains_every_heading_and_figure(minutes_text, expected):
    assert expected in minutes_text


def test_minutes_pdf_prints_the_full_event_chain_head(sample_pdf):
    head = samples.sample_minutes().integrity.event_chain_head

    # The hash may wrap across lines; the characters must all be there, in order.
    assert head in text_of(sample_pdf.pdf).replace(" ", "")


def test_every_speech_is_printed_in_order(minutes_text):
    speeches = [speech for item in samples.sample_minutes().items for speech in item.speeches]
    positions = [minutes_text.find(f"Đồng chí {s.speaker}: {s.opinion[:30]}") for s in speeches]

    assert len(positions) == 30
    assert -1 not in positions
    assert positions == sorted(positions)


def test_text_is_precomposed_unicode_not_decomposed(minutes_text):
    # "ệ" must come out as one code point (U+1EC7), as typed, not e + two combining marks.
    assert "Hoàng Liệt" in minutes_text
    assert "\u0323" not in minutes_text


def test_fonts_are_embedded_subsets_with_unicode_maps(sample_pdf):
    lines = poppler("pdffonts", "-", stdin=sample_pdf.pdf).splitlines()[2:]
    fonts = [line.split() for line in lines if line.strip()]

    assert {font[0].split("+", 1)[1] for font in fonts} == {
        "Chibo-Serif",
        "Chibo-Serif-Bold",
        "Chibo-Serif-Italic",
        "Liberation-Mono",
    }
    # columns: name type encoding emb sub uni object-id generation
    assert all(font[-5:-2] == ["yes", "yes", "yes"] for font in fonts)


def test_two_renders_are_byte_identical():
    document = samples.sample_minutes()

    assert rendering.render_minutes(document).pdf == rendering.render_minutes(document).pdf


def test_pdf_dates_and_identifier_come_from_the_document(sample_pdf):
    info = poppler("pdfinfo", "-isodates", "-", stdin=sample_pdf.pdf)

    assert "CreationDate:    2026-11-05T21:35:00+07" in info
    assert "ModDate:         2026-11-05T21:35:00+07" in info
    assert b"/ID [(7600bd63-9ce0-5547-be6f-5899016364cc)" in sample_pdf.pdf


def test_minutes_pdf_is_a4_with_its_page_count(sample_pdf):
    info = poppler("pdfinfo", "-", stdin=sample_pdf.pdf)

    assert sample_pdf.pdf.startswith(b"%PDF-1.7")
    assert "Page size:       595.276 x 841.89 pts (A4)" in info
    assert f"Pages:           {sample_pdf.page_count}\n" in info
    assert sample_pdf.page_count == 8


def test_every_page_is_numbered_out_of_the_total(minutes_text, sample_pdf):
    total = sample_pdf.page_count
    numbers = [f"Trang {page}/{total}" in minutes_text for page in range(1, total + 1)]

    assert numbers == [True] * total


def words_with_boxes(pdf: bytes, page: int) -> list[tuple[str, float, float, float, float]]:
    """(word, x_min, y_min, x_max, y_max) in PDF points, origin at the top left."""
    html = poppler(
        "pdftotext", "-bbox", "-f", str(page + 1), "-l", str(page + 1), "-", "-", stdin=pdf
    )
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<'
    return [
        (w, float(a), float(b), float(c), float(d)) for a, b, c, d, w in re.findall(pattern, html)
    ]


@pytest.mark.parametrize(
    ("role", "heading", "name"),
    [("recorder", "THƯ", "Đức"), ("chair", "CHỦ", "Hằng")],
    ids=["recorder-left", "chair-right"],
)
def test_signature_box_lies_between_the_role_and_the_name(sample_pdf, role, heading, name):
    slot = sample_pdf.signature_boxes[role]
    x1, y1, x2, y2 = slot.box
    page_height = 841.89
    top, bottom = page_height - y2, page_height - y1  # to pdftotext's top-left origin
    words = words_with_boxes(sample_pdf.pdf, slot.page)
    heading_word = next(w for w in words if w[0] == heading)
    name_word = next(w for w in words if w[0] == name)

    assert slot.page == sample_pdf.page_count - 1
    assert heading_word[4] < top < bottom < name_word[2]
    assert x1 < heading_word[1] < heading_word[3] < x2
    assert x2 - x1 == pytest.approx(198.43, abs=0.1)  # 70 mm
    assert y2 - y1 == pytest.approx(68.03, abs=0.1)  # 24 mm


def test_recorder_signs_on_the_left_and_chair_on_the_right(sample_pdf):
    recorder, chair = sample_pdf.signature_boxes["recorder"], sample_pdf.signature_boxes["chair"]

    assert recorder.box[2] < chair.box[0]
    assert recorder.box[1] == chair.box[1]


def test_text_from_the_meeting_is_escaped():
    document = samples.sample_minutes()
    first = document.items[2]
    hostile = dataclasses.replace(
        first, speeches=(Speech("<b>Kẻ xấu</b>", '<img src="file:///etc/passwd">'),)
    )
    document = dataclasses.replace(document, items=(hostile,))

    html = rendering.minutes_html(document)

    assert "&lt;img src=&quot;file:///etc/passwd&quot;&gt;" in html
    assert html.count("<img") == 1  # our QR code only


def test_fetcher_reads_our_fonts_and_nothing_else():
    fetcher = rendering.LocalFontFetcher()
    font = next(iter(rendering.FONT_FILES.values()))

    response = fetcher.fetch(font.as_uri())
    try:
        assert response.read(4) == b"\x00\x01\x00\x00"  # a TrueType font
    finally:
        response.close()
    for url in ["file:///etc/passwd", "https://example.com/font.ttf", "ftp://example.com/x"]:
        with pytest.raises(ValueError, match=r"refus|disallowed"):
            fetcher.fetch(url)


def test_extract_pdf_has_its_title_certification_and_signature():
    rendered = rendering.render_extract(samples.sample_extract())
    text = text_of(rendered.pdf)

    for expected in [
        "TRÍCH BIÊN BẢN",
        "Sinh hoạt chi bộ ngày 05/11/2026 (về việc đề nghị kết nạp quần chúng Lê Thị Mai vào Đảng)",
        "Số thành viên làm căn cứ biểu quyết (N): 12",
        "Kết quả: tán thành 10/12 (83,33%)",
        "Trích đúng biên bản.",
        "T/M CHI BỘ",
        "BÍ THƯ",
        "Nguyễn Thị Hằng",
    ]:
        assert expected in text
    assert list(rendered.signature_boxes) == ["secretary"]


def test_resolution_pdf_follows_the_template():
    rendered = rendering.render_resolution(samples.sample_resolution())
    text = text_of(rendered.pdf)

    for expected in [
        "Số 11-NQ/CB",
        "NGHỊ QUYẾT",
        "Sinh hoạt chi bộ tháng 11 năm 2026",
        "- Căn cứ Điều lệ Đảng Cộng sản Việt Nam;",
        "Chi bộ Tổ dân phố số 7 họp ngày 05/11/2026 (có mặt 13/15 đảng viên; N = 12),",
        "QUYẾT NGHỊ",
        "5. Giữ nguyên lịch sinh hoạt chi bộ thường kỳ vào tối ngày 05 hằng tháng.",
        "Nghị quyết được 11/12 đảng viên chính thức tán thành (đạt 91,67%).",
        "Nơi nhận:",
        "Đảng ủy phường Hoàng Liệt (để b/c),",
        "T/M CHI BỘ",
    ]:
        assert expected in text
    assert rendered.page_count == 1


def test_rendered_sample_is_cached_per_session(sample_pdf):
    assert rendered_sample() is sample_pdf


def html_text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_in_person_meeting_prints_no_online_approval():
    document = samples.sample_minutes()
    setting = dataclasses.replace(document.setting, mode=MeetingMode.IN_PERSON, online_approval="")

    text = html_text(rendering.minutes_html(dataclasses.replace(document, setting=setting)))

    assert "Hình thức:" not in text
    assert "Địa điểm: Nhà văn hóa Tổ dân phố số 7" in text


def test_read_back_without_a_vote_says_chair_and_recorder_approved():
    document = samples.sample_minutes()
    closing = dataclasses.replace(document.closing, read_back=ReadBack())

    text = html_text(rendering.minutes_html(dataclasses.replace(document, closing=closing)))

    assert (
        "Chi bộ không biểu quyết thông qua biên bản tại buổi sinh hoạt; đồng chí chủ trì và thư ký "
        "thống nhất thông qua nội dung biên bản."
    ) in text


def test_minutes_without_a_quality_grade_say_so_instead_of_an_empty_grade():
    # The grade is optional in the recorder's form: "Xếp loại: ." was printed.
    document = samples.sample_minutes()
    ungraded = dataclasses.replace(document.quality, grade="", score=None)

    text = html_text(rendering.minutes_html(dataclasses.replace(document, quality=ungraded)))

    assert "Xếp loại: chưa đánh giá." in text
    assert "Xếp loại: ." not in text


def test_a_read_back_vote_that_is_not_unanimous_is_not_called_unanimous():
    document = samples.sample_minutes()
    closing = dataclasses.replace(document.closing, read_back=ReadBack(10, 11))

    text = html_text(rendering.minutes_html(dataclasses.replace(document, closing=closing)))

    assert "chi bộ thông qua (10/11 đồng chí tán thành)." in text
    assert "nhất trí" not in text.split("IV. KẾT THÚC")[-1]


def test_short_meeting_is_marked_below_the_minimum():
    document = samples.sample_minutes()
    closing = dataclasses.replace(
        document.closing, ended_at=document.setting.started_at + datetime.timedelta(minutes=75)
    )

    text = html_text(rendering.minutes_html(dataclasses.replace(document, closing=closing)))

    assert "thời lượng 1 giờ 15 phút (tối thiểu 90 phút: chưa đạt)" in text


def test_without_a_conclusion_vote_the_assessment_follows_the_conclusion():
    document = samples.sample_minutes()
    conclusion = dataclasses.replace(document.conclusion, vote=None)

    text = html_text(rendering.minutes_html(dataclasses.replace(document, conclusion=conclusion)))

    assert "7. Kết luận của đồng chí chủ trì" in text
    assert "8. Đánh giá chất lượng buổi sinh hoạt" in text
    assert "Biểu quyết thông qua kết luận" not in text


def test_n_and_its_value_never_break_apart_on_a_narrow_screen():
    """The minutes' HTML (the preview, on a phone too): "(N): 12" and "N = 12" keep together."""
    minutes = rendering.minutes_html(samples.sample_minutes())
    resolution = render_to_string(
        "minutes/pdf/resolution.html",
        {"document": samples.sample_resolution(), "meeting_date": "05/11/2026"},
    )

    assert "Số thành viên làm căn cứ biểu quyết (N):&nbsp;12 " in minutes
    assert "Số thành viên căn cứ (N):&nbsp;12;" in minutes
    assert "(N): 12" not in minutes
    assert "N&nbsp;=&nbsp;12)," in resolution


@pytest.mark.parametrize(
    ("summary", "printed"),
    [
        # The agenda's titles joined (the default when the recorder writes none) end bare.
        ("Khai mạc; Đảng viên thảo luận", "Nội dung: Khai mạc; Đảng viên thảo luận."),
        # A recorder's sentence that already ends with a full stop keeps one.
        ("Đánh giá tháng 11.", "Nội dung: Đánh giá tháng 11."),
    ],
)
def test_the_content_line_ends_with_one_full_stop(summary, printed):
    # Template I: "- Nội dung: <tóm tắt nội dung sinh hoạt>." (the full stop was missing).
    document = samples.sample_minutes()
    setting = dataclasses.replace(document.setting, content_summary=summary)

    text = html_text(rendering.minutes_html(dataclasses.replace(document, setting=setting)))

    assert printed + " II. THÀNH PHẦN" in text


def test_a_meeting_without_a_minimum_duration_is_not_measured_against_zero_minutes():
    # An extraordinary meeting has no minimum (R-P4): "(tối thiểu 0 phút: đạt)" was printed.
    document = samples.sample_minutes()
    closing = dataclasses.replace(
        document.closing,
        minimum_minutes=0,
        ended_at=document.setting.started_at + datetime.timedelta(minutes=9),
    )

    text = html_text(rendering.minutes_html(dataclasses.replace(document, closing=closing)))

    assert "thời lượng 9 phút." in text
    assert "tối thiểu" not in text


def test_the_searchable_text_keeps_a_table_s_cells_apart():
    # The assignments table's cells ran together ("Hoàng Văn NamVận động …2026"): the assignee's
    # name and the deadline were lost to word search and unreadable on the reviewer's page.
    text = rendering.document_text(samples.sample_minutes())

    assert "TT | Đồng chí | Nhiệm vụ | Thời hạn" in text.splitlines()
    assert (
        "1 | Hoàng Văn Nam | Vận động 3 hộ kinh doanh còn lại ký cam kết an toàn phòng cháy chữa "
        "cháy | 20/11/2026"
    ) in text.splitlines()
