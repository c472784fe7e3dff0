"""Minutes rows for the `tree` fixture of tests/conftest.py, built through the services; used by
the permission matrix (tests/members/test_permission_matrix.py) and the view tests."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from django.utils import timezone

from meetings.models import Meeting
from meetings.services import agenda, attendance, room, scheduling
from minutes.models import DocumentKind, SignedDocument
from minutes.services import approval, drafting, rendering, signing
from tests.meetings.helpers import EARLY_END
from tests.minutes.flow import EDITS, code_for


def tree_ended_meeting(tree: SimpleNamespace) -> Meeting:
    """A regular meeting of the tree's cell, held and ended: the secretary chairs and records,
    the member attends; no read-back vote."""
    if not hasattr(tree, "ended_meeting"):
        actor = tree.secretary.user
        meeting = scheduling.create_meeting(
            actor=actor,
            cell=tree.cell,
            details=scheduling.MeetingDetails(
                kind="regular",
                mode="in_person",
                starts_at=timezone.now() + datetime.timedelta(hours=1),
                planned_minutes=90,
                place="Hội trường",
                chair=tree.secretary,
                recorder=tree.secretary,
            ),
        )
        agenda.apply_agenda_template(actor=actor, meeting=meeting, template="regular")
        scheduling.schedule_meeting(actor=actor, meeting=meeting)
        room.start_meeting(meeting_id=meeting.pk, actor=actor)
        for member in (tree.secretary, tree.member):
            attendance.join(meeting_id=meeting.pk, actor=member.user, connection=f"c{member.pk}")
        room.end_meeting(meeting_id=meeting.pk, actor=actor, reason=EARLY_END)
        meeting.refresh_from_db()
        tree.ended_meeting = meeting
    return tree.ended_meeting


def tree_minutes_document(tree: SimpleNamespace) -> SignedDocument:
    """The ended meeting's minutes, approved, rendered and signed (chair and recorder are the
    same secretary: two successive codes)."""
    if not hasattr(tree, "minutes_document"):
        meeting = tree_ended_meeting(tree)
        actor = tree.secretary.user
        drafting.save_edits(actor=actor, meeting=meeting, edits=EDITS)
        approval.approve(actor=actor, meeting=meeting)
        document = SignedDocument.objects.get(minutes__meeting=meeting, kind=DocumentKind.MINUTES)
        rendering.render_document(document_id=document.pk)
        signing.sign_document(actor=actor, document=document, code=code_for(actor))
        tree.minutes_document = signing.sign_document(
            actor=actor, document=document, code=code_for(actor, 1)
        )
    return tree.minutes_document


def tree_archived_meeting(tree: SimpleNamespace) -> Meeting:
    return tree_minutes_document(tree).minutes.meeting
