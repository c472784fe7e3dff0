"""Lists of people in Vietnamese alphabetical order (issue 13, defect 9): by given name (tên),
then by the whole name from the family name, letters in the Vietnamese alphabet (a ă â b c d
đ e ê …) and tones in dictionary order (none, huyền, hỏi, ngã, sắc, nặng), the same in Python,
on PostgreSQL (ICU) and on SQLite."""

import random

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from members import names
from members.models import Member
from tests.conftest import sign_in_verified
from tests.factories import CellFactory, MemberFactory

# In the order a Vietnamese list has them; character codes put "Đ…" after "V…", "Ánh" after
# "Ân", "Ngô" after "Nguyễn" (ô > u) and "Ân" after "Ba".
IN_ORDER = [
    "Đặng Văn An",
    "Đỗ Thị An",
    "Vũ Văn An",
    "Trần Văn Anh",
    "Lê Thị Ánh",
    "Phạm Thị Ân",
    "Hoàng Văn Ba",
    "Ngô Thị Bình",
    "Nguyễn Văn Bình",
    "Bùi Thị Đào",
    "Nguyễn Thị Hà",
    "Nguyễn Thị Hả",
    "Nguyễn Thị Hã",
    "Nguyễn Thị Há",
    "Nguyễn Thị Hạ",
    "Lê Văn Hương",
    "Lê Văn Hướng",
    "Trần Thị Ơn",
    "Lý Văn Ưng",
    "Vương Thị Yến",
]

pytestmark = pytest.mark.integration


def shuffled(values):
    values = list(values)
    random.Random(13).shuffle(values)
    return values


def test_python_sorts_names_in_vietnamese_order():
    assert sorted(shuffled(IN_ORDER), key=names.name_key) == IN_ORDER
    assert sorted(IN_ORDER) != IN_ORDER  # not character codes


@pytest.mark.django_db
def test_the_database_sorts_members_in_the_same_order():
    cell = CellFactory()
    for name in shuffled(IN_ORDER):
        MemberFactory(full_name=name, home_cell=cell)

    listed = Member.objects.filter(home_cell=cell)

    assert [m.full_name for m in listed] == IN_ORDER  # the model's default order
    assert [m.full_name for m in listed.order_by(*names.by_name())] == IN_ORDER


@pytest.mark.skipif(connection.vendor != "postgresql", reason="ICU is PostgreSQL's")
@pytest.mark.django_db
def test_python_agrees_with_postgresql_icu_on_every_letter_and_tone():
    letters = (
        "aàảãáạăằẳẵắặâầẩẫấậbcdđeèẻẽéẹêềểễếệghiìỉĩíịklmnoòỏõóọôồổỗốộơờởỡớợpqrstuùủũúụưừửữứựvxyỳỷỹýỵ"
    )
    words = [a + b for a in letters for b in "aăn"] + [w.upper() for w in ("ăn", "ân", "đa")]
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT w FROM unnest(%s::text[]) AS w ORDER BY w COLLATE "{names.COLLATION}"',  # noqa: S608
            [shuffled(words)],
        )
        icu = [row[0] for row in cursor.fetchall()]

    assert sorted(shuffled(words), key=names.sort_key) == icu


def test_the_cell_page_lists_its_members_in_vietnamese_order(tree):
    for name in shuffled(IN_ORDER):
        MemberFactory(full_name=name, home_cell=tree.cell)
    client = sign_in_verified(Client(), tree.secretary.user)

    page = client.get(reverse("members:cell", args=[tree.cell.pk])).content.decode()

    positions = [page.index(name) for name in IN_ORDER]
    assert positions == sorted(positions)


@pytest.mark.django_db
def test_the_roll_the_minutes_and_the_selects_list_people_in_vietnamese_order():
    from meetings.queries import participants_of
    from meetings.room import roster_members
    from tests.review.seed import at, held_meeting

    cell = CellFactory()
    for name in shuffled(IN_ORDER):
        MemberFactory(full_name=name, home_cell=cell)
    meeting = held_meeting(cell, "regular", at(3, 5))

    assert [m.full_name for m in roster_members(meeting)] == IN_ORDER  # room and minutes
    assert [m.full_name for m in participants_of(meeting)] == IN_ORDER  # chair, recorder…
