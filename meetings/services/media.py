"""The member's media commands (meetings/views/media.py): tokens to join the meeting's Janus
room, a page saying it publishes, the chair closing a microphone; and what the room page's
media script needs. The room itself (Janus, the floor, the roll) is meetings.media.services,
below the services: it imports none of them.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from meetings.enums import MeetingStatus
from meetings.errors import RuleViolation
from meetings.media import services as janus_room
from meetings.media import tokens
from meetings.media.janus import JanusDownError, JanusError, configured
from meetings.models import Meeting
from meetings.room import roster_members
from meetings.services.attendance import media_connected
from meetings.services.participants import Participant, participant, require_chair
from members.enums import Standing
from members.models import Member, User


def _require_media_participant(meeting: Meeting, actor: User) -> Member:
    who = participant(meeting, actor)
    if not who.on_roll or who.member is None:
        raise RuleViolation(
            _("Chỉ đảng viên của chi bộ được tham gia âm thanh và hình ảnh của buổi sinh hoạt."),
            reason="forbidden",
        )
    if not configured():
        raise RuleViolation(
            _("Âm thanh và hình ảnh chưa được cấu hình trên máy chủ này."),
            reason="media_not_configured",
        )
    if meeting.status != MeetingStatus.IN_PROGRESS:
        raise RuleViolation(
            _("Buổi sinh hoạt chưa bắt đầu hoặc đã kết thúc: không có âm thanh và hình ảnh."),
            reason="not_in_progress",
        )
    return who.member


def _ice_servers(user: User, expiry: int) -> list[dict[str, Any]]:
    if not settings.TURN_URLS or not settings.TURN_SECRET:
        return []
    username, credential = tokens.turn_credentials(
        settings.TURN_SECRET, expiry=expiry, user_id=user.pk
    )
    return [{"urls": settings.TURN_URLS, "username": username, "credential": credential}]


def _hall_feed(meeting: Meeting, actor: User) -> int:
    """The chair opens the hall's device of a hybrid meeting, on the hall's computer."""
    if not janus_room.has_hall(meeting):
        raise RuleViolation(
            _("Chỉ buổi sinh hoạt kết hợp mới có thiết bị phòng họp."), reason="forbidden"
        )
    require_chair(participant(meeting, actor))
    return janus_room.HALL_FEED


def _participants(meeting: Meeting, members: list[Member]) -> list[dict[str, Any]]:
    entries = [
        {
            "feed": m.pk,
            "name": m.full_name,
            "probationary": m.standing == Standing.PROBATIONARY,
        }
        for m in members
    ]
    if janus_room.has_hall(meeting):
        hall = _("Phòng họp: %(place)s") % {"place": meeting.place} if meeting.place else ""
        entries.append(
            {
                "feed": janus_room.HALL_FEED,
                "name": hall or _("Phòng họp"),
                "probationary": False,
                "hall": True,
            }
        )
    return entries


def media_access(*, meeting: Meeting, actor: User, device: str = "") -> dict[str, Any]:
    """What one participant's page needs to join the meeting's Janus room: as the member, or
    (`device="hall"`) as the hall's device of a hybrid meeting."""
    member = _require_media_participant(meeting, actor)
    if device not in ("", janus_room.HALL):
        raise RuleViolation(_("Thiết bị không hợp lệ."), reason="bad_request")
    feed = _hall_feed(meeting, actor) if device == janus_room.HALL else member.pk
    if not janus_room.open_room(meeting.pk, admit=feed):
        raise RuleViolation(
            _("Máy chủ âm thanh và hình ảnh không trả lời; hãy thử lại sau giây lát."),
            reason="media_unavailable",
        )
    janus_room.kick(
        meeting, feed
    )  # a connection left behind (a drop, another tab, another computer)
    expiry = int(time.time()) + settings.MEDIA_TOKEN_SECONDS
    descriptions = [f"meeting={meeting.pk}", f"member={member.pk}"]
    if device:
        descriptions.append(f"device={device}")
    return {
        "server": settings.JANUS_URL,
        "token": tokens.core_token(
            settings.JANUS_TOKEN_SECRET, expiry=expiry, descriptions=tuple(descriptions)
        ),
        "room": janus_room.room_id(meeting),
        "room_token": janus_room.room_token(meeting, feed),
        "feed": feed,
        "hall": feed == janus_room.HALL_FEED,
        "audio_mid": janus_room.AUDIO_MID,
        "expires": expiry,
        "ice_servers": _ice_servers(actor, expiry),
        "chair": meeting.chair_id,
        "speakers": sorted(janus_room.speakers(meeting)),
        "participants": _participants(meeting, roster_members(meeting)),
    }


def published(*, meeting: Meeting, actor: User, feed: str = "") -> dict[str, Any]:
    """A page says it publishes, or (`feed`) that it saw someone else start publishing: that
    publisher's microphone is moderated as the floor is now. Every page in the room reports new
    publishers, so a page that keeps quiet about its own publishing is moderated all the same."""
    member = _require_media_participant(meeting, actor)
    try:
        target = int(feed) if feed else member.pk
    except ValueError as error:
        raise RuleViolation(_("Mã người phát không hợp lệ."), reason="bad_request") from error
    janus_room.follow_floor(meeting.pk, only=target)
    if target == member.pk:
        media_connected(meeting_id=meeting.pk, actor=actor)  # present, where media is required
    return {"feed": target, "open": target in janus_room.speakers(meeting)}


def mute(*, meeting: Meeting, actor: User, member: str | int) -> dict[str, Any]:
    """The chair closes someone's microphone (until the floor next changes)."""
    require_chair(participant(meeting, actor))
    try:
        member_id = int(member)
    except ValueError as error:
        raise RuleViolation(_("Thiếu đồng chí cần tắt micrô."), reason="bad_request") from error
    _require_media_participant(meeting, actor)
    try:
        janus_room.mute_feed(meeting, member_id)
    except (JanusError, JanusDownError) as error:
        raise RuleViolation(
            _("Không tắt được micrô: máy chủ âm thanh và hình ảnh không trả lời."),
            reason="media_unavailable",
        ) from error
    return {"member": member_id, "muted": True}


def server_origin() -> str:
    """JANUS_URL's scheme, host and port: what the room page's CSP lets the script connect to."""
    parts = urlsplit(settings.JANUS_URL)
    return f"{parts.scheme}://{parts.netloc}"


def page_settings(meeting: Meeting, who: Participant) -> dict[str, Any]:
    """What the room page's media script needs before it asks for tokens."""
    if not configured():
        return {"configured": False}
    return {
        "configured": True,
        "access_url": reverse("meetings:media_access", args=[meeting.pk]),
        "published_url": reverse("meetings:media_published", args=[meeting.pk]),
        "mute_url": reverse("meetings:media_mute", args=[meeting.pk]),
        "is_chair": who.is_chair,
        "on_roll": who.on_roll,
        # The chair of a hybrid meeting may join a computer in the hall as its device.
        "hall": who.is_chair and janus_room.has_hall(meeting),
        "texts": {
            "not_in_progress": _("Âm thanh và hình ảnh mở khi buổi sinh hoạt bắt đầu."),
            "not_on_roll": _("Chỉ đảng viên của chi bộ tham gia âm thanh và hình ảnh."),
            "joining": _("Đang kết nối âm thanh và hình ảnh…"),
            "joined": _("Đã kết nối âm thanh và hình ảnh."),
            "joined_no_camera": _(
                "Đã kết nối âm thanh và hình ảnh. Không mở được máy quay:"
                " đồng chí tham gia bằng âm thanh."
            ),
            "reconnecting": _("Mất kết nối âm thanh và hình ảnh, đang kết nối lại…"),
            "refused": _("Máy chủ âm thanh và hình ảnh từ chối: %(reason)s"),
            "ended": _("Buổi sinh hoạt đã kết thúc: âm thanh và hình ảnh đã đóng."),
            "no_devices": _("Không mở được máy quay hoặc micrô: %(reason)s"),
            "check_no_camera": _(
                "Không mở được máy quay: đồng chí vẫn tham gia được bằng âm thanh."
            ),
            "mic_off": _("Tắt micrô của tôi"),
            "mic_on": _("Bật micrô của tôi"),
            "camera_off": _("Tắt máy quay"),
            "camera_on": _("Bật máy quay"),
            "moderated": _("Micrô của đồng chí đang đóng: chỉ mở khi chủ trì mời phát biểu."),
            "mic_open": _("Micrô của đồng chí đang mở."),
            "mute_member": _("Tắt micrô của %(name)s"),
            "muted_member": _("Đã tắt micrô của %(name)s."),
            "probationary": _("Dự bị"),
            "you": _("%(name)s (đồng chí)"),
            "speaking": _("đang phát biểu"),
            "default_device": _("Mặc định"),
            "left": _("Đồng chí đã rời âm thanh và hình ảnh."),
            "signed_out": _(
                "Phiên đăng nhập đã kết thúc: âm thanh và hình ảnh đã đóng."
                " Hãy tải lại trang và đăng nhập."
            ),
            "not_in_meeting": _(
                "Đồng chí không còn trong buổi sinh hoạt này: âm thanh và hình ảnh đã đóng."
            ),
            "kicked": _(
                "Âm thanh và hình ảnh của đồng chí đã đóng ở đây: đã mở ở thẻ hoặc thiết bị khác,"
                " hoặc đồng chí không còn trong danh sách buổi sinh hoạt."
            ),
            "join": _("Tham gia âm thanh và hình ảnh"),
            "hall_joined": _(
                "Máy này đã kết nối làm thiết bị phòng họp: micrô và máy quay của phòng họp"
                " luôn mở, như micrô của chủ trì."
            ),
        },
    }
