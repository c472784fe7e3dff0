"""Approval by the read-back vote or by chair and recorder, and what follows it: the
render, both signatures, the archived meeting."""

import hashlib

import pytest

from meetings import events
from meetings.errors import RuleViolation
from minutes.authority import trusted_authorities
from minutes.models import (
    ApprovalKind,
    ArchivedDocumentError,
    DocumentStatus,
    Minutes,
    MinutesStatus,
    SignedDocument,
)
from minutes.services import approval, drafting, rendering, signing
from minutes.verification import verify_pdf
from tests.minutes.conftest import poppler
from tests.minutes.flow import EDITS, approved_minutes, code_for, run_meeting, sign_both

pytestmark = pytest.mark.integration


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
    rendering.render_document(document_id=document.pk)
    document.refresh_from_db()
    assert bytes(document.rendered_pdf) == rendered
    assert document.render_attempts == 1
    with pytest.raises(RuleViolation, match="không sửa được nữa"):
        drafting.save_edits(actor=scene.recorder.user, meeting=meeting, edits=EDITS)

    # Recorder before chair is refused; the chair signs, then the recorder.
    with pytest.raises(RuleViolation, match="Đến lượt đồng chí Nguyễn Thị Hằng"):
        signing.sign_document(
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


def test_without_a_read_back_vote_chair_and_recorder_approve_and_the_minutes_say_so(
    scene, django_capture_on_commit_callbacks
):
    meeting = run_meeting(scene, read_back=False)
    drafting.save_edits(actor=scene.recorder.user, meeting=meeting, edits=EDITS)
    minutes = approval.approve(actor=scene.recorder.user, meeting=meeting)
    assert minutes.status == MinutesStatus.DRAFT  # the chair has not approved yet
    # A new version withdraws the recorder's approval: the chair would approve other words.
    drafting.save_edits(actor=scene.recorder.user, meeting=meeting, edits=EDITS)
    assert Minutes.objects.get(pk=minutes.pk).recorder_approved_by is None

    with django_capture_on_commit_callbacks(execute=True):
        approval.approve(actor=scene.recorder.user, meeting=meeting)
        minutes = approval.approve(actor=scene.chair.user, meeting=meeting)

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


def test_a_meeting_moved_on_by_hand_still_gets_its_minutes_approved_and_signed(
    scene, django_capture_on_commit_callbacks
):
    from meetings.services.scheduling import change_status

    meeting = run_meeting(scene)
    # The meeting page lets the secretary set "minutes approved" and "archived" by hand.
    change_status(actor=scene.chair.user, meeting=meeting, to_status="minutes_approved")
    change_status(actor=scene.chair.user, meeting=meeting, to_status="archived")
    drafting.save_edits(actor=scene.recorder.user, meeting=meeting, edits=EDITS)
    with django_capture_on_commit_callbacks(execute=True):
        minutes = approval.approve(actor=scene.recorder.user, meeting=meeting)

    document = sign_both(scene, minutes.documents.get())
    assert document.status == DocumentStatus.ARCHIVED
    assert Minutes.objects.get(pk=minutes.pk).status == MinutesStatus.ARCHIVED
    meeting.refresh_from_db()
    assert meeting.status == "archived"
