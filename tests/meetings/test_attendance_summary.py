"""The attendance summary written when a meeting ends, checked against the charter's own answer."""

import datetime

import pytest

from meetings import charter
from meetings.attendance_summary import write_summaries
from meetings.errors import RuleViolation
from meetings.models import Attendance, AttendanceSummary, Meeting, Vote
from meetings.room import live_attendance, roster_entries
from meetings.services import attendance, room
from meetings.services.voting import opening
from tests.factories import MemberFactory
from tests.meetings.helpers import EARLY_END
from tests.meetings.room.conftest import build_scene

pytestmark = pytest.mark.integration


@pytest.fixture
def scene(db):
    """The room's scene (chair, recorder, three officials, a probationary member, a member
    meeting here temporarily) and, in the same cell, an exempt and a suspended member."""
    scene = build_scene()
    scene.exempt = MemberFactory(
        home_cell=scene.cell, full_name="Đỗ Văn Hùng", exempt_from=datetime.date(2020, 1, 1)
    )
    scene.suspended = MemberFactory(
        home_cell=scene.cell, full_name="Bùi Văn Khoa", suspended_from=datetime.date(2020, 1, 1)
    )
    return scene


def held(scene, present, with_reason=(), *, end=True):
    """Start the meeting, let `present` join, mark `with_reason` absent with a reason."""
    room.start_meeting(meeting_id=scene.meeting.pk, actor=scene.chair.user)
    for member in present:
        attendance.join(meeting_id=scene.meeting.pk, actor=member.user, connection=f"c{member.pk}")
    for member in with_reason:
        attendance.mark(
            meeting_id=scene.meeting.pk,
            actor=scene.chair.user,
            member_id=member.pk,
            status="absent_with_reason",
            reason="Đi công tác",
        )
    if end:
        room.end_meeting(meeting_id=scene.meeting.pk, actor=scene.chair.user, reason=EARLY_END)
    return Meeting.objects.get(pk=scene.meeting.pk)


def charter_answer(meeting: Meeting) -> charter.AttendanceCriterion:
    """What the live room asks the charter engine: its roster and the roll."""
    return charter.attendance_criterion(roster_entries(meeting), live_attendance(meeting))


def test_ending_a_meeting_keeps_the_charters_attendance_figures(scene):
    meeting = held(
        scene,
        present=[
            scene.chair,
            scene.recorder,
            scene.officials[0],
            scene.probationary,
            scene.exempt,
            scene.temporary,
        ],
        with_reason=[scene.officials[1]],
    )  # officials[2] and the suspended member never came: absent without reason

    summary = AttendanceSummary.objects.get(meeting=meeting)
    expected = charter_answer(meeting)
    # Counted: the chair, the recorder, three officials and the probationary member; not the
    # exempt, the suspended or the temporary member.
    assert (summary.denominator, summary.present) == (expected.denominator, expected.present)
    assert (summary.denominator, summary.present) == (6, 4)
    assert summary.absent_with_reason == 1
    assert summary.absent_without_reason == len(expected.absent_without_reason) == 1
    assert summary.rate_tenths == expected.rate_tenths == 667
    assert summary.criterion_met is expected.criterion_met is False
    assert summary.roll == Attendance.objects.filter(meeting=meeting).count() == 9


def test_a_member_who_left_early_with_reason_counts_as_having_attended(scene):
    """R-Q1 counts the members who attended ("dự sinh hoạt"): one who joined and then left with
    the chair's approval ("xin về sớm") is present, not absent with reason."""
    counted = [scene.chair, scene.recorder, *scene.officials, scene.probationary]
    meeting = held(scene, present=counted, with_reason=[scene.officials[0]])

    summary = AttendanceSummary.objects.get(meeting=meeting)
    expected = charter_answer(meeting)
    assert (summary.present, summary.denominator, summary.rate_tenths) == (6, 6, 1000)
    assert (expected.present, expected.rate_tenths) == (6, 1000)
    assert summary.absent_with_reason == summary.absent_without_reason == 0
    assert summary.criterion_met is expected.criterion_met is True


def test_the_uncounted_members_absence_does_not_sink_the_criterion(scene):
    counted = [scene.chair, scene.recorder, *scene.officials, scene.probationary]
    meeting = held(scene, present=counted)  # exempt, suspended, temporary: absent, no reason

    summary = AttendanceSummary.objects.get(meeting=meeting)
    expected = charter_answer(meeting)
    assert expected.criterion_met is True
    assert (summary.present, summary.denominator, summary.rate_tenths) == (6, 6, 1000)
    assert summary.absent_without_reason == summary.absent_with_reason == 0
    assert summary.criterion_met is True


def test_no_summary_when_the_meeting_could_not_end(scene):
    held(scene, present=[scene.chair, scene.recorder, *scene.officials], end=False)
    room.open_item(meeting_id=scene.meeting.pk, actor=scene.chair.user, item_id=scene.items[2].pk)
    opening.open_vote(
        meeting_id=scene.meeting.pk,
        actor=scene.chair.user,
        kind="resolution",
        question="Thông qua nghị quyết tháng",
    )
    assert Vote.objects.filter(meeting=scene.meeting, status="open").exists()

    with pytest.raises(RuleViolation):
        room.end_meeting(meeting_id=scene.meeting.pk, actor=scene.chair.user, reason=EARLY_END)

    assert not AttendanceSummary.objects.filter(meeting=scene.meeting).exists()


def test_the_backfill_gives_what_the_end_of_the_meeting_gave(scene):
    """The data migration's computation (write_summaries) for meetings ended before."""
    meeting = held(
        scene,
        present=[scene.chair, scene.officials[0], scene.temporary],
        with_reason=[scene.recorder, scene.exempt],
    )
    written = AttendanceSummary.objects.filter(meeting=meeting).values().get()
    AttendanceSummary.objects.all().delete()
    no_roll = Meeting.objects.create(
        cell=scene.cell, kind="regular", status="ended", starts_at=meeting.starts_at
    )

    write_summaries(
        Meeting.objects.filter(status="ended"),
        summary_model=AttendanceSummary,
        roll_model=Attendance,
    )

    again = AttendanceSummary.objects.filter(meeting=meeting).values().get()
    assert {k: v for k, v in again.items() if k != "computed_at"} == {
        k: v for k, v in written.items() if k != "computed_at"
    }
    empty = AttendanceSummary.objects.get(meeting=no_roll)
    assert (empty.roll, empty.denominator, empty.rate_tenths, empty.criterion_met) == (
        0,
        0,
        None,
        False,
    )


@pytest.mark.django_db(transaction=True)
def test_the_migration_summarises_the_meetings_that_ended_before_it():
    """Migration meetings/0004 run on a database with an ended meeting (its historical models)."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    scene = build_scene()
    scene.exempt = MemberFactory(home_cell=scene.cell, exempt_from=datetime.date(2020, 1, 1))
    scene.suspended = MemberFactory(home_cell=scene.cell, suspended_from=datetime.date(2020, 1, 1))
    meeting = held(
        scene,
        present=[scene.chair, scene.officials[0], scene.exempt, scene.temporary],
        with_reason=[scene.recorder],
    )
    fields = ["roll", "denominator", "present", "absent_with_reason", "absent_without_reason"]
    fields += ["rate_tenths", "criterion_met"]
    at_the_end = AttendanceSummary.objects.filter(meeting=meeting).values(*fields).get()

    executor = MigrationExecutor(connection)
    executor.migrate([("meetings", "0003_election_ratification")])  # before the summary
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert AttendanceSummary.objects.filter(meeting=meeting).values(*fields).get() == at_the_end
    assert (at_the_end["denominator"], at_the_end["present"]) == (6, 2)
