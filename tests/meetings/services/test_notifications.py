import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from meetings import notices
from meetings.models import Notification
from meetings.services.notifications import (
    mark_all_notifications_read,
    mark_notification_read,
    notify,
)
from tests.factories import MemberFactory
from tests.meetings.helpers import draft_meeting

pytestmark = pytest.mark.integration


def test_a_notification_is_pushed_to_the_users_group_after_commit(
    cell_scene, django_capture_on_commit_callbacks
):
    user = MemberFactory().user
    meeting = draft_meeting(cell_scene, title="Sinh hoạt chi bộ tháng 3")
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(f"user.{user.pk}", channel)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notification = notify(
            user=user,
            kind="absence_decided",
            message=notices.ABSENCE_APPROVED,
            params={"text": "Đồng ý"},
            url="/sinh-hoat/1/",
            meeting=meeting,
        )
    pushed_before_commit = len(callbacks)
    for callback in callbacks:
        callback()
    message = async_to_sync(layer.receive)(channel)

    assert pushed_before_commit == 1
    # In every language of the interface: each socket sends its page its own (members.consumers).
    assert message == {
        "type": "notification",
        "payload": {
            "id": notification.pk,
            "kind": "absence_decided",
            "url": "/sinh-hoat/1/",
            "unread": 1,
        },
        "texts": {
            "vi": {
                "title": f"Lý do vắng mặt của đồng chí được chấp thuận: {meeting.title}",
                "body": "Đồng ý",
            },
            "en": {
                "title": f"Your reason for absence was approved: {meeting.title}",
                "body": "Đồng ý",
            },
        },
    }
    async_to_sync(layer.group_discard)(f"user.{user.pk}", channel)


def test_marking_read_one_and_all(cell_scene):
    user = MemberFactory().user
    meeting = draft_meeting(cell_scene)
    first, *_others = [
        notify(
            user=user,
            kind="absence_requested",
            message=notices.ABSENCE_REQUESTED,
            params={"name": str(n), "text": ""},
            meeting=meeting,
        )
        for n in range(3)
    ]

    mark_notification_read(user=user, notification=first)
    unread_after_one = Notification.objects.filter(user=user, read_at=None).count()
    marked = mark_all_notifications_read(user=user)

    assert unread_after_one == 2
    assert marked == 2
    assert Notification.objects.filter(user=user, read_at=None).count() == 0
