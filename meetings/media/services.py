"""Who gets voice and picture, when the Janus room exists, and whose microphone is open.

- The room exists while the meeting is in progress: created when it starts, destroyed when it
  ends (after the commit that changes the status). Its `allowed` list holds one token per member
  on the roll, so Janus itself refuses anyone else; its secret is the server's alone, so only the
  server moderates, kicks or destroys. Nothing is recorded (record = false; docs/media.md).
- A participant gets media tokens only through `meetings.services.media.media_access` (the
  member's commands, above this module): a verified session (the middleware), a member on the
  meeting's roll, the meeting in progress.
- Microphones follow the floor: the chair's is open, a member's while they hold the floor (a
  turn or a point of order). After every change of the floor the server moderates each publisher
  in the room, so a modified page cannot speak out of turn.

Feeds: a participant publishes under their member id, audio first (mid "0", AUDIO_MID). In a
hybrid meeting the hall's device ("thiết bị phòng họp", opened by the chair on the hall's computer)
publishes under HALL_FEED, one participant for everyone present in the hall.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from meetings.enums import MeetingMode, MeetingStatus
from meetings.media import tokens
from meetings.media.janus import JanusDownError, JanusError, VideoRoom, configured
from meetings.models import Meeting, SpeakingTurn
from meetings.queries import on_roll
from meetings.room import roster_members
from members.models import Member, User

logger = logging.getLogger(__name__)

AUDIO_MID = "0"
# The hall's device in a hybrid meeting: one feed id per room that no member id reaches (Janus
# ids are 64-bit; the page's numbers are exact below 2**53).
HALL_FEED = 2**48
HALL = "hall"
# VideoRoom error codes (janus_videoroom.c)
NO_SUCH_ROOM = 426
ROOM_EXISTS = 427
NO_SUCH_FEED = 428


def room_id(meeting: Meeting) -> int:
    return meeting.pk


def _secret(meeting: Meeting) -> str:
    return tokens.room_secret(settings.JANUS_TOKEN_SECRET, room_id(meeting))


def room_token(meeting: Meeting, member_id: int) -> str:
    return tokens.room_token(
        settings.JANUS_TOKEN_SECRET, room=room_id(meeting), member_id=member_id
    )


def open_room(meeting_id: int, admit: int | None = None) -> bool:
    """Creates the meeting's Janus room (idempotent); False when Janus could not be reached.

    A room created now lists the roll's tokens. A room that exists already gets only the token
    of `admit`, the member asking for tokens (a member who came onto the roll during the meeting,
    or one signed in again): a member put out when their session ended is not let in again by
    someone else asking for tokens."""
    meeting = Meeting.objects.filter(pk=meeting_id).first()
    if meeting is None or meeting.status != MeetingStatus.IN_PROGRESS or not configured():
        return False
    members = roster_members(meeting)
    feeds = _taking_part(members)
    if admit is not None and admit not in feeds:
        feeds.append(admit)  # the hall's device, asked for by the chair
    allowed = [room_token(meeting, feed) for feed in feeds]
    try:
        with VideoRoom() as janus:
            try:
                janus.request(
                    {
                        "request": "create",
                        "admin_key": settings.JANUS_ADMIN_SECRET,
                        "room": room_id(meeting),
                        "description": f"meeting {meeting.pk}",
                        "secret": _secret(meeting),
                        "is_private": True,
                        # Subscribing needs the private id of a participant who joined with
                        # their allowed token: no subscribing with a core token alone.
                        "require_pvtid": True,
                        "allowed": allowed,
                        "publishers": max(len(members), 1),
                        "bitrate": 512_000,
                        "fir_freq": 10,
                        "audiocodec": "opus",
                        "videocodec": "vp8",
                        "record": False,
                        "permanent": False,
                    }
                )
            except JanusError as error:
                if error.code != ROOM_EXISTS:
                    raise
                if admit is not None:
                    janus.request(_allowed(meeting, "add", [room_token(meeting, admit)]))
    except (JanusError, JanusDownError):
        logger.exception("Janus room for meeting %s could not be created", meeting_id)
        return False
    return True


def has_hall(meeting: Meeting) -> bool:
    """A hybrid meeting has a hall: its device joins the room as one participant (Hướng dẫn
    03-HD/TW: the hall with the chair is the meeting's main point, the others join it online)."""
    return meeting.mode == MeetingMode.HYBRID


def _taking_part(members: list[Member]) -> list[int]:
    """Those of the roll who may take part: an active account (one deactivated or deleted during
    the meeting was put out of the room, `follow_roll`, and is not let in again)."""
    active = set(
        User.objects.filter(
            pk__in=[member.user_id for member in members], is_active=True
        ).values_list("pk", flat=True)
    )
    return [member.pk for member in members if member.user_id in active]


def _allowed(meeting: Meeting, action: str, entries: list[str]) -> dict[str, Any]:
    return {
        "request": "allowed",
        "room": room_id(meeting),
        "secret": _secret(meeting),
        "action": action,
        "allowed": entries,
    }


def close_room(meeting_id: int) -> None:
    """Destroys the meeting's room: everyone in it is disconnected, nothing is kept."""
    meeting = Meeting.objects.filter(pk=meeting_id).first()
    if meeting is None or not configured():
        return
    try:
        with VideoRoom() as janus:
            janus.request(
                {"request": "destroy", "room": room_id(meeting), "secret": _secret(meeting)}
            )
    except JanusError as error:
        if error.code != NO_SUCH_ROOM:
            logger.exception("Janus room of meeting %s could not be destroyed", meeting_id)
    except JanusDownError:
        logger.exception("Janus room of meeting %s could not be destroyed", meeting_id)


def room_exists(meeting: Meeting) -> bool:
    with VideoRoom() as janus:
        return bool(janus.request({"request": "exists", "room": room_id(meeting)})["exists"])


def remove_participant(meeting: Meeting, member_id: int) -> None:
    """A member taken off the roll: their token leaves the allowed list and they are kicked.
    Nothing to do when the room does not exist (it is created from the roll as it then is)."""
    try:
        with VideoRoom() as janus:
            _put_out(janus, meeting, member_id)
    except JanusError as error:
        if error.code != NO_SUCH_ROOM:
            raise


def _put_out(janus: VideoRoom, meeting: Meeting, feed: int) -> None:
    janus.request(_allowed(meeting, "remove", [room_token(meeting, feed)]))
    _kick_in(janus, meeting, feed)


def put_out_impostor(meeting: Meeting, *, feed: int, holder: int | None) -> None:
    """A page that is no page of ours (joined under an id its token was not signed for, or sent
    more audio streams than ours do): the connection under `feed` is kicked, and the token's
    holder loses their room token (they get it back by asking for tokens, through every check
    again). Janus down: logged."""
    try:
        with VideoRoom() as janus:
            _kick_in(janus, meeting, feed)
            if holder is not None:
                _put_out(janus, meeting, holder)
    except (JanusError, JanusDownError):
        logger.exception("feed %s in meeting %s could not be put out", feed, meeting.pk)


def kick(meeting: Meeting, feed: int) -> None:
    with VideoRoom() as janus:
        _kick_in(janus, meeting, feed)


def _kick_in(janus: VideoRoom, meeting: Meeting, feed: int) -> None:
    try:
        janus.request(
            {
                "request": "kick",
                "room": room_id(meeting),
                "secret": _secret(meeting),
                "id": feed,
            }
        )
    except JanusError as error:
        if error.code != NO_SUCH_FEED:
            raise


def on_roll_changed(member_id: int, cells: set[int]) -> None:
    """From meetings.signals, in the transaction where a member's roll fields changed, the
    member was deleted or their account deactivated or deleted: `cells`, where they met before.
    After commit, `follow_roll`."""
    if configured() and cells:
        transaction.on_commit(partial(follow_roll, member_id, cells), robust=True)


def follow_roll(member_id: int, cells: set[int]) -> None:
    """In every meeting in progress in `cells` whose roll the member is no longer on (moved to
    another cell, a temporary stay ended, deleted), or all of them when their account is
    inactive or gone, Janus refuses them from now on: their room token leaves the allowed list
    and their connection is kicked. Janus down or slow: logged, the change stands (docs/media.md,
    "Leaving the roll during the meeting")."""
    member = Member.objects.filter(pk=member_id).select_related("user").first()
    if member is not None and (member.user is None or not member.user.is_active):
        member = None  # the account may no longer take part anywhere
    for meeting in Meeting.objects.filter(cell_id__in=cells, status=MeetingStatus.IN_PROGRESS):
        if member is not None and on_roll(member, meeting):
            continue
        try:
            remove_participant(meeting, member_id)
        except (JanusError, JanusDownError):
            logger.exception(
                "member %s, off the roll of meeting %s, could not be put out of its Janus room",
                member_id,
                meeting.pk,
            )


def on_session_ended(member_id: int, cells: set[int]) -> None:
    """From meetings.signals, when the member signs out: after commit, `end_session_media`."""
    if configured() and cells:
        transaction.on_commit(partial(end_session_media, member_id, cells), robust=True)


def end_session_media(member_id: int, cells: set[int]) -> None:
    """A session of the member ended: in every meeting in progress in `cells` their room token
    leaves the allowed list and their connection is kicked (the member's token is one per
    meeting, so a page of another session of theirs is put out too and joins again with new
    tokens; docs/media.md, "When a session ends"). Janus down or slow: logged, the sign-out
    stands."""
    for meeting in Meeting.objects.filter(cell_id__in=cells, status=MeetingStatus.IN_PROGRESS):
        session_ended_in(meeting, member_id)


def session_ended_in(meeting: Meeting, member_id: int) -> None:
    """The member's session ended (the room's socket saw it, or they signed out): put out of
    this meeting's room. Reads no database: the room's socket calls it in a worker thread."""
    feeds = [member_id]
    if has_hall(meeting) and meeting.chair_id == member_id:
        feeds.append(HALL_FEED)  # the hall's device was opened by the chair's hand
    try:
        for feed in feeds:
            remove_participant(meeting, feed)
    except (JanusError, JanusDownError):
        logger.exception(
            "member %s, whose session ended, could not be put out of the Janus room of meeting %s",
            member_id,
            meeting.pk,
        )


def on_meeting_started(meeting: Meeting) -> None:
    """From the service that starts the meeting, in its transaction: the room after commit."""
    if configured():
        transaction.on_commit(partial(open_room, meeting.pk), robust=True)


def on_meeting_ended(meeting: Meeting) -> None:
    if configured():
        transaction.on_commit(partial(close_room, meeting.pk), robust=True)


def on_floor_changed(meeting: Meeting, *, given_to: int | None = None) -> None:
    """From the speaking services, in their transaction: microphones follow after commit.
    `given_to`: the member just given the floor, unmuted before anything else is read."""
    if configured():
        transaction.on_commit(partial(follow_floor, meeting.pk, first=given_to), robust=True)


def speakers(meeting: Meeting) -> set[int]:
    """Feeds whose microphone may be open: the chair, whoever holds the floor, and in a hybrid
    meeting the hall's device. The hall is where the chair sits (only the chair opens its
    device, `media_access`): like the chair's own microphone it stays open, and who speaks in
    the hall is the chair's to keep in order there, as at any meeting in a hall."""
    open_mics = {meeting.chair_id} if meeting.chair_id else set()
    if has_hall(meeting):
        open_mics.add(HALL_FEED)
    holder = (
        SpeakingTurn.objects.filter(meeting=meeting, ended_at=None)
        .values_list("member_id", flat=True)
        .first()
    )
    if holder is not None:
        open_mics.add(holder)
    return open_mics


def _mids_key(meeting: Meeting, feed: int) -> str:
    return f"media:audio-mids:{room_id(meeting)}:{feed}"


def remember_audio_mids(meeting: Meeting, feed: int, mids: list[str]) -> None:
    """The audio streams `feed` publishes, as Janus reported them (meetings.media.events)."""
    cache.set(_mids_key(meeting, feed), mids or [AUDIO_MID], settings.MEDIA_TOKEN_SECONDS)


def audio_mids(meeting: Meeting, feed: int) -> list[str]:
    """Every audio stream of `feed` known to the server; mid "0" (what our page publishes)
    until Janus reports more."""
    return cache.get(_mids_key(meeting, feed)) or [AUDIO_MID]


def _moderate(janus: VideoRoom, meeting: Meeting, feed: int, *, mute: bool) -> None:
    for mid in audio_mids(meeting, feed):
        try:
            janus.request(
                {
                    "request": "moderate",
                    "room": room_id(meeting),
                    "secret": _secret(meeting),
                    "id": feed,
                    "mid": mid,
                    "mute": mute,
                }
            )
        except JanusError as error:
            if error.code != NO_SUCH_FEED:  # not publishing (yet): moderated when they publish
                raise


def follow_floor(meeting_id: int, only: int | None = None, first: int | None = None) -> None:
    """Moderates every publisher in the room (or only feed `only`) as the floor is now; `first`,
    the member just given the floor, is heard before anything else is read.

    A participant under an id that is no member of the roll, or whose account is no longer
    active, is put out (token and connection)."""
    meeting = Meeting.objects.filter(pk=meeting_id).first()
    if meeting is None or meeting.status != MeetingStatus.IN_PROGRESS:
        return
    if first is not None:
        try:
            with VideoRoom() as janus:
                _moderate(janus, meeting, first, mute=False)
        except (JanusError, JanusDownError):
            logger.exception("the microphone of %s in meeting %s stayed closed", first, meeting_id)
    open_mics = speakers(meeting)
    roll = set(_taking_part(roster_members(meeting)))
    if has_hall(meeting):
        roll.add(HALL_FEED)
    try:
        with VideoRoom() as janus:
            # Who may speak is heard first (one round trip after the commit); then everyone
            # else in the room is checked and muted.
            for feed in open_mics if only is None else open_mics & {only}:
                _moderate(janus, meeting, feed, mute=False)
            listed = janus.request({"request": "listparticipants", "room": room_id(meeting)})
            for entry in listed.get("participants", []):
                feed = entry["id"]
                if only is not None and feed != only:
                    continue
                if feed not in roll:
                    _put_out(janus, meeting, feed)
                elif entry.get("publisher") and feed not in open_mics:
                    _moderate(janus, meeting, feed, mute=True)
    except (JanusError, JanusDownError):
        logger.exception("microphones of meeting %s could not follow the floor", meeting_id)


def mute_feed(meeting: Meeting, feed: int) -> None:
    """Closes the microphone of `feed` until the floor next changes (JanusError or
    JanusDownError when Janus refuses or does not answer)."""
    with VideoRoom() as janus:
        _moderate(janus, meeting, feed, mute=True)
