"""In-app notifications: written in the caller's transaction, pushed live after commit."""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.utils import timezone

from meetings.models import Meeting, Notification
from members.models import User

logger = logging.getLogger(__name__)


def notify(
    *,
    user: User,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    meeting: Meeting | None = None,
) -> Notification:
    """Writes a notification; after commit, pushes it to the user's websocket group `user.<id>`
    (members.consumers.NotificationConsumer forwards it to every open page).

    `title` and `body` are stored as text, so callers write them in the product's language
    (`translation.override(settings.LANGUAGE_CODE)`, as the e-mails are), never in the language
    the acting user happens to read: the recipient may read another."""
    notification = Notification.objects.create(
        user=user, kind=kind, title=title, body=body, url=url, meeting=meeting
    )
    transaction.on_commit(lambda: push_notification(notification.pk), robust=True)
    return notification


def push_notification(notification_id: int) -> None:
    notification = Notification.objects.filter(pk=notification_id).first()
    if notification is None:
        return
    unread = Notification.objects.filter(user_id=notification.user_id, read_at=None).count()
    payload = {
        "id": notification.pk,
        "kind": notification.kind,
        "title": notification.title,
        "body": notification.body,
        "url": notification.url,
        "unread": unread,
    }
    layer = get_channel_layer()
    if layer is None:
        return
    # The database row is the truth; a lost push only means the count updates on the next page.
    try:
        async_to_sync(layer.group_send)(
            f"user.{notification.user_id}", {"type": "notification", "payload": payload}
        )
    except Exception:
        logger.warning("could not push notification %s", notification_id, exc_info=True)


def mark_notification_read(*, user: User, notification: Notification) -> Notification:
    if notification.user_id != user.pk:
        raise ValueError("a notification is read by its own recipient")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def mark_all_notifications_read(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at=None).update(read_at=timezone.now())
