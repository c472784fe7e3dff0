"""The demo tells a believable year of a cell, relative to today (issue 13, defect 10): every
month of the year so far held with minutes signed in time, the next twelve months scheduled,
a meeting in progress a newcomer can enter, and honest messages on a new and an old database."""

import datetime
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from demo import roster as demo
from meetings import queries
from meetings.models import Meeting
from members.models import Organization, User
from minutes.authority import trusted_authorities
from minutes.models import SignedDocument
from minutes.review.dashboard import dashboard
from minutes.verification import verify_pdf
from tests.conftest import sign_in_verified

pytestmark = pytest.mark.integration

# Wednesday 20 May 2026, 09:00 in Hà Nội: the cells' first Tuesday and first Thursday of each
# month from January to May have passed, and the third Saturdays of February and May.
TODAY = datetime.datetime(2026, 5, 20, 2, 0, tzinfo=datetime.UTC)


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@time_machine.travel(TODAY, tick=False)
def test_the_demo_is_a_year_so_far_held_in_time_and_a_year_ahead_scheduled(db, mailoutbox):
    first = seed()
    before = Meeting.objects.count()
    again = seed()

    assert "Đã tạo dữ liệu mẫu" in first
    assert "Đã có" not in first
    assert "Dữ liệu mẫu đã có sẵn" in again
    assert Meeting.objects.count() == before == 2 * (5 + 2 + 12 + 4) + 1
    for name in demo.CELL_NAMES:
        cell = Organization.objects.get(name=name)
        meetings = Meeting.objects.filter(cell=cell)
        held = meetings.filter(status="archived").order_by("starts_at")
        assert [m.local_day.month for m in held.filter(kind="regular")] == [1, 2, 3, 4, 5]
        assert [m.local_day.month for m in held.filter(kind="thematic")] == [2, 5]
        for meeting in held:
            document = SignedDocument.objects.get(minutes__meeting=meeting, kind="minutes")
            assert document.status == "archived"
            assert document.archived_at - meeting.ended_at <= datetime.timedelta(days=7)
            assert meeting.ended_at - meeting.started_at >= datetime.timedelta(minutes=90)
        assert meetings.filter(kind="regular", status="scheduled").count() == 12
        assert meetings.filter(kind="thematic", status="scheduled").count() == 4
        plan = queries.year_plan(cell, 2026, datetime.date(2026, 12, 31))
        assert plan.planned.missing_months == plan.planned.missing_quarters == ()
    board = dashboard(Organization.objects.get(name=demo.GRASSROOTS_NAME), 2026, TODAY.date())
    figures = board.total
    assert (figures.missing_months, figures.missing_quarters) == (0, 0)
    assert (figures.unsigned, figures.overdue, figures.signed_late) == (0, 0, 0)
    assert (figures.short, figures.online_without_approval) == (0, 0)
    assert figures.compliant_cells == figures.cells == 2
    assert mailoutbox == []  # demo addresses are never mailed


@time_machine.travel(TODAY, tick=False)
def test_a_newcomer_enters_the_meeting_in_progress_at_once(db):
    seed()

    meeting = Meeting.objects.get(status="in_progress")
    client = sign_in_verified(Client(), User.objects.get(username="dangvien102"))
    listed = client.get(reverse("meetings:upcoming")).content.decode()
    detail = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    page = client.get(reverse("meetings:room", args=[meeting.pk]))

    assert listed.index(meeting.display_title) < listed.index("Sinh hoạt thường kỳ")
    assert "Vào phòng họp (đang họp)" in detail

    assert meeting.cell.name == demo.CELL_NAMES[0]
    assert meeting.started_at <= TODAY
    assert page.status_code == 200
    held = Meeting.objects.filter(status="archived").order_by("starts_at").last()
    document = SignedDocument.objects.get(minutes__meeting=held, kind="minutes")
    report = verify_pdf(
        bytes(document.signed_pdf), trusted=trusted_authorities(), archived_sha256=document.sha256
    )
    assert report.is_valid, report.verdict


@pytest.mark.django_db(transaction=True)
def test_demo_code_answers_without_loading_the_pdf_stack(tmp_path):
    """`manage.py demo_code` skips the system checks, which import every view and with them
    WeasyPrint and pyHanko (5–12 s on a loaded machine, for a code that lasts 30 s)."""
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        url = (
            f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:"
            f"{settings['PORT'] or 5432}/{settings['NAME']}"
        )
    else:
        url = f"sqlite:///{settings['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings"}
    root = Path(__file__).resolve().parents[2]

    run = subprocess.run(
        [sys.executable, "-X", "importtime", "manage.py", "demo_code", "nobody"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert "không phải tài khoản mẫu" in run.stderr
    assert "weasyprint" not in run.stderr
    assert "pyhanko" not in run.stderr


def test_seeded_again_weeks_later_the_demo_holds_the_meetings_it_had_scheduled(db):
    with time_machine.travel(datetime.datetime(2026, 1, 10, 2, 0, tzinfo=datetime.UTC)):
        seed()
    february = Meeting.objects.get(
        cell__name=demo.CELL_NAMES[0], kind="regular", starts_at__month=2, starts_at__year=2026
    )
    assert february.status == "scheduled"

    with time_machine.travel(datetime.datetime(2026, 2, 10, 2, 0, tzinfo=datetime.UTC)):
        again = seed()

    assert "Dữ liệu mẫu đã có sẵn" in again
    february.refresh_from_db()
    assert february.status == "archived"  # the scheduled meeting was held, not a second one
    for name in demo.CELL_NAMES:
        regular = Meeting.objects.filter(cell__name=name, kind="regular").exclude(
            status="cancelled"
        )
        months = [(m.local_day.year, m.local_day.month) for m in regular]
        assert len(months) == len(set(months))
