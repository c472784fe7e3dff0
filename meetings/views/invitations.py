"""Answers to invitations, the secretary's decisions on absences, and the .ics file."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from meetings import access, ics, queries
from meetings.enums import MeetingStatus, Reply
from meetings.errors import RuleViolation
from meetings.forms import AbsenceDecisionForm, ReplyForm
from meetings.services import invitations as invitation_services
from members.requests import VerifiedRequest
from members.views.flow import submit


@require_http_methods(["GET", "POST"])
def reply(request: VerifiedRequest, meeting_id: int) -> HttpResponse:
    invitation = access.access_own_invitation(request.user, meeting_id)
    meeting = invitation.meeting
    if request.method == "POST":
        form = ReplyForm(request.POST)
        if response := submit(
            request,
            form,
            lambda: invitation_services.reply_to_invitation(
                actor=request.user,
                invitation=invitation,
                reply=form.cleaned_data["reply"],
                reason=form.cleaned_data["absence_reason"],
            ),
            redirect_to=reverse("meetings:detail", args=[meeting.pk]),
            message=lambda _invitation: (
                _("Đã gửi lý do vắng mặt; bí thư chi bộ sẽ xét.")
                if form.cleaned_data["reply"] == Reply.ABSENT
                else _("Đã ghi nhận đồng chí dự họp.")
            ),
        ):
            return response
    else:
        initial = {"reply": invitation.reply, "absence_reason": invitation.absence_reason}
        form = ReplyForm(initial=initial if invitation.reply != Reply.PENDING else None)
    return render(
        request,
        "meetings/reply_form.html",
        {"meeting": meeting, "invitation": invitation, "form": form},
    )


@require_POST
def decide_absence(request: VerifiedRequest, meeting_id: int, invitation_id: int) -> HttpResponse:
    invitation = access.access_invitation_for_management(request.user, meeting_id, invitation_id)
    form = AbsenceDecisionForm(request.POST)
    target = reverse("meetings:detail", args=[meeting_id]) + "#vang-mat"
    if not form.is_valid():
        messages.error(request, _("Yêu cầu không hợp lệ."))
        return redirect(target)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        invitation_services.decide_absence(
            actor=request.user,
            invitation=invitation,
            approve=approve,
            note=form.cleaned_data["note"],
        )
    except RuleViolation as error:
        messages.error(request, error.message)
    else:
        text = (
            _("Đã chấp thuận lý do vắng mặt của đồng chí %(name)s.")
            if approve
            else _("Đã không chấp thuận lý do vắng mặt của đồng chí %(name)s.")
        )
        messages.success(request, text % {"name": invitation.member.full_name})
    return redirect(target)


def meeting_calendar_file(request: VerifiedRequest, meeting_id: int) -> HttpResponse:
    meeting = access.access_meeting(request.user, meeting_id)
    content = ics.calendar_for(
        meeting,
        list(queries.agenda_for(meeting)),
        cancel=meeting.status in (MeetingStatus.POSTPONED, MeetingStatus.CANCELLED),
    )
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="sinh-hoat-{meeting.pk}.ics"'
    return response
