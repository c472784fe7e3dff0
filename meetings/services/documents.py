"""Meeting documents: checked by content, refused when secret, stored once per SHA-256."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings import charter, file_types, snapshots
from meetings.access import ensure_may_manage
from meetings.enums import ANNOUNCED_STATUSES, DOCUMENT_STATUSES, MeetingChangeAction
from meetings.errors import RuleViolation
from meetings.models import AgendaItem, Document, Meeting, MeetingChange
from meetings.services.participants import lock_meeting_for_management
from members.models import User


def storage_name_for(sha256: str) -> str:
    """Content-addressed: the same bytes are stored once, whatever their name."""
    return f"documents/{sha256[:2]}/{sha256[2:4]}/{sha256}"


def add_document(
    *,
    actor: User,
    meeting: Meeting,
    upload: File,
    title: str,
    classification: str,
    agenda_item: AgendaItem | None = None,
) -> Document:
    """Checks, stores and attaches a document. Refused: secret classifications (the charter's
    may_store, R-I1), files over MEETINGS_DOCUMENT_MAX_BYTES, and anything whose content is
    not PDF, DOCX, XLSX or an image, whatever its name says.

    Effects: the file under MEDIA_ROOT (once per content), the Document row, a history entry.
    """
    ensure_may_manage(actor, meeting.cell)
    verdict = charter.may_store(snapshots.classification(classification))
    if not verdict.allowed:
        raise RuleViolation(verdict.explanation, field="classification", reason=verdict.reason)
    limit = settings.MEETINGS_DOCUMENT_MAX_BYTES
    if upload.size is None or upload.size > limit:
        raise RuleViolation(
            _("Tệp quá lớn: tối đa %(limit)s.") % {"limit": filesizeformat(limit)},
            field="file",
            reason="too_large",
        )
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise RuleViolation(
            _("Tệp quá lớn: tối đa %(limit)s.") % {"limit": filesizeformat(limit)},
            field="file",
            reason="too_large",
        )
    if not data:
        raise RuleViolation(_("Tệp rỗng."), field="file", reason="empty")
    try:
        kind = file_types.detect(data)
    except file_types.UnsupportedFile as error:
        raise RuleViolation(str(error), field="file", reason="unsupported_type") from error
    sha256 = hashlib.sha256(data).hexdigest()

    with transaction.atomic():
        meeting = lock_meeting_for_management(
            actor,
            meeting.pk,
            statuses=DOCUMENT_STATUSES,
            refusal=_("Buổi sinh hoạt đã kết thúc; không thêm tài liệu được nữa."),
        )
        if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
            raise RuleViolation(_("Nội dung này không thuộc buổi sinh hoạt."), field="agenda_item")
        name = storage_name_for(sha256)
        _store(name, data)
        original_name = (getattr(upload, "name", "") or "").rsplit("/", 1)[-1][:255]
        document = Document.objects.create(
            meeting=meeting,
            agenda_item=agenda_item,
            title=title.strip() or original_name or _("Tài liệu"),
            original_name=original_name or f"tai-lieu.{kind.file_type}",
            file_type=kind.file_type,
            content_type=kind.content_type,
            size=len(data),
            sha256=sha256,
            storage_name=name,
            classification=classification,
            uploaded_by=actor,
            published_at=timezone.now() if meeting.status in ANNOUNCED_STATUSES else None,
        )
        MeetingChange.objects.create(
            meeting=meeting,
            action=MeetingChangeAction.DOCUMENT_ADDED,
            actor=actor,
            details={"title": document.title, "sha256": sha256},
        )
    return document


def _store(name: str, data: bytes) -> None:
    if default_storage.exists(name):
        return
    saved = default_storage.save(name, ContentFile(data))
    if saved != name:  # stored concurrently by someone else: keep one copy
        default_storage.delete(saved)


def remove_document(*, actor: User, document: Document) -> None:
    """Detaches a document; the file goes too when no other document has the same content."""
    with transaction.atomic():
        meeting = lock_meeting_for_management(
            actor,
            document.meeting_id,
            statuses=DOCUMENT_STATUSES,
            refusal=_("Buổi sinh hoạt đã kết thúc; tài liệu được giữ nguyên."),
        )
        document = Document.objects.get(pk=document.pk, meeting=meeting)
        name, title = document.storage_name, document.title
        document.delete()
        MeetingChange.objects.create(
            meeting=meeting,
            action=MeetingChangeAction.DOCUMENT_REMOVED,
            actor=actor,
            details={"title": title},
        )
        if not Document.objects.filter(storage_name=name).exists():
            transaction.on_commit(lambda: default_storage.delete(name))


def open_document(document: Document) -> File:
    return default_storage.open(document.storage_name, "rb")
