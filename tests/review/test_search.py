"""Search with and without diacritics, on PostgreSQL (unaccent + GIN index) and SQLite."""

import pytest
from django.db import connection

from minutes.models import SignedDocument
from minutes.review.search import normalise, search
from tests.review.seed import at, held_meeting, sign

pytestmark = pytest.mark.integration


def test_normalise_drops_diacritics_and_the_d_with_stroke():
    text = "Biên bản họp Chi bộ ĐẢNG ủy đồng chí"

    assert normalise(text) == "bien ban hop chi bo dang uy dong chi"


@pytest.fixture
def archived(tree):
    one = sign(
        held_meeting(tree.cell, "regular", at(3, 5)),
        at(3, 6),
        "BIÊN BẢN SINH HOẠT CHI BỘ. Đồng chí Bí thư quán triệt nghị quyết về chuyển đổi số.",
    )
    two = sign(
        held_meeting(tree.cell, "regular", at(4, 5)),
        at(4, 6),
        "Nghị quyết về công tác phát triển đảng viên mới.",
    )
    return one, two


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("bien ban", [0]),
        ("biên bản", [0]),
        ("BIEN BAN", [0]),
        ("dong chi", [0]),
        ("đồng chí", [0]),
        ("nghi quyet", [0, 1]),
        ("dang vien", [1]),
        ("chuyen doi so", [0]),
        ("bien ban dang vien", []),
        ("   ", []),
    ],
)
def test_search_finds_with_or_without_diacritics(archived, query, found):
    result = search(SignedDocument.objects.order_by("pk"), query)

    assert list(result) == [archived[i] for i in found]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the GIN index is PostgreSQL's")
def test_postgresql_can_use_the_expression_index(archived):
    from django.db import connection as conn

    with conn.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        plan = search(SignedDocument.objects.all(), "bien ban").explain()
        cursor.execute("SET enable_seqscan = on")

    assert "signed_document_text_search_idx" in plan
