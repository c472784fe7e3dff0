"""The live meeting page. Everything after the first paint goes over the websocket."""

from __future__ import annotations

import json

from django.http import Http404, HttpResponse
from django.shortcuts import render

from meetings.access import access_meeting
from meetings.media.janus import configured
from meetings.models import BallotBoard, BoardPhase
from meetings.room import room_state
from meetings.services import media
from meetings.services.participants import participant
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
    if configured():  # the page's script speaks to Janus directly
        # django-csp's middleware reads this attribute; HttpResponse does not declare it.
        response._csp_update = {"connect-src": [media.server_origin()]}  # type: ignore[attr-defined]
    return response


def ballot_record(request: VerifiedRequest, meeting_id: int, vote_id: int) -> HttpResponse:
    """The published record of a counted encrypted secret ballot (docs/secret-ballot.md), for
    whoever may see the meeting: the page's check and `verify_ballot --file` read it."""
    meeting = access_meeting(request.user, meeting_id)
    board = BallotBoard.objects.filter(
        vote__meeting=meeting, vote_id=vote_id, phase=BoardPhase.COUNTED
    ).first()
    if board is None:
        raise Http404
    response = HttpResponse(board.record.encode(), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="phieu-kin-{vote_id}.json"'
    return response
