import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from meetings.models import Notification
from meetings.services.notifications import (
    mark_all_notifications_read,
    mark_notification_read,
    notify,
)
from tests.factories import MemberFactory

pytestmark = pytest.mark.integration


def test_a_notification_is_pushed_to_the_users_group_after_commit(
    db, django_capture_on_commit_callbacks
):
    user = MemberFactory().user
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(f"user.{user.pk}", channel)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notification = notify(
            user=user, kind="invitation", title="Giấy mời họp chi bộ", url="/sinh-hoat/1/"
        )
    pushed_before_commit = len(callbacks)
    for callback in callbacks:
        callback()
    message = async_to_sync(layer.receive)(channel)

    assert pushed_before_commit == 1
    assert message == {
        "type": "notification",
        "payload": {
            "id": notification.pk,
            "kind": "invitation",
            "title": "Giấy mời họp chi bộ",
            "body": "",
            "url": "/sinh-hoat/1/",
            "unread": 1,
        },
    }
    async_to_sync(layer.group_discard)(f"user.{user.pk}", channel)


def test_marking_read_one_and_all(db):
    user = MemberFactory().user
    first, *_others = [notify(user=user, kind="reminder", title=str(n)) for n in range(3)]

    mark_notification_read(user=user, notification=first)
    unread_after_one = Notification.objects.filter(user=user, read_at=None).count()
    marked = mark_all_notifications_read(user=user)

    assert unread_after_one == 2
    assert marked == 2
    assert Notification.objects.filter(user=user, read_at=None).count() == 0
