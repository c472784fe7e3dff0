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
    ],
)
def test_search_finds_with_or_without_diacritics(archived, query, found):
    result = search(SignedDocument.objects.order_by("pk"), query)

    assert list(result) == [archived[i] for i in found]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the GIN index is PostgreSQL's")
@pytest.mark.parametrize("query", ["bien ban", "biên bản", '"Đồng chí Bí thư"'])
def test_postgresql_can_use_the_expression_index(archived, query):
    from django.db import connection as conn

    with conn.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        plan = search(SignedDocument.objects.all(), query).explain()
        cursor.execute("SET enable_seqscan = on")

    assert "signed_document_text_search_idx" in plan


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the stored vector is PostgreSQL's"
)


@postgresql_only
def test_the_stored_vector_follows_every_write_of_the_text(archived, tree):
    one, _ = archived
    # Rendering writes the text of a document awaiting signatures (minutes.services), then a
    # bulk insert: the database computes the vector each time.
    rendered = sign(
        held_meeting(tree.cell, "regular", at(5, 5)), at(5, 6), "", "awaiting_signatures"
    )
    rendered.content_text = "Công tác phát triển đảng viên."
    rendered.save()
    rendered.content_text = "Biên bản về chuyển đổi số."
    rendered.save()
    three = SignedDocument.objects.bulk_create(
        [
            SignedDocument(
                minutes=rendered.minutes,
                kind="extract",
                status="archived",
                archived_at=at(5, 7),
                content_text="Trích biên bản: Đảng viên mới.",
            )
        ]
    )[0]

    def found(query):
        return list(
            search(SignedDocument.objects.order_by("pk"), query).values_list("pk", flat=True)
        )

    assert found("chuyen doi so") == [one.pk, rendered.pk]
    assert found("cong tac phat trien") == [archived[1].pk]  # not the rendered one any more
    assert found("dang vien moi") == [archived[1].pk, three.pk]


@postgresql_only
@pytest.mark.parametrize("typed", ["biên bản", "bien ban", '"bien ban" chi'])
def test_no_plan_unaccents_or_parses_a_document_text(archived, typed):
    from django.db import connection as conn

    query = search(SignedDocument.objects.all(), typed)
    sql = str(query.query)
    with conn.cursor() as cursor:
        cursor.execute("SET enable_indexscan = off")
        cursor.execute("SET enable_bitmapscan = off")
        plan = query.explain(verbose=True)
        cursor.execute("RESET enable_indexscan")
        cursor.execute("RESET enable_bitmapscan")

    assert "Seq Scan" in plan
    assert "search_vector @@" in plan
    assert "content_text" not in sql.split("WHERE", 1)[1]
    assert "to_tsvector" not in plan


@postgresql_only
def test_the_search_works_as_a_subquery(archived):
    inner = search(SignedDocument.objects.all(), "nghi quyet").values("pk")

    outer = SignedDocument.objects.filter(pk__in=inner).order_by("pk")

    assert "U0" in str(outer.query)
    assert list(outer) == list(archived)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_the_vector_of_the_documents_already_there(tree):
    from django.db import connection as conn
    from django.db.migrations.executor import MigrationExecutor

    document = sign(held_meeting(tree.cell, "regular", at(3, 5)), at(3, 6), "Biên bản Đảng ủy.")
    executor = MigrationExecutor(conn)
    executor.migrate([("minutes", "0003_review_search_index")])  # before the stored vector
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM information_schema.columns WHERE column_name = 'search_vector'"
        )
        assert cursor.fetchone()[0] == 0
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert list(search(SignedDocument.objects.all(), "dang uy")) == [document]


def test_the_excerpt_is_cut_at_spaces_around_the_words_found_without_diacritics():
    from minutes.review.archive import excerpt

    text = "Mở đầu. " + "x " * 50 + "Đồng chí Bí thư quán triệt chuyển đổi số; " + "y " * 50

    assert excerpt(text, "dong chi", width=10) == "…x x x x <mark>Đồng</mark> <mark>chí</mark> Bí…"
    assert excerpt(text, '"chuyen doi so"', width=5) == "…<mark>chuyển đổi số</mark>; y…"
    assert excerpt(text, "khong co", width=10) == "Mở đầu. x x x x x x…"
    assert excerpt("", "bien ban") == excerpt(text, "   ") == ""


@pytest.mark.parametrize("query", ["   ", '""', "!?", "x" * 201])
def test_a_query_without_words_or_too_long_is_refused(query):
    from minutes.review.search import QueryError

    with pytest.raises(QueryError):
        search(SignedDocument.objects.all(), query)


# Issue 13, defect 8: words, not parts of words; diacritics typed are meant; quoted phrases;
# the excerpt is the passage that matched.
LETTERHEAD = (
    "ĐẢNG BỘ XÃ TÂN HƯNG CHI BỘ THÔN 3 ĐẢNG CỘNG SẢN VIỆT NAM. BIÊN BẢN SINH HOẠT CHI BỘ. "
    "Căn cứ Hướng dẫn số 12-HD/BTCTW; cách tính theo quy định. "
)


@pytest.fixture
def names(tree):
    """One document holds "Hương Sen"; the others hold "hướng", "Hưởng", "hương", "Sến" and
    English words containing "sen" (absentees, present) but never the two words together."""
    one = sign(
        held_meeting(tree.cell, "regular", at(3, 5)),
        at(3, 6),
        LETTERHEAD + "Đồng chí Nguyễn Thị Hương Sen phát biểu về vệ sinh môi trường.",
    )
    two = sign(
        held_meeting(tree.cell, "regular", at(4, 5)),
        at(4, 6),
        LETTERHEAD + "(exclude_approved_absentees; exempt_counted_when=present) "
        "Đồng chí Lê Văn Hưởng phát biểu.",
    )
    three = sign(
        held_meeting(tree.cell, "regular", at(5, 5)),
        at(5, 6),
        LETTERHEAD + "Đồng chí Trần Văn Sến báo cáo hương ước của thôn.",
    )
    return one, two, three


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("sen", [0, 2]),  # a word, not a part of "absentees" or "present"; "Sến" too
        ("Hương", [0, 2]),  # typed with diacritics: not "hướng", not "Hưởng"
        ("HƯƠNG", [0, 2]),
        ("Hương Sen", [0]),  # typed with diacritics, "Sen" is "sen", not "Sến"
        ("huong", [0, 1, 2]),  # without diacritics: every Hương, hướng, Hưởng
        ("huong sen", [0, 2]),
        ('"Hương Sen"', [0]),
        ('"huong sen"', [0]),
        ('"sen hương"', []),
        ('"hương ước" thôn', [2]),
        ('"van sen" "bao cao"', [2]),
        ("exclude", [1]),
        ("hướng dẫn", [0, 1, 2]),
    ],
)
def test_search_matches_words_and_the_diacritics_typed(names, query, found):
    result = search(SignedDocument.objects.order_by("pk"), query)

    assert list(result) == [names[i] for i in found]


@pytest.mark.parametrize(
    ("query", "marked"),
    [
        ("Hương Sen", "<mark>Hương</mark> <mark>Sen</mark> phát biểu"),
        ('"huong sen"', "<mark>Hương Sen</mark> phát biểu"),
    ],
)
def test_the_excerpt_is_the_passage_found_with_its_words_marked(names, query, marked):
    from minutes.review.archive import excerpt

    quoted = excerpt(names[0].content_text, query, width=40)

    assert marked in quoted
    assert "ĐẢNG CỘNG SẢN" not in quoted  # not the letterhead
    assert "<mark>" not in excerpt(names[1].content_text, "Hương", width=40)  # "Hưởng"


def test_the_excerpt_escapes_the_text():
    from minutes.review.archive import excerpt

    quoted = excerpt("Ý kiến <b>của</b> đồng chí Sen & đồng chí Hà.", "sen")

    assert quoted == "Ý kiến &lt;b&gt;của&lt;/b&gt; đồng chí <mark>Sen</mark> &amp; đồng chí Hà."


@pytest.mark.parametrize(
    ("text", "query"),
    [
        ("Xã Hoà Bình.", "hòa bình"),
        ("Xã Hòa Bình.", "Hoà Bình"),
        ("Công trình thuỷ lợi.", '"thủy lợi"'),
        ("Sức khoẻ tốt.", "khỏe"),
        ("Xã Hoà-Bình.", "hòa-bình"),
    ],
)
def test_a_word_typed_with_diacritics_is_found_whichever_vowel_carries_the_tone(tree, text, query):
    """Vietnamese writes the tone of oa, oe, uy at the end of a word on either vowel ("hoà" and
    "hòa" are the same word)."""
    from minutes.review.archive import excerpt

    document = sign(held_meeting(tree.cell, "regular", at(3, 5)), at(3, 6), text)

    assert list(search(SignedDocument.objects.all(), query)) == [document]
    assert "<mark>" in excerpt(text, query)
