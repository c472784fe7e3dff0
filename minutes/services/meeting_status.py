"""The meeting's states as the minutes see them, and the steps the minutes move it through
(approved minutes, archived minutes)."""

from __future__ import annotations

from meetings.enums import TRANSITIONS, MeetingStatus
from meetings.models import Meeting
from meetings.services.scheduling import change_status
from members import access as member_access
from members.models import User

# The recorder writes while the meeting runs (in the room) and after it ends, until approval.
AFTER_APPROVAL = frozenset({MeetingStatus.MINUTES_APPROVED, MeetingStatus.ARCHIVED})
# A held meeting; "minutes approved" and "archived" are included because the meeting page lets
# the secretary set those states by hand: the minutes' own state decides what may still happen.
HELD = frozenset({MeetingStatus.ENDED, *AFTER_APPROVAL})
WRITABLE_MEETING_STATUSES = frozenset({MeetingStatus.IN_PROGRESS, *HELD})


def move_meeting(meeting: Meeting, to_status: str, actor: User) -> None:
    """Only the cell's managers move a meeting's state; the chair (who must manage the cell to
    have run the meeting) stands in when the recorder completes a step."""
    meeting.refresh_from_db(fields=["status"])
    if to_status not in TRANSITIONS.get(meeting.status, frozenset()):
        return  # already there (set by hand on the meeting page) or past it
    if not member_access.may_manage_cell(actor, meeting.cell) and meeting.chair is not None:
        actor = meeting.chair.user or actor
    change_status(actor=actor, meeting=meeting, to_status=to_status)
