"""The reviewers' archive: documents issued from the minutes of every cell in a subtree.

Reads only: permission checks go through members.access (a review seat above the cell).
"""

from __future__ import annotations

import datetime
import io
import zipfile
from dataclasses import dataclass

from django.db.models import F, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.text import slugify

from members import access
from members.models import Organization, User
from minutes.models import DocumentStatus, MinutesReview, SignedDocument
from minutes.review import search

LISTED_STATUSES = (DocumentStatus.AWAITING_SIGNATURES, DocumentStatus.ARCHIVED)
HEAVY = ("rendered_pdf", "signed_pdf", "signature_boxes", "details", "minutes__edits")
# What a row of the archive shows: narrow rows keep the joins cheap on a large subtree.
LISTED_FIELDS = (
    "kind",
    "status",
    "archived_at",
    "verification_code",
    "minutes__meeting__cell_id",
    "minutes__meeting__kind",
    "minutes__meeting__title",
    "minutes__meeting__starts_at",
    "minutes__meeting__started_at",  # the day it was held names it (Meeting.local_day)
    "minutes__meeting__cell__name",
)
ZIP_LIMIT = 200  # documents per ZIP: enough for a cell's year, bounded for the server


@dataclass(frozen=True)
class ArchiveFilter:
    cell_id: int | None = None
    since: datetime.date | None = None
    until: datetime.date | None = None
    kind: str = ""
    status: str = ""
    query: str = ""


def documents_under(organization: Organization) -> QuerySet[SignedDocument]:
    """Documents of the subtree's cells: those awaiting signatures first, then the signed ones,
    most recently archived first (the order of index signed_document_archive_order_idx)."""
    return (
        SignedDocument.objects.filter(
            minutes__meeting__cell__path__startswith=organization.path,
            status__in=LISTED_STATUSES,
        )
        .select_related("minutes__meeting__cell")
        .order_by(F("archived_at").desc(nulls_first=True), "-pk")
    )


def _day_start(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


def filtered(organization: Organization, wanted: ArchiveFilter) -> QuerySet[SignedDocument]:
    documents = documents_under(organization).only(*LISTED_FIELDS)
    if wanted.cell_id:
        documents = documents.filter(minutes__meeting__cell_id=wanted.cell_id)
    if wanted.since:
        documents = documents.filter(minutes__meeting__starts_at__gte=_day_start(wanted.since))
    if wanted.until:
        until = _day_start(wanted.until + datetime.timedelta(days=1))
        documents = documents.filter(minutes__meeting__starts_at__lt=until)
    if wanted.kind:
        documents = documents.filter(kind=wanted.kind)
    if wanted.status:
        documents = documents.filter(status=wanted.status)
    if wanted.query.strip():
        documents = search.search(documents.only(*LISTED_FIELDS, "content_text"), wanted.query)
    return documents


class _FlatLetters(dict[int, str]):
    """Each character without its diacritics, one character for one (so that positions in the
    flattened text are positions in the text), worked out once per character and kept: a
    `str.translate` table (25 excerpts of 2 KB a page normalised one character at a time took
    longer than the search's queries)."""

    def __missing__(self, code: int) -> str:
        letter = chr(code)
        flat = (search.normalise(letter) or letter)[:1] or letter
        self[code] = flat
        return flat


_FLAT_LETTERS = _FlatLetters()


def excerpt(text: str, query: str, width: int = 90) -> str:
    """The text around the first query word, found without diacritics, shown with them."""
    terms = search.words(query)
    if not text or not terms:
        return ""
    flat = text.translate(_FLAT_LETTERS)  # same length as text
    at = min((i for i in (flat.find(t) for t in terms) if i >= 0), default=0)
    start, end = max(0, at - width), min(len(text), at + width)
    return ("…" if start else "") + text[start:end].strip() + ("…" if end < len(text) else "")


def access_reviewed_document(user: User, document_id: int) -> SignedDocument:
    """An archived document of a cell beneath one of the user's review seats, else 404."""
    document = (
        SignedDocument.objects.filter(
            access.reviewed_subtrees(user, "minutes__meeting__cell__path"),
            pk=document_id,
            status=DocumentStatus.ARCHIVED,
        )
        .select_related("minutes__meeting__cell__parent")
        .annotate(reader_inside=access.reader_inside(user, "minutes__meeting__cell"))
        .first()
    )
    if document is None:
        raise Http404
    return document


def reviews_of(document: SignedDocument) -> QuerySet[MinutesReview]:
    return MinutesReview.objects.filter(document=document).select_related("reviewer")


def reviews_of_cell(cell: Organization) -> QuerySet[MinutesReview]:
    return (
        MinutesReview.objects.filter(document__minutes__meeting__cell=cell)
        .select_related("reviewer", "document__minutes__meeting")
        .defer(*(f"document__{name}" for name in HEAVY[:4]), "document__content_text")
        .order_by("-created_at", "-pk")
    )


def file_name(document: SignedDocument) -> str:
    meeting = document.minutes.meeting
    day = timezone.localtime(meeting.starts_at).date().isoformat()
    cell = slugify(search.normalise(meeting.cell.name) or "") or "chi-bo"
    return f"{cell}-{day}-{document.kind}-{document.verification_code}.pdf"


def zip_of(documents: list[SignedDocument]) -> bytes:
    """The signed PDFs as they were archived (stored, not recompressed: PDFs are compressed)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for document in documents:
            archive.writestr(file_name(document), bytes(document.signed_pdf))
    return out.getvalue()
