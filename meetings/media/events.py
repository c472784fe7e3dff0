"""What Janus tells the server: the VideoRoom's events, posted by Janus's event handler
(janus.eventhandler.sampleevh, written by meetings.media.engine) to /janus/su-kien/.

- `joined`: the participant's id must be the one their token was signed for (their member id, or
  the hall's device for the chair's hall token). Janus binds a room token to no id, so a modified
  page could otherwise join under another member's id, or as the hall whose microphone is open.
  Such a participant is put out at once: the connection under that id is kicked and the token's
  holder loses their room token until their page asks for tokens again.
- `published` / `updated`: every audio stream the publisher sends, not only mid "0", is
  moderated as the floor is now, and its mids are kept for the next change of the floor. A
  modified page that adds a second microphone stream is muted like its first.

The pages' own reports (`services.published`) stay: they moderate as soon as a page sees a
publisher, and cover a deployment whose Janus posts no events.
"""

from __future__ import annotations

import logging
from typing import Any

from meetings.enums import MeetingStatus
from meetings.media import janus, services, tokens
from meetings.models import Meeting

logger = logging.getLogger(__name__)

PLUGIN_EVENT = 64  # Janus event type of a plugin's own events (events.h)
# Our page publishes one microphone. More than this many audio streams is no page of ours: the
# participant is put out rather than each stream moderated on every change of the floor.
MAX_AUDIO_STREAMS = 4


def receive(events: list[Any]) -> int:
    """Acts on each VideoRoom event of a meeting in progress; returns how many it acted on.
    Anything else (other types, rooms that are no meeting, malformed entries) is ignored."""
    acted = 0
    for event in events:
        found = _videoroom_event(event)
        if found is None:
            continue
        kind, meeting, feed, data = found
        if kind == "joined":
            check_identity(meeting, feed, event.get("session_id"), event.get("handle_id"))
        elif kind in ("published", "updated"):
            mids = [
                str(stream["mid"])
                for stream in data.get("streams") or []
                if isinstance(stream, dict)
                and stream.get("type") == "audio"
                and not stream.get("disabled")
                and "mid" in stream
            ]
            if len(mids) > MAX_AUDIO_STREAMS:
                logger.warning(
                    "feed %s in meeting %s sent %s audio streams", feed, meeting.pk, len(mids)
                )
                services.put_out_impostor(meeting, feed=feed, holder=feed)
                continue
            services.remember_audio_mids(meeting, feed, mids)
            services.follow_floor(meeting.pk, only=feed)
        else:
            continue
        acted += 1
    return acted


def _videoroom_event(event: Any) -> tuple[str, Meeting, int, dict[str, Any]] | None:
    if not isinstance(event, dict) or event.get("type") != PLUGIN_EVENT:
        return None
    body = event.get("event")
    if not isinstance(body, dict) or body.get("plugin") != tokens.PLUGIN:
        return None
    data = body.get("data")
    if not isinstance(data, dict):
        return None
    try:
        room, feed = int(data["room"]), int(data["id"])
    except (KeyError, TypeError, ValueError):
        return None
    meeting = Meeting.objects.filter(pk=room, status=MeetingStatus.IN_PROGRESS).first()
    if meeting is None:
        return None
    return str(data.get("event", "")), meeting, feed, data


def check_identity(meeting: Meeting, feed: int, session_id: Any, handle_id: Any) -> None:
    """Puts out a participant whose id is not the one their token names."""
    try:
        token = janus.handle_token(int(session_id), int(handle_id))
    except (TypeError, ValueError):
        return
    except janus.JanusDownError:
        logger.exception("Janus's admin API did not answer: feed %s not checked", feed)
        return
    if token is None:
        return  # the handle is gone already, or no admin API is configured
    names = tokens.descriptions(token)
    holder = _int(names.get("member"))
    own = services.HALL_FEED if names.get("device") == services.HALL else holder
    if names.get("meeting") == str(meeting.pk) and own == feed:
        return
    logger.warning(
        "member %s joined the Janus room of meeting %s as %s: put out", holder, meeting.pk, feed
    )
    services.put_out_impostor(meeting, feed=feed, holder=holder)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None
