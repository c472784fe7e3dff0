"""Meeting rows for the `tree` fixture of tests/conftest.py, built through the services; used by
the permission matrix (tests/members/test_permission_matrix.py)."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from meetings.models import AgendaItem, Document, Invitation, Meeting, Notification, Vote
from meetings.services import agenda, attendance, documents, invitations, room, scheduling
from meetings.services.voting import opening
from tests.meetings import ballots
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


def tree_election(tree: SimpleNamespace) -> Vote:
    """An election held in the live room of the tree's cell: the member is elected secretary by
    both official members (more than half of N = 2); awaiting ratification."""
    if not hasattr(tree, "election"):
        meeting = Meeting.objects.create(
            cell=tree.cell,
            kind="regular",
            mode="in_person",
            starts_at=timezone.now() + datetime.timedelta(minutes=5),
            chair=tree.secretary,
            recorder=tree.member,
            status="scheduled",
        )
        item = AgendaItem.objects.create(
            meeting=meeting, position=1, kind="resolution", title="Bầu bí thư chi bộ"
        )
        room.start_meeting(meeting_id=meeting.pk, actor=tree.secretary.user)
        for member in (tree.secretary, tree.member):
            attendance.join(meeting_id=meeting.pk, actor=member.user, connection=f"c{member.pk}")
        room.open_item(meeting_id=meeting.pk, actor=tree.secretary.user, item_id=item.pk)
        opened = opening.open_vote(
            meeting_id=meeting.pk,
            actor=tree.secretary.user,
            kind="election",
            question="Bầu bí thư chi bộ nhiệm kỳ 2027–2030",
            options={"candidates": [tree.member.pk], "seats": 1, "post": "secretary"},
        )
        for member in (tree.secretary, tree.member):
            ballots.cast(meeting.pk, member, opened["vote"], [tree.member.pk])
        ballots.close(meeting.pk, tree.secretary, opened["vote"])
        tree.election = Vote.objects.get(pk=opened["vote"])
    return tree.election
