"""A member's notifications: the list, opening one (marks it read), marking all read."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from meetings import access, notices, queries
from meetings.services import notifications as notification_services
from members.requests import VerifiedRequest


def notification_list(request: VerifiedRequest) -> HttpResponse:
    notifications = list(queries.notifications_for(request.user)[:100])
    return render(
        request,
        "meetings/notifications.html",
        {
            # Each with its title and body in the reader's language (meetings.notices).
            "notifications": [(n, *notices.render(n)) for n in notifications],
            "unread": sum(1 for n in notifications if not n.read_at),
        },
    )


def notification_open(request: VerifiedRequest, notification_id: int) -> HttpResponse:
    notification = access.access_notification(request.user, notification_id)
    notification_services.mark_notification_read(user=request.user, notification=notification)
    target = notification.url
    if not target or not url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        return redirect("meetings:notifications")
    return redirect(target)


@require_POST
def notifications_mark_read(request: VerifiedRequest) -> HttpResponse:
    notification_services.mark_all_notifications_read(user=request.user)
    return redirect("meetings:notifications")
