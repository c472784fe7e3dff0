"""What a participant's page says to Janus, spoken from Python: to see Janus itself refuse."""

from __future__ import annotations

import json
import secrets
import urllib.request
from typing import Any


def post(url: str, body: dict[str, Any]) -> dict[str, Any]:
    body = {**body, "transaction": secrets.token_hex(8)}
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.load(answer)


def join(api_url: str, token: str, room: int, room_token: str, feed: int) -> dict[str, Any]:
    """create → attach → join as publisher; Janus's answer (`error` or the VideoRoom event).
    The session is left at once."""
    answer, session = join_and_stay(api_url, token, room, room_token, feed)
    if session:
        post(session, {"janus": "destroy", "token": token})
    return answer


def join_and_stay(
    api_url: str, token: str, room: int, room_token: str, feed: int
) -> tuple[dict[str, Any], str]:
    """As `join`, but the participant stays in the room: (Janus's answer, the session's URL, ""
    when refused before the join). Janus keeps it 60 s without a request; leave with `leave`."""
    created = post(api_url, {"janus": "create", "token": token})
    if created["janus"] == "error":
        return created, ""
    session = f"{api_url}/{created['data']['id']}"
    attached = post(
        session, {"janus": "attach", "plugin": "janus.plugin.videoroom", "token": token}
    )
    if attached["janus"] == "error":
        return attached, session
    handle = f"{session}/{attached['data']['id']}"
    sent = post(
        handle,
        {
            "janus": "message",
            "token": token,
            "body": {
                "request": "join",
                "ptype": "publisher",
                "room": room,
                "id": feed,
                "token": room_token,
            },
        },
    )
    if sent["janus"] == "error":
        return sent, session
    for _ in range(20):  # the join's answer comes as an event on the session's long poll
        with urllib.request.urlopen(
            f"{session}?maxev=1&token={urllib.parse.quote(token)}", timeout=35
        ) as answer:
            event = json.load(answer)
        if event.get("janus") == "event":
            return event["plugindata"]["data"], session
    raise AssertionError("no answer to the join")


def leave(session: str, token: str) -> None:
    post(session, {"janus": "destroy", "token": token})


def plugin_request(api_url: str, token: str, body: dict[str, Any]) -> dict[str, Any]:
    """One synchronous VideoRoom request on a session opened with `token` (a page's token)."""
    session = f"{api_url}/{post(api_url, {'janus': 'create', 'token': token})['data']['id']}"
    handle = post(session, {"janus": "attach", "plugin": "janus.plugin.videoroom", "token": token})
    reply = post(
        f"{session}/{handle['data']['id']}", {"janus": "message", "token": token, "body": body}
    )
    post(session, {"janus": "destroy", "token": token})
    return reply["plugindata"]["data"]
