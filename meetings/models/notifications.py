from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from meetings.enums import NotificationKind


class Notification(models.Model):
    """An in-app notice for one account; the header shows how many are unread."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    meeting = models.ForeignKey(
        "meetings.Meeting",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(max_length=30, choices=NotificationKind.choices)
    # What it says: a message (meetings.notices) and its parameters, rendered in the reader's
    # language when shown. `title` and `body` keep its Vietnamese text as sent, shown for rows
    # from before messages were kept (empty `message`).
    message = models.CharField(max_length=40, blank=True)
    params = models.JSONField(default=dict, blank=True)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return self.title
