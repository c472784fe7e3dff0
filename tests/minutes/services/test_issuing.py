"""Extracts, resolutions and addenda, issued from the archived minutes by their people."""

import datetime

import pytest
import time_machine

from meetings.errors import RuleViolation
from minutes.authority import trusted_authorities
from minutes.models import DocumentKind, DocumentStatus
from minutes.services import issuing, signing
from minutes.verification import verify_pdf
from tests.minutes.conftest import poppler
from tests.minutes.flow import approved_minutes, code_for, sign_both, spent_code

pytestmark = pytest.mark.integration


def test_extract_resolution_and_addendum_are_rendered_and_signed(
    scene, django_capture_on_commit_callbacks
):
    minutes_document = sign_both(scene, approved_minutes(scene, django_capture_on_commit_callbacks))
    meeting = minutes_document.minutes.meeting
    chair = scene.chair.user

    with django_capture_on_commit_callbacks(execute=True):
        extract = issuing.issue_extract(actor=chair, meeting=meeting, item=scene.items[1])
        resolution = issuing.issue_resolution(
            actor=chair,
            meeting=meeting,
            resolutions=["Thống nhất phương hướng tháng 12.", "", "Giao chi ủy theo dõi."],
            number="03-NQ/CB",
        )
        addendum = issuing.issue_addendum(
            actor=scene.recorder.user, meeting=meeting, text="Sửa tên đồng chí phát biểu thứ hai."
        )
    # The secretary (who chaired) signs the extract, then the resolution, each with a new code:
    # the code that signed the minutes a moment ago is spent.
    extract.refresh_from_db()
    with pytest.raises(RuleViolation, match="đã được dùng"):
        signing.sign_document(actor=chair, document=extract, code=spent_code(chair))
    with time_machine.travel(datetime.timedelta(minutes=1)):
        extract = signing.sign_document(actor=chair, document=extract, code=code_for(chair))
    with time_machine.travel(datetime.timedelta(minutes=2)):
        resolution = signing.sign_document(actor=chair, document=resolution, code=code_for(chair))
    with time_machine.travel(datetime.timedelta(minutes=3)):
        addendum = sign_both(scene, addendum)
    assert extract.status == DocumentStatus.ARCHIVED
    assert [s.role for s in extract.signatures.all()] == ["secretary"]
    extract_text = " ".join(
        poppler("pdftotext", "-enc", "UTF-8", "-", "-", stdin=bytes(extract.signed_pdf)).split()
    )
    assert "TRÍCH BIÊN BẢN" in extract_text
    assert "Kết nạp quần chúng Phạm Văn A" in extract_text
    assert "Trích đúng biên bản" in extract_text

    assert (resolution.kind, resolution.status) == (DocumentKind.RESOLUTION, "archived")
    assert "Thống nhất phương hướng tháng 12." in resolution.content_text
    assert "Giao chi ủy theo dõi." in resolution.content_text
    assert "Nghị quyết được 3/4 đảng viên chính thức tán thành" in resolution.content_text

    assert addendum.corrects == minutes_document
    assert str(minutes_document.document_id) in addendum.content_text
    assert [s.role for s in addendum.signatures.order_by("signed_at")] == ["chair", "recorder"]
    assert verify_pdf(bytes(addendum.signed_pdf), trusted=trusted_authorities()).is_valid


def test_documents_are_issued_only_from_archived_minutes_by_their_people(
    scene, django_capture_on_commit_callbacks
):
    document = approved_minutes(scene, django_capture_on_commit_callbacks)
    meeting = document.minutes.meeting
    with pytest.raises(RuleViolation, match="chưa được ký và lưu trữ"):
        issuing.issue_extract(actor=scene.chair.user, meeting=meeting, item=scene.items[0])
    sign_both(scene, document)
    with pytest.raises(RuleViolation, match="Chỉ chủ trì, thư ký hoặc bí thư"):
        issuing.issue_extract(actor=scene.officials[0].user, meeting=meeting, item=scene.items[0])
    with pytest.raises(RuleViolation, match="Ghi ít nhất một điểm"):
        issuing.issue_resolution(actor=scene.chair.user, meeting=meeting, resolutions=[" "])
    with pytest.raises(RuleViolation, match="Ghi nội dung đính chính"):
        issuing.issue_addendum(actor=scene.recorder.user, meeting=meeting, text="  ")


def test_a_resolution_is_sent_to_the_superior_committee_by_name(
    scene, django_capture_on_commit_callbacks
):
    # Template "Nơi nhận": "- Đảng ủy <cấp trên> (để b/c), - Đảng viên trong chi bộ, - Lưu chi
    # bộ." The resolution printed "Đảng ủy cấp trên (để b/c)", without the commas and full stop.
    minutes_document = sign_both(scene, approved_minutes(scene, django_capture_on_commit_callbacks))
    meeting = minutes_document.minutes.meeting
    meeting.cell.parent.name = "Đảng bộ Phường Điện Biên"
    meeting.cell.parent.save()

    with django_capture_on_commit_callbacks(execute=True):
        resolution = issuing.issue_resolution(
            actor=scene.chair.user, meeting=meeting, resolutions=["Thống nhất phương hướng."]
        )
    resolution.refresh_from_db()
    text = " ".join(
        poppler(
            "pdftotext", "-enc", "UTF-8", "-", "-", stdin=bytes(resolution.rendered_pdf)
        ).split()
    )

    # (The signature block shares the row: pdftotext interleaves the two columns.)
    for recipient in (
        "Đảng ủy Phường Điện Biên (để b/c),",
        "Đảng viên trong chi bộ,",
        "Lưu chi bộ.",
    ):
        assert f"- {recipient}" in text
