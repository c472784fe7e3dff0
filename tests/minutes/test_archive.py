"""A seeded meeting's signed minutes, read the way an inspector would: its text (pdftotext),
its fonts (pdffonts), its signatures (pyHanko and poppler's pdfsig); and the export command."""

import datetime
import hashlib
import re

import pytest
import time_machine
from django.core.management import call_command

from meetings import events
from minutes.authority import trusted_authorities
from minutes.models import SignedDocument
from minutes.services import rendering
from minutes.verification import verify_pdf
from tests.minutes.conftest import poppler, poppler_file

pytestmark = pytest.mark.integration


@pytest.fixture
def seeded(db):
    # Early in the year: the demo holds December's, January's and February's meetings.
    with time_machine.travel(datetime.datetime(2026, 2, 10, 2, 0, tzinfo=datetime.UTC)):
        call_command("seed_demo", verbosity=0)
    return (
        SignedDocument.objects.archived()
        .filter(kind="minutes", minutes__meeting__cell__name="Chi bộ Khu phố 1")
        .select_related("minutes__meeting")
        .order_by("minutes__meeting__starts_at")
        .first()
    )


def test_a_seeded_meetings_pdf_prints_every_heading_and_figure(seeded):
    pdf = bytes(seeded.signed_pdf)
    meeting = seeded.minutes.meeting
    value = rendering.build_document(seeded, seeded.event_chain_head)
    a = value.attendance
    text = " ".join(poppler("pdftotext", "-enc", "UTF-8", "-", "-", stdin=pdf).split())

    for heading in [
        "ĐẢNG BỘ PHƯỜNG ĐIỆN BIÊN",
        "CHI BỘ KHU PHỐ 1",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "Hà Nội, ngày 02 tháng 12 năm 2025",
        "Số 12-BB/CB",
        "BIÊN BẢN SINH HOẠT CHI BỘ THƯỜNG KỲ THÁNG 12 NĂM 2025",
        "I. THỜI GIAN, ĐỊA ĐIỂM, HÌNH THỨC",
        "II. THÀNH PHẦN",
        "III. NỘI DUNG VÀ DIỄN BIẾN",
        "IV. KẾT THÚC",
        "Phân công nhiệm vụ",
        "THƯ KÝ",
        "CHỦ TRÌ",
    ]:
        assert heading in text, heading
    vote = value.conclusion.vote
    for figure in [
        "bắt đầu lúc 19 giờ 30 phút, ngày 02/12/2025",
        f"Tổng số đảng viên của chi bộ: {a.total} đồng chí; trong đó: chính thức {a.official}, "
        f"dự bị {a.probationary}",
        f"Có mặt: {a.present} đồng chí",
        "Có lý do: ",
        "Đi công tác, đã báo cáo chi ủy",
        f"Tỷ lệ đảng viên dự sinh hoạt: {a.attendance_rate} ({a.rate_present}/{a.rate_base})",
        f"Số thành viên làm căn cứ biểu quyết (N): {a.vote_base}",
        "Chủ trì: đồng chí Nguyễn Thị Hằng, Bí thư chi bộ",
        "Thư ký: đồng chí Trần Văn Đức",
        # Template III.1: the agenda approved by a vote at the opening.
        "Biểu quyết: Thông qua chương trình sinh hoạt",
        "Đề nghị chi bộ phân công đảng viên phụ trách từng tổ dân phố.",
        "Ý kiến bảo lưu: đồng chí",
        "Nên họp vào sáng thứ bảy để đảng viên trẻ dự đủ.",
        f"tán thành {vote.yes}/{vote.vote_base}",
        "THÔNG QUA",
        "Theo dõi thu đảng phí",
        "Tổng điểm: 90; xếp loại: Tốt.",
        f"chi bộ nhất trí thông qua ({value.closing.read_back.yes}/{value.closing.read_back.of})",
        "Buổi sinh hoạt kết thúc lúc",
        "Đã ký số: Nguyễn Thị Hằng",
        "Đã ký số: Trần Văn Đức",
        seeded.verification_code,
        str(seeded.document_id),
        "Trang 1/",
    ]:
        assert figure in text, figure
    assert value.closing.read_back.yes == value.closing.read_back.of > 0
    # The chain head printed is the meeting's, and it may wrap across lines.
    assert events.verify_chain(meeting) == seeded.event_chain_head
    assert seeded.event_chain_head in text.replace(" ", "")

    fonts = poppler("pdffonts", "-", stdin=pdf)
    rows = [line for line in fonts.splitlines()[2:] if line.strip()]
    assert rows
    names = {row.split()[0].split("+", 1)[-1] for row in rows}
    # The body in Liberation Serif ("Chibo Serif"), the stamps in Noto Serif.
    assert {"Chibo-Serif", "Chibo-Serif-Bold"} <= names
    assert any(name.startswith("NotoSerif") for name in names), names
    for row in rows:
        # name type encoding emb sub uni object-id generation: embedded, subset, ToUnicode.
        assert re.search(r"\byes\s+yes\s+yes\s+\d+\s+\d+\s*$", row), row


def test_both_signatures_validate_with_pyhanko_and_pdfsig(seeded):
    pdf = bytes(seeded.signed_pdf)

    report = verify_pdf(pdf, trusted=trusted_authorities(), archived_sha256=seeded.sha256)
    assert report.is_valid, report.verdict
    assert seeded.sha256 == hashlib.sha256(pdf).hexdigest()
    output = poppler_file("pdfsig", pdf)
    assert output.count("Signature Validation: Signature is Valid.") == 2
    assert "Signer Certificate Common Name: Nguyễn Thị Hằng" in output
    assert "Signer Certificate Common Name: Trần Văn Đức" in output


def test_export_minutes_writes_every_archived_signed_pdf(seeded, tmp_path, capsys):
    call_command("export_minutes", str(tmp_path))

    archived = SignedDocument.objects.archived()
    files = sorted(tmp_path.glob("*.pdf"))
    assert len(files) == archived.count() == 6  # December to February, two cells
    sums = (tmp_path / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    for document in archived:
        match = [f for f in files if document.verification_code in f.name]
        assert len(match) == 1
        assert match[0].read_bytes() == bytes(document.signed_pdf)
        assert f"{document.sha256}  {match[0].name}" in sums
    assert "6 văn bản" in capsys.readouterr().out


def test_the_demo_s_assessment_does_not_say_everyone_attended_when_someone_was_away(seeded):
    # Every demo meeting has a member away, yet each signed minutes read "Đảng viên dự đủ".
    archived = SignedDocument.objects.archived().filter(kind="minutes")
    away = [
        d for d in archived if rendering.build_document(d, d.event_chain_head).attendance.absent
    ]

    assert away
    assert [d.pk for d in away if "Đảng viên dự đủ" in d.content_text] == []
