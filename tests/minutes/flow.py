"""A meeting run through the real services up to its minutes, shared by the minutes tests."""

from __future__ import annotations

import time
import uuid

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from meetings.services import attendance, room, speaking
from meetings.services.voting import casting, closing, opening
from members.models import User
from minutes.drafting import Edits
from minutes.models import DocumentKind, SignedDocument
from minutes.services import approval, drafting, signing
from tests.meetings.helpers import EARLY_END


def run_meeting(scene, *, read_back: bool = True):
    """Start; everyone but one official joins; one is marked absent with a reason; a speech, a
    passing resolution, a failing admission, optionally a read-back approval; end."""
    meeting, chair = scene.meeting, scene.chair.user
    room.start_meeting(meeting_id=meeting.pk, actor=chair)
    for member in [
        scene.chair,
        scene.recorder,
        scene.officials[0],
        scene.officials[1],
        scene.probationary,
    ]:
        attendance.join(meeting_id=meeting.pk, actor=member.user, connection=f"c{member.pk}")
    attendance.mark(
        meeting_id=meeting.pk,
        actor=chair,
        member_id=scene.officials[2].pk,
        status="absent_with_reason",
        reason="Đi công tác",
    )
    room.open_item(meeting_id=meeting.pk, actor=chair, item_id=scene.items[0].pk)
    request = speaking.request_floor(
        meeting_id=meeting.pk, actor=scene.officials[0].user, kind="regular"
    )
    turn = speaking.grant_floor(meeting_id=meeting.pk, actor=chair, request_id=request["request"])
    speaking.note_turn(
        meeting_id=meeting.pk,
        actor=scene.recorder.user,
        turn_id=turn["turn"],
        text="Đề nghị tăng cường sinh hoạt chuyên đề.",
    )
    voters = [scene.chair, scene.recorder, scene.officials[0], scene.officials[1]]
    steps = [
        (1, "admission", "Kết nạp quần chúng Phạm Văn A", ["yes", "yes", "no", "no"]),
        (2, "resolution", "Thông qua nghị quyết tháng", ["yes", "yes", "yes", "abstain"]),
    ]
    if read_back:
        steps.append((2, "minutes_approval", "Thông qua biên bản", ["yes", "yes", "yes", "yes"]))
    for index, kind, question, choices in steps:
        if kind != "minutes_approval":
            room.open_item(meeting_id=meeting.pk, actor=chair, item_id=scene.items[index].pk)
        # The resolution is the vote the chair opens on the conclusion.
        options = {"conclusion": True} if kind == "resolution" else None
        vote = opening.open_vote(
            meeting_id=meeting.pk, actor=chair, kind=kind, question=question, options=options
        )
        for member, choice in zip(voters, choices, strict=True):
            casting.cast_ballot(
                meeting_id=meeting.pk,
                actor=member.user,
                vote_id=vote["vote"],
                ballot_id=str(uuid.uuid4()),
                choice=choice,
            )
        closing.close_vote(meeting_id=meeting.pk, actor=chair, vote_id=vote["vote"])
    room.end_meeting(meeting_id=meeting.pk, actor=chair, reason=EARLY_END)
    meeting.refresh_from_db()
    return meeting


EDITS = Edits(
    number="07-BB/CB",
    content_summary="Đánh giá tháng 11, phương hướng tháng 12, xét kết nạp đảng viên.",
    conclusion="Chi bộ thống nhất phương hướng tháng 12.",
    quality_grade="Tốt",
    quality_score=92,
)


def code_for(user: User, steps_ahead: int = 0) -> str:
    """The code the member's authenticator shows now (or `steps_ahead` codes later)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="totp", confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def spent_code(user: User) -> str:
    """The code of the last time step the member's device accepted: spent, whatever the clock."""
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    totp.time = device.t0 + device.last_t * device.step
    return f"{totp.token():0{device.digits}d}"


def approved_minutes(scene, django_capture_on_commit_callbacks, *, read_back: bool = True):
    """The scene's meeting run, drafted, approved and rendered (the Celery task runs eagerly
    when the approval commits)."""
    meeting = run_meeting(scene, read_back=read_back)
    drafting.save_edits(actor=scene.recorder.user, meeting=meeting, edits=EDITS)
    with django_capture_on_commit_callbacks(execute=True):
        approval.approve(actor=scene.recorder.user, meeting=meeting)
        if not read_back:
            approval.approve(actor=scene.chair.user, meeting=meeting)
    return SignedDocument.objects.get(minutes__meeting=meeting, kind=DocumentKind.MINUTES)


def sign_both(scene, document: SignedDocument) -> SignedDocument:
    signing.sign_document(
        actor=scene.chair.user, document=document, code=code_for(scene.chair.user)
    )
    return signing.sign_document(
        actor=scene.recorder.user, document=document, code=code_for(scene.recorder.user)
    )
