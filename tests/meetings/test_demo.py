import datetime

import pytest
import time_machine
from django.core.management import call_command

from meetings import queries
from meetings.models import Meeting
from members import demo
from members.models import Organization

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

    assert Meeting.objects.count() == before == 32
