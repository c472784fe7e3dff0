"""The superior committee's pages: compliance dashboard, archive, search, reviews, audit log.

Thin views: every load goes through members.access / minutes.review.selectors, and every read
of a cell's records from outside the cell goes to the audit log (members.audit).
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from members import access, audit
from members.models import ReadKind
from minutes.review import charts, exports
from minutes.review.dashboard import MONTHS, QUARTERS, Dashboard, dashboard

FIRST_YEAR, LAST_YEAR = 2000, 2100
AUDIT_PAGE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Http404


def _board(request: HttpRequest, organization_id: int, year: int) -> Dashboard:
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


def dashboard_page(request: HttpRequest, organization_id: int, year: int) -> HttpResponse:
    board = _board(request, organization_id, year)
    name = {pk: cell.name for pk, cell in board.cells.items()}
    short = [(name[s.cell_id], s) for s in sorted(board.total.short, key=lambda s: s.day)]
    online = [(name[o.cell_id], o) for o in sorted(board.total.online, key=lambda o: o.day)]
    return render(
        request,
        "minutes/review/dashboard.html",
        {
            "board": board,
            "organization": board.organization,
            "charts": _charts(board),
            "months": MONTHS,
            "quarters": QUARTERS,
            "short": short,
            "online": online,
            "previous_year": year - 1,
            "next_year": year + 1,
        },
    )


def dashboard_export(
    request: HttpRequest, organization_id: int, year: int, fmt: str
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


def _audit_page(request: HttpRequest, reads: object, context: dict[str, object]) -> HttpResponse:
    page = Paginator(reads, AUDIT_PAGE).get_page(request.GET.get("trang"))
    return render(request, "minutes/review/audit.html", {**context, "page": page})


def cell_reads(request: HttpRequest, cell_id: int) -> HttpResponse:
    """The cell's secretary (or deputy) sees who from outside read the cell's records."""
    cell = access.access_cell_for_management(request.user, cell_id)
    return _audit_page(request, audit.reads_of_cell(cell), {"scope": cell, "is_cell": True})


def organization_reads(request: HttpRequest, organization_id: int) -> HttpResponse:
    """An organisation's administrators see the reads of every cell in their subtree."""
    organization = access.access_administered_organization(request.user, organization_id)
    return _audit_page(
        request, audit.reads_under(organization), {"scope": organization, "is_cell": False}
    )
