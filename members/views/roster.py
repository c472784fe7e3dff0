"""The secretary's roster pages: add, edit, exempt, temporary stay, transfer, import, history.

Each view loads through `members.access` (404 out of reach, 403 for a member who does not
manage the cell), reads a form, calls one service and redirects with a message.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Field
from django.forms import Form
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from members import access, roster_import, services
from members.enums import CellRoleKind, RosterChangeKind, RosterImportState, Standing
from members.errors import MemberRecordError, RosterError, RosterImportError, RowError
from members.forms.roster import (
    ExemptionForm,
    ImportForm,
    LastDayForm,
    MemberForm,
    TemporaryForm,
    TransferForm,
)
from members.models import Member, Organization, RosterChange, RosterImport
from members.requests import VerifiedRequest

HISTORY_PAGE_SIZE = 50


def _post(request: VerifiedRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _show(form: Form, error: RosterError) -> None:
    if isinstance(error, MemberRecordError):
        for field, message in error.problems:
            form.add_error(field if field in form.fields else None, message)
    else:
        form.add_error(None, error.message)


def _back_to_cell(request: VerifiedRequest, member: Member, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("members:cell", member.home_cell_id)


# --- Adding and editing -----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def member_add(request: VerifiedRequest, cell_id: int) -> HttpResponse:
    cell = access.access_cell_for_management(request.user, cell_id)
    form = MemberForm(_post(request))
    if form.is_valid():
        try:
            member = services.add_member(actor=request.user, cell=cell, record=form.record())
        except RosterError as error:
            _show(form, error)
        else:
            messages.success(
                request,
                _("Đã thêm đồng chí %(name)s vào danh sách chi bộ.") % {"name": member.full_name},
            )
            return redirect("members:cell", cell.pk)
    return render(
        request,
        "members/member_form.html",
        {"cell": cell, "form": form, "title": _("Thêm đảng viên"), "submit": _("Thêm")},
    )


@require_http_methods(["GET", "POST"])
def member_edit(request: VerifiedRequest, member_id: int) -> HttpResponse:
    member = access.access_member_for_management(request.user, member_id)
    form = MemberForm.for_member(member, _post(request))
    if form.is_valid():
        try:
            services.update_member(actor=request.user, member=member, record=form.record())
        except RosterError as error:
            _show(form, error)
        else:
            return _back_to_cell(
                request,
                member,
                _("Đã lưu thông tin đồng chí %(name)s.") % {"name": form.record().full_name},
            )
    return render(
        request,
        "members/member_form.html",
        {
            "cell": member.home_cell,
            "member": member,
            "form": form,
            "title": _("Sửa thông tin đồng chí %(name)s") % {"name": member.full_name},
            "submit": _("Lưu"),
        },
    )


# --- Exemption, temporary stay, transfer ------------------------------------------------------


def _action_page(request: VerifiedRequest, member: Member, **context: Any) -> HttpResponse:
    return render(
        request,
        "members/member_action.html",
        {"member": member, "cell": member.home_cell, "today": timezone.localdate(), **context},
    )


def _is_current(start: datetime.date | None, end: datetime.date | None) -> bool:
    """Under way or planned: started or not, and not ended before today."""
    return start is not None and (end is None or end >= timezone.localdate())


@require_http_methods(["GET", "POST"])
def member_exempt(request: VerifiedRequest, member_id: int) -> HttpResponse:
    member = access.access_member_for_management(request.user, member_id)
    form = ExemptionForm(_post(request))
    if form.is_valid():
        try:
            services.mark_exempt(actor=request.user, member=member, **form.cleaned_data)
        except RosterError as error:
            _show(form, error)
        else:
            return _back_to_cell(
                request,
                member,
                _("Đã ghi miễn công tác và sinh hoạt đảng cho đồng chí %(name)s.")
                % {"name": member.full_name},
            )
    current = _is_current(member.exempt_from, member.exempt_until)
    return _action_page(
        request,
        member,
        form=form,
        title=_("Miễn công tác và sinh hoạt đảng"),
        lead=_(
            "Đảng viên được miễn vẫn là đảng viên chính thức, vẫn có tên trong danh sách; "
            "chỉ được tính vào số đảng viên làm căn cứ biểu quyết khi có mặt."
        ),
        status=_exemption_status(member) if current else None,
        end_url="members:member_exempt_end" if current else None,
        end_label=_("Thôi miễn sinh hoạt"),
        submit=_("Ghi miễn sinh hoạt"),
    )


def _exemption_status(member: Member) -> str:
    if member.exempt_until:
        return _("Đang miễn sinh hoạt từ %(start)s đến %(end)s. Lý do: %(reason)s") % {
            "start": _date(member.exempt_from),
            "end": _date(member.exempt_until),
            "reason": member.exempt_reason,
        }
    return _("Đang miễn sinh hoạt từ %(start)s, chưa định ngày kết thúc. Lý do: %(reason)s") % {
        "start": _date(member.exempt_from),
        "reason": member.exempt_reason,
    }


@require_http_methods(["GET", "POST"])
def member_exempt_end(request: VerifiedRequest, member_id: int) -> HttpResponse:
    member = access.access_member_for_management(request.user, member_id)
    current = _is_current(member.exempt_from, member.exempt_until)
    form = LastDayForm(_post(request), label=_("Ngày cuối cùng được miễn sinh hoạt"))
    if current and form.is_valid():
        try:
            services.end_exemption(actor=request.user, member=member, **form.cleaned_data)
        except RosterError as error:
            _show(form, error)
        else:
            return _back_to_cell(
                request,
                member,
                _("Đồng chí %(name)s thôi miễn sinh hoạt.") % {"name": member.full_name},
            )
    return _action_page(
        request,
        member,
        form=form if current else None,
        title=_("Thôi miễn sinh hoạt"),
        status=_exemption_status(member)
        if current
        else _("Đồng chí này hiện không được miễn sinh hoạt."),
        submit=_("Thôi miễn sinh hoạt"),
    )


def _temporary_status(member: Member) -> str:
    return _("Đang sinh hoạt tạm thời tại %(cell)s từ %(start)s đến %(end)s.") % {
        "cell": member.temporary_cell.name if member.temporary_cell else "—",
        "start": _date(member.temporary_from),
        "end": _date(member.temporary_until),
    }


@require_http_methods(["GET", "POST"])
def member_temporary(request: VerifiedRequest, member_id: int) -> HttpResponse:
    member = access.access_member_for_management(request.user, member_id)
    form = TemporaryForm(_post(request), member=member)
    if form.is_valid():
        try:
            services.send_temporarily(actor=request.user, member=member, **form.cleaned_data)
        except RosterError as error:
            _show(form, error)
        else:
            return _back_to_cell(
                request,
                member,
                _("Đã giới thiệu đồng chí %(name)s sinh hoạt tạm thời tại %(cell)s.")
                % {"name": member.full_name, "cell": form.cleaned_data["cell"].name},
            )
    current = member.temporary_cell_id is not None and _is_current(
        member.temporary_from, member.temporary_until
    )
    return _action_page(
        request,
        member,
        form=form,
        title=_("Giới thiệu sinh hoạt tạm thời nơi khác"),
        lead=_(
            "Đảng viên sinh hoạt tạm thời nơi khác vẫn giữ đủ quyền tại chi bộ này; tại chi bộ "
            "nơi đến không biểu quyết và không tính vào danh sách."
        ),
        status=_temporary_status(member) if current else None,
        end_url="members:member_temporary_end" if current else None,
        end_label=_("Kết thúc sinh hoạt tạm thời"),
        submit=_("Ghi sinh hoạt tạm thời"),
    )


@require_http_methods(["GET", "POST"])
def member_temporary_end(request: VerifiedRequest, member_id: int) -> HttpResponse:
    member = access.access_member_for_management(request.user, member_id)
    current = member.temporary_cell_id is not None and _is_current(
        member.temporary_from, member.temporary_until
    )
    form = LastDayForm(_post(request), label=_("Ngày cuối cùng sinh hoạt tạm thời"))
    if current and form.is_valid():
        try:
            services.end_temporary(actor=request.user, member=member, **form.cleaned_data)
        except RosterError as error:
            _show(form, error)
        else:
            return _back_to_cell(
                request,
                member,
                _("Đồng chí %(name)s kết thúc sinh hoạt tạm thời.") % {"name": member.full_name},
            )
    return _action_page(
        request,
        member,
        form=form if current else None,
        title=_("Kết thúc sinh hoạt tạm thời"),
        status=_temporary_status(member)
        if current
        else _("Đồng chí này hiện không sinh hoạt tạm thời nơi khác."),
        submit=_("Kết thúc sinh hoạt tạm thời"),
    )


@require_http_methods(["GET", "POST"])
def member_transfer(request: VerifiedRequest, member_id: int) -> HttpResponse:
    member = access.access_member_for_management(request.user, member_id)
    form = TransferForm(_post(request), member=member)
    if form.is_valid():
        try:
            services.transfer_member(actor=request.user, member=member, **form.cleaned_data)
        except RosterError as error:
            _show(form, error)
        else:
            messages.success(
                request,
                _("Đã chuyển sinh hoạt đảng của đồng chí %(name)s đến %(cell)s.")
                % {"name": member.full_name, "cell": form.cleaned_data["destination"].name},
            )
            return redirect("members:cell", member.home_cell_id)
    return _action_page(
        request,
        member,
        form=form,
        title=_("Chuyển sinh hoạt đảng chính thức"),
        lead=_(
            "Sau khi chuyển, đồng chí không còn trong danh sách chi bộ này; chức vụ trong chi bộ "
            "kết thúc vào ngày chuyển. Hồ sơ và lịch sử được giữ nguyên."
        ),
        submit=_("Chuyển sinh hoạt"),
    )


# --- Import -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def roster_import_view(request: VerifiedRequest, cell_id: int) -> HttpResponse:
    cell = access.access_cell_for_management(request.user, cell_id)
    form = ImportForm(_post(request), request.FILES if request.method == "POST" else None)
    rejected = None
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = services.request_roster_import(
                actor=request.user, cell=cell, upload=upload, file_name=upload.name
            )
        except RosterError as error:
            _show(form, error)
        else:
            return redirect("members:roster_import_status", cell.pk, job.pk)
    return _import_page(request, cell, form, rejected)


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
            "columns": list(zip(roster_import.COLUMNS, roster_import.TEMPLATE_HELP, strict=True)),
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


# --- Record and history -----------------------------------------------------------------------


def member_detail(request: VerifiedRequest, member_id: int) -> HttpResponse:
    member = access.access_member_for_management(request.user, member_id)
    changes = member.roster_changes.select_related("cell", "recorded_by__member")
    return render(
        request,
        "members/member_detail.html",
        {
            "member": member,
            "cell": member.home_cell,
            "today": timezone.localdate(),
            "changes": [(change, describe(change)) for change in changes],
        },
    )


def cell_history(request: VerifiedRequest, cell_id: int) -> HttpResponse:
    cell = access.access_cell_for_management(request.user, cell_id)
    changes = RosterChange.objects.filter(cell=cell).select_related("member", "recorded_by__member")
    page = Paginator(changes, HISTORY_PAGE_SIZE).get_page(request.GET.get("trang"))
    return render(
        request,
        "members/cell_history.html",
        {
            "cell": cell,
            "page": page,
            "changes": [(change, describe(change)) for change in page],
        },
    )


def _date(value: datetime.date | str | None) -> str:
    if not value:
        return "—"
    if isinstance(value, str):
        value = datetime.date.fromisoformat(value)
    return date_format(value, "SHORT_DATE_FORMAT")


def _value(field: str, value: object) -> str:
    if value in (None, ""):
        return "—"
    if field.endswith("_date") or field == "date_of_birth":
        return _date(str(value))
    if field == "standing":
        return str(Standing(str(value)).label)
    return str(value)


def _label(field: str) -> str:
    model_field = Member._meta.get_field(field)
    assert isinstance(model_field, Field)  # noqa: S101 -- a record's fields are columns of Member
    return str(capfirst(model_field.verbose_name))


def _period(start: str | None, end: str | None) -> str:
    if end:
        return _("Từ %(start)s đến %(end)s") % {"start": _date(start), "end": _date(end)}
    return _("Từ %(start)s, chưa định ngày kết thúc") % {"start": _date(start)}


def describe(change: RosterChange) -> list[str]:
    """The lines that tell what a history row changed, in the reader's language."""
    details = change.details
    kind = change.kind
    if kind in (RosterChangeKind.ADDED, RosterChangeKind.IMPORTED):
        record = details.get("record", {})
        lines = [
            f"{_label(field)}: {_value(field, record[field])}"
            for field in services.RECORD_FIELDS
            if record.get(field) not in (None, "")
        ]
        if details.get("file"):
            lines.append(
                _("Tệp %(file)s, dòng %(row)s") % {"file": details["file"], "row": details["row"]}
            )
        return lines
    if kind == RosterChangeKind.EDITED:
        return [
            f"{_label(field)}: {_value(field, old)} → {_value(field, new)}"
            for field, (old, new) in details.get("changes", {}).items()
        ]
    if kind == RosterChangeKind.EXEMPTED:
        return [
            _period(details.get("from"), details.get("until")),
            _("Lý do: %(reason)s") % {"reason": details.get("reason", "")},
        ]
    if kind in (RosterChangeKind.EXEMPTION_ENDED, RosterChangeKind.TEMPORARY_ENDED):
        lines = [_("Ngày cuối: %(date)s") % {"date": _date(details.get("last_day"))}]
        if details.get("cell_name"):
            lines.insert(0, details["cell_name"])
        return lines
    if kind == RosterChangeKind.TEMPORARY_OUT:
        return [
            _("Tại %(cell)s") % {"cell": details.get("cell_name", "")},
            _period(details.get("from"), details.get("until")),
        ]
    if kind == RosterChangeKind.TRANSFERRED_OUT:
        lines = [_("Đến %(cell)s") % {"cell": details.get("to_cell_name", "")}]
        roles = [str(CellRoleKind(role).label) for role in details.get("roles_ended", [])]
        if roles:
            lines.append(_("Thôi chức vụ: %(roles)s") % {"roles": ", ".join(roles)})
    elif kind == RosterChangeKind.TRANSFERRED_IN:
        lines = [_("Từ %(cell)s") % {"cell": details.get("from_cell_name", "")}]
    else:
        return []
    lines.append(
        _("Quyết định: %(reference)s") % {"reference": details.get("decision_reference", "")}
    )
    return lines
