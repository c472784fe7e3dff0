"""The live meeting page. Everything after the first paint goes over the websocket."""

from __future__ import annotations

import json

from django.http import HttpResponse
from django.shortcuts import render

from meetings.access import access_meeting
from meetings.media import services as media
from meetings.room import room_state
from meetings.services.room import participant
from members.requests import VerifiedRequest


def room(request: VerifiedRequest, meeting_id: int) -> HttpResponse:
    meeting = access_meeting(request.user, meeting_id)
    who = participant(meeting, request.user)
    response = render(
        request,
        "meetings/room.html",
        {
            "meeting": meeting,
            "state": room_state(meeting, who.member),
            "roles": json.dumps(who.roles),
            "media": media.page_settings(meeting, who),
        },
    )
    if media.configured():  # the page's script speaks to Janus directly
        response._csp_update = {"connect-src": [media.server_origin()]}  # type: ignore[attr-defined]
    return response
