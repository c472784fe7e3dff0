"""Models of the meetings app, one module per aggregate."""

from meetings.models.agenda import AgendaItem
from meetings.models.documents import Document
from meetings.models.invitations import Delivery, Invitation
from meetings.models.meeting import Meeting, MeetingChange
from meetings.models.notifications import Notification

__all__ = [
    "AgendaItem",
    "Delivery",
    "Document",
    "Invitation",
    "Meeting",
    "MeetingChange",
    "Notification",
]
