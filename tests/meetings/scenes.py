"""Meeting rows for the `tree` fixture of tests/conftest.py, built through the services; used by
the permission matrix (tests/members/test_permission_matrix.py)."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from meetings.models import AgendaItem, Document, Invitation, Meeting, Notification
from meetings.services import agenda, documents, invitations, scheduling
from tests.meetings.helpers import MINIMAL_PDF


def tree_meeting(tree: SimpleNamespace) -> Meeting:
    """A scheduled regular meeting of the tree's cell with the regular agenda (built once)."""
    if not hasattr(tree, "meeting"):
        meeting = scheduling.create_meeting(
            actor=tree.secretary.user,
            cell=tree.cell,
            details=scheduling.MeetingDetails(
                kind="regular",
                mode="in_person",
                starts_at=timezone.now() + datetime.timedelta(days=30),
                planned_minutes=90,
                place="Hội trường",
            ),
        )
        agenda.apply_agenda_template(actor=tree.secretary.user, meeting=meeting, template="regular")
        tree.meeting = scheduling.schedule_meeting(actor=tree.secretary.user, meeting=meeting)
    return tree.meeting


def tree_agenda_item(tree: SimpleNamespace) -> AgendaItem:
    return tree_meeting(tree).agenda_items.order_by("position").first()


def tree_document(tree: SimpleNamespace) -> Document:
    return documents.add_document(
        actor=tree.secretary.user,
        meeting=tree_meeting(tree),
        upload=SimpleUploadedFile("nghi-quyet.pdf", MINIMAL_PDF),
        title="Dự thảo nghị quyết",
        classification="unclassified",
    )


def tree_absence(tree: SimpleNamespace) -> Invitation:
    """The tree's member asks to be excused."""
    meeting = tree_meeting(tree)
    invitation = Invitation.objects.get(meeting=meeting, member=tree.member)
    return invitations.reply_to_invitation(
        actor=tree.member.user, invitation=invitation, reply="absent", reason="Đi công tác"
    )


def tree_notification(tree: SimpleNamespace) -> Notification:
    """A notification of the tree's member (the secretary hears of the absence, the member of
    the decision)."""
    invitation = tree_absence(tree)
    invitations.decide_absence(actor=tree.secretary.user, invitation=invitation, approve=True)
    return Notification.objects.get(user=tree.member.user)
