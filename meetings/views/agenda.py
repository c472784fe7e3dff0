"""The agenda page of a meeting (secretary and deputy only)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from meetings import access, queries
from meetings.agenda_templates import DEFAULT_TEMPLATE
from meetings.enums import PREPARATION_STATUSES
from meetings.errors import RuleViolation
from meetings.forms import AgendaItemForm, AgendaTemplateForm
from meetings.models import AgendaItem, Meeting
from meetings.services import agenda as agenda_services
from members.requests import VerifiedRequest
from members.views.flow import submit


def _item(meeting: Meeting, item_id: int) -> AgendaItem:
    item = meeting.agenda_items.filter(pk=item_id).first()
    if item is None:
        raise Http404
    item.meeting = meeting
    return item


def _page(
    request: VerifiedRequest,
    meeting: Meeting,
    *,
    item_form: AgendaItemForm | None = None,
    template_form: AgendaTemplateForm | None = None,
) -> HttpResponse:
    members = queries.cell_members_on(meeting.cell, meeting.local_day)
    agenda = list(queries.agenda_for(meeting))
    return render(
        request,
        "meetings/agenda.html",
        {
            "meeting": meeting,
            "agenda": agenda,
            "total_minutes": sum(item.planned_minutes for item in agenda),
            "editable": meeting.status in PREPARATION_STATUSES,
            "item_form": item_form or AgendaItemForm(members=members),
            "template_form": template_form
            or AgendaTemplateForm(initial={"template": DEFAULT_TEMPLATE.get(meeting.kind)}),
        },
    )


@require_http_methods(["GET", "POST"])
def agenda(request: VerifiedRequest, meeting_id: int) -> HttpResponse:
    """GET: the agenda with its forms; POST: add an item."""
    meeting = access.access_meeting_for_management(request.user, meeting_id)
    if request.method == "GET":
        return _page(request, meeting)
    members = queries.cell_members_on(meeting.cell, meeting.local_day)
    form = AgendaItemForm(request.POST, members=members)
    if response := submit(
        request,
        form,
        lambda: agenda_services.add_agenda_item(
            actor=request.user, meeting=meeting, details=form.details()
        ),
        redirect_to=reverse("meetings:agenda", args=[meeting.pk]),
        message=_("Đã thêm nội dung vào chương trình."),
    ):
        return response
    return _page(request, meeting, item_form=form)


@require_POST
def agenda_apply_template(request: VerifiedRequest, meeting_id: int) -> HttpResponse:
    meeting = access.access_meeting_for_management(request.user, meeting_id)
    form = AgendaTemplateForm(request.POST)
    if response := submit(
        request,
        form,
        lambda: agenda_services.apply_agenda_template(
            actor=request.user,
            meeting=meeting,
            template=form.cleaned_data["template"],
            replace=form.cleaned_data["replace"],
        ),
        redirect_to=reverse("meetings:agenda", args=[meeting.pk]),
        message=_("Đã lập chương trình theo mẫu."),
    ):
        return response
    return _page(request, meeting, template_form=form)


@require_http_methods(["GET", "POST"])
def agenda_item_edit(request: VerifiedRequest, meeting_id: int, item_id: int) -> HttpResponse:
    meeting = access.access_meeting_for_management(request.user, meeting_id)
    item = _item(meeting, item_id)
    members = queries.cell_members_on(meeting.cell, meeting.local_day)
    if request.method == "POST":
        form = AgendaItemForm(request.POST, members=members)
        if response := submit(
            request,
            form,
            lambda: agenda_services.update_agenda_item(
                actor=request.user, item=item, details=form.details()
            ),
            redirect_to=reverse("meetings:agenda", args=[meeting.pk]),
            message=_("Đã lưu nội dung."),
        ):
            return response
    else:
        form = AgendaItemForm(initial=AgendaItemForm.initial_from(item), members=members)
    return render(
        request, "meetings/agenda_item_form.html", {"meeting": meeting, "item": item, "form": form}
    )


@require_POST
def agenda_item_remove(request: VerifiedRequest, meeting_id: int, item_id: int) -> HttpResponse:
    meeting = access.access_meeting_for_management(request.user, meeting_id)
    item = _item(meeting, item_id)
    try:
        agenda_services.remove_agenda_item(actor=request.user, item=item)
    except RuleViolation as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Đã bỏ nội dung “%(title)s”.") % {"title": item.title})
    return redirect("meetings:agenda", meeting.pk)


@require_POST
def agenda_item_move(request: VerifiedRequest, meeting_id: int, item_id: int) -> HttpResponse:
    meeting = access.access_meeting_for_management(request.user, meeting_id)
    item = _item(meeting, item_id)
    offset = -1 if request.POST.get("direction") == "up" else 1
    try:
        agenda_services.move_agenda_item(actor=request.user, item=item, offset=offset)
    except RuleViolation as error:
        messages.error(request, error.message)
    return redirect(reverse("meetings:agenda", args=[meeting.pk]) + f"#muc-{item.pk}")
