"""In-app notifications: written in the caller's transaction, pushed live after commit."""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from meetings import notices
from meetings.models import Meeting, Notification
from members.models import User

logger = logging.getLogger(__name__)


def notify(
    *,
    user: User,
    kind: str,
    message: notices.Message,
    params: dict[str, Any] | None = None,
    url: str = "",
    meeting: Meeting | None = None,
) -> Notification:
    """Writes a notification; after commit, pushes it to the user's websocket group `user.<id>`
    (members.consumers.NotificationConsumer forwards it to every open page).

    It keeps `message` and `params` and is rendered in its reader's language wherever it is
    shown (meetings.notices); its Vietnamese text is stored too (`title`, `body`)."""
    params = params or {}
    with translation.override(settings.LANGUAGE_CODE):
        title, body = message.render(meeting, params)
    # The stored title is the fallback and the admin's: cut to its column (a meeting's title
    # alone may fill it); the page renders the whole.
    title = title[: Notification._meta.get_field("title").max_length]
    notification = Notification.objects.create(
        user=user,
        kind=kind,
        message=message.key,
        params=params,
        title=title,
        body=body,
        url=url,
        meeting=meeting,
    )
    transaction.on_commit(lambda: push_notification(notification.pk), robust=True)
    return notification


def texts_by_language(notification: Notification) -> dict[str, dict[str, str]]:
    """The notification's title and body in each language of the interface."""
    texts = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            title, body = notices.render(notification)
        texts[language] = {"title": title, "body": body}
    return texts


def push_notification(notification_id: int) -> None:
    """The push carries the notice in every language of the interface (two); each socket sends
    its page the one it speaks (NotificationConsumer.notification), so the recipient's pages in
    English and in Vietnamese each read it in theirs, with no query per socket."""
    notification = (
        Notification.objects.filter(pk=notification_id).select_related("meeting__cell").first()
    )
    if notification is None:
        return
    unread = Notification.objects.filter(user_id=notification.user_id, read_at=None).count()
    payload = {
        "id": notification.pk,
        "kind": notification.kind,
        "url": notification.url,
        "unread": unread,
    }
    event = {"type": "notification", "payload": payload, "texts": texts_by_language(notification)}
    layer = get_channel_layer()
    if layer is None:
        return
    # The database row is the truth; a lost push only means the count updates on the next page.
    try:
        async_to_sync(layer.group_send)(f"user.{notification.user_id}", event)
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
