import asyncio
import io
import re

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from minutes.authority import trusted_authorities
from minutes.signing import (
    LocalAuthoritySigner,
    SignatureStep,
    SigningError,
    sign_in_order,
    sign_minutes,
)
from minutes.verification import averify_pdf, verify_pdf
from tests.minutes.conftest import poppler, poppler_file

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


@pytest.fixture
def signed(sample_pdf, chair, recorder):
    return sign_minutes(
        sample_pdf,
        chair=LocalAuthoritySigner(chair),
        chair_name=chair.full_name,
        recorder=LocalAuthoritySigner(recorder),
        recorder_name=recorder.full_name,
    )


def summary(report):
    return [
        (
            s.field_name,
            s.signer_name,
            s.intact,
            s.valid,
            s.trusted,
            s.coverage,
            s.modification_level,
            s.is_valid,
        )
        for s in report.signatures
    ]


def test_chair_signs_first_then_recorder_and_both_validate(signed):
    report = verify_pdf(signed, trusted=trusted_authorities())

    assert summary(report) == [
        ("ChuTri", "Nguyễn Thị Hằng", True, True, True, "ENTIRE_REVISION", "FORM_FILLING", True),
        ("ThuKy", "Trần Văn Đức", True, True, True, "ENTIRE_FILE", "NONE", True),
    ]
    assert report.is_valid is True
    assert report.verdict == (
        "Hợp lệ: văn bản có 2 chữ ký số hợp lệ (Nguyễn Thị Hằng, Trần Văn Đức), chứng thư do "
        "tổ chức được tin cậy cấp; văn bản không bị sửa đổi sau khi ký."
    )


def test_signatures_are_pades_baseline_and_valid_for_poppler(signed):
    output = poppler_file("pdfsig", signed)

    assert output.count("Signature Type: ETSI.CAdES.detached") == 2
    assert output.count("Signature Validation: Signature is Valid.") == 2
    assert "Signer Certificate Common Name: Nguyễn Thị Hằng" in output
    assert "Signer Certificate Common Name: Trần Văn Đức" in output
    assert output.count("Signing Hash Algorithm: SHA-256") == 2
    assert "Total document signed" in output


def test_stamps_are_visible_in_the_signature_boxes_with_vietnamese_text(signed, sample_pdf):
    page = sample_pdf.signature_boxes["chair"].page
    text = re.sub(
        r"\s+",
        " ",
        poppler("pdftotext", "-f", str(page + 1), "-l", str(page + 1), "-", "-", stdin=signed),
    )

    assert "CHỦ TRÌ Đã ký số: Nguyễn Thị Hằng Thời gian:" in text
    assert "THƯ KÝ Đã ký số: Trần Văn Đức Thời gian:" in text
    assert re.search(r"Thời gian: \d\d:\d\d:\d\d ngày \d\d/\d\d/20\d\d \(GMT\+7\)", text)


def test_archive_hash_is_checked(signed):
    import hashlib

    right = verify_pdf(
        signed, trusted=trusted_authorities(), archived_sha256=hashlib.sha256(signed).hexdigest()
    )
    wrong = verify_pdf(signed, trusted=trusted_authorities(), archived_sha256="0" * 64)

    assert (right.matches_archive, right.is_valid) == (True, True)
    assert right.verdict.endswith("; khớp với bản lưu trữ.")
    assert (wrong.matches_archive, wrong.is_valid) == (False, False)
    assert wrong.verdict == ("Không hợp lệ: tệp không khớp với bản lưu trữ (mã SHA-256 khác).")


def test_one_flipped_byte_inside_the_signed_range_breaks_both_signatures(signed, sample_pdf):
    # The middle of the rendered file: inside the first revision, which both signatures cover.
    offset = len(sample_pdf.pdf) // 2
    tampered = signed[:offset] + bytes([signed[offset] ^ 0x01]) + signed[offset + 1 :]

    report = verify_pdf(tampered, trusted=trusted_authorities())

    assert [(s.intact, s.is_valid) for s in report.signatures] == [(False, False)] * 2
    # What was signed was changed: no row may call that an allowed change (issue 13, defect 7).
    assert [s.changes_allowed for s in report.signatures] == [False] * 2
    assert report.is_valid is False
    assert report.verdict.startswith(
        "Không hợp lệ: chữ ký của Nguyễn Thị Hằng không còn nguyên vẹn"
    )
    assert poppler_file("pdfsig", tampered).count("Signature is Valid.") == 0


def appended(pdf: bytes, change) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    change(writer)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def add_text_to_first_page(writer):
    stream = generic.StreamObject(stream_data=b"BT /F1 24 Tf 100 700 Td (SUA DOI) Tj ET")
    writer.add_stream_to_page(0, writer.add_object(stream))


def test_an_appended_incremental_update_changing_a_page_is_detected(signed):
    tampered = appended(signed, add_text_to_first_page)

    report = verify_pdf(tampered, trusted=trusted_authorities())

    assert [(s.intact, s.valid, s.modification_level, s.is_valid) for s in report.signatures] == [
        (True, True, "OTHER", False)
    ] * 2
    assert report.nothing_after_last_signature is False
    assert report.is_valid is False
    assert report.verdict == (
        "Không hợp lệ: văn bản bị sửa đổi sau khi Nguyễn Thị Hằng ký; văn bản bị sửa đổi sau "
        "khi Trần Văn Đức ký."
    )


def test_even_a_harmless_looking_update_after_the_last_signature_is_refused(signed):
    def retitle(writer):
        writer.set_info(
            generic.DictionaryObject(
                {generic.NameObject("/Title"): generic.TextStringObject("Biên bản đã sửa")}
            )
        )

    tampered = appended(signed, retitle)

    report = verify_pdf(tampered, trusted=trusted_authorities())

    # pyHanko calls an /Info update benign; we want nothing at all after the last signature.
    assert [s.is_valid for s in report.signatures] == [True, True]
    assert report.nothing_after_last_signature is False
    assert report.is_valid is False
    assert report.verdict == ("Không hợp lệ: tệp có nội dung được thêm vào sau chữ ký cuối cùng.")


def test_a_certificate_from_another_authority_is_not_trusted(signed):
    report = verify_pdf(signed, trusted=[])

    assert [(s.intact, s.valid, s.trusted) for s in report.signatures] == [(True, True, False)] * 2
    assert report.is_valid is False
    assert "chứng thư số của Nguyễn Thị Hằng không do tổ chức được tin cậy cấp" in report.verdict


def test_unsigned_and_unreadable_files_are_reported_plainly(sample_pdf):
    unsigned = verify_pdf(sample_pdf.pdf, trusted=trusted_authorities())
    garbage = verify_pdf(b"%PDF-1.7\nkhong phai pdf", trusted=trusted_authorities())

    assert (unsigned.is_valid, unsigned.verdict) == (
        False,
        "Không hợp lệ: tệp PDF không có chữ ký số nào.",
    )
    assert (garbage.readable, garbage.is_valid, garbage.verdict) == (
        False,
        False,
        "Không hợp lệ: không đọc được tệp PDF.",
    )


@pytest.fixture
def roots(signed):
    return trusted_authorities()


@pytest.mark.asyncio
async def test_async_verification_runs_inside_an_event_loop(signed, roots):
    report = await averify_pdf(signed, trusted=roots)

    assert asyncio.get_running_loop() is not None
    assert report.is_valid is True


def test_signing_needs_the_slot_the_template_left(sample_pdf, chair):
    with pytest.raises(SigningError, match="no signature box for 'secretary'"):
        sign_in_order(sample_pdf, [SignatureStep("secretary", LocalAuthoritySigner(chair), "X")])


def test_extract_is_signed_by_the_secretary(chair):
    from minutes.rendering import render_extract
    from tests.minutes.samples import sample_extract

    rendered = render_extract(sample_extract())

    signed = sign_in_order(
        rendered, [SignatureStep("secretary", LocalAuthoritySigner(chair), chair.full_name)]
    )

    report = verify_pdf(signed, trusted=trusted_authorities())
    assert [(s.field_name, s.signer_name, s.is_valid) for s in report.signatures] == [
        ("BiThu", "Nguyễn Thị Hằng", True)
    ]
    assert report.is_valid is True
