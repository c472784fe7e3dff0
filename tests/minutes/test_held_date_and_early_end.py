"""Issue 13, defects 5 and 6 in the minutes: they carry the day the meeting was held (its start
in the cell's time zone), never only the day it was called for, and an early end's reason."""

import datetime
import uuid

import pytest
import time_machine

from meetings import events
from meetings.models import Meeting
from minutes import document as doc
from minutes import rendering
from minutes.drafting import Edits, draft_minutes
from tests.meetings.helpers import EARLY_END
from tests.meetings.room.conftest import build_scene
from tests.minutes.conftest import poppler
from tests.minutes.flow import run_meeting

pytestmark = pytest.mark.integration

# Called for 00:30 on 01/01/2027 in Hà Nội; started at 23:45 on 31/12/2026, within the hour
# before: held on 31/12/2026, in December.
CALLED_FOR = datetime.datetime(2026, 12, 31, 17, 30, tzinfo=datetime.UTC)
STARTED = datetime.datetime(2026, 12, 31, 16, 45, tzinfo=datetime.UTC)


@pytest.fixture
def held_early(db):
    scene = build_scene()
    Meeting.objects.filter(pk=scene.meeting.pk).update(starts_at=CALLED_FOR)
    with time_machine.travel(STARTED, tick=True):
        meeting = run_meeting(scene)
    integrity = doc.Integrity(
        str(uuid.uuid4()), events.verify_chain(meeting), "http://127.0.0.1:8000/x/abc"
    )
    return draft_minutes(meeting, Edits(conclusion="Chi bộ thống nhất."), integrity)


def test_the_minutes_are_dated_the_day_the_meeting_was_held(held_early):
    assert held_early.header.date == datetime.date(2026, 12, 31)
    assert held_early.title == "SINH HOẠT CHI BỘ THƯỜNG KỲ THÁNG 12 NĂM 2026"
    assert held_early.setting.started_at.date() == datetime.date(2026, 12, 31)


def test_the_minutes_print_the_held_date_and_the_early_end_reason(held_early):
    text = " ".join(
        poppler(
            "pdftotext", "-enc", "UTF-8", "-", "-", stdin=rendering.render_minutes(held_early).pdf
        ).split()
    )

    assert "Ngày 31 tháng 12 năm 2026" in text  # the header, without a place name
    assert "THƯỜNG KỲ THÁNG 12 NĂM 2026" in text
    assert "bắt đầu lúc 23 giờ 45 phút, ngày 31/12/2026" in text
    assert "năm 2027" not in text
    assert "01/01/2027" not in text
    assert f"Lý do kết thúc trước thời lượng tối thiểu: {EARLY_END}." in text
    # The reason is the member's words, never an internal name.
    assert "early_end_reason" not in text


def test_an_end_after_midnight_prints_its_own_date_not_the_same_day():
    import dataclasses

    from tests.minutes import samples
    from tests.minutes.test_rendering import html_text

    document = samples.sample_minutes()
    started = document.setting.started_at
    ended = datetime.datetime.combine(started.date(), datetime.time(0, 20)) + datetime.timedelta(
        days=1
    )
    closing = dataclasses.replace(document.closing, ended_at=ended)

    text = html_text(rendering.minutes_html(dataclasses.replace(document, closing=closing)))

    assert f"kết thúc lúc 00 giờ 20 phút ngày {ended:%d/%m/%Y};" in text
    assert "cùng ngày" not in text
