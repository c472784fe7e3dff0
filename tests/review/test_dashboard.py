"""The compliance dashboard against a seeded year with known gaps, its exports and its cost."""

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from members.models import ReadAudit
from tests.conftest import sign_in_verified
from tests.factories import CellFactory
from tests.review.seed import YEAR, at, held_meeting, seed_year

pytestmark = pytest.mark.integration


def client_of(member) -> Client:
    return sign_in_verified(Client(), member.user)


def cells_of(html: str, row: str) -> list[str]:
    """The text of the cells of the dashboard row `data-row="{row}"`."""
    import re

    match = re.search(rf'<tr data-row="{row}">(.*?)</tr>', html, re.S)
    assert match, row
    cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", match.group(1), re.S)
    return [re.sub(r"<[^>]+>", "", c).split("Năm")[0].strip() for c in cells]


def test_the_figures_of_a_year_with_known_gaps(tree):
    seed_year(tree)

    response = client_of(tree.reviewer).get(
        reverse("review:dashboard", args=[tree.grassroots.pk, YEAR])
    )

    html = response.content.decode()
    assert response.status_code == 200
    # unit, cells, compliant, missing months, missing quarters, held, rate, criterion met,
    # blocked, short, online, unsigned, signed late
    assert cells_of(html, tree.cell.pk) == [
        "Chi bộ A1",
        "1",
        "0",
        "1",
        "1",
        "14",
        "96,4%",
        "12/14",
        "1",
        "1",
        "2 (1 chưa có văn bản cho phép)",
        "1 (1 quá hạn)",
        "1",
    ]
    assert cells_of(html, tree.neighbour_cell.pk) == [
        "Chi bộ A2",
        "1",
        "0",
        "0",
        "4",
        "12",
        "—",
        "0/0",
        "0",
        "0",
        "0",
        "12 (12 quá hạn)",
        "0",
    ]
    assert cells_of(html, "total") == [
        "Tổng cộng",
        "2",
        "0",
        "1",
        "5",
        "26",
        "96,4%",
        "12/14",
        "1",
        "1",
        "2 (1 chưa có văn bản cho phép)",
        "13 (13 quá hạn)",
        "1",
    ]
    # The charter's own words for each cell.
    assert "thiếu sinh hoạt thường kỳ tháng 6; thiếu sinh hoạt chuyên đề quý 3" in html
    assert "15-CV/ĐU" in html
    assert "Chưa ghi văn bản cho phép" in html
    assert "Chi bộ B1" not in html
    # The chart's figures: June had one regular meeting of two cells, the third quarter none.
    assert (
        '<tr data-months><th scope="row">Số chi bộ</th>' + "<td>2</td>" * 5 + "<td>1</td>" in html
    )
    assert "<td>1</td><td>1</td><td>0</td><td>1</td>" in html
    assert html.count('role="img"') == 2
    assert '<title id="chart-months-title">' in html


def test_a_cell_rolled_up_and_on_its_own(tree):
    seed_year(tree)
    parent = client_of(tree.reviewer).get(
        reverse("review:dashboard", args=[tree.grassroots.parent.pk, YEAR])
    )
    assert parent.status_code == 404  # the reviewer's seat is at Đảng bộ A, not above it

    own = client_of(tree.reviewer).get(reverse("review:dashboard", args=[tree.cell.pk, YEAR]))

    assert cells_of(own.content.decode(), "total")[1:6] == ["1", "0", "1", "1", "14"]
    assert "Thực tế (phút)" in own.content.decode()


def test_a_sibling_reviewer_and_members_see_nothing(tree):
    seed_year(tree)
    for person in (tree.sibling_reviewer, tree.member, tree.secretary, tree.neighbour):
        for organization in (tree.grassroots, tree.cell):
            url = reverse("review:dashboard", args=[organization.pk, YEAR])
            assert client_of(person).get(url).status_code == 404
            url = reverse("review:dashboard_export", args=[organization.pk, YEAR, "csv"])
            assert client_of(person).get(url).status_code == 404


def test_the_rows_of_cells_are_logged_except_the_reviewers_own_cell(tree):
    seed_year(tree)

    client_of(tree.reviewer).get(reverse("review:dashboard", args=[tree.grassroots.pk, YEAR]))

    # The reviewer's home is Chi bộ A2: only A1's row is an outside read.
    assert list(ReadAudit.objects.values_list("kind", "cell")) == [("dashboard", tree.cell.pk)]


def test_the_csv_and_xlsx_carry_the_same_table(tree):
    seed_year(tree)
    client = client_of(tree.reviewer)

    csv_response = client.get(
        reverse("review:dashboard_export", args=[tree.grassroots.pk, YEAR, "csv"])
    )
    xlsx_response = client.get(
        reverse("review:dashboard_export", args=[tree.grassroots.pk, YEAR, "xlsx"])
    )

    rows = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["Đơn vị", "Số chi bộ"]
    assert rows[-1] == [
        "Tổng cộng",
        "2",
        "0",
        "1",
        "5",
        "26",
        "96,4%",
        "12",
        "1",
        "1",
        "2",
        "1",
        "13",
        "13",
        "1",
    ]
    assert 'filename="theo-doi-' in csv_response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(xlsx_response.content)).active
    assert [c.value for c in sheet[len(rows)]] == [
        "Tổng cộng",
        2,
        0,
        1,
        5,
        26,
        "96,4%",
        12,
        1,
        1,
        2,
        1,
        13,
        13,
        1,
    ]


@pytest.mark.parametrize("extra_cells", [0, 4])
def test_the_dashboard_needs_the_same_queries_whatever_the_data(
    tree, django_assert_num_queries, extra_cells
):
    seed_year(tree)
    for n in range(extra_cells):
        cell = CellFactory(parent=tree.grassroots, name=f"Chi bộ thêm {n}")
        for month in range(1, 13):
            held_meeting(cell, "regular", at(month, 12))
    client = client_of(tree.reviewer)
    url = reverse("review:dashboard", args=[tree.grassroots.pk, YEAR])

    # Session, account, device, member, seats, the organisation, the subtree with its
    # policies, the kept figures, the listed short meetings, the listed online ones, the
    # reviewer's own cells, the audit INSERT, the header's unread count, the session's save
    # (in a savepoint): none of them per cell or per meeting. The first view also computes the
    # cells' figures and keeps them: the records' versions, the figures per cell, the blocked
    # votes, the days the meetings with unsigned minutes ended, the INSERT of the kept rows (the
    # roll is not read: every meeting has its summary).
    with django_assert_num_queries(21):
        client.get(url)
    with django_assert_num_queries(16):
        client.get(url)


def a1_attendance(tree, client=None) -> list[str]:
    """Chi bộ A1's rate and criterion on the grassroots' dashboard."""
    client = client or client_of(tree.reviewer)
    response = client.get(reverse("review:dashboard", args=[tree.grassroots.pk, YEAR]))
    return cells_of(response.content.decode(), tree.cell.pk)[6:8]


def test_attendance_is_read_from_the_summaries_kept_when_meetings_ended(tree):
    from meetings.models import Attendance

    seed_year(tree)
    # A roll line changed behind the product's back (the room refuses it after the end) does
    # not move the figures: the dashboard reads what the end of each meeting kept.
    Attendance.objects.filter(meeting__cell=tree.cell).update(status="absent_without_reason")

    assert a1_attendance(tree) == ["96,4%", "12/14"]


def test_a_held_meeting_without_a_summary_is_counted_from_its_roll(tree, django_assert_num_queries):
    from meetings.models import AttendanceSummary

    seed_year(tree)
    AttendanceSummary.objects.all().delete()
    client = client_of(tree.reviewer)

    with django_assert_num_queries(23):  # the first view: two more, those meetings and their roll
        assert a1_attendance(tree, client) == ["96,4%", "12/14"]


def test_the_page_lists_the_first_short_and_online_meetings_and_counts_the_others(
    tree, monkeypatch
):
    from minutes.review import dashboard

    monkeypatch.setattr(dashboard, "LISTED", 1)
    held_meeting(
        tree.cell,
        "regular",
        at(1, 5),
        minutes=40,
        mode="online",
        approval_number="",
        early_end_reason="Mất điện toàn khu phố",
    )
    held_meeting(tree.neighbour_cell, "regular", at(2, 5), minutes=50, mode="hybrid")

    response = client_of(tree.reviewer).get(
        reverse("review:dashboard", args=[tree.grassroots.pk, YEAR])
    )

    html = response.content.decode()
    short = html.split("data-short>")[1].split("</table>")[0]
    online = html.split("data-online>")[1].split("</table>")[0]
    assert "Chi bộ A1" in short
    assert "40" in short
    assert "Mất điện toàn khu phố" in short  # the reason the chair gave for ending early
    assert "Chi bộ A2" not in short
    assert "Chi bộ A1" in online
    assert "Chưa ghi văn bản cho phép" in online
    assert html.count("Và 1 buổi khác: xem bảng theo dõi của từng đơn vị.") == 2


def test_the_dashboard_names_nothing_internal(tree):
    from tests.minutes.test_record import internal_names, visible_text

    seed_year(tree)
    pages = {
        organization.name: client_of(tree.reviewer).get(
            reverse("review:dashboard", args=[organization.pk, YEAR])
        )
        for organization in (tree.grassroots, tree.cell)
    }

    assert {name: r.status_code for name, r in pages.items()} == dict.fromkeys(pages, 200)
    assert {
        name: internal_names(visible_text(r.content.decode())) for name, r in pages.items()
    } == {name: [] for name in pages}
