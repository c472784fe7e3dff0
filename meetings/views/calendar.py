"""Calendars: a cell's month, a cell's year plan (with the charter's yearly compliance check)
and its generation from a monthly rule, and a member's upcoming meetings in all their cells."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from meetings import access, queries
from meetings.enums import MeetingMode
from meetings.errors import RuleViolation
from meetings.forms import YearGenerationForm
from meetings.services import scheduling
from members import access as member_access
from members.requests import VerifiedRequest
from members.views.flow import show_error

FIRST_YEAR, LAST_YEAR = 2000, 2100
UPCOMING_SHOWN = 8  # the rest is on each cell's calendar
WEEKDAY_NAMES = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"]


def _check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Http404


def cell_calendar(request: VerifiedRequest, cell_id: int) -> HttpResponse:
    today = timezone.localdate()
    return cell_calendar_month(request, cell_id, today.year, today.month)


def cell_calendar_month(
    request: VerifiedRequest, cell_id: int, year: int, month: int
) -> HttpResponse:
    cell = member_access.access_cell(request.user, cell_id)
    _check_year(year)
    if not 1 <= month <= 12:
        raise Http404
    meetings = access.visible_meetings(request.user).filter(cell=cell)
    month_view = queries.month_calendar(meetings, year, month)
    today = timezone.localdate()
    return render(
        request,
        "meetings/cell_calendar.html",
        {
            "cell": cell,
            "calendar": month_view,
            "weekday_names": [_(name) for name in WEEKDAY_NAMES],
            "today": today,
            "may_manage": access.may_manage_meetings_of(request.user, cell),
        },
    )


def year_plan(request: VerifiedRequest, cell_id: int, year: int) -> HttpResponse:
    cell = member_access.access_cell(request.user, cell_id)
    _check_year(year)
    may_manage = access.may_manage_meetings_of(request.user, cell)
    plan = queries.year_plan(cell, year, timezone.localdate())
    visible = set(
        access.visible_meetings(request.user).filter(cell=cell).values_list("pk", flat=True)
    )
    return render(
        request,
        "meetings/year_plan.html",
        {
            "cell": cell,
            "plan": plan,
            "meetings": [m for m in plan.meetings if m.pk in visible],
            "may_manage": may_manage,
            "previous_year": year - 1,
            "next_year": year + 1,
        },
    )


@require_http_methods(["GET", "POST"])
def year_generate(request: VerifiedRequest, cell_id: int, year: int) -> HttpResponse:
    cell = member_access.access_cell_for_management(request.user, cell_id)
    _check_year(year)
    if request.method == "POST":
        form = YearGenerationForm(request.POST)
        if form.is_valid():
            try:
                created = scheduling.generate_regular_meetings(
                    actor=request.user,
                    cell=cell,
                    year=year,
                    rule=form.rule(),
                    details=form.details(),
                    schedule=form.cleaned_data["schedule"],
                    not_before=timezone.localdate(),
                )
            except RuleViolation as error:
                show_error(form, error)
            else:
                if created:
                    messages.success(
                        request,
                        _("Đã tạo %(count)s buổi sinh hoạt thường kỳ năm %(year)s.")
                        % {"count": len(created), "year": year},
                    )
                else:
                    messages.info(
                        request,
                        _("Không tạo thêm buổi nào: các tháng còn lại đã có sinh hoạt thường kỳ."),
                    )
                return redirect("meetings:year_plan", cell.pk, year)
    else:
        form = YearGenerationForm(initial={"mode": MeetingMode.IN_PERSON, "planned_minutes": 90})
    return render(
        request, "meetings/year_generate.html", {"cell": cell, "year": year, "form": form}
    )


def upcoming(request: VerifiedRequest) -> HttpResponse:
    member = member_access.member_of(request.user)
    now = timezone.now()
    upcoming = queries.upcoming_meetings_for(member, now) if member else None
    meetings = list(upcoming[: UPCOMING_SHOWN + 1]) if upcoming is not None else []
    more = len(meetings) > UPCOMING_SHOWN
    meetings = meetings[:UPCOMING_SHOWN]
    answers = {}
    if member is not None:
        answers = {
            invitation.meeting_id: invitation
            for invitation in member.invitations.filter(meeting__in=[m.pk for m in meetings])
        }
    own_cells = member_access.visible_cells(request.user).filter(
        pk__in=member_access.own_cell_ids(member)
    )
    return render(
        request,
        "meetings/upcoming.html",
        {
            "rows": [(meeting, answers.get(meeting.pk)) for meeting in meetings],
            "more": more,
            "cells": own_cells,
            "member": member,
            "this_year": timezone.localdate().year,
        },
    )
