"""The page's media endpoint hands out tokens only after the room's own access checks."""

import base64

import pytest
from django.test import Client
from django.urls import reverse

from meetings.media import engine
from meetings.services import room
from tests.conftest import sign_in_verified
from tests.meetings.helpers import EARLY_END
from tests.meetings.media.janus_client import join_and_stay
from tests.meetings.room.conftest import build_scene

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def scene(media_settings):
    scene = build_scene()
    room.start_meeting(meeting_id=scene.meeting.pk, actor=scene.chair.user)
    return scene


def access_url(scene):
    return reverse("meetings:media_access", args=[scene.meeting.pk])


def test_a_participant_gets_tokens_and_ice_servers(scene):
    client = sign_in_verified(Client(), scene.officials[0].user)
    answer = client.get(access_url(scene))
    assert answer.status_code == 200
    body = answer.json()
    assert body["feed"] == scene.officials[0].pk
    assert body["ice_servers"][0]["urls"][0].startswith("turn:127.0.0.1:")
    names = {p["name"]: p["probationary"] for p in body["participants"]}
    assert names["Lý Thị Ánh"] is True


def test_an_unverified_session_gets_no_tokens(scene):
    client = Client()
    client.force_login(scene.officials[0].user)  # password only: no second factor yet
    answer = client.get(access_url(scene))
    assert answer.status_code == 302
    assert "token" not in answer.content.decode()


def test_a_member_of_another_cell_gets_no_tokens(scene):
    client = sign_in_verified(Client(), scene.outsider.user)
    assert client.get(access_url(scene)).status_code == 404


def test_after_the_end_the_refusal_is_in_vietnamese(scene):
    room.end_meeting(meeting_id=scene.meeting.pk, actor=scene.chair.user, reason=EARLY_END)
    client = sign_in_verified(Client(), scene.officials[0].user)
    answer = client.get(access_url(scene))
    assert answer.status_code == 409
    assert answer.json()["message"] == (
        "Buổi sinh hoạt chưa bắt đầu hoặc đã kết thúc: không có âm thanh và hình ảnh."
    )


def test_only_the_chair_mutes_through_the_server(scene):
    url = reverse("meetings:media_mute", args=[scene.meeting.pk])
    member = sign_in_verified(Client(), scene.officials[0].user)
    answer = member.post(url, {"member": scene.chair.pk})
    assert answer.status_code == 403
    assert answer.json()["message"] == "Chỉ đồng chí chủ trì được làm việc này."
    chair = sign_in_verified(Client(), scene.chair.user)
    assert chair.post(url, {"member": "x"}).status_code == 400
    assert chair.post(url, {"member": scene.officials[0].pk}).json()["muted"] is True


def test_the_room_page_lets_the_script_reach_janus(scene, media_settings):
    client = sign_in_verified(Client(), scene.officials[0].user)
    answer = client.get(reverse("meetings:room", args=[scene.meeting.pk]))
    assert media_settings.JANUS_URL in answer["Content-Security-Policy"]
    assert b"vendor/janus-gateway/janus.js" in answer.content


def test_the_janus_configuration_keeps_apis_on_loopback_and_ice_on_the_host(tmp_path):
    config = engine.JanusConfig(
        directory=tmp_path,
        host_ip="192.0.2.7",
        http_port=1,
        ws_port=2,
        admin_port=3,
        token_secret="t",
        admin_secret="a",
    )
    etc = engine.write_janus_config(config)
    core = (etc / "janus.jcfg").read_text()
    assert 'ice_enforce_list = "192.0.2.7"' in core
    assert "token_auth = true" in core
    assert "libjanus_videoroom.so" not in core  # the one plugin not disabled
    assert "libjanus_streaming.so" in core
    assert 'ip = "127.0.0.1"' in (etc / "janus.transport.http.jcfg").read_text()
    assert 'admin_key = "a"' in (etc / "janus.plugin.videoroom.jcfg").read_text()


def test_without_janus_the_room_says_voice_and_picture_are_not_configured(settings):
    settings.JANUS_URL = ""
    scene = build_scene()
    client = sign_in_verified(Client(), scene.officials[0].user)
    page = client.get(reverse("meetings:room", args=[scene.meeting.pk])).content.decode()
    assert "Âm thanh và hình ảnh chưa được cấu hình trên máy chủ này" in page
    assert "janus.js" not in page


def test_when_janus_does_not_answer_the_page_is_told_to_try_again(settings, media_settings):
    settings.JANUS_ADMIN_URL = f"http://127.0.0.1:{engine.free_port()}/janus"
    scene = build_scene()
    room.start_meeting(meeting_id=scene.meeting.pk, actor=scene.chair.user)
    client = sign_in_verified(Client(), scene.officials[0].user)
    answer = client.get(access_url(scene))
    assert answer.status_code == 503
    assert answer.json()["message"] == (
        "Máy chủ âm thanh và hình ảnh không trả lời; hãy thử lại sau giây lát."
    )


def test_a_page_reports_a_new_publisher_and_a_bad_one_is_refused(scene):
    url = reverse("meetings:media_published", args=[scene.meeting.pk])
    client = sign_in_verified(Client(), scene.officials[0].user)
    answer = client.post(url, {"feed": scene.chair.pk})
    assert answer.json() == {"feed": scene.chair.pk, "open": True}
    assert client.post(url, {"feed": "x"}).json()["message"] == "Mã người phát không hợp lệ."


def test_only_janus_with_its_credentials_posts_events(scene, media_engine, janus_events):
    """/janus/su-kien/ takes what Janus's event handler posts, with the credentials the engine
    wrote into its configuration, and nothing from anyone else."""
    url = reverse("janus_events")
    client = sign_in_verified(Client(), scene.chair.user)  # a session is no credential here
    # What Janus itself sends, caught from a real join.
    access = client.get(access_url(scene)).json()
    enter_room(access, media_engine.janus.api_url)
    posted = janus_events.wait_for("joined", scene.chair.pk, scene.meeting.pk)
    authorization = janus_events.posted[0][0]
    assert authorization.startswith("Basic ")
    assert client.post(url, posted, content_type="application/json").status_code == 401
    forged = "Basic " + base64.b64encode(b"janus:doan-mo").decode()
    answer = Client().post(
        url, posted, content_type="application/json", headers={"Authorization": forged}
    )
    assert answer.status_code == 401
    janus = Client(headers={"Authorization": authorization})
    assert janus.post(url, "{", content_type="application/json").status_code == 400
    assert janus.post(url, posted, content_type="application/json").status_code == 204
    assert janus.get(url).status_code == 405


def enter_room(access, api_url):
    answer, _ = join_and_stay(
        api_url, access["token"], access["room"], access["room_token"], access["feed"]
    )
    assert answer["videoroom"] == "joined", answer
