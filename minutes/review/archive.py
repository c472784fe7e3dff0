"""The reviewers' archive: documents issued from the minutes of every cell in a subtree.

Reads only: permission checks go through members.access (a review seat above the cell).
"""

from __future__ import annotations

import datetime
import io
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.paginator import Page, Paginator
from django.db.models import F, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.text import slugify

from members import access
from members.models import Organization, User
from minutes.models import DocumentStatus, MinutesReview, SignedDocument
from minutes.review import search

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    from members.access import ReaderInside

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
# A search's matches counted past the start of the page asked for: counting every match of a
# query found in almost every document reads every stored vector (docs/benchmarks.md, Archive).
SEARCH_COUNT_CAP = 1000  # a whole number of the archive's pages (25), two at least


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


class CappedPaginator(Paginator):
    """`capped`: a search found more matches than it counted (see `page_of`)."""

    capped = False


def page_of(
    documents: QuerySet[SignedDocument], number: str | None, per_page: int, *, searched: bool
) -> Page:
    """The page asked for (the last one when past the end, the first when not a number).

    A search counts its matches up to `SEARCH_COUNT_CAP` past the page's start and no further:
    the paginator's `capped` says that more match than it counts, and its pages run to that
    count (a whole number of pages), so the next page is always there to go on with."""
    paginator = CappedPaginator(documents, per_page)
    if searched:
        try:
            asked = min(max(1, int(str(number))), 100_000)  # past the end: the last page
        except ValueError:
            asked = 1
        limit = (asked - 1) * per_page + SEARCH_COUNT_CAP  # a multiple of per_page
        counted = documents[: limit + 1].count()
        paginator.count = min(counted, limit)  # instead of Paginator's cached full count
        paginator.capped = counted > limit
    return paginator.get_page(number)


def excerpt(text: str, query_text: str, width: int = 90) -> str:
    """The passage where the most words and phrases of the query stand close together (the
    first such), about 2 × `width` characters cut at spaces, HTML with each one marked
    (`<mark>`); the start of the text when the query is not in it.

    Found with the search's own matching (`search.hits`) on both databases: PostgreSQL's
    `ts_headline` parses the text with one configuration, so it could not mark "Hương" for a
    query typed "huong" the way the search finds it.
    """
    try:
        query = search.parse(query_text)
    except search.QueryError:
        return ""
    text = unicodedata.normalize("NFC", text or "")
    found = list(search.hits(text, query))
    if not found:
        return _cut(text, 0, min(len(text), 2 * width), [])

    def terms_near(hit: search.Hit) -> int:
        return len(
            {h.term for h in found if hit.start - width <= h.start and h.end <= hit.end + width}
        )

    best = max(found, key=lambda hit: (terms_near(hit), -hit.start))
    start, end = max(0, best.start - width), min(len(text), best.end + width)
    return _cut(text, start, end, [h for h in found if start <= h.start and h.end <= end])


def _cut(text: str, start: int, end: int, marked: list[search.Hit]) -> str:
    """text[start:end] escaped, the hits marked, its start moved to the start of the first hit's
    sentence or to the nearest space inside, its end to the nearest space inside."""
    if start > 0:
        first = marked[0].start if marked else end
        sentence = text.rfind(". ", start, first)  # the sentence the passage is in, if it fits
        space = text.find(" ", start, first)
        start = sentence + 2 if sentence >= 0 else space + 1 if space >= 0 else start
    if end < len(text):
        space = text.rfind(" ", marked[-1].end if marked else start, end)
        end = space if space >= 0 else end
    parts, at = [], start
    for hit in marked:
        if hit.start < at:  # overlapping hits (a word inside a phrase): marked once
            continue
        parts.append(
            format_html("{}<mark>{}</mark>", text[at : hit.start], text[hit.start : hit.end])
        )
        at = hit.end
    parts.append(conditional_escape(text[at:end].rstrip()))
    body = mark_safe("".join(parts).lstrip())  # noqa: S308 (each part escaped above)
    return format_html("{}{}{}", "…" if start else "", body, "…" if end < len(text) else "")


def access_reviewed_document(
    user: User, document_id: int
) -> WithAnnotations[SignedDocument, ReaderInside]:
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
            archive.writestr(file_name(document), document.signed_bytes())
    return out.getvalue()
