"""Permission-checked loads of meetings and what hangs off them, built on members.access.

- The cell's members (home and temporary) and reviewers above see its announced meetings;
  a draft is seen only by the cell's secretary and deputy secretary, who manage meetings.
- Anything out of reach is a 404, exactly like a missing row; someone who sees a meeting but
  may not manage it gets 403 on management pages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from meetings.enums import MeetingStatus
from meetings.models import Document, Invitation, Meeting, Notification
from members import access as member_access
from members import audit, zones
from members.access import ReaderInside
from members.enums import Level
from members.models import Organization, ReadKind, User

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


def visible_meetings(user: User) -> QuerySet[Meeting]:
    managed = member_access.managed_cell_ids(member_access.member_of(user))
    return Meeting.objects.filter(
        ~Q(status=MeetingStatus.DRAFT) | Q(cell_id__in=managed),
        cell__in=member_access.visible_cells(user),
    )


def still_visible(pairs: list[tuple[User, int]]) -> set[tuple[int, int]]:
    """The (user id, meeting id) pairs whose meeting the user may see, as `visible_meetings`
    decides, for many pairs at once (a process's periodic re-check of its room sockets): four
    queries whatever the number of pairs."""
    if not pairs:
        return set()
    sights = member_access.sights_of([user for user, _ in pairs])
    meetings = {
        pk: (status, cell_id, path, level)
        for pk, status, cell_id, path, level in Meeting.objects.filter(
            pk__in={meeting_id for _, meeting_id in pairs}
        ).values_list("pk", "status", "cell_id", "cell__path", "cell__level")
    }
    visible = set()
    for user, meeting_id in pairs:
        found = meetings.get(meeting_id)
        sight = sights.get(user.pk, member_access.NO_SIGHT)
        if found is None:
            continue
        status, cell_id, path, level = found
        if (status != MeetingStatus.DRAFT or cell_id in sight.managed) and sight.sees_cell(
            cell_id, path, level
        ):
            visible.add((user.pk, meeting_id))
    return visible


def may_manage_meetings_of(user: User, cell: Organization) -> bool:
    return member_access.may_manage_cell(user, cell)


def reviews_cell(user: User, cell: Organization) -> bool:
    """Holds a committee seat above the cell (and so reads its meetings' history)."""
    seats = member_access.review_seats(member_access.member_of(user))
    return any(cell.path.startswith(seat.organization.path) for seat in seats)


def ensure_may_manage(user: User, cell: Organization) -> None:
    """For services: only the cell's secretary or deputy secretary prepares its meetings."""
    if not may_manage_meetings_of(user, cell):
        raise PermissionDenied


def _visible_meeting(user: User, meeting_id: int) -> WithAnnotations[Meeting, ReaderInside]:
    meeting = (
        visible_meetings(user)
        .select_related("cell", "cell__parent", "chair", "recorder")
        .annotate(
            reader_inside=member_access.reader_inside(user, "cell"),
            zone_key=zones.annotation("cell__path"),
        )
        .filter(pk=meeting_id)
        .first()
    )
    if meeting is None:
        raise Http404
    zones.remember(meeting.cell, meeting.zone_key)
    zones.activate_for(meeting.cell)  # the page speaks the cell's time
    return meeting


def access_meeting(user: User, meeting_id: int) -> Meeting:
    """A meeting the user may see; a read from outside the cell is logged (members.audit)."""
    meeting = _visible_meeting(user, meeting_id)
    audit.record_read(
        user, ReadKind.MEETING, meeting.pk, meeting.cell_id, inside=meeting.reader_inside
    )
    return meeting


def access_room(user: User, meeting_id: int) -> Meeting:
    """`access_meeting` for the live room's handshake, which a whole meeting makes at once at its
    start: a member of the meeting's own cell (home, or temporary today) sees its announced
    meetings and reads from inside (nothing to log), decided from the member's own row as
    `participants` does, in two queries; anyone else (a reviewer, a draft) goes through the full
    rule and its read log. (The full rule's query was most of a handshake's database time:
    docs/benchmarks.md.)"""
    member = member_access.member_of(user)
    if member is not None:
        meeting = (
            Meeting.objects.select_related("cell", "cell__parent", "chair", "recorder")
            .annotate(zone_key=zones.annotation("cell__path"))
            .filter(
                pk=meeting_id,
                cell_id__in=member_access.own_cell_ids(member),
                cell__level=Level.CELL,
            )
            .exclude(status=MeetingStatus.DRAFT)
            .first()
        )
        if meeting is not None:
            zones.remember(meeting.cell, meeting.zone_key)
            zones.activate_for(meeting.cell)
            return meeting
    return access_meeting(user, meeting_id)


def still_sees(user: User, meeting: Meeting) -> bool:
    """Whether the user may still see `meeting`, loaded earlier through `access_room` or
    `access_meeting` (the live room asks again while the socket is open). An announced meeting
    never becomes a draft again, nor changes cell, so for a member of its cell the member's own
    row decides, in one query; anyone else goes through `visible_meetings`."""
    member = member_access.member_of(user)
    if (
        member is not None
        and meeting.status != MeetingStatus.DRAFT
        and meeting.cell_id in member_access.own_cell_ids(member)
    ):
        return True
    return visible_meetings(user).filter(pk=meeting.pk).exists()


def access_meeting_for_management(user: User, meeting_id: int) -> Meeting:
    meeting = _visible_meeting(user, meeting_id)
    if not may_manage_meetings_of(user, meeting.cell):
        raise PermissionDenied
    return meeting


def access_document(user: User, meeting_id: int, document_id: int) -> Document:
    meeting = _visible_meeting(user, meeting_id)
    document = Document.objects.filter(meeting=meeting, pk=document_id).first()
    if document is None:
        raise Http404
    audit.record_read(
        user, ReadKind.DOCUMENT, document.pk, meeting.cell_id, inside=meeting.reader_inside
    )
    document.meeting = meeting
    return document


def access_own_invitation(user: User, meeting_id: int) -> Invitation:
    """The user's own invitation to a meeting they can see; 403 when they were not invited."""
    meeting = _visible_meeting(user, meeting_id)
    member = member_access.member_of(user)
    invitation = Invitation.objects.filter(meeting=meeting, member=member).first()
    if member is None or invitation is None:
        raise PermissionDenied
    invitation.meeting = meeting
    return invitation


def access_invitation_for_management(user: User, meeting_id: int, invitation_id: int) -> Invitation:
    meeting = access_meeting_for_management(user, meeting_id)
    invitation = (
        Invitation.objects.select_related("member")
        .filter(meeting=meeting, pk=invitation_id)
        .first()
    )
    if invitation is None:
        raise Http404
    invitation.meeting = meeting
    return invitation


def access_notification(user: User, notification_id: int) -> Notification:
    notification = Notification.objects.filter(user=user, pk=notification_id).first()
    if notification is None:
        raise Http404
    return notification
