"""The superior committee's actions on a cell's documents: one function per state change."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from meetings import access as meeting_access
from meetings.enums import NotificationKind
from meetings.errors import RuleViolation
from meetings.services.invitations import managers_of
from meetings.services.notifications import notify
from members import access as member_access
from members.models import User
from minutes.models import MinutesReview, ReviewKind, SignedDocument
from minutes.notices import REVIEW_COMMENT

MAX_TEXT = 4000


@transaction.atomic
def record_review(*, actor: User, document: SignedDocument, kind: str, text: str) -> MinutesReview:
    """A reviewer above the cell comments on, or acknowledges, a signed archived document."""
    reviewer = member_access.member_of(actor)
    cell = document.minutes.meeting.cell
    if reviewer is None or not meeting_access.reviews_cell(actor, cell):
        raise PermissionDenied
    if not document.is_archived:
        raise RuleViolation(_("Chỉ ghi ý kiến vào văn bản đã ký và lưu trữ."))
    if kind not in ReviewKind.values:
        raise RuleViolation(_("Hãy chọn ý kiến hoặc ghi nhận đã xem."), field="kind")
    text = text.strip()
    if kind == ReviewKind.COMMENT and not text:
        raise RuleViolation(_("Hãy nhập nội dung ý kiến."), field="text")
    if len(text) > MAX_TEXT:
        raise RuleViolation(_("Nội dung dài quá %(n)s ký tự.") % {"n": MAX_TEXT}, field="text")
    review = MinutesReview.objects.create(
        document=document, reviewer=reviewer, kind=kind, text=text
    )
    if kind == ReviewKind.COMMENT:
        _tell_the_cell(review)
    return review


def _tell_the_cell(review: MinutesReview) -> None:
    """A comment is for the cell to act on: its secretary and deputy are notified (an
    acknowledgement asks nothing of them and stays on the cell's reviews page)."""
    document = review.document
    meeting = document.minutes.meeting
    params = {"reviewer": review.reviewer.full_name, "document": document.kind, "text": review.text}
    for user in managers_of(meeting):
        notify(
            user=user,
            kind=NotificationKind.REVIEW_COMMENT,
            message=REVIEW_COMMENT,
            params=params,
            url=reverse("review:cell_reviews", args=[meeting.cell_id]),
            meeting=meeting,
        )
