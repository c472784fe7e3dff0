"""Each document's PDF, made once by the Celery task `minutes.render_document` (minutes.tasks)
from the record and the approved words, retried on failure; the first signer is then asked."""

from __future__ import annotations

import logging
from functools import partial

from celery import signature
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings import events
from meetings.models import Meeting
from members import queries as member_queries
from members.models import Member, User
from minutes import document as doc
from minutes import rendering
from minutes.drafting import (
    Edits,
    draft_addendum,
    draft_extract,
    draft_minutes,
    draft_resolution,
)
from minutes.models import (
    DocumentKind,
    DocumentStatus,
    Minutes,
    RenderState,
    SignedDocument,
    SignerRole,
)
from minutes.services.roles import ask_next_signer, expected_signer, require_issuer

logger = logging.getLogger(__name__)

# The task's registered name (minutes.tasks.render_document).
RENDER_TASK = "minutes.render_document"
DEFAULT_GROUNDS = (
    "Căn cứ Điều lệ Đảng Cộng sản Việt Nam;",
    "Căn cứ Quy định thi hành Điều lệ Đảng và hướng dẫn của cấp ủy cấp trên;",
)


def recipients(meeting: Meeting) -> tuple[str, ...]:
    """A resolution's "Nơi nhận" as the template writes it: "- Đảng ủy <cấp trên> (để b/c),
    - Đảng viên trong chi bộ, - Lưu chi bộ." The committee of "Đảng bộ X" is "Đảng ủy X"."""
    superior = meeting.cell.parent
    name = superior.name if superior else ""
    if name.startswith("Đảng bộ "):
        committee = "Đảng ủy " + name.removeprefix("Đảng bộ ")
    else:
        committee = f"Cấp ủy {name}" if name else "Cấp ủy cấp trên"
    return (f"{committee} (để b/c),", "Đảng viên trong chi bộ,", "Lưu chi bộ.")


def enqueue_render(document_id: int) -> None:
    """Starts the render task by its name, not by importing it: `minutes.tasks` sits above the
    services and calls `render_document` below, so importing the task here would make a cycle.
    The signature finds the task in the Celery app's registry (autodiscovered from the
    installed apps) and calls its `apply_async`, so with CELERY_TASK_ALWAYS_EAGER (the default
    without Redis) it still runs in-process, and otherwise it goes to the broker."""
    signature(RENDER_TASK, kwargs={"document_id": document_id}).delay()


def verification_url(document: SignedDocument) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(
        "minutes:verify_code", args=[document.verification_code]
    )


def preview_integrity() -> doc.Integrity:
    """Printed on previews only: no document id, chain head or link yet."""
    return doc.Integrity("00000000-0000-0000-0000-000000000000", "0" * 64, settings.SITE_URL)


def minutes_value(minutes: Minutes, integrity: doc.Integrity) -> doc.MinutesDocument:
    return draft_minutes(minutes.meeting, Edits.from_json(minutes.edits), integrity)


def _person(member: Member | None, meeting: Meeting) -> doc.Person:
    if member is None:
        return doc.Person("—")
    roles = member_queries.current_roles(meeting.cell, meeting.local_day)
    title = next((str(r.get_kind_display()) for r in roles if r.member_id == member.pk), "")
    return doc.Person(member.full_name, f"{title} chi bộ" if title else "")


def build_document(document: SignedDocument, chain_head: str) -> rendering.AnyDocument:
    """The value the PDF prints, built from the record and the approved words."""
    minutes = document.minutes
    meeting = minutes.meeting
    integrity = doc.Integrity(str(document.document_id), chain_head, verification_url(document))
    built = minutes_value(minutes, integrity)
    if document.kind == DocumentKind.MINUTES:
        return built
    if document.kind == DocumentKind.EXTRACT:
        assert document.agenda_item is not None  # noqa: S101 -- issue_extract sets it
        positions = list(meeting.agenda_items.order_by("position").values_list("pk", flat=True))
        return draft_extract(
            built,
            meeting,
            positions.index(document.agenda_item.pk) + 1,
            _person(expected_signer(document, SignerRole.SECRETARY), meeting),
            integrity,
        )
    if document.kind == DocumentKind.RESOLUTION:
        return draft_resolution(
            built,
            meeting,
            number=document.details.get("number", ""),
            resolutions=tuple(document.details["resolutions"]),
            grounds=(
                *DEFAULT_GROUNDS,
                f"Căn cứ biên bản sinh hoạt chi bộ ngày {meeting.local_day:%d/%m/%Y},",
            ),
            recipients=recipients(meeting),
            secretary=_person(expected_signer(document, SignerRole.SECRETARY), meeting),
            integrity=integrity,
        )
    assert document.corrects is not None  # noqa: S101 -- issue_addendum sets it
    return draft_addendum(
        built,
        meeting,
        corrected_document_id=str(document.corrects.document_id),
        text=document.details["text"],
        integrity=integrity,
    )


class ChainBrokenError(Exception):
    """The meeting's event log does not verify: the PDF must not print a head hash."""


def render_document(*, document_id: int) -> SignedDocument | None:
    """The Celery task's body: renders the document once. A second run (a retry after the
    PDF was stored, a duplicate message) finds it rendered and does nothing."""
    with transaction.atomic():
        document = SignedDocument.objects.select_for_update().filter(pk=document_id).first()
        if document is None or document.render_state == RenderState.SUCCEEDED:
            return document
        document.render_state = RenderState.RUNNING
        document.status = DocumentStatus.RENDERING
        document.render_attempts += 1
        document.save(update_fields=["render_state", "status", "render_attempts"])
    document = SignedDocument.objects.select_related(
        "minutes__meeting__cell__parent", "agenda_item", "corrects"
    ).get(pk=document_id)
    head = events.verify_chain(document.minutes.meeting)
    if head is None:
        raise ChainBrokenError(f"event chain of meeting {document.minutes.meeting_id} is broken")
    value = build_document(document, head)
    rendered = rendering.render_document(value)
    with transaction.atomic():
        document = SignedDocument.objects.select_for_update().get(pk=document_id)
        if document.render_state == RenderState.SUCCEEDED:
            return document
        document.rendered_pdf = rendered.pdf
        document.page_count = rendered.page_count
        document.signature_boxes = {
            role: {"page": slot.page, "box": list(slot.box)}
            for role, slot in rendered.signature_boxes.items()
        }
        document.event_chain_head = head
        document.content_text = rendering.document_text(value)
        document.rendered_at = timezone.now()
        document.render_state = RenderState.SUCCEEDED
        document.render_error = ""
        document.status = DocumentStatus.AWAITING_SIGNATURES
        document.save()
        ask_next_signer(document)
    return document


def note_render_failure(*, document_id: int, error: BaseException, final: bool) -> None:
    """Records a failed attempt; after the last retry the user sees a plain message."""
    logger.exception("rendering document %s failed", document_id, exc_info=error)
    document = SignedDocument.objects.filter(pk=document_id).first()
    if document is None or document.render_state == RenderState.SUCCEEDED:
        return
    if isinstance(error, ChainBrokenError):
        message = _(
            "Không tạo được tệp PDF: nhật ký sự kiện của buổi sinh hoạt không toàn vẹn (mã băm "
            "không khớp). Báo quản trị hệ thống để kiểm tra trước khi ký."
        )
    else:
        message = _(
            "Không tạo được tệp PDF (đã thử %(attempts)s lần). Bấm “Tạo lại tệp PDF” để thử "
            "lại; nếu vẫn không được, báo quản trị hệ thống."
        ) % {"attempts": document.render_attempts}
    document.render_error = message
    document.render_state = RenderState.FAILED if final else RenderState.QUEUED
    document.status = DocumentStatus.RENDER_FAILED if final else DocumentStatus.RENDERING
    document.save(update_fields=["render_error", "render_state", "status"])


@transaction.atomic
def retry_render(*, actor: User, document: SignedDocument) -> SignedDocument:
    require_issuer(actor, document.minutes.meeting)
    document = SignedDocument.objects.select_for_update().get(pk=document.pk)
    if document.render_state != RenderState.FAILED:
        return document
    document.render_state = RenderState.QUEUED
    document.status = DocumentStatus.RENDERING
    document.render_error = ""
    document.save(update_fields=["render_state", "status", "render_error"])
    transaction.on_commit(partial(enqueue_render, document.pk))
    return document
