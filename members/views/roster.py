"""The secretary's roster pages: add, edit, exempt, temporary stay, transfer. Importing a file is
`members.views.imports`; a member's record and history, `members.views.history`.

Each view loads through `members.access` (404 out of reach, 403 for a member who does not
manage the cell), reads a form, calls one service and redirects with a message
(`members.views.flow.submit`).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from members import access
from members.forms.roster import ExemptionForm, LastDayForm, MemberForm, TemporaryForm, TransferForm
from members.models import Member
from members.requests import VerifiedRequest
from members.services import exemptions, records, temporary, transfers
from members.views.flow import posted, submit
from members.views.history import short_date


def _cell_url(member: Member) -> str:
    return reverse("members:cell", args=[member.home_cell_id])


# --- Adding and editing -----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def member_add(request: VerifiedRequest, cell_id: int) -> HttpResponse:
    cell = access.access_cell_for_management(request.user, cell_id)
    form = MemberForm(posted(request))
    if response := submit(
        request,
        form,
        lambda: records.add_member(actor=request.user, cell=cell, record=form.record()),
        redirect_to=reverse("members:cell", args=[cell.pk]),
        message=lambda member: (
            _("Đã thêm đồng chí %(name)s vào danh sách chi bộ.") % {"name": member.full_name}
        ),
    ):
        return response
    return render(
        request,
        "members/member_form.html",
        {"cell": cell, "form": form, "title": _("Thêm đảng viên"), "submit": _("Thêm")},
    )


@require_http_methods(["GET", "POST"])
def member_edit(request: VerifiedRequest, member_id: int) -> HttpResponse:
    member = access.access_member_for_management(request.user, member_id)
    form = MemberForm.for_member(member, posted(request))
    if response := submit(
        request,
        form,
        lambda: records.update_member(actor=request.user, member=member, record=form.record()),
        redirect_to=_cell_url(member),
        message=lambda _member: (
            _("Đã lưu thông tin đồng chí %(name)s.") % {"name": form.record().full_name}
        ),
    ):
        return response
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
    form = ExemptionForm(posted(request))
    if response := submit(
        request,
        form,
        lambda: exemptions.mark_exempt(actor=request.user, member=member, **form.cleaned_data),
        redirect_to=_cell_url(member),
        message=lambda _member: (
            _("Đã ghi miễn công tác và sinh hoạt đảng cho đồng chí %(name)s.")
            % {"name": member.full_name}
        ),
    ):
        return response
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
            "start": short_date(member.exempt_from),
            "end": short_date(member.exempt_until),
            "reason": member.exempt_reason,
        }
    return _("Đang miễn sinh hoạt từ %(start)s, chưa định ngày kết thúc. Lý do: %(reason)s") % {
        "start": short_date(member.exempt_from),
        "reason": member.exempt_reason,
    }


@require_http_methods(["GET", "POST"])
def member_exempt_end(request: VerifiedRequest, member_id: int) -> HttpResponse:
    member = access.access_member_for_management(request.user, member_id)
    current = _is_current(member.exempt_from, member.exempt_until)
    form = LastDayForm(posted(request), label=_("Ngày cuối cùng được miễn sinh hoạt"))
    if current and (
        response := submit(
            request,
            form,
            lambda: exemptions.end_exemption(
                actor=request.user, member=member, **form.cleaned_data
            ),
            redirect_to=_cell_url(member),
            message=lambda _member: (
                _("Đồng chí %(name)s thôi miễn sinh hoạt.") % {"name": member.full_name}
            ),
        )
    ):
        return response
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
        "start": short_date(member.temporary_from),
        "end": short_date(member.temporary_until),
    }


@require_http_methods(["GET", "POST"])
def member_temporary(request: VerifiedRequest, member_id: int) -> HttpResponse:
    member = access.access_member_for_management(request.user, member_id)
    form = TemporaryForm(posted(request), member=member)
    if response := submit(
        request,
        form,
        lambda: temporary.send_temporarily(actor=request.user, member=member, **form.cleaned_data),
        redirect_to=_cell_url(member),
        message=lambda _member: (
            _("Đã giới thiệu đồng chí %(name)s sinh hoạt tạm thời tại %(cell)s.")
            % {"name": member.full_name, "cell": form.cleaned_data["cell"].name}
        ),
    ):
        return response
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
    form = LastDayForm(posted(request), label=_("Ngày cuối cùng sinh hoạt tạm thời"))
    if current and (
        response := submit(
            request,
            form,
            lambda: temporary.end_temporary(actor=request.user, member=member, **form.cleaned_data),
            redirect_to=_cell_url(member),
            message=lambda _member: (
                _("Đồng chí %(name)s kết thúc sinh hoạt tạm thời.") % {"name": member.full_name}
            ),
        )
    ):
        return response
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
    form = TransferForm(posted(request), member=member)
    if response := submit(
        request,
        form,
        lambda: transfers.transfer_member(actor=request.user, member=member, **form.cleaned_data),
        redirect_to=_cell_url(member),
        message=lambda _member: (
            _("Đã chuyển sinh hoạt đảng của đồng chí %(name)s đến %(cell)s.")
            % {"name": member.full_name, "cell": form.cleaned_data["destination"].name}
        ),
    ):
        return response
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
