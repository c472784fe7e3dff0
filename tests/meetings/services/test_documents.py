import datetime
import hashlib

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from meetings import queries
from meetings.errors import RuleViolation
from meetings.models import Document
from meetings.services import documents as document_services
from meetings.services import scheduling
from tests.meetings.helpers import EARLY_END, MINIMAL_PDF, draft_meeting, office_file, soon, when

pytestmark = pytest.mark.integration

RENAMED_EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 56 + b"PE\x00\x00" + b"\x00" * 200


def upload(scene, meeting, data, name="tai-lieu.pdf", classification="unclassified"):
    return document_services.add_document(
        actor=scene.secretary.user,
        meeting=meeting,
        upload=SimpleUploadedFile(name, data),
        title="",
        classification=classification,
    )


def test_a_pdf_is_stored_under_its_sha256(cell_scene, media_root):
    meeting = draft_meeting(cell_scene)

    document = upload(cell_scene, meeting, MINIMAL_PDF, name="Nghị quyết tháng 3.pdf")

    digest = hashlib.sha256(MINIMAL_PDF).hexdigest()
    assert (document.sha256, document.file_type, document.size) == (
        digest,
        "pdf",
        len(MINIMAL_PDF),
    )
    assert document.storage_name == f"documents/{digest[:2]}/{digest[2:4]}/{digest}"
    assert (media_root / document.storage_name).read_bytes() == MINIMAL_PDF
    assert document.title == "Nghị quyết tháng 3.pdf"


def test_the_same_content_twice_is_stored_once_and_removed_with_the_last_document(
    cell_scene, media_root, django_capture_on_commit_callbacks
):
    meeting = draft_meeting(cell_scene)
    first = upload(cell_scene, meeting, MINIMAL_PDF, name="a.pdf")
    second = upload(cell_scene, meeting, MINIMAL_PDF, name="b.pdf")
    path = media_root / first.storage_name

    with django_capture_on_commit_callbacks(execute=True):
        document_services.remove_document(actor=cell_scene.secretary.user, document=first)
    kept = path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        document_services.remove_document(actor=cell_scene.secretary.user, document=second)

    assert first.storage_name == second.storage_name
    assert kept is True
    assert path.exists() is False


def test_a_docx_named_anything_is_accepted_by_content(cell_scene, media_root):
    meeting = draft_meeting(cell_scene)

    document = upload(cell_scene, meeting, office_file("word/document.xml"), name="bao-cao.bin")

    assert (document.file_type, document.download_name) == ("docx", "bao-cao.docx")


def test_a_renamed_executable_is_refused(cell_scene, media_root):
    meeting = draft_meeting(cell_scene)

    with pytest.raises(RuleViolation) as refusal:
        upload(cell_scene, meeting, RENAMED_EXECUTABLE, name="nghi-quyet.pdf")

    assert refusal.value.field == "file"
    assert refusal.value.message == (
        "Tệp không phải PDF, Word (DOCX), Excel (XLSX) hay ảnh (JPEG, PNG, WebP): "
        "nội dung là tệp exe."
    )
    assert Document.objects.count() == 0
    assert not (media_root / "documents").exists()


def test_an_oversized_file_is_refused(cell_scene, media_root, settings):
    settings.MEETINGS_DOCUMENT_MAX_BYTES = 1024
    meeting = draft_meeting(cell_scene)

    with pytest.raises(RuleViolation) as refusal:
        upload(cell_scene, meeting, MINIMAL_PDF + b"%" * 2048)

    assert (refusal.value.field, refusal.value.message) == (
        "file",
        "Tệp quá lớn: tối đa 1,0\xa0KB.",
    )
    assert Document.objects.count() == 0


@pytest.mark.parametrize("classification", ["mat", "toi_mat", "tuyet_mat"])
def test_a_secret_document_is_refused_with_the_charters_reason(
    cell_scene, media_root, classification
):
    meeting = draft_meeting(cell_scene)

    with pytest.raises(RuleViolation) as refusal:
        upload(cell_scene, meeting, MINIMAL_PDF, classification=classification)

    assert (refusal.value.field, refusal.value.reason) == ("classification", "state_secret")
    assert (
        "(Mật, Tối mật, Tuyệt mật) không được lưu trên hệ thống (Luật Bảo vệ bí mật nhà nước, "
        "Điều 5)" in refusal.value.message
    )
    assert Document.objects.count() == 0


def test_only_managers_upload(cell_scene, media_root):
    meeting = draft_meeting(cell_scene)

    with pytest.raises(PermissionDenied):
        document_services.add_document(
            actor=cell_scene.members[0].user,
            meeting=meeting,
            upload=SimpleUploadedFile("a.pdf", MINIMAL_PDF),
            title="",
            classification="unclassified",
        )


def test_documents_of_a_draft_are_published_when_the_meeting_is_scheduled(cell_scene, media_root):
    meeting = draft_meeting(cell_scene, starts_at=when(10))
    document = upload(cell_scene, meeting, MINIMAL_PDF)
    unpublished = document.published_at

    scheduling.schedule_meeting(actor=cell_scene.secretary.user, meeting=meeting)

    document.refresh_from_db()
    assert unpublished is None
    assert document.published_at is not None
    assert queries.is_published_late(document, meeting) is False


def test_a_document_published_less_than_a_day_before_is_flagged_late(cell_scene, media_root):
    meeting = draft_meeting(cell_scene, starts_at=timezone.now() + datetime.timedelta(hours=12))
    scheduling.schedule_meeting(actor=cell_scene.secretary.user, meeting=meeting)

    document = upload(cell_scene, meeting, MINIMAL_PDF)

    assert queries.is_published_late(document, meeting) is True


def test_stored_file_is_read_back_through_the_service(cell_scene, media_root):
    meeting = draft_meeting(cell_scene)
    document = upload(cell_scene, meeting, MINIMAL_PDF)

    with document_services.open_document(document) as handle:
        assert handle.read() == MINIMAL_PDF
    assert default_storage.exists(document.storage_name)


def test_no_document_is_added_after_the_meeting_ended(cell_scene, media_root):
    meeting = draft_meeting(cell_scene, starts_at=soon())
    for status in ("scheduled", "in_progress", "ended"):
        scheduling.change_status(
            actor=cell_scene.secretary.user, meeting=meeting, to_status=status, reason=EARLY_END
        )

    with pytest.raises(RuleViolation, match="không thêm tài liệu được nữa"):
        upload(cell_scene, meeting, MINIMAL_PDF)


def test_an_empty_file_is_refused(cell_scene, media_root):
    meeting = draft_meeting(cell_scene)

    with pytest.raises(RuleViolation) as refusal:
        upload(cell_scene, meeting, b"")

    assert (refusal.value.field, refusal.value.message) == ("file", "Tệp rỗng.")
