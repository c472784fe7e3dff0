"""Home, cell and organisation pages, error pages and the health check."""

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from config.metrics import offers_token
from members import access, queries, zones
from members.forms.auth import OwnTimeZoneForm
from members.requests import VerifiedRequest
from members.services import preferences


def home(request: VerifiedRequest) -> HttpResponse:
    member = access.member_of(request.user)
    own = access.own_cell_ids(member)
    cells = access.visible_cells(request.user).filter(pk__in=own).select_related("parent")
    return render(
        request,
        "members/home.html",
        {
            "member": member,
            "cells": cells,
            "managed_ids": access.managed_cell_ids(member),
            "reviewed": access.reviewed_organizations(request.user),
        },
    )


def cell_detail(request: VerifiedRequest, cell_id: int) -> HttpResponse:
    cell = access.access_cell(request.user, cell_id)
    today = timezone.localdate()
    home_members = list(queries.home_members(cell).select_related("temporary_cell"))
    roles = {role.member_id: role for role in queries.current_roles(cell, today)}
    return render(
        request,
        "members/cell_detail.html",
        {
            "cell": cell,
            "today": today,
            "home_members": [(m, roles.get(m.pk)) for m in home_members],
            "temporary_members": queries.temporary_members(cell, today).select_related("home_cell"),
            "may_manage": access.may_manage_cell(request.user, cell),
            "policy": queries.effective_policy(cell),
        },
    )


def organization_detail(request: VerifiedRequest, organization_id: int) -> HttpResponse:
    organization = access.access_organization(request.user, organization_id)
    return render(
        request,
        "members/organization_detail.html",
        {
            "organization": organization,
            "descendants": queries.subtree(organization).exclude(pk=organization.pk),
            "policy": queries.effective_policy(organization),
            "year": timezone.localdate().year,
            "administers": any(
                organization.path.startswith(o.path)
                for o in access.administered_organizations(request.user)
            ),
        },
    )


def health(request: HttpRequest) -> JsonResponse:
    """Liveness for anyone; the details (which database, channel layer, Celery mode, and
    whether the database answers) only with the operator's token (settings.HEALTH_TOKEN)."""
    if not _has_health_token(request):
        return JsonResponse({"status": "ok"})
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except DatabaseError:
        database = "unreachable"
    return JsonResponse(
        {
            "status": "ok" if database == "ok" else "degraded",
            "database": database,
            "db": connection.vendor,
            "channel_layer": settings.CHANNEL_LAYERS["default"]["BACKEND"].rsplit(".", 1)[-1],
            "celery_eager": settings.CELERY_TASK_ALWAYS_EAGER,
        },
        status=200 if database == "ok" else 503,
    )


def _has_health_token(request: HttpRequest) -> bool:
    return offers_token(request, settings.HEALTH_TOKEN)


def _error(template: str, status: int) -> Callable[..., HttpResponse]:
    def view(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
        return render(request, template, status=status)

    return view


page_not_found = _error("404.html", 404)
permission_denied = _error("403.html", 403)
bad_request = _error("400.html", 400)
server_error = _error("500.html", 500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent from a stale page (an expired session, a sign-in since): in the member's
    language, not Django's English page; nothing was saved."""
    return render(request, "403_csrf.html", status=403)


@require_http_methods(["GET", "POST"])
def own_time_zone(request: VerifiedRequest) -> HttpResponse:
    """The member's own zone, for members abroad or on a shift elsewhere."""
    member = access.member_of(request.user)
    if member is None:
        raise PermissionDenied
    form = OwnTimeZoneForm(request.POST or None, initial={"time_zone": member.time_zone})
    if request.method == "POST" and form.is_valid():
        preferences.set_own_time_zone(user=request.user, zone=form.cleaned_data["time_zone"])
        messages.success(request, _("Đã lưu múi giờ của đồng chí."))
        return redirect("members:time_zone")
    zone = zones.of_member(member) or zones.of_cell(member.home_cell)
    return render(
        request,
        "members/time_zone.html",
        {"form": form, "member": member, "now": zones.describe(timezone.now(), zone)},
    )
