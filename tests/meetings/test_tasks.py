import datetime
import email
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from icalendar import Calendar

from meetings.enums import DeliveryKind
from meetings.models import Delivery, Meeting, Notification
from meetings.services import scheduling
from meetings.tasks import send_due_notices, send_meeting_notices, send_status_notice
from tests.meetings.helpers import draft_meeting

pytestmark = pytest.mark.integration

WORKER_START_TIMEOUT = 60


def test_tasks_return_quietly_when_the_meeting_vanished(db, caplog):
    assert send_meeting_notices(meeting_id=987654) == 0
    assert send_status_notice(meeting_id=987654, kind="cancelled") == 0
    assert [r.getMessage() for r in caplog.records] == [
        "meeting 987654 vanished before its notices were sent",
        "meeting 987654 vanished before its cancelled notice was sent",
    ]


def test_the_periodic_task_is_in_the_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["meetings-send-due-notices"]

    assert entry["task"] == send_due_notices.name == "meetings.send_due_notices"
    assert entry["schedule"] == 300.0


def _prepare_due_reminders(scene):
    """A meeting whose invitations went out days ago and that starts in 30 minutes."""
    meeting = draft_meeting(scene, starts_at=timezone.now() + datetime.timedelta(days=3))
    scheduling.schedule_meeting(actor=scene.secretary.user, meeting=meeting)
    from meetings.services.invitations import send_meeting_notices as send_now

    send_now(meeting=meeting)
    Delivery.objects.filter(meeting=meeting).update(
        sent_at=timezone.now() - datetime.timedelta(days=3)
    )
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() + datetime.timedelta(minutes=30)
    )
    return meeting


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    not os.environ.get("REDIS_URL"),
    reason="needs REDIS_URL: a real Celery worker takes its tasks from Redis (CI sets it)",
)
def test_a_real_worker_sends_the_due_reminders_once(cell_scene, real_worker):
    meeting = _prepare_due_reminders(cell_scene)

    with real_worker.through_redis():
        queue = real_worker.queue
        first = send_due_notices.apply_async(queue=queue).get(timeout=WORKER_START_TIMEOUT)
        second = send_due_notices.apply_async(queue=queue).get(timeout=WORKER_START_TIMEOUT)
    output = real_worker.stop()

    recipients = 9  # the roll of eight and the committee member following the cell
    assert (first, second) == (recipients, 0), output
    reminders = Delivery.objects.filter(meeting=meeting, kind=DeliveryKind.REMINDER)
    assert reminders.count() == recipients
    assert set(reminders.values_list("key", flat=True)) == {
        f"60m@{meeting_start(meeting):%Y%m%dT%H%M%SZ}"
    }
    assert Notification.objects.filter(meeting=meeting, kind="reminder").count() == recipients
    sent = [
        message for path in sorted(real_worker.mail_dir.iterdir()) for message in _messages(path)
    ]
    assert len(sent) == recipients
    calendars = [
        Calendar.from_ical(part.get_payload(decode=True))
        for message in sent
        for part in message.walk()
        if part.get_content_type() == "text/calendar"
    ]
    assert {str(c.walk("VEVENT")[0]["UID"]) for c in calendars} == {
        f"meeting-{meeting.pk}@127.0.0.1"
    }


def meeting_start(meeting: Meeting) -> datetime.datetime:
    return Meeting.objects.get(pk=meeting.pk).starts_at.astimezone(datetime.UTC)


def _messages(path: Path) -> list[email.message.Message]:
    """The file backend writes each message followed by a line of 79 dashes."""
    chunks = path.read_bytes().split(b"\n" + b"-" * 79 + b"\n")
    return [email.message_from_bytes(chunk) for chunk in chunks if chunk.strip()]
