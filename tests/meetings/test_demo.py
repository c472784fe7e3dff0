import datetime

import pytest
import time_machine
from django.core.management import call_command

from meetings import queries
from meetings.models import Meeting
from members import demo
from members.models import Organization
from minutes.authority import trusted_authorities
from minutes.models import Minutes, SignedDocument
from minutes.verification import verify_pdf

pytestmark = pytest.mark.integration


@time_machine.travel(datetime.datetime(2026, 11, 22, 2, 0, tzinfo=datetime.UTC), tick=False)
def test_seed_demo_schedules_a_year_of_regular_and_thematic_meetings_per_cell(db, mailoutbox):
    call_command("seed_demo", verbosity=0)

    for name in demo.CELL_NAMES:
        cell = Organization.objects.get(name=name)
        meetings = Meeting.objects.filter(cell=cell)
        assert meetings.filter(kind="regular", status="scheduled").count() == 12
        assert meetings.filter(kind="thematic", status="scheduled").count() == 4
        plan = queries.year_plan(cell, 2027, datetime.date(2027, 12, 31))
        assert plan.planned.missing_quarters == ()
        assert plan.planned.missing_months == (12,)  # December 2027 is past the twelve months
        first = meetings.order_by("starts_at").first()
        assert len(queries.agenda_for(first)) == 10
        assert first.chair.user.username.startswith("bithu")
    assert mailoutbox == []  # demo addresses are never mailed


@time_machine.travel(datetime.datetime(2026, 11, 22, 2, 0, tzinfo=datetime.UTC), tick=False)
def test_seed_demo_twice_adds_no_meeting(db):
    call_command("seed_demo", verbosity=0)
    before = Meeting.objects.count()

    call_command("seed_demo", verbosity=0)

    assert Meeting.objects.count() == before == 36  # 16 planned and 2 held per cell
    assert SignedDocument.objects.archived().count() == Minutes.objects.count() == 4


@time_machine.travel(datetime.datetime(2026, 11, 22, 2, 0, tzinfo=datetime.UTC), tick=False)
def test_seed_demo_holds_two_past_meetings_per_cell_with_signed_minutes(db):
    call_command("seed_demo", verbosity=0)

    for name in demo.CELL_NAMES:
        cell = Organization.objects.get(name=name)
        held = Meeting.objects.filter(cell=cell, status="archived").order_by("starts_at")
        assert [m.local_day.month for m in held] == [9, 10]
        for meeting in held:
            assert meeting.events.filter(event="vote.closed").count() == 2
            assert meeting.speaking_turns.exclude(note="").count() == 5
            minutes = Minutes.objects.get(meeting=meeting)
            assert (minutes.status, minutes.approval_kind) == ("archived", "read_back_vote")
            document = minutes.documents.get(kind="minutes")
            assert document.status == "archived"
            assert [s.signer for s in document.signatures.order_by("signed_at")] == [
                meeting.chair,
                meeting.recorder,
            ]
            report = verify_pdf(
                bytes(document.signed_pdf),
                trusted=trusted_authorities(),
                archived_sha256=document.sha256,
            )
            assert report.is_valid, report.verdict
