"""Celery tasks: thin interfaces that load by id and call a service (EXAMPLES.md B5)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings

from meetings.models import Meeting
from meetings.services import attendance, invitations

logger = logging.getLogger(__name__)


@shared_task(name="meetings.send_due_notices")
def send_due_notices() -> int:
    """Run by Celery beat: every invitation and reminder now due, each sent once."""
    return invitations.send_due_notices()


@shared_task(name="meetings.sweep_presence_leases")
def sweep_presence_leases() -> int:
    """Run by Celery beat: closes the live-room connections of server processes that stopped
    renewing their lease (meetings/leases.py), also when no server holds a connection."""
    return attendance.sweep_expired_leases(lease_seconds=settings.PRESENCE_LEASE_SECONDS)


@shared_task(name="meetings.send_meeting_notices")
def send_meeting_notices(*, meeting_id: int) -> int:
    meeting = Meeting.objects.filter(pk=meeting_id).first()
    if meeting is None:
        logger.warning("meeting %s vanished before its notices were sent", meeting_id)
        return 0
    return invitations.send_meeting_notices(meeting=meeting)


@shared_task(name="meetings.send_status_notice")
def send_status_notice(*, meeting_id: int, kind: str) -> int:
    meeting = Meeting.objects.filter(pk=meeting_id).first()
    if meeting is None:
        logger.warning("meeting %s vanished before its %s notice was sent", meeting_id, kind)
        return 0
    return invitations.send_status_notice(meeting=meeting, kind=kind)
