"""One meeting: its page, creating and editing it, moving it through its states."""

from __future__ import annotations

from collections import Counter

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from meetings import access, queries
from meetings.enums import (
    REASON_REQUIRED,
    TRANSITION_LABELS,
    TRANSITIONS,
    MeetingKind,
    MeetingStatus,
    Reply,
)
from meetings.errors import RuleViolation
from meetings.forms import (
    MEETING_FIELD_ALIASES,
    AbsenceDecisionForm,
    MeetingForm,
    ReplyForm,
    StatusForm,
)
from meetings.models import Meeting
from meetings.services import ratification, scheduling
from members import access as member_access
from members.requests import VerifiedRequest
from members.views.flow import show_error, submit

# The order in which the secretary's buttons appear. "Minutes approved" and "archived" are not
# buttons: only the minutes pipeline (minutes.services: approval, then both signatures) moves a
# meeting there, so no meeting is archived without signed minutes (Hướng dẫn 36-HD/VPTW).
ACTION_ORDER = [
    MeetingStatus.SCHEDULED,
    MeetingStatus.IN_PROGRESS,
    MeetingStatus.ENDED,
    MeetingStatus.POSTPONED,
    MeetingStatus.CANCELLED,
]


def meeting_detail(request: VerifiedRequest, meeting_id: int) -> HttpResponse:
    meeting = access.access_meeting(request.user, meeting_id)
    may_manage = access.may_manage_meetings_of(request.user, meeting.cell)
    member = member_access.member_of(request.user)
    invitations = list(queries.invitations_for(meeting))
    own = next((i for i in invitations if member and i.member_id == member.pk), None)
    replies = Counter(i.reply for i in invitations if not i.is_guest)
    actions = [
        (status, TRANSITION_LABELS[status], status in REASON_REQUIRED)
        for status in ACTION_ORDER
        if status in TRANSITIONS[meeting.status]
    ]
    return render(
        request,
        "meetings/meeting_detail.html",
        {
            "meeting": meeting,
            "may_manage": may_manage,
            "agenda": queries.agenda_for(meeting),
            "documents": [
                (document, queries.is_published_late(document, meeting))
                for document in queries.documents_for(meeting)
            ],
            "invitation": own,
            "reply_form": ReplyForm(
                initial={"reply": own.reply, "absence_reason": own.absence_reason}
            )
            if own and own.reply != Reply.PENDING
            else ReplyForm(),
            "may_reply": own is not None and meeting.accepts_replies,
            "replies": {
                "attend": replies[Reply.ATTEND],
                "absent": replies[Reply.ABSENT],
                "pending": replies[Reply.PENDING],
            },
            "guests": [i for i in invitations if i.is_guest],
            "absences": [i for i in invitations if i.reply == Reply.ABSENT],
            "decision_form": AbsenceDecisionForm(),
            "vote_base": queries.expected_vote_base(meeting),
            # Elections held in the room, until and after the superior committee ratifies them.
            "elections": ratification.election_results(meeting.votes.all())
            if meeting.started_at
            else [],
            "actions": actions if may_manage else [],
            "history": meeting.changes.select_related("actor__member")
            if may_manage or access.reviews_cell(request.user, meeting.cell)
            else None,
        },
    )


@require_http_methods(["GET", "POST"])
def meeting_create(request: VerifiedRequest, cell_id: int) -> HttpResponse:
    cell = member_access.access_cell_for_management(request.user, cell_id)
    today = timezone.localdate()
    members = queries.cell_members_on(cell, today)
    if request.method == "POST":
        form = MeetingForm(request.POST, members=members)
        if response := submit(
            request,
            form,
            lambda: scheduling.create_meeting(
                actor=request.user, cell=cell, details=form.details()
            ),
            redirect_to=lambda meeting: reverse("meetings:agenda", args=[meeting.pk]),
            message=_("Đã tạo buổi sinh hoạt (bản nháp). Hãy lập chương trình."),
            aliases=MEETING_FIELD_ALIASES,
        ):
            return response
    else:
        initial = {"kind": MeetingKind.REGULAR, "planned_minutes": 90, "time": "19:30"}
        form = MeetingForm(initial=initial, members=members)
    return render(
        request, "meetings/meeting_form.html", {"form": form, "cell": cell, "meeting": None}
    )


@require_http_methods(["GET", "POST"])
def meeting_edit(request: VerifiedRequest, meeting_id: int) -> HttpResponse:
    meeting = access.access_meeting_for_management(request.user, meeting_id)
    members = queries.cell_members_on(meeting.cell, meeting.local_day)
    if request.method == "POST":
        form = MeetingForm(request.POST, members=members)
        if response := submit(
            request,
            form,
            lambda: scheduling.update_meeting(
                actor=request.user, meeting=meeting, details=form.details()
            ),
            redirect_to=reverse("meetings:detail", args=[meeting.pk]),
            message=_("Đã lưu thông tin buổi sinh hoạt."),
            aliases=MEETING_FIELD_ALIASES,
        ):
            return response
    else:
        form = MeetingForm(initial=MeetingForm.initial_from(meeting), members=members)
    return render(
        request,
        "meetings/meeting_form.html",
        {"form": form, "cell": meeting.cell, "meeting": meeting},
    )


@require_http_methods(["GET", "POST"])
def meeting_change_status(request: VerifiedRequest, meeting_id: int) -> HttpResponse:
    """Buttons post here directly; postponing and cancelling first show a page for the reason."""
    meeting = access.access_meeting_for_management(request.user, meeting_id)
    if request.method == "GET":
        target = request.GET.get("to", MeetingStatus.POSTPONED)
        if target not in REASON_REQUIRED:
            target = MeetingStatus.POSTPONED
        form = StatusForm(initial={"to_status": target})
        return _status_page(request, meeting, form, target)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Yêu cầu không hợp lệ."))
        return redirect("meetings:detail", meeting.pk)
    target = form.cleaned_data["to_status"]
    if target not in ACTION_ORDER:
        messages.error(request, _("Biên bản được thông qua và lưu trữ ở trang biên bản."))
        return redirect("meetings:detail", meeting.pk)
    try:
        scheduling.change_status(
            actor=request.user,
            meeting=meeting,
            to_status=target,
            reason=form.cleaned_data["reason"],
        )
    except RuleViolation as error:
        # A reason asked for (postponing, cancelling, ending before the charter's minimum) is
        # asked for on the reason page, the figures in the error.
        if target in REASON_REQUIRED or error.field == "reason":
            show_error(form, error)
            return _status_page(request, meeting, form, target)
        messages.error(request, error.message)
        return redirect("meetings:detail", meeting.pk)
    messages.success(
        request,
        _("Buổi sinh hoạt chuyển sang trạng thái “%(status)s”.")
        % {"status": MeetingStatus(target).label},
    )
    return redirect("meetings:detail", meeting.pk)


def _status_page(
    request: VerifiedRequest, meeting: Meeting, form: StatusForm, target: str
) -> HttpResponse:
    return render(
        request,
        "meetings/meeting_status.html",
        {
            "meeting": meeting,
            "form": form,
            "target": target,
            "label": TRANSITION_LABELS[target],
            "allowed": target in TRANSITIONS[meeting.status],
        },
    )
