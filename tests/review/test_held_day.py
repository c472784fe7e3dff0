"""Issue 13, defect 5 on the pages that name a held meeting: its day is the day it was held (its
start in the cell's time zone), not the day it was called for."""

import datetime

from django.urls import reverse

from meetings.models import Meeting
from tests.review.seed import YEAR, at, held_meeting, sign
from tests.review.test_archive import client_of


def test_a_meeting_started_before_midnight_is_named_and_dated_by_the_day_it_was_held(tree):
    # Called for 00:30 on 01/03, started at 23:45 on 28/02, within the hour before.
    meeting = held_meeting(tree.cell, "regular", at(3, 1, 0, 30))
    Meeting.objects.filter(pk=meeting.pk).update(started_at=at(2, 28, 23, 45))
    meeting.refresh_from_db()
    document = sign(meeting, at(3, 2, 9, 0))

    page = client_of(tree.reviewer).get(reverse("review:document", args=[document.pk]))

    text = " ".join(page.content.decode().split())
    assert meeting.local_day == datetime.date(YEAR, 2, 28)
    assert f"Sinh hoạt thường kỳ 28/02/{YEAR}" in text
    assert f"<dt>Ngày họp</dt><dd>28/02/{YEAR}</dd>" in text
    assert f"01/03/{YEAR}" not in text
