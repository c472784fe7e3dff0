"""The hall's device of a hybrid meeting, against a real Janus: one participant for everyone in
the hall, opened by the chair alone, never put out as "off the roll", its microphone open like the
chair's, and put out with the chair's session."""

import pytest

from meetings.errors import RuleViolation
from meetings.media import events, services
from meetings.media.janus import VideoRoom
from meetings.services import media, room
from tests.meetings.media.janus_client import join_and_stay, leave
from tests.meetings.media.test_media_services import enter, in_room, stay_in_room
from tests.meetings.room.conftest import build_scene

pytestmark = pytest.mark.django_db(transaction=True)


def started(mode):
    scene = build_scene(mode)
    scene.meeting.place = "Hội trường khu phố 3"
    scene.meeting.save(update_fields=["place"])
    room.start_meeting(meeting_id=scene.meeting.pk, actor=scene.chair.user)
    scene.meeting.refresh_from_db()
    return scene


def hall_access(scene, who=None):
    return media.media_access(
        meeting=scene.meeting, actor=(who or scene.chair).user, device=services.HALL
    )


def test_the_chair_joins_the_halls_computer_as_one_participant(media_settings):
    scene = started("hybrid")
    access = hall_access(scene)
    assert access["feed"] == services.HALL_FEED
    assert access["hall"] is True
    hall = next(p for p in access["participants"] if p["feed"] == services.HALL_FEED)
    assert hall["name"] == "Phòng họp: Hội trường khu phố 3"
    session = stay_in_room(media_settings, access)
    # The chair's own laptop may stay in the room beside it.
    mine = media.media_access(meeting=scene.meeting, actor=scene.chair.user)
    own = stay_in_room(media_settings, mine)

    # A change of the floor does not take the hall for someone off the roll.
    services.follow_floor(scene.meeting.pk)
    assert in_room(scene.meeting) == {services.HALL_FEED, scene.chair.pk}
    assert services.HALL_FEED in services.speakers(scene.meeting)
    leave(session, access["token"])
    leave(own, mine["token"])


def test_only_the_chair_of_a_hybrid_meeting_opens_the_hall(media_settings):
    scene = started("hybrid")
    with pytest.raises(RuleViolation) as refused:
        hall_access(scene, scene.officials[0])
    assert refused.value.reason == "forbidden"
    online = started("online")
    with pytest.raises(RuleViolation) as refused:
        hall_access(online)
    assert str(refused.value.message) == "Chỉ buổi sinh hoạt kết hợp mới có thiết bị phòng họp."
    assert services.HALL_FEED not in services.speakers(online.meeting)
    with pytest.raises(RuleViolation) as refused:
        media.media_access(meeting=scene.meeting, actor=scene.chair.user, device="tivi")
    assert refused.value.reason == "bad_request"


def test_the_hall_leaves_with_the_chairs_session(media_settings):
    scene = started("hybrid")
    access = hall_access(scene)
    session = stay_in_room(media_settings, access)
    services.session_ended_in(scene.meeting, scene.chair.pk)
    assert services.HALL_FEED not in in_room(scene.meeting)
    assert enter(media_settings, access)["error_code"] == 433
    leave(session, access["token"])
    # The chair, signed in again, opens it again.
    assert enter(media_settings, hall_access(scene))["videoroom"] == "joined"


def test_a_room_created_for_the_hall_lets_the_hall_in(media_settings):
    """Janus was down when the meeting started: the hall's request creates the room."""
    scene = started("hybrid")
    with VideoRoom() as janus:
        janus.request(
            {
                "request": "destroy",
                "room": scene.meeting.pk,
                "secret": services._secret(scene.meeting),
            }
        )
    assert enter(media_settings, hall_access(scene))["videoroom"] == "joined"


def test_a_page_that_joins_as_the_hall_with_a_members_token_is_put_out(
    media_settings, janus_events
):
    """Janus lets a room token join under any id: the server, told by Janus's own event who
    joined and with which token, puts the impostor out."""
    scene = started("hybrid")
    member = scene.officials[0]
    theirs = media.media_access(meeting=scene.meeting, actor=member.user)
    answer, session = join_and_stay(
        media_settings.JANUS_ADMIN_URL,
        theirs["token"],
        theirs["room"],
        theirs["room_token"],
        services.HALL_FEED,
    )
    assert answer["videoroom"] == "joined"  # Janus alone would let them in …
    posted = janus_events.wait_for("joined", services.HALL_FEED, scene.meeting.pk)

    assert events.receive(posted) >= 1

    # … the server puts them out, and their own token too, until they ask again.
    assert services.HALL_FEED not in in_room(scene.meeting)
    assert enter(media_settings, theirs)["error_code"] == 433
    leave(session, theirs["token"])
    # The chair's hall token, rightly held, stays in.
    janus_events.posted.clear()
    hall = hall_access(scene)
    stay = stay_in_room(media_settings, hall)
    events.receive(janus_events.wait_for("joined", services.HALL_FEED, scene.meeting.pk))
    assert services.HALL_FEED in in_room(scene.meeting)
    leave(stay, hall["token"])


def published_event(meeting, feed, mids):
    """The VideoRoom's `published` event as Janus's event handler posts it (janus_videoroom.c,
    janus_videoroom_notify_about_publisher)."""
    return {
        "type": events.PLUGIN_EVENT,
        "event": {
            "plugin": "janus.plugin.videoroom",
            "data": {
                "event": "published",
                "room": meeting.pk,
                "id": feed,
                "streams": [
                    {"type": "audio", "mindex": n, "mid": mid} for n, mid in enumerate(mids)
                ]
                + [{"type": "video", "mindex": len(mids), "mid": "v"}],
            },
        },
    }


def test_a_page_sending_more_audio_streams_than_ours_is_put_out(media_settings):
    scene = started("online")
    member = scene.officials[0]
    access = media.media_access(meeting=scene.meeting, actor=member.user)
    session = stay_in_room(media_settings, access)
    # Two streams are remembered and each is moderated on every change of the floor …
    assert events.receive([published_event(scene.meeting, member.pk, ["0", "1"])]) == 1
    assert services.audio_mids(scene.meeting, member.pk) == ["0", "1"]
    assert member.pk in in_room(scene.meeting)
    # … five are no page of ours.
    events.receive([published_event(scene.meeting, member.pk, ["0", "1", "2", "3", "4"])])
    assert member.pk not in in_room(scene.meeting)
    assert enter(media_settings, access)["error_code"] == 433
    leave(session, access["token"])


def test_events_of_no_meeting_in_progress_or_malformed_are_ignored(media_settings):
    scene = started("online")
    assert (
        events.receive(
            [
                {"type": 1, "event": {"name": "created"}},
                {"type": 64, "event": {"plugin": "janus.plugin.videoroom", "data": {"id": 3}}},
                {"type": 64, "event": {"plugin": "janus.plugin.echotest", "data": {}}},
                published_event(scene.meeting, 1, ["0"]) | {"type": "64"},
                "garbage",
                published_event(build_scene().meeting, 1, ["0"]),  # scheduled, not in progress
            ]
        )
        == 0
    )
