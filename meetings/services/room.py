"""The live room's commands for the meeting itself: start and end it, open and close its agenda
items.

Every function here and in the sibling modules (attendance, speaking, voting) has one shape: in a
transaction, lock the meeting row, check the actor's role (`participants`), ask the charter where
a rule applies, write, append one MeetingEvent (broadcast after commit), and return a small
JSON-safe result. What a start and an end do is in `lifecycle`, shared with the scheduling pages.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings import events
from meetings.enums import MeetingStatus
from meetings.errors import RuleViolation
from meetings.models import AgendaItem
from meetings.services.participants import (
    current_item,
    iso_time,
    lock_meeting,
    participant,
    require_chair,
    require_in_progress,
    require_no_open_vote,
)
from meetings.services.scheduling import change_status
from meetings.services.speaking import close_floor_on
from members.models import User


@transaction.atomic
def start_meeting(*, meeting_id: int, actor: User) -> dict[str, Any]:
    """The chair opens the meeting from the live room (the same step as the page's button).

    The chair must also be allowed to manage the cell's meetings: the secretary chairs, or the
    deputy secretary in the secretary's absence (Hướng dẫn 12-HD/BTCTW on cell meetings)."""
    meeting = lock_meeting(meeting_id)
    require_chair(participant(meeting, actor))
    meeting = change_status(meeting=meeting, to_status=MeetingStatus.IN_PROGRESS, actor=actor)
    return {"started_at": iso_time(meeting.started_at)}


@transaction.atomic
def end_meeting(*, meeting_id: int, actor: User, reason: str = "") -> dict[str, Any]:
    """The chair closes the meeting; before the charter's minimum only with `reason`."""
    meeting = lock_meeting(meeting_id)
    require_chair(participant(meeting, actor))
    require_in_progress(meeting)
    meeting = change_status(
        meeting=meeting, to_status=MeetingStatus.ENDED, actor=actor, reason=reason
    )
    return {"ended_at": iso_time(meeting.ended_at), "early_end_reason": meeting.early_end_reason}


@transaction.atomic
def open_item(*, meeting_id: int, actor: User, item_id: int) -> dict[str, Any]:
    """The chair moves the meeting to an agenda item; the item that was open closes.

    Pending floor requests on the closed item lapse. Event `agenda.opened`.
    """
    meeting = lock_meeting(meeting_id)
    require_chair(participant(meeting, actor))
    require_in_progress(meeting)
    item = AgendaItem.objects.filter(meeting=meeting, pk=item_id).first()
    if item is None:
        raise RuleViolation(_("Không có nội dung này trong chương trình."), reason="not_found")
    now = timezone.now()
    previous = current_item(meeting)
    if previous is not None and previous.pk == item.pk:
        raise RuleViolation(_("Nội dung này đang được thảo luận."), reason="conflict")
    require_no_open_vote(meeting)
    if previous is not None:
        close_floor_on(meeting=meeting, item=previous, now=now)
        previous.closed_at = now
        previous.save(update_fields=["closed_at"])
    # Reopening an item that was closed continues it: its first opening time is kept.
    item.opened_at = item.opened_at or now
    item.closed_at = None
    item.save(update_fields=["opened_at", "closed_at"])
    payload = {"item": item.pk, "closed": previous.pk if previous else None, "at": iso_time(now)}
    events.append_event(meeting=meeting, event=events.AGENDA_OPENED, payload=payload, actor=actor)
    return payload


@transaction.atomic
def close_item(*, meeting_id: int, actor: User, item_id: int) -> dict[str, Any]:
    meeting = lock_meeting(meeting_id)
    require_chair(participant(meeting, actor))
    require_in_progress(meeting)
    item = current_item(meeting)
    if item is None or item.pk != item_id:
        raise RuleViolation(_("Nội dung này không đang mở."), reason="conflict")
    require_no_open_vote(meeting)
    now = timezone.now()
    close_floor_on(meeting=meeting, item=item, now=now)
    item.closed_at = now
    item.save(update_fields=["closed_at"])
    payload = {"item": item.pk, "at": iso_time(now)}
    events.append_event(meeting=meeting, event=events.AGENDA_CLOSED, payload=payload, actor=actor)
    return payload
