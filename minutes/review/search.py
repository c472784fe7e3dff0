"""Full-text search over the archived documents' text, with or without Vietnamese diacritics.

PostgreSQL: `to_tsvector('simple', chibo_unaccent(content_text))` against the same expression
of the query, served by the GIN index of migration minutes 0003 (`chibo_unaccent` is an
IMMUTABLE wrapper of the unaccent extension, lower-cased, so it may be indexed). The 'simple'
configuration fits Vietnamese: words are syllables separated by spaces, with no stemming.

SQLite (the embedded default): the same function is registered on every connection in Python
(`normalise`), and each query word must appear in the normalised text (LIKE). A full scan,
fine at the size of one deployment's SQLite archive.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction
from django.db.models import BooleanField, F, Func, Q, QuerySet, TextField, Value

SQL_FUNCTION = "chibo_unaccent"
# 'đ' and 'Đ' are letters of their own, not a d with a combining mark: NFD leaves them alone.
_LETTERS = str.maketrans({"đ": "d", "Đ": "D"})


def normalise(text: str | None) -> str | None:
    """Lower case, without diacritics: "Biên bản Đảng" → "bien ban dang"."""
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFD", text.translate(_LETTERS))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _register_sqlite_function() -> None:
    """Idempotent and cheap: called before each SQLite search, on the connection in use."""
    connection.ensure_connection()
    connection.connection.create_function(SQL_FUNCTION, 1, normalise, deterministic=True)


class Unaccent(Func):
    function = SQL_FUNCTION
    output_field = TextField()


class _Simple(Func):
    """to_tsvector / plainto_tsquery with the 'simple' configuration, as the index has it."""

    template = "%(function)s('simple'::regconfig, %(expressions)s)"
    output_field = TextField()

    def __init__(self, function: str, expression: Func) -> None:
        super().__init__(expression, function=function)


class _Matches(Func):
    template = "%(expressions)s"
    arg_joiner = " @@ "
    output_field = BooleanField()


def words(query: str) -> list[str]:
    return [w for w in (normalise(query) or "").split() if w]


def search(documents: QuerySet, query: str) -> QuerySet:
    """Documents whose text holds every word of `query`, diacritics or not."""
    terms = words(query)
    if not terms:
        return documents.none()
    if connection.vendor == "postgresql":
        vector = _Simple("to_tsvector", Unaccent(F("content_text")))
        wanted = _Simple("plainto_tsquery", Unaccent(Value(" ".join(terms))))
        return documents.filter(_Matches(vector, wanted))
    _register_sqlite_function()
    normalised = documents.annotate(search_text=Unaccent("content_text"))
    condition = Q()
    for term in terms:
        condition &= Q(search_text__contains=Value(term))
    return normalised.filter(condition)


@contextmanager
def index_first(searching: bool) -> Iterator[None]:
    """Run a search's queries (the page and its count) with sequential scans disabled.

    When most documents match ("biên bản"), PostgreSQL's cost model charges the index path the
    same per-row recheck as a sequential scan, so it picks the scan — which unaccents and
    parses every document's text (seconds for 20,000) — whereas the GIN index answers without
    touching the text. SET LOCAL keeps the setting to this one transaction.
    """
    if not searching or connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
        yield
