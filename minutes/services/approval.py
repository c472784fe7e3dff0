"""Approval: by the meeting's read-back vote (R-P5), or by chair and recorder when the meeting
ended without one. Approved minutes move the meeting on and are issued for rendering."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings.enums import MeetingStatus
from meetings.errors import RuleViolation
from meetings.models import Meeting, Vote
from meetings.models.voting import VoteKind, VoteStatus
from members.models import User
from minutes.access import writer_roles
from minutes.models import ApprovalKind, DocumentKind, Minutes, MinutesStatus, SignerRole
from minutes.services.drafting import lock_minutes
from minutes.services.issuing import issue
from minutes.services.meeting_status import HELD, move_meeting
from minutes.services.roles import require_writer


def read_back_vote(meeting: Meeting) -> Vote | None:
    """The meeting's last closed vote approving the minutes read back (R-P5), if any."""
    return (
        Vote.objects.filter(
            meeting=meeting, kind=VoteKind.MINUTES_APPROVAL, status=VoteStatus.CLOSED
        )
        .order_by("-closed_at", "-pk")
        .first()
    )


def read_back_passed(vote: Vote) -> bool:
    """Approving the minutes is counted, not gated by N (charter-rules.md). The reference is
    silent on the threshold: we require more yes votes than half of the votes cast, the
    ordinary majority of a meeting's procedural decisions (Điều lệ Đảng, Điều 10)."""
    yes = vote.result.get("tally", {}).get("yes", 0)
    return yes * 2 > vote.result.get("cast", 0)


@transaction.atomic
def approve(*, actor: User, meeting: Meeting) -> Minutes:
    """Approves the minutes once the meeting has ended.

    With a closed read-back vote the meeting approved the text: chair or recorder records it.
    Without one, both chair and recorder approve (each once; the same person holding both seats
    approves for both) and the minutes say so. Approval moves the meeting to "minutes approved"
    and queues the PDF.
    """
    member = require_writer(actor, meeting)
    roles = writer_roles(actor, meeting)
    minutes = lock_minutes(meeting)
    meeting = minutes.meeting
    _check_approvable(minutes, meeting)
    now = timezone.now()
    vote = read_back_vote(meeting)
    if vote is not None:
        if not read_back_passed(vote):
            raise RuleViolation(
                _(
                    "Chi bộ biểu quyết không thông qua biên bản (%(yes)s/%(cast)s tán thành): "
                    "biên bản cần được sửa và thông qua lại."
                )
                % {"yes": vote.result.get("tally", {}).get("yes", 0), "cast": vote.result["cast"]},
                reason="read_back_failed",
            )
        minutes.approval_kind = ApprovalKind.READ_BACK_VOTE
        minutes.approval_vote = vote
    else:
        if SignerRole.CHAIR in roles and minutes.chair_approved_by_id is None:
            minutes.chair_approved_by, minutes.chair_approved_at = member, now
        if SignerRole.RECORDER in roles and minutes.recorder_approved_by_id is None:
            minutes.recorder_approved_by, minutes.recorder_approved_at = member, now
        minutes.approval_kind = ApprovalKind.CHAIR_AND_RECORDER
        if minutes.chair_approved_by_id is None or minutes.recorder_approved_by_id is None:
            minutes.save()
            return minutes
    minutes.status = MinutesStatus.APPROVED
    minutes.approved_at = now
    minutes.save()
    move_meeting(meeting, MeetingStatus.MINUTES_APPROVED, actor)
    issue(minutes, DocumentKind.MINUTES, created_by=member)
    return minutes


def _check_approvable(minutes: Minutes, meeting: Meeting) -> None:
    if minutes.status != MinutesStatus.DRAFT:
        raise RuleViolation(_("Biên bản đã được thông qua."), reason="already_approved")
    if meeting.status not in HELD:
        raise RuleViolation(
            _("Chỉ thông qua biên bản sau khi buổi sinh hoạt kết thúc."), reason="not_ended"
        )
    if meeting.chair_id is None or meeting.recorder_id is None:
        raise RuleViolation(
            _("Buổi sinh hoạt chưa ghi tên chủ trì hoặc thư ký: chưa thông qua và ký được."),
            reason="no_signer",
        )
    if minutes.version == 0:
        raise RuleViolation(
            _("Biên bản chưa có nội dung: thư ký lưu dự thảo trước khi thông qua."),
            reason="empty",
        )
