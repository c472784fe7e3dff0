"""Voice and picture with Debian's Chromium, its fake camera and microphone, a real Janus and
coturn: the chair is heard and seen, a member only while they hold the floor, and Janus itself
refuses whoever has no token of this meeting."""

from __future__ import annotations

import time

import pytest
from django.test import override_settings
from playwright.sync_api import Page, expect

from meetings.media import engine, services, tokens
from meetings.models import Attendance, Meeting, PresenceSpan
from meetings.services import media, room
from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS, BrowserTestCase
from tests.factories import PASSWORD
from tests.media_engine import start_media_engine
from tests.meetings.helpers import EARLY_END
from tests.meetings.room.conftest import build_scene

pytestmark = pytest.mark.e2e

MEDIA_ARGS = [
    *[a for a in CHROMIUM_ARGS if a != "--headless"],
    "--headless=new",
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
]
PUBLISH_TIMEOUT = 60_000  # a loaded 2-core machine (docs/media.md)

# What a page without our script would say to Janus: create, attach, join; the first refusal.
JANUS_JOIN = """async ([server, token, room, roomToken, feed]) => {
  const ws = new WebSocket(server, "janus-protocol");
  await new Promise((ok, no) => { ws.onopen = ok; ws.onerror = no; });
  const ask = (body) => new Promise((ok) => {
    const transaction = Math.random().toString(36).slice(2);
    const listen = (event) => {
      const reply = JSON.parse(event.data);
      if (reply.transaction !== transaction || reply.janus === "ack") return;
      ws.removeEventListener("message", listen);
      ok(reply);
    };
    ws.addEventListener("message", listen);
    ws.send(JSON.stringify({ ...body, transaction, token }));
  });
  const created = await ask({ janus: "create" });
  if (created.janus === "error") return created.error;
  const session_id = created.data.id;
  const attached = await ask({ janus: "attach", session_id, plugin: "janus.plugin.videoroom" });
  if (attached.janus === "error") return attached.error;
  const joined = await ask({ janus: "message", session_id, handle_id: attached.data.id,
    body: { request: "join", ptype: "publisher", room, id: feed, token: roomToken } });
  ws.close();
  const data = joined.plugindata.data;
  return { code: data.error_code ?? 0, reason: data.error ?? data.videoroom };
}"""

# A computer with a microphone and no camera (or one another program holds): the browser
# refuses every request that asks for a picture, as Chromium does without a camera.
NO_CAMERA = """(() => {
  const real = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = (wanted) => wanted && wanted.video
    ? Promise.reject(new DOMException("Requested device not found", "NotFoundError"))
    : real(wanted);
})()"""
NO_CAMERA_JOINED = (
    "Đã kết nối âm thanh và hình ảnh. Không mở được máy quay: đồng chí tham gia bằng âm thanh."
)


class MediaTestCase(BrowserTestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.media = start_media_engine()
        # The live server is forked from this process: it inherits these settings.
        cls.media_settings = override_settings(**cls.media.settings())
        cls.media_settings.enable()
        try:
            super().setUpClass()
        except Exception:
            cls.media_settings.disable()
            cls.media.stop()
            raise
        # Janus tells the app who joined and what they publish (meetings.media.events).
        cls.media.send_events_to(f"http://{cls.host}:{cls._port}/janus/su-kien/")
        cls.browser.close()
        cls.browser = cls.playwright.chromium.launch(
            executable_path=CHROMIUM, args=MEDIA_ARGS, headless=False
        )

    @classmethod
    def tearDownClass(cls) -> None:
        try:
            super().tearDownClass()
        finally:
            cls.media_settings.disable()
            cls.media.stop()

    def open_room(self, member, *, join=True, query="", camera=True) -> Page:
        page = self.new_page()
        if not camera:
            page.add_init_script(NO_CAMERA)
        page.set_default_timeout(PUBLISH_TIMEOUT)
        self.sign_in(page, member.user)
        page.goto(self.url(f"/sinh-hoat/{self.scene.meeting.pk}/phong-hop/{query}"))
        expect(page.locator("#connection")).to_have_text("Đã kết nối")
        if join:
            page.get_by_role("button", name="Tham gia âm thanh và hình ảnh").click()
            expect(page.locator("#media-status")).to_have_text(
                "Đã kết nối âm thanh và hình ảnh." if camera else NO_CAMERA_JOINED,
                timeout=PUBLISH_TIMEOUT,
            )
        return page

    def stats(self, page: Page, feed: int) -> dict:
        return page.evaluate("(feed) => window.chiboMedia.stats(feed)", feed)

    def receiving(self, page: Page, feed: int) -> dict:
        """Waits until `page` has subscribed to `feed`, then returns its first figures."""
        page.wait_for_function(
            "(feed) => window.chiboMedia.feeds().includes(feed)", arg=feed, timeout=PUBLISH_TIMEOUT
        )
        return self.stats(page, feed)

    def audio_over(self, page: Page, feed: int, seconds: float = 3) -> tuple[int, float]:
        """Bytes and energy of `feed`'s audio arriving at `page` over `seconds`."""
        before = self.stats(page, feed)["audio"] or {"bytes": 0, "energy": 0}
        time.sleep(seconds)
        after = self.stats(page, feed)["audio"] or {"bytes": 0, "energy": 0}
        return after["bytes"] - before["bytes"], after["energy"] - before["energy"]

    def wait_for_audio(self, page: Page, feed: int) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.audio_over(page, feed, 1)[1] > 0:
                return
        raise AssertionError(f"no audio from {feed}")

    def wait_for_silence(self, page: Page, feed: int) -> tuple[int, float]:
        """Audio in flight when the microphone closed may still arrive: give it a moment."""
        time.sleep(2)
        return self.audio_over(page, feed)


class TestMedia(MediaTestCase):
    def test_the_chair_is_heard_and_a_member_only_while_holding_the_floor(self):
        self.scene = scene = build_scene()
        chair = self.open_room(scene.chair, join=False)
        chair.get_by_role("button", name="Bắt đầu buổi sinh hoạt").click()
        expect(chair.locator("#meeting-status")).to_contain_text("Đang họp")
        meeting = Meeting.objects.get(pk=scene.meeting.pk)
        assert services.room_exists(meeting)
        chair.get_by_role("button", name="Tham gia âm thanh và hình ảnh").click()
        expect(chair.locator("#media-status")).to_have_text(
            "Đã kết nối âm thanh và hình ảnh.", timeout=PUBLISH_TIMEOUT
        )
        expect(chair.locator("#media-mic-state")).to_have_text("Micrô của đồng chí đang mở.")
        # Pages open one after another (a loaded machine).
        speaker_member = scene.officials[1]
        second = self.open_room(speaker_member)
        expect(second.locator("#media-mic-state")).to_have_text(
            "Micrô của đồng chí đang đóng: chỉ mở khi chủ trì mời phát biểu.",
            timeout=PUBLISH_TIMEOUT,
        )
        # A modified page publishes a second microphone stream beside the first; whoever
        # subscribes to it afterwards (every page that joins later) must not hear it either.
        second.evaluate("window.chiboMedia.secondMicrophone()")
        first = self.open_room(scene.officials[0])

        # Each member decodes the chair's picture and hears the chair.
        for page in (first, second):
            self.receiving(page, scene.chair.pk)
            page.wait_for_function(
                "(feed) => window.chiboMedia.stats(feed).then((s) => s.width > 0)",
                arg=scene.chair.pk,
                timeout=PUBLISH_TIMEOUT,
            )
            before = self.stats(page, scene.chair.pk)
            self.wait_for_audio(page, scene.chair.pk)
            after = self.stats(page, scene.chair.pk)
            assert after["video"]["frames"] > before["video"]["frames"]
            assert after["audio"]["bytes"] > before["audio"]["bytes"]

        # Before the floor: nothing of the member reaches the others, even when their page
        # tries to open its microphone itself.
        self.receiving(first, speaker_member.pk)
        first.wait_for_function(
            "(feed) => window.chiboMedia.stats(feed).then((s) => s.video && s.video.frames > 0)",
            arg=speaker_member.pk,
            timeout=PUBLISH_TIMEOUT,
        )
        second.evaluate("window.chiboMedia.unmute()")
        frames = self.stats(first, speaker_member.pk)["video"]["frames"]
        assert self.wait_for_silence(first, speaker_member.pk) == (0, 0)
        assert self.stats(first, speaker_member.pk)["video"]["frames"] > frames  # seen, not heard

        # The chair gives the floor: the member is heard.
        chair.locator("#agenda li").nth(0).get_by_role("button", name="Mở nội dung").click()
        second.get_by_role("button", name="Xin phát biểu").click()
        chair.locator("#queue li").first.get_by_role("button", name="Mời phát biểu").click()
        expect(first.locator("#speaker")).to_contain_text(f"Đang phát biểu: {speaker_member}")
        self.wait_for_audio(first, speaker_member.pk)
        expect(first.locator(f'#media-tiles [data-feed="{speaker_member.pk}"]')).to_have_class(
            "media-tile speaking"
        )
        self.screenshot(first, "media-floor")
        self.assert_accessible(first)

        # The turn ends: silence again, whatever the member's page does.
        chair.get_by_role("button", name="Kết thúc lượt phát biểu").click()
        expect(first.locator("#speaker")).not_to_contain_text(str(speaker_member))
        second.evaluate("window.chiboMedia.unmute()")
        assert self.wait_for_silence(first, speaker_member.pk) == (0, 0)
        assert self.audio_over(first, scene.chair.pk)[1] > 0  # the chair still is heard

        # Janus itself refuses a member of another cell (with the tokens of their own meeting)
        # and a session without a second factor (no token at all).
        other = build_scene()
        room.start_meeting(meeting_id=other.meeting.pk, actor=other.chair.user)
        other.meeting.refresh_from_db()
        theirs = media.media_access(meeting=other.meeting, actor=other.officials[0].user)
        outsider = self.attacker_page()
        self.sign_in(outsider, other.officials[0].user)
        outsider.goto(self.url(f"/sinh-hoat/{scene.meeting.pk}/phong-hop/"))
        expect(outsider.get_by_role("heading", level=1)).not_to_have_text(meeting.display_title)
        refusal = self.janus_join(
            outsider, theirs["token"], meeting.pk, theirs["room_token"], other.officials[0].pk
        )
        assert refusal == {"code": 433, "reason": "Unauthorized (not in the allowed list)"}
        unverified = self.attacker_page()
        unverified.goto(self.url("/dang-nhap/"))
        unverified.get_by_label("Tên đăng nhập").fill(scene.officials[2].user.username)
        unverified.get_by_label("Mật khẩu").fill(PASSWORD)
        unverified.get_by_role("button", name="Tiếp tục").click()
        expect(unverified.get_by_label("Mã xác thực")).to_be_visible()
        # Without the second factor the page's own endpoint gives no token …
        answer = unverified.request.get(
            self.url(f"/sinh-hoat/{meeting.pk}/phong-hop/am-thanh-hinh-anh/"), max_redirects=0
        )
        assert answer.status == 302
        # … and Janus refuses a session without one, or with a token not signed by the server.
        refusal = self.janus_join(unverified, "", meeting.pk, "", scene.officials[2].pk)
        assert refusal["code"] == 403, refusal
        forged = tokens.core_token("doan-mo", expiry=int(time.time()) + 600)
        assert self.janus_join(unverified, forged, meeting.pk, "", 1)["code"] == 403

        # The meeting ends (early, so the end dialog asks why): the Janus room is gone and the
        # pages say so.
        chair.get_by_role("button", name="Kết thúc buổi sinh hoạt").click()
        dialog = chair.get_by_role("dialog", name="Kết thúc buổi sinh hoạt?")
        chair.get_by_label("Lý do kết thúc sớm").fill(EARLY_END)
        dialog.get_by_role("button", name="Kết thúc buổi sinh hoạt").click()
        expect(first.locator("#media-status")).to_have_text(
            "Buổi sinh hoạt đã kết thúc: âm thanh và hình ảnh đã đóng."
        )
        assert not services.room_exists(meeting)

    def test_media_comes_back_on_its_own_after_janus_drops_and_the_roll_stays(self):
        self.scene = scene = build_scene()
        room.start_meeting(meeting_id=scene.meeting.pk, actor=scene.chair.user)
        self.open_room(scene.chair)
        member = self.open_room(scene.officials[0])
        self.receiving(member, scene.chair.pk)
        spans = PresenceSpan.objects.filter(attendance__member=scene.officials[0]).count()

        # Janus goes away (a restart, a lost network path) and comes back on the same ports.
        engine.stop(self.media.processes[0])
        expect(member.locator("#media-status")).to_have_text(
            "Mất kết nối âm thanh và hình ảnh, đang kết nối lại…", timeout=PUBLISH_TIMEOUT
        )
        self.media.restart_janus()
        expect(member.locator("#media-status")).to_have_text(
            "Đã kết nối âm thanh và hình ảnh.", timeout=PUBLISH_TIMEOUT
        )
        self.receiving(member, scene.chair.pk)
        member.wait_for_function(
            "(feed) => window.chiboMedia.stats(feed).then((s) => s.video && s.video.frames > 0)",
            arg=scene.chair.pk,
            timeout=PUBLISH_TIMEOUT,
        )
        self.wait_for_audio(member, scene.chair.pk)
        # The room's websocket never dropped: still present, no new presence span.
        expect(member.locator("#connection")).to_have_text("Đã kết nối")
        attendance = Attendance.objects.get(meeting=scene.meeting, member=scene.officials[0])
        assert attendance.status == "present"
        assert PresenceSpan.objects.filter(attendance=attendance).count() == spans

    def test_a_member_without_a_camera_joins_by_voice_and_is_heard(self):
        """No camera (or a busy one): the page joins with the microphone alone instead of
        failing, says so, and the others hear the member (the chair here, always heard)."""
        self.scene = scene = build_scene()
        room.start_meeting(meeting_id=scene.meeting.pk, actor=scene.chair.user)
        chair = self.open_room(scene.chair, camera=False, join=False)
        chair.get_by_role("button", name="Kiểm tra máy quay và micrô").click()
        expect(chair.locator("#media-status")).to_have_text(
            "Không mở được máy quay: đồng chí vẫn tham gia được bằng âm thanh."
        )
        chair.wait_for_function("() => document.getElementById('media-level').value > 0")
        chair.get_by_role("button", name="Tham gia âm thanh và hình ảnh").click()
        expect(chair.locator("#media-status")).to_have_text(NO_CAMERA_JOINED)
        expect(chair.locator("#media-mic-state")).to_have_text("Micrô của đồng chí đang mở.")
        member = self.open_room(scene.officials[0])
        self.receiving(member, scene.chair.pk)
        self.wait_for_audio(member, scene.chair.pk)
        # The others' pictures still come: only sending one is left out.
        chair.wait_for_function(
            "(feed) => window.chiboMedia.stats(feed).then((s) => s.video && s.video.frames > 0)",
            arg=scene.officials[0].pk,
            timeout=PUBLISH_TIMEOUT,
        )

    def test_signing_out_closes_the_pages_media_and_says_why(self):
        """Signed out (here in another tab's request): the room's socket closes with 4401, the
        server has put the member out of the Janus room, and the page leaves it and says why."""
        self.scene = scene = build_scene()
        room.start_meeting(meeting_id=scene.meeting.pk, actor=scene.chair.user)
        self.open_room(scene.chair)
        member = self.open_room(scene.officials[0])
        member.evaluate(
            """() => fetch("/dang-xuat/", { method: "POST", credentials: "same-origin",
              headers: { "X-CSRFToken": document.cookie.split("; ")
                .find((c) => c.startsWith("csrftoken="))?.split("=")[1] ?? "" } })"""
        )
        expect(member.locator("#media-status")).to_have_text(
            "Phiên đăng nhập đã kết thúc: âm thanh và hình ảnh đã đóng."
            " Hãy tải lại trang và đăng nhập.",
            timeout=PUBLISH_TIMEOUT,
        )
        expect(member.locator("#media-tiles > *")).to_have_count(0)
        expect(
            member.get_by_role("button", name="Tham gia âm thanh và hình ảnh")
        ).not_to_be_visible()
        with services.VideoRoom() as janus:
            listed = janus.request({"request": "listparticipants", "room": scene.meeting.pk})
        assert {entry["id"] for entry in listed["participants"]} == {scene.chair.pk}

    def test_the_halls_device_is_one_participant_heard_like_the_chair(self):
        """A hybrid meeting: the chair joins the hall's computer as its device; members online
        see and hear the hall without any floor, and its tile is named for the hall."""
        self.scene = scene = build_scene("hybrid")
        Meeting.objects.filter(pk=scene.meeting.pk).update(place="Hội trường khu phố 3")
        room.start_meeting(meeting_id=scene.meeting.pk, actor=scene.chair.user)
        hall = self.open_room(scene.chair, join=False)
        hall.get_by_label("Máy này là thiết bị phòng họp").check()
        hall.get_by_role("button", name="Tham gia âm thanh và hình ảnh").click()
        expect(hall.locator("#media-status")).to_contain_text(
            "Máy này đã kết nối làm thiết bị phòng họp", timeout=PUBLISH_TIMEOUT
        )
        expect(hall.locator("#media-mic-state")).to_have_text("Micrô của đồng chí đang mở.")
        member = self.open_room(scene.officials[0])
        expect(member.get_by_label("Máy này là thiết bị phòng họp")).to_have_count(0)
        self.receiving(member, services.HALL_FEED)
        self.wait_for_audio(member, services.HALL_FEED)
        expect(member.locator(f'#media-tiles [data-feed="{services.HALL_FEED}"]')).to_contain_text(
            "Phòng họp: Hội trường khu phố 3"
        )
        self.screenshot(member, "media-hall")
        self.assert_accessible(hall)

    def attacker_page(self) -> Page:
        """A browser that ignores our pages' rules (CSP bypassed), as an attacker's would."""
        context = self.browser.new_context(locale="vi-VN", bypass_csp=True)
        context.set_default_timeout(PUBLISH_TIMEOUT)
        self.contexts.append(context)
        return context.new_page()

    def janus_join(self, page: Page, token, room_id, room_token, feed) -> dict:
        """Speaks Janus's websocket API from `page` directly, without our script."""
        return page.evaluate(
            JANUS_JOIN, [self.media.janus.ws_url, token, room_id, room_token, feed]
        )

    def test_the_chair_is_received_through_turn_only_with_valid_credentials(self):
        self.scene = scene = build_scene()
        room.start_meeting(meeting_id=scene.meeting.pk, actor=scene.chair.user)
        self.open_room(scene.chair)
        relayed = self.open_room(scene.officials[0], query="?relay=1")
        self.receiving(relayed, scene.chair.pk)
        relayed.wait_for_function(
            "(feed) => window.chiboMedia.stats(feed).then((s) => s.width > 0 && s.relay)",
            arg=scene.chair.pk,
            timeout=PUBLISH_TIMEOUT,
        )

        # Credentials that expired a minute ago: coturn refuses the allocation, nothing flows.
        username, password = tokens.turn_credentials(
            self.media.coturn.secret, expiry=int(time.time()) - 60, user_id=scene.officials[1].pk
        )
        refused = self.new_page()
        refused.set_default_timeout(PUBLISH_TIMEOUT)
        self.sign_in(refused, scene.officials[1].user)

        def expired(route):
            answer = route.fetch()
            body = answer.json()
            for server in body["ice_servers"]:
                server.update(username=username, credential=password)
            route.fulfill(response=answer, json=body)

        refused.route("**/am-thanh-hinh-anh/", expired)
        refused.goto(self.url(f"/sinh-hoat/{scene.meeting.pk}/phong-hop/?relay=1"))
        refused.get_by_role("button", name="Tham gia âm thanh và hình ảnh").click()
        refused.wait_for_timeout(15_000)  # (lets Playwright run the route above)
        expect(refused.locator("#media-status")).not_to_have_text(
            "Đã kết nối âm thanh và hình ảnh."
        )
        assert refused.evaluate("window.chiboMedia.feeds().length") == 0 or (
            self.stats(refused, scene.chair.pk)["video"] is None
        )
