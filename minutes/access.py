"""Permission-checked loads of minutes and their documents, built on meetings.access.

- Whoever sees the meeting (the cell's members, reviewers above) sees the minutes page and
  downloads archived (signed) documents.
- The draft's words, the preview and unsigned PDFs are for the meeting's chair and recorder and
  the cell's secretary and deputy secretary.
- The public verification page (minutes.views.verification) shows a document's identity,
  signatures and hash, never its content.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from meetings import access as meeting_access
from meetings.models import Meeting
from members import access as member_access
from members import audit
from members.models import ReadKind, User
from minutes.models import Minutes, SignedDocument, SignerRole


def writer_roles(user: User, meeting: Meeting) -> set[str]:
    """ "chair" and/or "recorder" when the user holds that seat in this meeting."""
    member = member_access.member_of(user)
    if member is None:
        return set()
    roles: set[str] = set()
    if meeting.chair_id == member.pk:
        roles.add(SignerRole.CHAIR)
    if meeting.recorder_id == member.pk:
        roles.add(SignerRole.RECORDER)
    return roles


def may_read_draft(user: User, meeting: Meeting) -> bool:
    return bool(writer_roles(user, meeting)) or member_access.may_manage_cell(user, meeting.cell)


def minutes_of(meeting: Meeting) -> Minutes | None:
    return Minutes.objects.filter(meeting=meeting).first()


def access_meeting_for_draft(user: User, meeting_id: int) -> Meeting:
    meeting = meeting_access.access_meeting(user, meeting_id)
    if not may_read_draft(user, meeting):
        raise PermissionDenied
    return meeting


def access_document(user: User, document_id: int) -> SignedDocument:
    document = (
        SignedDocument.objects.select_related("minutes__meeting__cell", "agenda_item")
        .filter(pk=document_id, minutes__meeting__in=meeting_access.visible_meetings(user))
        .annotate(reader_inside=member_access.reader_inside(user, "minutes__meeting__cell"))
        .first()
    )
    if document is None:
        raise Http404
    # A read from outside the cell (a reviewer above) goes to the audit log (members.audit).
    audit.record_read(
        user,
        ReadKind.MINUTES,
        document.pk,
        document.minutes.meeting.cell_id,
        inside=document.reader_inside,
    )
    return document


def may_download(user: User, document: SignedDocument) -> bool:
    """The signed file once archived; before that only those who may read the draft."""
    if document.is_archived:
        return True
    return may_read_draft(user, document.minutes.meeting)


def may_open_archive(user: User, document: SignedDocument) -> bool:
    """For the public verification page: does this visitor also see the cell's documents?"""
    if not user.is_authenticated:
        return False
    return meeting_access.visible_meetings(user).filter(pk=document.minutes.meeting_id).exists()


def document_by_code(code: str) -> SignedDocument:
    document = (
        SignedDocument.objects.select_related("minutes__meeting__cell__parent")
        .filter(verification_code=code.strip().upper())
        .first()
    )
    if document is None:
        raise Http404
    return document
