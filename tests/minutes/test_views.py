"""The minutes pages as their users see them: the recorder's draft, approval, the document page
with its progress and signing, downloads, and the public verification page."""

import datetime
import io
import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.html import strip_tags
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from minutes.models import Minutes, SignedDocument
from minutes.services import drafting, rendering
from tests.conftest import sign_in_verified
from tests.meetings.room.conftest import build_scene
from tests.minutes.flow import EDITS, approved_minutes, code_for, run_meeting, sign_both

pytestmark = pytest.mark.integration


@pytest.fixture
def scene(db):
    return build_scene()


def client_of(member) -> Client:
    return sign_in_verified(Client(), member.user)


def text_of(response) -> str:
    """The page's words, as read (tags dropped; links and form actions kept apart)."""
    html = response.content.decode()
    return " ".join(
        (strip_tags(html) + " " + " ".join(re.findall(r'(?:href|action)="([^"]+)"', html))).split()
    )


def test_the_recorder_saves_versions_and_a_stale_form_keeps_what_was_typed(scene):
    meeting = run_meeting(scene)
    recorder, chair = client_of(scene.recorder), client_of(scene.chair)
    url = reverse("minutes:edit", args=[meeting.pk])
    item = scene.items[0]

    page = recorder.get(url)
    assert page.status_code == 200
    assert "Thông tin thời sự — tóm tắt" in text_of(page)
    form = {
        "based_on_version": "0",
        "conclusion": "Chi bộ thống nhất.",
        f"item_{item.pk}": "Đồng chí bí thư thông tin thời sự.",
        "assignments": "Trần Văn Đức | Thu đảng phí | 15/12/2026\nĐảng viên 1 | Dọn vệ sinh",
        "quality_grade": "Tốt",
        "quality_score": "90",
    }
    assert recorder.post(url, form).status_code == 302
    assert chair.post(url, {**form, "conclusion": "Bản của chủ trì."}).status_code == 200

    minutes = Minutes.objects.get(meeting=meeting)
    assert minutes.version == 1
    assert minutes.edits["assignments"][1] == {
        "assignee": "Đảng viên 1",
        "task": "Dọn vệ sinh",
        "deadline": "",
    }
    stale = text_of(chair.post(url, {**form, "conclusion": "Bản của chủ trì."}))
    assert "Trần Văn Đức vừa lưu phiên bản 1" in stale
    assert "Bản của chủ trì." in stale  # nothing typed is lost
    bad = text_of(
        recorder.post(url, {**form, "based_on_version": "1", "assignments": "x | y | 31/02"})
    )
    assert "Dòng 1: thời hạn “31/02” không đúng dạng ngày/tháng/năm." in bad
    assert client_of(scene.officials[0]).get(url).status_code == 403

    preview = text_of(recorder.get(reverse("minutes:preview", args=[meeting.pk])))
    assert "Đồng chí bí thư thông tin thời sự." in preview
    assert "Đề nghị tăng cường sinh hoạt chuyên đề." in preview  # the recorder's note in the room


def test_a_score_without_a_grade_is_refused_rather_than_signed_as_not_assessed(scene):
    """The preview printed "Tổng điểm: 85; xếp loại: chưa đánh giá." for a score typed without
    choosing the grade: a signed self-assessment that contradicts itself."""
    meeting = run_meeting(scene)
    url = reverse("minutes:edit", args=[meeting.pk])
    form = {"based_on_version": "0", "quality_grade": "", "quality_score": "85"}

    response = client_of(scene.recorder).post(url, form)

    assert response.status_code == 200
    assert "Hãy chọn xếp loại cho tổng điểm đã ghi." in text_of(response)
    assert not Minutes.objects.filter(meeting=meeting, version__gt=0).exists()


def test_approve_then_progress_then_chair_and_recorder_sign_on_the_document_page(scene):
    meeting = run_meeting(scene)
    drafting.save_edits(actor=scene.recorder.user, meeting=meeting, edits=EDITS)
    chair, recorder = client_of(scene.chair), client_of(scene.recorder)

    detail = text_of(chair.get(reverse("minutes:detail", args=[meeting.pk])))
    assert "Biểu quyết thông qua biên bản tại buổi sinh hoạt: 4/4 tán thành." in detail
    response = chair.post(reverse("minutes:approve", args=[meeting.pk]))
    document = SignedDocument.objects.get(minutes__meeting=meeting)
    assert response["Location"] == reverse("minutes:document", args=[document.pk])
    # The task runs after the commit; until then the page says it is being made.
    page = text_of(chair.get(response["Location"]))
    assert "Đang tạo tệp PDF" in page
    progress = chair.get(reverse("minutes:progress", args=[document.pk])).json()
    assert (progress["state"], progress["done"]) == ("queued", False)

    rendering.render_document(document_id=document.pk)
    assert chair.get(reverse("minutes:progress", args=[document.pk])).json()["done"] is True
    assert "Ký số văn bản" not in text_of(recorder.get(response["Location"]))  # not yet
    wrong = chair.post(reverse("minutes:sign", args=[document.pk]), {"code": "123456"})
    assert wrong.status_code == 302
    assert "Mã xác thực không đúng" in text_of(chair.get(response["Location"]))
    page = text_of(chair.get(response["Location"]))
    assert "Ký số văn bản" in page

    # A wrong code holds the device back a moment (django-otp throttling); a minute later:
    with time_machine.travel(datetime.timedelta(minutes=1)):
        sign = reverse("minutes:sign", args=[document.pk])
        chair.post(sign, {"code": code_for(scene.chair.user)})
        recorder.post(sign, {"code": code_for(scene.recorder.user)})

    page = text_of(recorder.get(response["Location"]))
    assert "Đã ký và lưu trữ" in page
    assert "Chủ trì: Nguyễn Thị Hằng" in page
    assert "Thư ký: Trần Văn Đức" in page
    download = client_of(scene.officials[0]).get(reverse("minutes:download", args=[document.pk]))
    document.refresh_from_db()
    assert download.content == bytes(document.signed_pdf)
    assert download["Content-Type"] == "application/pdf"


def test_unsigned_files_are_for_the_signers_only(scene, django_capture_on_commit_callbacks):
    document = approved_minutes(scene, django_capture_on_commit_callbacks)
    member = client_of(scene.officials[0])

    assert member.get(reverse("minutes:download", args=[document.pk])).status_code == 403
    assert member.get(reverse("minutes:document", args=[document.pk])).status_code == 403
    assert client_of(scene.chair).get(reverse("minutes:download", args=[document.pk])).content == (
        bytes(document.rendered_pdf)
    )
    assert (
        client_of(scene.outsider).get(reverse("minutes:document", args=[document.pk])).status_code
        == 404
    )


def appended_update(pdf: bytes) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    stream = generic.StreamObject(stream_data=b"BT /F1 24 Tf 100 700 Td (SUA DOI) Tj ET")
    writer.add_stream_to_page(0, writer.add_object(stream))
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def upload(client: Client, url: str, content: bytes, name: str = "bien-ban.pdf"):
    return client.post(url, {"file": SimpleUploadedFile(name, content, "application/pdf")})


def test_the_public_page_shows_identity_and_signatures_never_the_content(
    scene, django_capture_on_commit_callbacks
):
    document = sign_both(scene, approved_minutes(scene, django_capture_on_commit_callbacks))
    url = reverse("minutes:verify_code", args=[document.verification_code.lower()])
    anonymous = Client()

    page = text_of(anonymous.get(url))
    assert "HỢP LỆ" in page
    assert "KHÔNG HỢP LỆ" not in page
    assert "Nguyễn Thị Hằng" in page
    assert "Trần Văn Đức" in page
    assert document.sha256 in page
    assert "Chi bộ Khu phố 3" in page
    assert "Chi bộ thống nhất phương hướng tháng 12." not in page  # no content
    assert reverse("minutes:download", args=[document.pk]) not in page
    assert anonymous.get(reverse("minutes:download", args=[document.pk])).status_code == 302
    member_page = text_of(client_of(scene.officials[0]).get(url))
    assert reverse("minutes:document", args=[document.pk]) in member_page
    assert Client().get(reverse("minutes:verify_code", args=["KHONGCO"])).status_code == 404


def test_the_public_page_offers_the_archive_only_after_the_second_factor(
    scene, django_capture_on_commit_callbacks
):
    """A member who has typed the password but not yet the code is a visitor here: the public
    page does not say whether they would see the cell's archive (regression)."""
    document = sign_both(scene, approved_minutes(scene, django_capture_on_commit_callbacks))
    url = reverse("minutes:verify_code", args=[document.verification_code])
    archive_link = reverse("minutes:document", args=[document.pk])
    password_only = Client()
    password_only.force_login(scene.officials[0].user)

    assert archive_link not in text_of(password_only.get(url))
    assert archive_link in text_of(client_of(scene.officials[0]).get(url))


def signed_and_flipped(document):
    """The signed PDF, and a copy with one bit changed inside the signed content."""
    signed = bytes(document.signed_pdf)
    offset = len(bytes(document.rendered_pdf)) // 2
    return signed, signed[:offset] + bytes([signed[offset] ^ 0x01]) + signed[offset + 1 :]


def test_uploaded_files_tampered_in_any_way_are_shown_invalid_in_plain_words(
    scene, django_capture_on_commit_callbacks
):
    document = sign_both(scene, approved_minutes(scene, django_capture_on_commit_callbacks))
    signed, flipped = signed_and_flipped(document)
    url = reverse("minutes:verify")
    anonymous = Client()

    genuine = text_of(upload(anonymous, url, signed))
    assert "HỢP LỆ" in genuine
    assert "KHÔNG HỢP LỆ" not in genuine
    assert "Tệp trùng khớp với bản lưu trữ." in genuine
    assert document.verification_code in genuine

    broken = text_of(upload(anonymous, url, flipped))
    assert "KHÔNG HỢP LỆ" in broken
    assert "chữ ký của Nguyễn Thị Hằng không còn nguyên vẹn" in broken

    updated = text_of(upload(anonymous, url, appended_update(signed)))
    assert "KHÔNG HỢP LỆ" in updated
    assert "văn bản bị sửa đổi sau khi Nguyễn Thị Hằng ký" in updated
    assert "Tệp không khớp với bản lưu trữ." in updated  # found by its id, hash differs
    compared = text_of(
        upload(
            anonymous, reverse("minutes:verify_code", args=[document.verification_code]), flipped
        )
    )
    assert "Tệp không khớp với bản lưu trữ." in compared

    not_pdf = upload(anonymous, url, b"hello", name="anh.pdf")
    assert not_pdf.status_code == 400
    assert "Tệp này không phải là tệp PDF." in text_of(not_pdf)
    lookup = anonymous.get(url, {"code": f" {document.verification_code.lower()} "})
    assert lookup["Location"] == reverse("minutes:verify_code", args=[document.verification_code])
    odd = anonymous.get(url, {"code": "ab/../c"})
    assert odd.status_code == 200
    assert "Mã tra cứu chỉ gồm chữ cái và chữ số" in text_of(odd)


def test_the_secretary_issues_an_extract_from_the_archived_minutes(
    scene, django_capture_on_commit_callbacks
):
    document = sign_both(scene, approved_minutes(scene, django_capture_on_commit_callbacks))
    meeting = document.minutes.meeting
    chair = client_of(scene.chair)
    url = reverse("minutes:issue", args=[meeting.pk])

    assert "Phát hành văn bản từ biên bản" in text_of(
        chair.get(reverse("minutes:detail", args=[meeting.pk]))
    )
    missing = chair.post(url, {"kind": "extract"})
    assert "Chọn nội dung được trích." in text_of(chair.get(missing["Location"]))
    with django_capture_on_commit_callbacks(execute=True):
        response = chair.post(url, {"kind": "extract", "item": scene.items[1].pk})
    extract = SignedDocument.objects.get(kind="extract")
    assert response["Location"] == reverse("minutes:document", args=[extract.pk])
    page = text_of(chair.get(response["Location"]))
    assert "Trích biên bản: Xét kết nạp quần chúng Phạm Văn A" in page
    assert "Ký số văn bản" in page  # the secretary signs it "T/M CHI BỘ"
    assert "Phát hành văn bản" not in text_of(
        client_of(scene.officials[0]).get(reverse("minutes:detail", args=[meeting.pk]))
    )


def test_a_failed_render_is_shown_in_plain_words_with_a_retry_button(
    scene, django_capture_on_commit_callbacks
):
    from meetings.models import MeetingEvent

    meeting = run_meeting(scene)
    drafting.save_edits(actor=scene.recorder.user, meeting=meeting, edits=EDITS)
    event = MeetingEvent.objects.filter(meeting=meeting).order_by("seq").first()
    MeetingEvent.objects.filter(pk=event.pk).update(payload={"forged": True})
    chair = client_of(scene.chair)
    with django_capture_on_commit_callbacks(execute=True):
        response = chair.post(reverse("minutes:approve", args=[meeting.pk]))

    page = text_of(chair.get(response["Location"]))
    assert "Tạo tệp PDF không thành công" in page
    assert "nhật ký sự kiện của buổi sinh hoạt không toàn vẹn" in page
    assert "Tạo lại tệp PDF" in page
    document = SignedDocument.objects.get(minutes__meeting=meeting)
    progress = chair.get(reverse("minutes:progress", args=[document.pk])).json()
    assert (progress["state"], progress["done"]) == ("failed", True)
    assert "không toàn vẹn" in progress["error"]

    MeetingEvent.objects.filter(pk=event.pk).update(payload=event.payload)
    with django_capture_on_commit_callbacks(execute=True):
        chair.post(reverse("minutes:retry", args=[document.pk]))
    assert "Chờ ký số" in text_of(chair.get(response["Location"]))


@pytest.fixture
def check_counts():
    """The verification page's counts of checked files, for the addresses these tests use."""
    from django.core.cache import cache

    keys = [f"verification-checks:address-{a}" for a in ("127.0.0.1", "10.0.0.9")]
    cache.delete_many(keys)
    yield
    cache.delete_many(keys)


def test_one_visitor_may_not_have_files_checked_without_end(check_counts, monkeypatch, db):
    from minutes.views import verification

    monkeypatch.setattr(verification, "CHECKS_PER_WINDOW", 2)
    url = reverse("minutes:verify")
    unsigned = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
    visitor = Client()

    assert [upload(visitor, url, unsigned).status_code for _ in range(2)] == [200, 200]
    refused = upload(visitor, url, unsigned)

    assert refused.status_code == 429
    assert "Đồng chí đã gửi nhiều tệp để kiểm tra trong một thời gian ngắn." in text_of(refused)
    assert upload(Client(REMOTE_ADDR="10.0.0.9"), url, unsigned).status_code == 200
    not_pdf = upload(visitor, url, b"hello", name="anh.pdf")  # a bad file is still just bad
    assert not_pdf.status_code == 400


def signature_rows(response) -> list[list[str]]:
    """The cells of each row of the signatures table, as read."""
    html = response.content.decode()
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        [
            " ".join(strip_tags(cell).split())
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)
    ]


def test_each_signature_row_of_a_tampered_file_gives_one_consistent_verdict(
    scene, django_capture_on_commit_callbacks
):
    # Issue 13, defect 7: a row said both "Không: nội dung đã bị thay đổi" and "Không có sửa
    # đổi trái phép" for a file whose signed bytes had been changed.
    signed, flipped = signed_and_flipped(
        sign_both(scene, approved_minutes(scene, django_capture_on_commit_callbacks))
    )
    url = reverse("minutes:verify")
    anonymous = Client()

    genuine = signature_rows(upload(anonymous, url, signed))
    broken = signature_rows(upload(anonymous, url, flipped))
    updated = signature_rows(upload(anonymous, url, appended_update(signed)))

    assert [row[2:] for row in genuine] == [["Có", "Có", "Không có sửa đổi trái phép"]] * 2
    assert [row[2:] for row in broken] == [
        [
            "Không: nội dung đã bị thay đổi",
            "Không kiểm tra được (chữ ký hỏng)",
            "Có: nội dung đã ký bị thay đổi",
        ]
    ] * 2
    assert [row[2:] for row in updated] == [["Có", "Có", "Có sửa đổi trái phép"]] * 2


def test_the_last_signatures_row_says_what_was_added_after_it(
    scene, django_capture_on_commit_callbacks
):
    # pyHanko calls a new /Info after the last signature benign; the file is invalid for it
    # (nothing may follow the last signature), and that signature's row must say so too.
    document = sign_both(scene, approved_minutes(scene, django_capture_on_commit_callbacks))
    writer = IncrementalPdfFileWriter(io.BytesIO(bytes(document.signed_pdf)), strict=False)
    writer.set_info(
        generic.DictionaryObject(
            {generic.NameObject("/Title"): generic.TextStringObject("Biên bản đã sửa")}
        )
    )
    output = io.BytesIO()
    writer.write(output)

    page = upload(Client(), reverse("minutes:verify"), output.getvalue())

    assert "tệp có nội dung được thêm vào sau chữ ký cuối cùng" in text_of(page)
    assert [row[4] for row in signature_rows(page)] == [
        "Không có sửa đổi trái phép",
        "Có: nội dung được thêm vào sau chữ ký cuối cùng",
    ]


def test_a_code_no_document_bears_is_said_so_on_the_lookup_form(db):
    # A mistyped code led to the site's "page not found or no permission" page, the form gone.
    page = Client().get(reverse("minutes:verify"), {"code": "KHONGCO"})

    assert page.status_code == 404
    assert "Không có văn bản nào mang mã tra cứu KHONGCO" in text_of(page)
    assert 'name="code"' in page.content.decode()
