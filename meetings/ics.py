"""iCalendar (.ics) files for invitations, updates and cancellations. Reads, never writes."""

from __future__ import annotations

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from meetings.enums import MeetingStatus
from meetings.models import AgendaItem, Meeting
from members import zones

PRODID = "-//Chi bo truc tuyen//Lich sinh hoat chi bo//VI"


def uid_for(meeting: Meeting) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"meeting-{meeting.pk}@{host}"


def meeting_url(meeting: Meeting) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("meetings:detail", args=[meeting.pk])


def location_of(meeting: Meeting) -> str:
    return " · ".join(part for part in (meeting.place, meeting.online_room) if part)


def calendar_for(
    meeting: Meeting,
    agenda: list[AgendaItem],
    *,
    attendee_email: str = "",
    attendee_name: str = "",
    cancel: bool = False,
) -> bytes:
    """A one-event calendar. METHOD:REQUEST adds or updates the event in the member's calendar
    (same UID, higher SEQUENCE); METHOD:CANCEL removes it (postponed or cancelled)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancel else "REQUEST")

    event = Event()
    event.add("uid", uid_for(meeting))
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", timezone.now().astimezone(datetime.UTC))
    zone = zones.of_cell(meeting.cell)  # with its VTIMEZONE: calendars convert to their own
    event.add("dtstart", meeting.starts_at.astimezone(zone))
    event.add("dtend", meeting.ends_at.astimezone(zone))
    event.add("summary", f"{meeting.display_title} – {meeting.cell.name}")
    location = location_of(meeting)
    if location:
        event.add("location", location)
    lines = [f"{item.position}. {item.title} ({item.planned_minutes} phút)" for item in agenda]
    if meeting.status_reason and meeting.status in (
        MeetingStatus.POSTPONED,
        MeetingStatus.CANCELLED,
    ):
        lines.insert(0, f"Lý do: {meeting.status_reason}")
    lines.append(meeting_url(meeting))
    event.add("description", "\n".join(lines))
    event.add("url", meeting_url(meeting))
    # A draft is not announced yet (RFC 5545 STATUS: TENTATIVE until it is scheduled).
    status = "TENTATIVE" if meeting.status == MeetingStatus.DRAFT else "CONFIRMED"
    event.add("status", "CANCELLED" if cancel else status)
    organizer = vCalAddress(f"mailto:{settings.DEFAULT_FROM_EMAIL}")
    organizer.params["cn"] = vText(meeting.cell.name)
    event.add("organizer", organizer)
    if attendee_email:
        attendee = vCalAddress(f"mailto:{attendee_email}")
        attendee.params["cn"] = vText(attendee_name or attendee_email)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = vText("NEEDS-ACTION")
        event.add("attendee", attendee)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
