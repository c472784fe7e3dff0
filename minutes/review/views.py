"""The superior committee's pages: compliance dashboard, archive, search, reviews, audit log.

Thin views: every load goes through members.access / minutes.review.selectors, and every read
of a cell's records from outside the cell goes to the audit log (members.audit).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from members import access, audit, zones
from members import queries as member_queries
from members.models import ReadAudit, ReadKind, User
from members.requests import VerifiedRequest
from members.views.flow import submit
from minutes.authority import trusted_authorities
from minutes.models import DocumentStatus, SignedDocument
from minutes.review import archive, charts, exports, services
from minutes.review.dashboard import Dashboard, dashboard
from minutes.review.figures import MONTHS, QUARTERS
from minutes.review.forms import ArchiveForm, ReviewForm
from minutes.verification import verify_pdf

FIRST_YEAR, LAST_YEAR = 2000, 2100
AUDIT_PAGE = 50
ARCHIVE_PAGE = 25
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Http404


def _board(request: VerifiedRequest, organization_id: int, year: int) -> Dashboard:
    organization = access.access_organization(request.user, organization_id)
    _check_year(year)
    board = dashboard(organization, year, timezone.localdate())
    # The rows of single cells are the cells' records: logged unless the reviewer sits in one.
    own = access.own_cell_ids(access.member_of(request.user))
    audit.record_reads(
        request.user,
        ReadKind.DASHBOARD,
        [(cell_id, cell_id) for cell_id in board.cell_ids_shown if cell_id not in own],
    )
    return board


def _charts(board: Dashboard) -> list[object]:
    cells = board.total.cells
    monthly = [
        charts.Bar(
            str(m),
            board.total.regular_months[m],
            str(board.total.regular_months[m]),
            board.total.regular_months[m] == cells,
        )
        for m in MONTHS
    ]
    quarterly = [
        charts.Bar(
            f"Q{q}",
            board.total.thematic_quarters[q],
            str(board.total.thematic_quarters[q]),
            board.total.thematic_quarters[q] == cells,
        )
        for q in QUARTERS
    ]
    months_text = "; ".join(
        _("tháng %(m)s: %(n)s") % {"m": m, "n": board.total.regular_months[m]} for m in MONTHS
    )
    quarters_text = "; ".join(
        _("quý %(q)s: %(n)s") % {"q": q, "n": board.total.thematic_quarters[q]} for q in QUARTERS
    )
    return [
        charts.bar_chart(
            "chart-months",
            _("Số chi bộ sinh hoạt thường kỳ theo tháng, năm %(year)s") % {"year": board.year},
            _("Trên tổng số %(cells)s chi bộ: %(values)s.")
            % {"cells": cells, "values": months_text},
            monthly,
            cells,
        ),
        charts.bar_chart(
            "chart-quarters",
            _("Số chi bộ sinh hoạt chuyên đề theo quý, năm %(year)s") % {"year": board.year},
            _("Trên tổng số %(cells)s chi bộ: %(values)s.")
            % {"cells": cells, "values": quarters_text},
            quarterly,
            cells,
        ),
    ]


def dashboard_page(request: VerifiedRequest, organization_id: int, year: int) -> HttpResponse:
    board = _board(request, organization_id, year)
    name = {pk: cell.name for pk, cell in board.cells.items()}
    # The first LISTED of each list (dashboard.LISTED); the table above counts all of them.
    short, online = board.short, board.online
    return render(
        request,
        "minutes/review/dashboard.html",
        {
            "board": board,
            "organization": board.organization,
            "charts": _charts(board),
            "months": MONTHS,
            "quarters": QUARTERS,
            "short": [(name[s.cell_id], s) for s in short],
            "short_more": board.total.short - len(short),
            "online": [(name[o.cell_id], o) for o in online],
            "online_more": board.total.online - len(online),
            "previous_year": year - 1,
            "next_year": year + 1,
        },
    )


def dashboard_export(
    request: VerifiedRequest, organization_id: int, year: int, fmt: str
) -> HttpResponse:
    board = _board(request, organization_id, year)
    name = f"theo-doi-{board.organization.pk}-{year}.{fmt}"
    if fmt == "csv":
        response = HttpResponse(exports.as_csv(board), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(exports.as_xlsx(board), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)
    response["Cache-Control"] = "private, no-store"
    return response


def _audit_page(
    request: VerifiedRequest, reads: QuerySet[ReadAudit], context: dict[str, object]
) -> HttpResponse:
    page = Paginator(reads, AUDIT_PAGE).get_page(request.GET.get("trang"))
    return render(request, "minutes/review/audit.html", {**context, "page": page})


def cell_reads(request: VerifiedRequest, cell_id: int) -> HttpResponse:
    """The cell's secretary (or deputy) sees who from outside read the cell's records."""
    cell = access.access_cell_for_management(request.user, cell_id)
    return _audit_page(request, audit.reads_of_cell(cell), {"scope": cell, "is_cell": True})


def organization_reads(request: VerifiedRequest, organization_id: int) -> HttpResponse:
    """An organisation's administrators see the reads of every cell in their subtree."""
    organization = access.access_administered_organization(request.user, organization_id)
    return _audit_page(
        request, audit.reads_under(organization), {"scope": organization, "is_cell": False}
    )


# ---------------------------------------------------------------- archive, search, reviews


def _log_documents(user: User, documents: list[SignedDocument]) -> None:
    """Documents shown to a reviewer: one audit row each, unless the reviewer sits in the cell."""
    own = access.own_cell_ids(access.member_of(user))
    audit.record_reads(
        user,
        ReadKind.MINUTES,
        [
            (d.pk, d.minutes.meeting.cell_id)
            for d in documents
            if d.minutes.meeting.cell_id not in own
        ],
    )


def archive_page(request: VerifiedRequest, organization_id: int) -> HttpResponse:
    organization = access.access_organization(request.user, organization_id)
    rows = member_queries.cells_under(organization).annotate(zone_key=zones.annotation("path"))
    cells = []
    for pk, name, zone_key in rows.values_list("pk", "name", "zone_key"):
        zones.remember_id(pk, zone_key)  # the documents' dates: no query per cell
        cells.append((pk, name))
    form = ArchiveForm(request.GET or None, cells=cells)
    page = None
    query = ""
    if not request.GET or form.is_valid():
        wanted = form.archive_filter() if request.GET else archive.ArchiveFilter()
        query = wanted.query
        documents = archive.filtered(organization, wanted)
        page = archive.page_of(
            documents, request.GET.get("trang"), ARCHIVE_PAGE, searched=bool(query.strip())
        )
        page.object_list = list(page.object_list)
        for document in page:
            document.excerpt = archive.excerpt(document.content_text, query) if query else ""
        _log_documents(request.user, list(page))
    params = request.GET.copy()
    params.pop("trang", None)
    return render(
        request,
        "minutes/review/archive.html",
        {
            "organization": organization,
            "year": timezone.localdate().year,
            "form": form,
            "page": page,
            "query": query,
            "params": params.urlencode(),
            "zip_limit": archive.ZIP_LIMIT,
        },
        status=400 if request.GET and not form.is_valid() else 200,
    )


def _row_id(value: str) -> int | None:
    """A row id sent by a page: ASCII digits, 1 to 2^63 - 1. A larger number reached the query,
    and SQLite cannot bind one (a 500); "²" is a digit to str.isdigit, not to int."""
    if not (value.isascii() and value.isdigit() and len(value) <= 19):
        return None
    number = int(value)
    return number if 0 < number < 2**63 else None


@require_POST
def archive_zip(request: VerifiedRequest, organization_id: int) -> HttpResponse:
    organization = access.access_organization(request.user, organization_id)
    values = set(request.POST.getlist("document"))
    ids = sorted(filter(None, map(_row_id, values)))
    if not ids or len(ids) != len(values) or len(ids) > archive.ZIP_LIMIT:
        messages.error(
            request,
            _("Hãy chọn từ 1 đến %(n)s văn bản đã ký để tải về.") % {"n": archive.ZIP_LIMIT},
        )
        return redirect("review:archive", organization.pk)
    documents = list(
        archive.documents_under(organization).filter(pk__in=ids, status=DocumentStatus.ARCHIVED)
    )
    if not documents:
        raise Http404
    _log_documents(request.user, documents)
    response = HttpResponse(archive.zip_of(documents), content_type="application/zip")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"van-ban-da-ky-{organization.pk}.zip"
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _reviewed_document(request: VerifiedRequest, document_id: int) -> SignedDocument:
    document = archive.access_reviewed_document(request.user, document_id)
    audit.record_read(
        request.user,
        ReadKind.MINUTES,
        document.pk,
        document.minutes.meeting.cell_id,
        inside=document.reader_inside,
    )
    return document


def _verification_link(document: SignedDocument) -> str | None:
    """The public verification page of the minutes app, when it is installed."""
    try:
        return reverse("minutes:verify_code", args=[document.verification_code])
    except NoReverseMatch:
        return None


@require_http_methods(["GET", "POST"])
def document_page(request: VerifiedRequest, document_id: int) -> HttpResponse:
    """A signed document for the reviewer: its text, its signatures checked, the reviews."""
    document = _reviewed_document(request, document_id)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and (
        response := submit(
            request,
            form,
            lambda: services.record_review(
                actor=request.user,
                document=document,
                kind=form.cleaned_data["kind"],
                text=form.cleaned_data["text"],
            ),
            redirect_to=reverse("review:document", args=[document.pk]),
            message=_("Đã ghi ý kiến của cấp ủy cấp trên."),
        )
    ):
        return response
    report = verify_pdf(
        document.signed_bytes(), trusted=trusted_authorities(), archived_sha256=document.sha256
    )
    return render(
        request,
        "minutes/review/document.html",
        {
            "document": document,
            "meeting": document.minutes.meeting,
            "signatures": document.signatures.order_by("signed_at", "pk"),
            "report": report,
            "verification_link": _verification_link(document),
            "reviews": archive.reviews_of(document),
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


def document_pdf(request: VerifiedRequest, document_id: int) -> HttpResponse:
    document = _reviewed_document(request, document_id)
    response = HttpResponse(document.signed_bytes(), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=archive.file_name(document)
    )
    response["Cache-Control"] = "private, no-store"
    return response


def cell_reviews(request: VerifiedRequest, cell_id: int) -> HttpResponse:
    """The cell's secretary (or deputy) reads the superior committee's comments."""
    cell = access.access_cell_for_management(request.user, cell_id)
    page = Paginator(archive.reviews_of_cell(cell), AUDIT_PAGE).get_page(request.GET.get("trang"))
    return render(request, "minutes/review/cell_reviews.html", {"cell": cell, "page": page})
