"""The wording of in-app notifications, each kind's once, rendered in the reader's language.

A notification stores a message key and its parameters (`Notification.message`, `.params`) and
is rendered when it is shown, in the language of whoever reads it (the page's
active language, or a websocket's: meetings.services.notifications.push_notification). The
sender gives the parameters that do not depend on the language (names, what a member wrote,
a moment, a zone's name, an enum's value); what does (the meeting's name when it has no title,
a document kind, a role, a time line) is worked out here at display time by the message's
`values`. The stored `title` and `body` columns keep the Vietnamese rendering made when it was
sent: what the admin shows, what a row from before message keys (empty `message`) shows in every
language, and the fallback should a key ever be unknown or its parameters no longer fit.

The minutes app registers its own messages (minutes/notices.py); e-mail subjects use the same
messages, rendered in Vietnamese (members choose no language the server could mail them in).
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from meetings.models import Meeting, Notification
from members import zones

logger = logging.getLogger(__name__)

Values = Callable[[Meeting | None, Mapping[str, Any]], dict[str, Any]]


def meeting_values(meeting: Meeting | None, params: Mapping[str, Any]) -> dict[str, Any]:
    """The stored parameters, with the meeting's name (its title, else its kind and day, in the
    reader's language) and, when a moment is stored (`starts_at`, ISO 8601, with the member's own
    zone `own_zone` or ""), its time line in the cell's zone (members.zones.describe)."""
    values = dict(params)
    if meeting is not None:
        values["meeting"] = meeting.display_title
        if "starts_at" in params:
            own = params.get("own_zone") or None
            values["when"] = zones.describe(
                datetime.datetime.fromisoformat(params["starts_at"]),
                zones.of_cell(meeting.cell),
                zones.get(own) if own else None,
            )
    return values


@dataclass(frozen=True)
class Message:
    """One kind of notice's wording: `title` and `body` are gettext_lazy texts with %(name)s
    parameters. Without a `body` text, the body is the parameter `text` (what a member wrote,
    shown as written)."""

    key: str
    title: Promise
    body: Promise | None = None
    values: Values = meeting_values

    def render(self, meeting: Meeting | None, params: Mapping[str, Any]) -> tuple[str, str]:
        """Title and body in the active language, about `meeting`."""
        values = self.values(meeting, params)
        body = str(self.body) % values if self.body is not None else values.get("text", "")
        return str(self.title) % values, body


MESSAGES: dict[str, Message] = {}


def message(key: str, title: Promise, body: Promise | None = None, **kw: Any) -> Message:
    """Defines a message and registers it under its key (stored on each notification)."""
    if key in MESSAGES:
        raise ValueError(f"two notification messages named {key!r}")
    MESSAGES[key] = defined = Message(key, title, body, **kw)
    return defined


def render(notification: Notification) -> tuple[str, str]:
    """A notification's title and body in the active language; a row without a message key
    (written before they were kept) or with one no longer known shows its stored text."""
    defined = MESSAGES.get(notification.message)
    if defined is None:
        return notification.title, notification.body
    try:
        return defined.render(notification.meeting, notification.params)
    except (KeyError, ValueError, TypeError):
        # A parameter missing or no longer valid: the page still opens, with the text as sent.
        logger.warning("notification %s: could not render", notification.pk, exc_info=True)
        return notification.title, notification.body


# ---------------------------------------------------------------- the meetings app's notices

ABSENCE_REQUESTED = message("absence_requested", _("Đồng chí %(name)s xin vắng mặt: %(meeting)s"))
ABSENCE_APPROVED = message(
    "absence_approved", _("Lý do vắng mặt của đồng chí được chấp thuận: %(meeting)s")
)
ABSENCE_REJECTED = message(
    "absence_rejected", _("Lý do vắng mặt của đồng chí không được chấp thuận: %(meeting)s")
)
# Invitations, reminders and status notices: also the subject of their e-mail.
INVITATION = message("invitation", _("[%(cell)s] Giấy mời: %(meeting)s, %(when)s"))
INVITATION_UPDATE = message(
    "invitation_update", _("[%(cell)s] Thay đổi lịch: %(meeting)s, %(when)s")
)
REMINDER_HOURS = message(
    "reminder_hours",
    _("[%(cell)s] Nhắc lịch: %(meeting)s bắt đầu sau %(hours)s giờ (%(when)s)"),
)
REMINDER_MINUTES = message(
    "reminder_minutes",
    _("[%(cell)s] Nhắc lịch: %(meeting)s bắt đầu sau %(minutes)s phút (%(when)s)"),
)
POSTPONED = message("postponed", _("[%(cell)s] Hoãn: %(meeting)s, %(when)s"))
CANCELLED = message("cancelled", _("[%(cell)s] Hủy: %(meeting)s, %(when)s"))
