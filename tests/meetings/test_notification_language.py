"""A notification reads in its reader's language (the interface they chose), whatever language
the member whose action sent it was reading: on the notifications page and in the live push."""

import datetime

import pytest
import time_machine
from asgiref.sync import sync_to_async
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from config.asgi import application
from meetings.models import Invitation, Notification
from meetings.services import invitations as invitation_services
from meetings.services import scheduling
from tests.conftest import sign_in_verified
from tests.meetings.helpers import draft_meeting
from tests.sockets import PatientCommunicator as WebsocketCommunicator

pytestmark = pytest.mark.integration

START = datetime.datetime(2027, 3, 2, 12, 30, tzinfo=datetime.UTC)  # 19:30 in Hà Nội


@pytest.fixture(autouse=True)
def _vietnamese_after():
    """The language middleware activates the page's language in this thread: the next tests
    start in Vietnamese again."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def page_of(user, language: str) -> str:
    client = sign_in_verified(Client(), user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse("meetings:notifications"))
    assert response.status_code == 200
    return response.content.decode()


def ask_leave(scene, meeting, member, reason="Con ốm"):
    invitation = Invitation.objects.get(meeting=meeting, member=member)
    return invitation_services.reply_to_invitation(
        actor=member.user, invitation=invitation, reply="absent", reason=reason
    )


@time_machine.travel(START - datetime.timedelta(days=5), tick=False)
def test_a_notice_sent_by_a_vietnamese_reader_reads_in_english_for_an_english_reader(
    cell_scene,
):
    meeting = scheduling.schedule_meeting(
        actor=cell_scene.secretary.user, meeting=draft_meeting(cell_scene, starts_at=START)
    )
    invitation_services.send_meeting_notices(meeting=meeting)
    member = cell_scene.members[1]
    ask_leave(cell_scene, meeting, member)

    english = page_of(cell_scene.secretary.user, "en")
    vietnamese = page_of(cell_scene.deputy.user, "vi")

    # The meeting has no title: its name (kind and day) is the reader's language too.
    assert "Comrade Phạm Thị Lan asks to be excused: Regular meeting 02/03/2027" in english
    assert "xin vắng mặt" not in english
    assert "Con ốm" in english  # what the member wrote, as written
    # The invitation: the when line in the cell's zone, day first.
    assert "[Chi bộ Khu phố 5] Invitation: Regular meeting 02/03/2027, 19:30 02/03/2027" in english
    assert "Đồng chí Phạm Thị Lan xin vắng mặt: Sinh hoạt thường kỳ 02/03/2027" in vietnamese
    assert "[Chi bộ Khu phố 5] Giấy mời: Sinh hoạt thường kỳ 02/03/2027, 19:30 02/03/2027" in (
        vietnamese
    )


@time_machine.travel(START - datetime.timedelta(days=5), tick=False)
def test_a_notice_sent_by_an_english_reader_reads_in_vietnamese_for_a_vietnamese_reader(
    cell_scene,
):
    meeting = scheduling.schedule_meeting(
        actor=cell_scene.secretary.user, meeting=draft_meeting(cell_scene, starts_at=START)
    )
    member = cell_scene.members[0]
    with translation.override("en"):
        invitation = ask_leave(cell_scene, meeting, member, reason="Ốm")
        invitation_services.decide_absence(
            actor=cell_scene.deputy.user, invitation=invitation, approve=False, note="Cần có mặt"
        )

    vietnamese = page_of(member.user, "vi")
    english = page_of(member.user, "en")

    assert (
        "Lý do vắng mặt của đồng chí không được chấp thuận: Sinh hoạt thường kỳ 02/03/2027"
    ) in vietnamese
    assert "Cần có mặt" in vietnamese
    assert "not accepted" not in vietnamese
    assert "Regular meeting 02/03/2027" in english
    assert "không được chấp thuận" not in english


def test_a_notification_written_before_keys_shows_its_stored_text(cell_scene):
    # Rows from before notifications kept a message key keep the text they were written with.
    Notification.objects.create(
        user=cell_scene.secretary.user,
        kind="invitation",
        title="[Chi bộ Khu phố 5] Giấy mời: Sinh hoạt cũ, 19:30 02/03/2026",
        body="Thông báo cũ",
    )

    english = page_of(cell_scene.secretary.user, "en")

    assert "[Chi bộ Khu phố 5] Giấy mời: Sinh hoạt cũ, 19:30 02/03/2026" in english
    assert "Thông báo cũ" in english


def test_a_notification_whose_parameters_no_longer_fit_shows_its_stored_text(cell_scene):
    Notification.objects.create(
        user=cell_scene.secretary.user,
        kind="signature_awaited",
        message="signature_awaited",
        params={"document": "no-longer-a-kind"},
        title="Đến lượt đồng chí ký: Biên bản, Sinh hoạt cũ",
    )

    english = page_of(cell_scene.secretary.user, "en")

    assert "Đến lượt đồng chí ký: Biên bản, Sinh hoạt cũ" in english


def socket_of(user, language: str) -> WebsocketCommunicator:
    client = sign_in_verified(Client(), user)
    cookie = f"sessionid={client.session.session_key}; {settings.LANGUAGE_COOKIE_NAME}={language}"
    headers = [
        (b"origin", b"http://127.0.0.1:8000"),
        (b"host", b"127.0.0.1:8000"),
        (b"cookie", cookie.encode()),
    ]
    return WebsocketCommunicator(application, "/ws/notifications/", headers=headers)


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_the_live_push_speaks_each_socket_s_language(cell_scene):
    starts_at = timezone.now() + datetime.timedelta(days=30)
    meeting = await sync_to_async(
        lambda: scheduling.schedule_meeting(
            actor=cell_scene.secretary.user,
            meeting=draft_meeting(cell_scene, starts_at=starts_at),
        )
    )()
    english = await sync_to_async(socket_of)(cell_scene.secretary.user, "en")
    vietnamese = await sync_to_async(socket_of)(cell_scene.deputy.user, "vi")
    for socket in (english, vietnamese):
        connected, _ = await socket.connect()
        assert connected is True
        assert (await socket.receive_json_from())["type"] == "hello"

    await sync_to_async(ask_leave)(cell_scene, meeting, cell_scene.members[1])
    to_english = await english.receive_json_from()
    to_vietnamese = await vietnamese.receive_json_from()
    await english.disconnect()
    await vietnamese.disconnect()

    day = await sync_to_async(lambda: meeting.local_day.strftime("%d/%m/%Y"))()
    assert to_english["type"] == "notification"
    assert to_english["payload"]["title"] == (
        f"Comrade Phạm Thị Lan asks to be excused: Regular meeting {day}"
    )
    assert to_english["payload"]["body"] == "Con ốm"
    assert to_english["payload"]["unread"] == 1
    assert to_vietnamese["payload"]["title"] == (
        f"Đồng chí Phạm Thị Lan xin vắng mặt: Sinh hoạt thường kỳ {day}"
    )


@time_machine.travel(START - datetime.timedelta(days=5), tick=False)
def test_a_meeting_with_the_longest_title_still_gets_its_invitation_notices(cell_scene):
    # The subject ("[cell] Giấy mời: <title>, <when>") outgrew the stored title's 200
    # characters: the database refused the row and the periodic job failed.
    title = "Sinh hoạt chuyên đề " + "x" * 180
    meeting = scheduling.schedule_meeting(
        actor=cell_scene.secretary.user,
        meeting=draft_meeting(cell_scene, starts_at=START, title=title),
    )

    invitation_services.send_meeting_notices(meeting=meeting)

    stored = Notification.objects.get(user=cell_scene.secretary.user, kind="invitation")
    assert len(stored.title) == 200
    assert f"[Chi bộ Khu phố 5] Invitation: {title}, 19:30 02/03/2027" in page_of(
        cell_scene.secretary.user, "en"
    )
