"""Importing a roster file: the form, the progress while the worker reads it, the outcome."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.forms import Form
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from members import access, roster_columns
from members.enums import RosterImportState
from members.errors import RosterImportError, RowError
from members.forms.roster import ImportForm
from members.models import Organization, RosterImport
from members.requests import VerifiedRequest
from members.services import imports
from members.views.flow import posted, submit


@require_http_methods(["GET", "POST"])
def roster_import_view(request: VerifiedRequest, cell_id: int) -> HttpResponse:
    cell = access.access_cell_for_management(request.user, cell_id)
    form = ImportForm(posted(request), request.FILES if request.method == "POST" else None)
    if response := submit(
        request,
        form,
        lambda: imports.request_roster_import(
            actor=request.user,
            cell=cell,
            upload=form.cleaned_data["file"],
            file_name=form.cleaned_data["file"].name,
        ),
        redirect_to=lambda job: reverse("members:roster_import_status", args=[cell.pk, job.pk]),
    ):
        return response
    return _import_page(request, cell, form, None)


def _import_page(
    request: VerifiedRequest, cell: Organization, form: Form, rejected: RosterImportError | None
) -> HttpResponse:
    return render(
        request,
        "members/roster_import.html",
        {
            "cell": cell,
            "form": form,
            "rejected": rejected,
            "columns": list(zip(roster_columns.COLUMNS, roster_columns.TEMPLATE_HELP, strict=True)),
            "max_size": filesizeformat(settings.ROSTER_IMPORT_MAX_BYTES),
            "max_rows": settings.ROSTER_IMPORT_MAX_ROWS,
        },
    )


def _roster_import(request: VerifiedRequest, cell_id: int, import_id: int) -> RosterImport:
    cell = access.access_cell_for_management(request.user, cell_id)
    return get_object_or_404(RosterImport.objects.select_related("cell"), pk=import_id, cell=cell)


def _import_progress(job: RosterImport) -> dict[str, object]:
    label = job.get_state_display()
    if job.state == RosterImportState.RUNNING and job.rows_read:
        label = _("Đang đọc tệp: đã đọc %(rows)d dòng") % {"rows": job.rows_read}
    return {"state": job.state, "label": label, "rows": job.rows_read, "done": job.is_finished}


@require_http_methods(["GET"])
def roster_import_status(request: VerifiedRequest, cell_id: int, import_id: int) -> HttpResponse:
    """Where the import form leads: the progress while the worker reads the file (the page
    polls `roster_import_progress`), then the errors, or the cell page once imported."""
    job = _roster_import(request, cell_id, import_id)
    if job.state == RosterImportState.SUCCEEDED:
        messages.success(
            request,
            _("Đã nhập %(count)d đảng viên từ tệp %(file)s.")
            % {"count": job.imported, "file": job.file_name},
        )
        return redirect("members:cell", job.cell_id)
    if job.state == RosterImportState.FAILED:
        rejected = RosterImportError([RowError(*error) for error in job.errors])
        return _import_page(request, job.cell, ImportForm(), rejected)
    return render(
        request,
        "members/roster_import_progress.html",
        {"cell": job.cell, "job": job, "progress": _import_progress(job)},
    )


@require_http_methods(["GET"])
def roster_import_progress(request: VerifiedRequest, cell_id: int, import_id: int) -> JsonResponse:
    return JsonResponse(_import_progress(_roster_import(request, cell_id, import_id)))
