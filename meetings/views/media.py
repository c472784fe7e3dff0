"""Voice and picture for the live room's page: its Janus tokens, and the chair's mute button.

Thin: each view checks access exactly as the room page does (a verified session through the
middleware, a meeting the user may see) and hands the rest to meetings.services.media. A
refusal is a JSON `{"code", "message"}` in Vietnamese with a 4xx status.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from meetings.access import access_meeting
from meetings.errors import RuleViolation
from meetings.media import events, services, tokens
from meetings.services import media
from members.requests import VerifiedRequest

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
def media_access(request: VerifiedRequest, meeting_id: int) -> JsonResponse:
    meeting = access_meeting(request.user, meeting_id)
    device = request.GET.get("thiet-bi", "")
    return _answer(lambda: media.media_access(meeting=meeting, actor=request.user, device=device))


@require_POST
def media_published(request: VerifiedRequest, meeting_id: int) -> JsonResponse:
    meeting = access_meeting(request.user, meeting_id)
    feed = request.POST.get("feed", "")
    return _answer(lambda: media.published(meeting=meeting, actor=request.user, feed=feed))


@require_POST
def media_mute(request: VerifiedRequest, meeting_id: int) -> JsonResponse:
    meeting = access_meeting(request.user, meeting_id)
    member = request.POST.get("member", "")
    return _answer(lambda: media.mute(meeting=meeting, actor=request.user, member=member))


def _from_janus(request: HttpRequest) -> bool:
    """Basic authentication with the password derived from JANUS_TOKEN_SECRET (tokens)."""
    if not services.configured():
        return False
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    try:
        user, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return False
    expected = tokens.events_password(settings.JANUS_TOKEN_SECRET)
    return (
        scheme.lower() == "basic"
        and user == tokens.EVENTS_USER
        and hmac.compare_digest(password.encode(), expected.encode())
    )


@csrf_exempt  # Janus posts here, with its own credentials; no session, no form
@require_POST
def janus_events(request: HttpRequest) -> HttpResponse:
    """Janus's event handler: the VideoRoom's events (meetings.media.events)."""
    if not _from_janus(request):
        return HttpResponse(status=401, headers={"WWW-Authenticate": 'Basic realm="janus"'})
    try:
        posted = json.loads(request.body)
    except ValueError:
        return JsonResponse({"code": "bad_request", "message": "JSON"}, status=400)
    events.receive(posted if isinstance(posted, list) else [posted])
    return HttpResponse(status=204)
