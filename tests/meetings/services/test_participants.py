"""The secretary's prologue (`meetings.services.participants.lock_meeting_for_management`)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from meetings.enums import PREPARATION_STATUSES, MeetingStatus
from meetings.errors import RuleViolation
from meetings.models import Meeting
from meetings.services.participants import lock_meeting_for_management
from tests.meetings.helpers import draft_meeting

pytestmark = pytest.mark.integration


def test_the_secretary_gets_the_meeting_locked_with_its_cell(cell_scene):
    meeting = draft_meeting(cell_scene)

    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        locked = lock_meeting_for_management(
            cell_scene.secretary.user, meeting.pk, statuses=PREPARATION_STATUSES
        )
        locked_sql = queries.captured_queries[0]["sql"]

    assert (locked.pk, locked.cell.name) == (meeting.pk, "Chi bộ Khu phố 5")
    assert "FOR UPDATE" in locked_sql


@pytest.mark.parametrize("who", ["members", "follower", "outsider"])
def test_anyone_who_does_not_manage_the_cell_is_refused(cell_scene, who):
    meeting = draft_meeting(cell_scene)
    people = getattr(cell_scene, who)
    actor = (people[0] if isinstance(people, list) else people).user

    with transaction.atomic(), pytest.raises(PermissionDenied):
        lock_meeting_for_management(actor, meeting.pk)


def test_a_status_the_change_does_not_allow_is_refused_with_the_callers_message(cell_scene):
    meeting = draft_meeting(cell_scene)
    Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.CANCELLED)

    with transaction.atomic(), pytest.raises(RuleViolation) as refused:
        lock_meeting_for_management(
            cell_scene.secretary.user,
            meeting.pk,
            statuses=PREPARATION_STATUSES,
            refusal="Chỉ sửa được buổi sinh hoạt chưa bắt đầu.",
        )

    assert refused.value.message == "Chỉ sửa được buổi sinh hoạt chưa bắt đầu."


def test_without_statuses_any_status_is_accepted(cell_scene):
    meeting = draft_meeting(cell_scene)
    Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.CANCELLED)

    with transaction.atomic():
        locked = lock_meeting_for_management(cell_scene.deputy.user, meeting.pk)

    assert locked.status == MeetingStatus.CANCELLED
