"""Against a real Janus: the room lives as long as the meeting, and Janus itself lets in only the
meeting's participants with the tokens Django signed for them."""

import datetime
import logging
import time

import pytest
from django.utils import timezone

from meetings.errors import RuleViolation
from meetings.media import services, tokens
from meetings.media.janus import VideoRoom
from meetings.services import media, room
from members.services import temporary, transfers
from tests.factories import CellRoleFactory
from tests.meetings.helpers import EARLY_END
from tests.meetings.media.janus_client import join, join_and_stay, leave, plugin_request
from tests.meetings.room.conftest import build_scene

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def scene(media_settings):
    return build_scene()


def start(scene):
    room.start_meeting(meeting_id=scene.meeting.pk, actor=scene.chair.user)
    scene.meeting.refresh_from_db()


def enter(media_settings, access):
    return join(
        media_settings.JANUS_ADMIN_URL,
        access["token"],
        access["room"],
        access["room_token"],
        access["feed"],
    )


def test_the_room_exists_from_the_start_to_the_end_of_the_meeting(scene):
    start(scene)
    assert services.room_exists(scene.meeting)
    room.end_meeting(meeting_id=scene.meeting.pk, actor=scene.chair.user, reason=EARLY_END)
    assert not services.room_exists(scene.meeting)


def test_a_participant_joins_with_their_tokens(scene, media_settings):
    start(scene)
    access = media.media_access(meeting=scene.meeting, actor=scene.officials[0].user)
    answer = enter(media_settings, access)
    assert answer["videoroom"] == "joined"
    assert answer["id"] == scene.officials[0].pk
    assert access["ice_servers"][0]["username"].endswith(f":{scene.officials[0].user.pk}")


def test_janus_refuses_another_meetings_forged_or_expired_tokens(scene, media_settings):
    start(scene)
    other = build_scene()
    start(other)
    mine = media.media_access(meeting=scene.meeting, actor=scene.officials[0].user)
    theirs = media.media_access(meeting=other.meeting, actor=other.officials[0].user)

    # The other meeting's room token does not open this room.
    answer = enter(media_settings, {**mine, "room_token": theirs["room_token"]})
    assert answer["error_code"] == 433, answer
    # A room token made up without the secret.
    forged = tokens.room_token("guessed", room=mine["room"], member_id=mine["feed"])
    answer = enter(media_settings, {**mine, "room_token": forged})
    assert answer["error_code"] == 433, answer
    # A core token signed with another secret, or expired: Janus answers 403 at once.
    wrong = tokens.core_token("guessed", expiry=int(time.time()) + 600)
    assert enter(media_settings, {**mine, "token": wrong})["error"]["code"] == 403
    expired = tokens.core_token(media_settings.JANUS_TOKEN_SECRET, expiry=int(time.time()) - 1)
    assert enter(media_settings, {**mine, "token": expired})["error"]["code"] == 403


def test_a_member_taken_off_the_roll_is_refused_by_janus(scene, media_settings):
    start(scene)
    access = media.media_access(meeting=scene.meeting, actor=scene.officials[1].user)
    services.remove_participant(scene.meeting, scene.officials[1].pk)
    assert enter(media_settings, access)["error_code"] == 433


def in_room(meeting):
    with VideoRoom() as janus:
        listed = janus.request({"request": "listparticipants", "room": meeting.pk})
    return {entry["id"] for entry in listed["participants"]}


def transfer_out(scene, member):
    transfers.transfer_member(
        actor=scene.chair.user,
        member=member,
        destination=scene.guest_cell,
        transferred_on=timezone.localdate() - datetime.timedelta(days=1),
        decision_reference="12-QĐ/ĐU",
    )


def test_a_member_moved_off_the_cell_during_the_meeting_is_put_out_of_the_room(
    scene, media_settings
):
    """The roll changes during the meeting (a transfer to another cell): Janus kicks the member
    and no longer accepts their room token; the others stay and keep theirs."""
    start(scene)
    leaving, staying = scene.officials[1], scene.officials[0]
    accesses = {
        member.pk: media.media_access(meeting=scene.meeting, actor=member.user)
        for member in (leaving, staying, scene.officials[2])
    }
    sessions = []
    for member in (leaving, staying):
        access = accesses[member.pk]
        answer, session = join_and_stay(
            media_settings.JANUS_ADMIN_URL,
            access["token"],
            access["room"],
            access["room_token"],
            access["feed"],
        )
        assert answer["videoroom"] == "joined", answer
        sessions.append((session, access["token"]))
    assert in_room(scene.meeting) == {leaving.pk, staying.pk}

    transfer_out(scene, leaving)

    assert in_room(scene.meeting) == {staying.pk}
    assert enter(media_settings, accesses[leaving.pk])["error_code"] == 433
    assert enter(media_settings, accesses[scene.officials[2].pk])["videoroom"] == "joined"
    for session, token in sessions:
        leave(session, token)


def stay_in_room(media_settings, access):
    answer, session = join_and_stay(
        media_settings.JANUS_ADMIN_URL,
        access["token"],
        access["room"],
        access["room_token"],
        access["feed"],
    )
    assert answer["videoroom"] == "joined", answer
    return session


def test_a_temporary_stay_ended_during_the_meeting_puts_the_member_out(scene, media_settings):
    start(scene)
    guest = scene.temporary
    access = media.media_access(meeting=scene.meeting, actor=guest.user)
    session = stay_in_room(media_settings, access)
    their_secretary = CellRoleFactory(member__home_cell=scene.guest_cell).member
    temporary.end_temporary(
        actor=their_secretary.user,
        member=guest,
        last_day=timezone.localdate() - datetime.timedelta(days=1),
    )
    assert guest.pk not in in_room(scene.meeting)
    assert enter(media_settings, access)["error_code"] == 433
    leave(session, access["token"])


def deactivate(member):
    member.user.is_active = False
    member.user.save()


def delete_account(member):
    member.user.delete()


@pytest.mark.parametrize("end", [deactivate, delete_account])
def test_an_account_or_member_ended_is_put_out_of_the_room(scene, media_settings, end):
    """An account deactivated or deleted is no roll change (the roll still lists the member,
    absent), but it may no longer take part: Janus refuses it too."""
    start(scene)
    member = scene.officials[1]
    access = media.media_access(meeting=scene.meeting, actor=member.user)
    session = stay_in_room(media_settings, access)
    end(member)
    # Handing out tokens to someone else adds only that member's token: not theirs again.
    media.media_access(meeting=scene.meeting, actor=scene.officials[0].user)
    assert member.pk not in in_room(scene.meeting)
    assert enter(media_settings, access)["error_code"] == 433
    leave(session, access["token"])


def test_a_member_who_comes_onto_the_roll_during_the_meeting_gets_in(scene, media_settings):
    """Someone sent to meet here temporarily while the meeting runs: their tokens open the room
    (handing them out adds their room token to the room's list)."""
    start(scene)
    newcomer = scene.outsider
    their_secretary = CellRoleFactory(member__home_cell=scene.guest_cell).member
    temporary.send_temporarily(
        actor=their_secretary.user,
        member=newcomer,
        cell=scene.cell,
        temporary_from=timezone.localdate() - datetime.timedelta(days=1),
        temporary_until=None,
    )
    access = media.media_access(meeting=scene.meeting, actor=newcomer.user)
    session = stay_in_room(media_settings, access)

    # Their record deleted (entered by mistake; no attendance kept here yet): put out again.
    feed = newcomer.pk
    newcomer.delete()
    assert feed not in in_room(scene.meeting)
    assert enter(media_settings, access)["error_code"] == 433
    leave(session, access["token"])


def test_a_roll_change_goes_through_when_janus_is_down(scene, media_settings, caplog):
    start(scene)
    leaving = scene.officials[1]
    media_settings.JANUS_ADMIN_URL = "http://127.0.0.1:9/admin"  # nobody listens there
    with caplog.at_level(logging.ERROR, logger="meetings.media.services"):
        transfer_out(scene, leaving)
    leaving.refresh_from_db()
    assert leaving.home_cell == scene.guest_cell
    assert any(str(leaving.pk) in record.getMessage() for record in caplog.records)


def test_a_removal_janus_missed_is_made_at_the_next_change_of_the_floor(scene, media_settings):
    start(scene)
    leaving = scene.officials[1]
    access = media.media_access(meeting=scene.meeting, actor=leaving.user)
    session = stay_in_room(media_settings, access)
    janus_url = media_settings.JANUS_ADMIN_URL
    media_settings.JANUS_ADMIN_URL = "http://127.0.0.1:9/admin"  # Janus unreachable meanwhile
    transfer_out(scene, leaving)
    media_settings.JANUS_ADMIN_URL = janus_url
    assert leaving.pk in in_room(scene.meeting)  # missed

    services.follow_floor(scene.meeting.pk)

    assert leaving.pk not in in_room(scene.meeting)
    assert enter(media_settings, access)["error_code"] == 433
    leave(session, access["token"])


def test_only_the_roll_gets_media_tokens(scene):
    start(scene)
    with pytest.raises(RuleViolation) as refused:
        media.media_access(meeting=scene.meeting, actor=scene.outsider.user)
    assert refused.value.reason == "forbidden"


def test_no_tokens_before_the_start_or_after_the_end(scene, media_settings):
    with pytest.raises(RuleViolation) as refused:
        media.media_access(meeting=scene.meeting, actor=scene.officials[0].user)
    assert refused.value.reason == "not_in_progress"
    start(scene)
    access = media.media_access(meeting=scene.meeting, actor=scene.officials[0].user)
    room.end_meeting(meeting_id=scene.meeting.pk, actor=scene.chair.user, reason=EARLY_END)
    scene.meeting.refresh_from_db()
    with pytest.raises(RuleViolation) as refused:
        media.media_access(meeting=scene.meeting, actor=scene.officials[0].user)
    assert "đã kết thúc" in refused.value.message
    # The tokens handed out during the meeting open nothing: the room is gone.
    assert enter(media_settings, access)["error_code"] == 426


def test_without_settings_the_room_says_media_is_not_configured(scene, settings):
    settings.JANUS_URL = ""
    start(scene)
    with pytest.raises(RuleViolation) as refused:
        media.media_access(meeting=scene.meeting, actor=scene.officials[0].user)
    assert refused.value.message == "Âm thanh và hình ảnh chưa được cấu hình trên máy chủ này."


def test_only_the_chair_mutes_someone(scene):
    start(scene)
    with pytest.raises(RuleViolation) as refused:
        media.mute(meeting=scene.meeting, actor=scene.officials[0].user, member=scene.chair.pk)
    assert refused.value.reason == "forbidden"
    assert media.mute(
        meeting=scene.meeting, actor=scene.chair.user, member=scene.officials[0].pk
    ) == {"member": scene.officials[0].pk, "muted": True}


def test_a_page_cannot_moderate_create_or_destroy_rooms(scene, media_settings):
    """Only the server's own actions hold the room secret and the admin key: without them
    Janus answers 429 (secret or admin key missing) or 433 (wrong)."""
    start(scene)
    access = media.media_access(meeting=scene.meeting, actor=scene.officials[0].user)
    url, token, room_id = media_settings.JANUS_ADMIN_URL, access["token"], access["room"]
    unmute = {"request": "moderate", "room": room_id, "id": access["feed"], "mid": "0"}
    attempts = [
        {**unmute, "mute": False},
        {**unmute, "mute": False, "secret": "doan-mo"},
        {"request": "destroy", "room": room_id},
        {"request": "destroy", "room": room_id, "secret": "doan-mo"},
        {"request": "create", "room": 999_999},
        {"request": "create", "room": 999_999, "admin_key": "doan-mo"},
    ]
    for attempt in attempts:
        assert plugin_request(url, token, attempt)["error_code"] in {429, 433}, attempt
    assert services.room_exists(scene.meeting)


def test_where_required_an_online_member_is_present_once_media_connects(scene):
    from meetings.models import Attendance
    from meetings.services import attendance

    scene.meeting.cell.media_required_for_presence = True
    scene.meeting.cell.save(update_fields=["media_required_for_presence"])
    start(scene)
    member = scene.officials[0]
    attendance.join(meeting_id=scene.meeting.pk, actor=member.user, connection="tab-1")
    row = Attendance.objects.get(meeting=scene.meeting, member=member)
    assert row.status != "present"  # the page is open, the media is not
    media.published(meeting=scene.meeting, actor=member.user)
    row.refresh_from_db()
    assert (row.status, row.mode) == ("present", "online")


def test_by_default_opening_the_room_is_enough(scene):
    from meetings.models import Attendance
    from meetings.services import attendance

    start(scene)
    member = scene.officials[0]
    attendance.join(meeting_id=scene.meeting.pk, actor=member.user, connection="tab-1")
    assert Attendance.objects.get(meeting=scene.meeting, member=member).status == "present"
