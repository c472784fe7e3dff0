"""Documents issued for rendering and signing: the minutes once approved, and from the archived
minutes their extracts, resolutions and signed corrections (addenda)."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from meetings.errors import RuleViolation
from meetings.models import AgendaItem, Meeting
from members.models import Member, User
from minutes.models import DocumentKind, DocumentStatus, Minutes, SignedDocument
from minutes.services.rendering import enqueue_render, minutes_value, preview_integrity
from minutes.services.roles import require_issuer, require_writer


def issue(
    minutes: Minutes,
    kind: str,
    *,
    created_by: Member,
    agenda_item: AgendaItem | None = None,
    corrects: SignedDocument | None = None,
    details: dict[str, Any] | None = None,
) -> SignedDocument:
    """A new document of the minutes, rendered once the caller's transaction commits."""
    document = SignedDocument.objects.create(
        minutes=minutes,
        kind=kind,
        agenda_item=agenda_item,
        corrects=corrects,
        details=details or {},
        created_by=created_by,
    )
    transaction.on_commit(partial(enqueue_render, document.pk))
    return document


def _archived_minutes_document(meeting: Meeting) -> SignedDocument:
    document = SignedDocument.objects.filter(
        minutes__meeting=meeting, kind=DocumentKind.MINUTES, status=DocumentStatus.ARCHIVED
    ).first()
    if document is None:
        raise RuleViolation(
            _("Biên bản chưa được ký và lưu trữ: chưa trích hoặc đính chính được."),
            reason="not_archived",
        )
    return document


@transaction.atomic
def issue_extract(*, actor: User, meeting: Meeting, item: AgendaItem) -> SignedDocument:
    member = require_issuer(actor, meeting)
    minutes_document = _archived_minutes_document(meeting)
    if item.meeting_id != meeting.pk:
        raise RuleViolation(_("Nội dung này không thuộc buổi sinh hoạt."), field="item")
    return issue(
        minutes_document.minutes, DocumentKind.EXTRACT, created_by=member, agenda_item=item
    )


@transaction.atomic
def issue_resolution(
    *,
    actor: User,
    meeting: Meeting,
    resolutions: list[str],
    number: str = "",
) -> SignedDocument:
    member = require_issuer(actor, meeting)
    minutes_document = _archived_minutes_document(meeting)
    points = [line.strip() for line in resolutions if line.strip()]
    if not points:
        raise RuleViolation(_("Ghi ít nhất một điểm quyết nghị."), field="resolutions")
    built = minutes_value(minutes_document.minutes, preview_integrity())
    if built.conclusion.vote is None or not built.conclusion.vote.passed:
        raise RuleViolation(
            _("Chi bộ chưa biểu quyết thông qua nghị quyết, kết luận tại buổi sinh hoạt."),
            reason="no_resolution_vote",
        )
    return issue(
        minutes_document.minutes,
        DocumentKind.RESOLUTION,
        created_by=member,
        details={"resolutions": points, "number": number.strip()},
    )


@transaction.atomic
def issue_addendum(*, actor: User, meeting: Meeting, text: str) -> SignedDocument:
    member = require_writer(actor, meeting)
    minutes_document = _archived_minutes_document(meeting)
    if not text.strip():
        raise RuleViolation(_("Ghi nội dung đính chính."), field="text")
    return issue(
        minutes_document.minutes,
        DocumentKind.ADDENDUM,
        created_by=member,
        corrects=minutes_document,
        details={"text": text.strip()},
    )
