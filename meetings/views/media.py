"""Voice and picture for the live room's page: its Janus tokens, and the chair's mute button.

Thin: each view checks access exactly as the room page does (a verified session through the
middleware, a meeting the user may see) and hands the rest to meetings.media.services. A
refusal is a JSON `{"code", "message"}` in Vietnamese with a 4xx status.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from meetings.access import access_meeting
from meetings.errors import RuleViolation
from meetings.media import services

STATUS = {
    "bad_request": 400,
    "forbidden": 403,
    "media_unavailable": 503,
    "media_not_configured": 404,
}


def _answer(work: Callable[[], dict[str, Any]]) -> JsonResponse:
    try:
        return JsonResponse(work())
    except RuleViolation as refusal:
        return JsonResponse(
            {"code": refusal.reason, "message": refusal.message},
            status=STATUS.get(refusal.reason, 409),
        )


@never_cache
@require_GET
def media_access(request: HttpRequest, meeting_id: int) -> JsonResponse:
    meeting = access_meeting(request.user, meeting_id)
    return _answer(lambda: services.media_access(meeting=meeting, actor=request.user))


@require_POST
def media_published(request: HttpRequest, meeting_id: int) -> JsonResponse:
    meeting = access_meeting(request.user, meeting_id)
    feed = request.POST.get("feed", "")
    return _answer(lambda: services.published(meeting=meeting, actor=request.user, feed=feed))


@require_POST
def media_mute(request: HttpRequest, meeting_id: int) -> JsonResponse:
    meeting = access_meeting(request.user, meeting_id)
    member = request.POST.get("member", "")
    return _answer(lambda: services.mute(meeting=meeting, actor=request.user, member=member))
