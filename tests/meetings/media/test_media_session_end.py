"""Against a real Janus: a session that ends (sign-out, or noticed by the room's socket: expiry, a
password change) ends the member's voice and picture in the meetings in progress. Their room
token leaves the allowed list and their connection is kicked; the other participants stay."""

import logging

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django.urls import reverse

from meetings.services import media
from tests.conftest import sign_in_verified
from tests.live import TIMEOUT, verified_visitor
from tests.meetings.media.janus_client import leave
from tests.meetings.media.test_media_services import enter, in_room, start, stay_in_room
from tests.meetings.room.conftest import build_scene
from tests.members.test_socket_session_end import SIGNED_OUT, close_code, open_socket, run

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def scene(media_settings):
    return build_scene()


def sign_out(user):
    client = sign_in_verified(Client(), user)
    answer = client.post(reverse("members:logout"))
    assert answer.status_code == 302
    return answer


def test_signing_out_puts_the_member_out_of_the_media_room(scene, media_settings):
    start(scene)
    leaving, staying = scene.officials[1], scene.officials[0]
    theirs = media.media_access(meeting=scene.meeting, actor=leaving.user)
    ours = media.media_access(meeting=scene.meeting, actor=staying.user)
    their_session = stay_in_room(media_settings, theirs)
    our_session = stay_in_room(media_settings, ours)
    assert in_room(scene.meeting) == {leaving.pk, staying.pk}

    sign_out(leaving.user)

    assert in_room(scene.meeting) == {staying.pk}
    # Handing out tokens to someone else does not let the signed-out page's tokens in again.
    media.media_access(meeting=scene.meeting, actor=scene.officials[2].user)
    assert enter(media_settings, theirs)["error_code"] == 433
    # Signed in again, the member gets in with new tokens.
    again = media.media_access(meeting=scene.meeting, actor=leaving.user)
    assert enter(media_settings, again)["videoroom"] == "joined"
    leave(their_session, theirs["token"])
    leave(our_session, ours["token"])


def test_signing_out_a_session_without_the_second_factor_leaves_media_alone(scene, media_settings):
    """Someone who knows only the password cannot put the member's media out again and again:
    only a verified session's sign-out ends it."""
    start(scene)
    member = scene.officials[1]
    access = media.media_access(meeting=scene.meeting, actor=member.user)
    session = stay_in_room(media_settings, access)
    client = Client()
    client.force_login(member.user)  # the password step only
    assert client.post(reverse("members:logout")).status_code == 302
    assert in_room(scene.meeting) == {member.pk}
    leave(session, access["token"])


def test_signing_out_goes_through_when_janus_is_down(scene, media_settings, caplog):
    start(scene)
    leaving = scene.officials[1]
    media_settings.JANUS_ADMIN_URL = "http://127.0.0.1:9/admin"  # nobody listens there
    with caplog.at_level(logging.ERROR, logger="meetings.media.services"):
        sign_out(leaving.user)
    assert any(str(leaving.pk) in record.getMessage() for record in caplog.records)


@pytest.mark.integration
def test_a_session_expiring_in_the_room_puts_the_member_out(media_settings, scene, daphne_server):
    """The room's socket sees its session expire and closes with 4401: the member's media in that
    meeting ends as well (the server's Janus token would have lasted MEDIA_TOKEN_SECONDS)."""
    start(scene)
    leaving, staying = scene.officials[1], scene.officials[0]
    visitor = verified_visitor(daphne_server, leaving.user)
    session = SessionStore(visitor.cookie(settings.SESSION_COOKIE_NAME))
    session.set_expiry(10)  # seconds: time enough to open the socket and join first
    session.save()
    theirs = media.media_access(meeting=scene.meeting, actor=leaving.user)
    ours = media.media_access(meeting=scene.meeting, actor=staying.user)
    their_session = stay_in_room(media_settings, theirs)
    our_session = stay_in_room(media_settings, ours)

    async def scenario():
        room = await open_socket(daphne_server, visitor, f"/ws/meetings/{scene.meeting.pk}/")
        return await close_code(room, within=TIMEOUT)

    assert run(scenario()) == SIGNED_OUT
    assert in_room(scene.meeting) == {staying.pk}
    assert enter(media_settings, theirs)["error_code"] == 433
    leave(their_session, theirs["token"])
    leave(our_session, ours["token"])
