"""The minutes' life through the services: versions, approval, the render task, signing with
fresh codes, the archive, extracts, resolutions and addenda."""

import datetime
import hashlib

import pytest
import time_machine
from django.test import Client

from meetings import events
from meetings.errors import RuleViolation
from meetings.models import MeetingEvent
from minutes import services
from minutes.authority import trusted_authorities
from minutes.drafting import Edits
from minutes.models import (
    ApprovalKind,
    ArchivedDocumentError,
    DocumentKind,
    DocumentStatus,
    Minutes,
    MinutesStatus,
    RenderState,
    SignedDocument,
)
from minutes.verification import verify_pdf
from tests.conftest import sign_in_verified
from tests.meetings.room.conftest import build_scene
from tests.minutes.conftest import poppler
from tests.minutes.flow import EDITS, approved_minutes, code_for, run_meeting, sign_both, spent_code

pytestmark = pytest.mark.integration


@pytest.fixture
def scene(db):
    return build_scene()


def test_every_save_is_a_version_and_a_stale_form_overwrites_nothing(scene):
    meeting = run_meeting(scene)
    recorder, chair = scene.recorder.user, scene.chair.user

    services.save_edits(actor=recorder, meeting=meeting, edits=Edits(conclusion="Bản 1"))
    services.save_edits(
        actor=chair, meeting=meeting, edits=Edits(conclusion="Bản 2"), based_on_version=1
    )
    with pytest.raises(RuleViolation, match="vừa lưu phiên bản 2"):
        services.save_edits(
            actor=recorder, meeting=meeting, edits=Edits(conclusion="Bản cũ"), based_on_version=1
        )
    with pytest.raises(RuleViolation, match="chủ trì và thư ký"):
        services.save_edits(actor=scene.officials[0].user, meeting=meeting, edits=Edits())

    minutes = Minutes.objects.get(meeting=meeting)
    assert minutes.version == 2
    assert minutes.edits["conclusion"] == "Bản 2"
    assert [(v.number, v.edits["conclusion"], v.author) for v in minutes.versions.all()] == [
        (1, "Bản 1", scene.recorder),
        (2, "Bản 2", scene.chair),
    ]


def test_read_back_vote_approves_renders_once_and_both_signatures_archive(
    scene, django_capture_on_commit_callbacks
):
    document = approved_minutes(scene, django_capture_on_commit_callbacks)
    minutes = document.minutes
    meeting = minutes.meeting
    meeting.refresh_from_db()

    assert (minutes.status, minutes.approval_kind) == (
        MinutesStatus.APPROVED,
        ApprovalKind.READ_BACK_VOTE,
    )
    assert minutes.approval_vote.result["cast"] == 4
    assert meeting.status == "minutes_approved"
    assert (document.render_state, document.status) == ("succeeded", "awaiting_signatures")
    assert document.event_chain_head == events.verify_chain(meeting)
    rendered = bytes(document.rendered_pdf)
    # A duplicate task message finds the PDF made and leaves it alone.
    services.render_document(document_id=document.pk)
    document.refresh_from_db()
    assert bytes(document.rendered_pdf) == rendered
    assert document.render_attempts == 1
    with pytest.raises(RuleViolation, match="không sửa được nữa"):
        services.save_edits(actor=scene.recorder.user, meeting=meeting, edits=EDITS)

    # Recorder before chair is refused; the chair signs, then the recorder.
    with pytest.raises(RuleViolation, match="Đến lượt đồng chí Nguyễn Thị Hằng"):
        services.sign_document(
            actor=scene.recorder.user, document=document, code=code_for(scene.recorder.user)
        )
    document = sign_both(scene, document)

    meeting.refresh_from_db()
    assert document.status == DocumentStatus.ARCHIVED
    assert meeting.status == "archived"
    assert Minutes.objects.get(pk=minutes.pk).status == MinutesStatus.ARCHIVED
    signed = bytes(document.signed_pdf)
    assert document.sha256 == hashlib.sha256(signed).hexdigest()
    assert [s.role for s in document.signatures.order_by("signed_at")] == ["chair", "recorder"]
    report = verify_pdf(signed, trusted=trusted_authorities(), archived_sha256=document.sha256)
    assert report.is_valid, report.verdict
    assert [s.signer_name for s in report.signatures] == ["Nguyễn Thị Hằng", "Trần Văn Đức"]
    assert "Chi bộ thống nhất phương hướng tháng 12." in document.content_text
    assert "tán thành" in document.content_text
    text = " ".join(poppler("pdftotext", "-enc", "UTF-8", "-", "-", stdin=signed).split())
    assert "chi bộ nhất trí thông qua (4/4)" in text
    assert "Số 07-BB/CB" in text
    assert document.verification_code in text
    with pytest.raises(ArchivedDocumentError):
        SignedDocument.objects.filter(pk=document.pk).update(sha256="0" * 64)


def test_a_code_already_used_is_refused(scene, django_capture_on_commit_callbacks):
    document = approved_minutes(scene, django_capture_on_commit_callbacks)
    code = code_for(scene.chair.user)
    services.sign_document(actor=scene.chair.user, document=document, code=code)
    assert services.check_fresh_code(scene.chair.user, code) is False
    with pytest.raises(RuleViolation, match="đã được dùng"):
        services.sign_document(actor=scene.recorder.user, document=document, code="000000")
    document.refresh_from_db()
    assert document.signatures.count() == 1


def test_without_a_read_back_vote_chair_and_recorder_approve_and_the_minutes_say_so(
    scene, django_capture_on_commit_callbacks
):
    meeting = run_meeting(scene, read_back=False)
    services.save_edits(actor=scene.recorder.user, meeting=meeting, edits=EDITS)
    minutes = services.approve(actor=scene.recorder.user, meeting=meeting)
    assert minutes.status == MinutesStatus.DRAFT  # the chair has not approved yet
    # A new version withdraws the recorder's approval: the chair would approve other words.
    services.save_edits(actor=scene.recorder.user, meeting=meeting, edits=EDITS)
    assert Minutes.objects.get(pk=minutes.pk).recorder_approved_by is None

    with django_capture_on_commit_callbacks(execute=True):
        services.approve(actor=scene.recorder.user, meeting=meeting)
        minutes = services.approve(actor=scene.chair.user, meeting=meeting)

    assert (minutes.status, minutes.approval_kind) == ("approved", "chair_and_recorder")
    assert (minutes.chair_approved_by, minutes.recorder_approved_by) == (
        scene.chair,
        scene.recorder,
    )
    document = sign_both(scene, minutes.documents.get())
    text = " ".join(
        poppler("pdftotext", "-enc", "UTF-8", "-", "-", stdin=bytes(document.signed_pdf)).split()
    )
    assert "đồng chí chủ trì và thư ký thống nhất thông qua nội dung biên bản" in text


def test_a_failing_render_is_retried_then_shown_in_plain_words_and_can_be_retried(
    scene, django_capture_on_commit_callbacks
):
    meeting = run_meeting(scene)
    services.save_edits(actor=scene.recorder.user, meeting=meeting, edits=EDITS)
    # The event log no longer verifies: the PDF must not print a head hash.
    event = MeetingEvent.objects.filter(meeting=meeting).order_by("seq").first()
    MeetingEvent.objects.filter(pk=event.pk).update(payload={"forged": True})

    with django_capture_on_commit_callbacks(execute=True):
        services.approve(actor=scene.recorder.user, meeting=meeting)

    document = SignedDocument.objects.get(minutes__meeting=meeting)
    assert (document.render_state, document.status) == ("failed", "render_failed")
    assert document.render_attempts == 4  # the first run and three retries
    assert "nhật ký sự kiện của buổi sinh hoạt không toàn vẹn" in document.render_error
    assert document.rendered_pdf is None
    with pytest.raises(RuleViolation, match="chưa tạo xong"):
        services.sign_document(
            actor=scene.chair.user, document=document, code=code_for(scene.chair.user)
        )

    MeetingEvent.objects.filter(pk=event.pk).update(payload=event.payload)
    with django_capture_on_commit_callbacks(execute=True):
        services.retry_render(actor=scene.chair.user, document=document)
    document.refresh_from_db()
    assert (document.render_state, document.render_error) == (RenderState.SUCCEEDED, "")


def test_extract_resolution_and_addendum_are_rendered_and_signed(
    scene, django_capture_on_commit_callbacks
):
    minutes_document = sign_both(scene, approved_minutes(scene, django_capture_on_commit_callbacks))
    meeting = minutes_document.minutes.meeting
    chair = scene.chair.user

    with django_capture_on_commit_callbacks(execute=True):
        extract = services.issue_extract(actor=chair, meeting=meeting, item=scene.items[1])
        resolution = services.issue_resolution(
            actor=chair,
            meeting=meeting,
            resolutions=["Thống nhất phương hướng tháng 12.", "", "Giao chi ủy theo dõi."],
            number="03-NQ/CB",
        )
        addendum = services.issue_addendum(
            actor=scene.recorder.user, meeting=meeting, text="Sửa tên đồng chí phát biểu thứ hai."
        )
    # The secretary (who chaired) signs the extract, then the resolution, each with a new code:
    # the code that signed the minutes a moment ago is spent.
    extract.refresh_from_db()
    with pytest.raises(RuleViolation, match="đã được dùng"):
        services.sign_document(actor=chair, document=extract, code=spent_code(chair))
    with time_machine.travel(datetime.timedelta(minutes=1)):
        extract = services.sign_document(actor=chair, document=extract, code=code_for(chair))
    with time_machine.travel(datetime.timedelta(minutes=2)):
        resolution = services.sign_document(actor=chair, document=resolution, code=code_for(chair))
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
        services.issue_extract(actor=scene.chair.user, meeting=meeting, item=scene.items[0])
    sign_both(scene, document)
    with pytest.raises(RuleViolation, match="Chỉ chủ trì, thư ký hoặc bí thư"):
        services.issue_extract(actor=scene.officials[0].user, meeting=meeting, item=scene.items[0])
    with pytest.raises(RuleViolation, match="Ghi ít nhất một điểm"):
        services.issue_resolution(actor=scene.chair.user, meeting=meeting, resolutions=[" "])
    with pytest.raises(RuleViolation, match="Ghi nội dung đính chính"):
        services.issue_addendum(actor=scene.recorder.user, meeting=meeting, text="  ")


def test_a_meeting_moved_on_by_hand_still_gets_its_minutes_approved_and_signed(
    scene, django_capture_on_commit_callbacks
):
    from meetings.services.scheduling import change_status

    meeting = run_meeting(scene)
    # The meeting page lets the secretary set "minutes approved" and "archived" by hand.
    change_status(actor=scene.chair.user, meeting=meeting, to_status="minutes_approved")
    change_status(actor=scene.chair.user, meeting=meeting, to_status="archived")
    services.save_edits(actor=scene.recorder.user, meeting=meeting, edits=EDITS)
    with django_capture_on_commit_callbacks(execute=True):
        minutes = services.approve(actor=scene.recorder.user, meeting=meeting)

    document = sign_both(scene, minutes.documents.get())
    assert document.status == DocumentStatus.ARCHIVED
    assert Minutes.objects.get(pk=minutes.pk).status == MinutesStatus.ARCHIVED
    meeting.refresh_from_db()
    assert meeting.status == "archived"


def test_each_signer_is_told_when_it_is_their_turn_and_the_notice_ends_when_they_sign(
    scene, django_capture_on_commit_callbacks
):
    from meetings.models import Notification

    def awaited(member):
        return list(
            Notification.objects.filter(user=member.user, kind="signature_awaited").values_list(
                "url", "read_at"
            )
        )

    document = approved_minutes(scene, django_capture_on_commit_callbacks)
    sign_page = f"/van-ban/{document.pk}/#sign-heading"

    # Rendered: the chair signs first.
    chair_notices = Notification.objects.filter(user=scene.chair.user, kind="signature_awaited")
    assert [(url, read) for url, read in awaited(scene.chair)] == [(sign_page, None)]
    assert chair_notices.get().title.startswith("Đến lượt đồng chí ký: Biên bản, ")
    assert awaited(scene.recorder) == []
    # The link opens the page with the signing form (the sign URL itself takes only a POST).
    opened = sign_in_verified(Client(), scene.chair.user).get(chair_notices.get().url)
    assert opened.status_code == 200
    assert 'id="sign-heading"' in opened.content.decode()

    services.sign_document(
        actor=scene.chair.user, document=document, code=code_for(scene.chair.user)
    )
    assert awaited(scene.chair)[0][1] is not None  # read: the chair has signed
    assert [(url, read) for url, read in awaited(scene.recorder)] == [(sign_page, None)]

    services.sign_document(
        actor=scene.recorder.user, document=document, code=code_for(scene.recorder.user)
    )
    assert awaited(scene.recorder)[0][1] is not None
    assert len(awaited(scene.chair)) == 1  # nobody is asked again once it is archived
    others = [m.user for m in scene.officials]
    assert not Notification.objects.filter(user__in=others, kind="signature_awaited").exists()
