"""Full-text search over the archived documents' text, with or without Vietnamese diacritics.

PostgreSQL: the stored vector `search_vector` (a generated column, migration minutes 0004:
`strip(to_tsvector('simple', chibo_unaccent(content_text)))`, computed whenever the text is
written; without word positions, which an AND of words does not need) against
`plainto_tsquery('simple', chibo_unaccent(query))`, served by the GIN index on the column.
`chibo_unaccent` (minutes 0003) is an IMMUTABLE wrapper of the unaccent extension, lower-cased.
Whatever plan PostgreSQL picks — the GIN index when few documents match, the archive's order
index or a sequential scan when most do — it reads the stored vector and never unaccents or
parses a document's text. The 'simple' configuration fits Vietnamese: words are syllables
separated by spaces, with no stemming.

SQLite (the embedded default): the same function is registered on every connection in Python
(`normalise`), and each query word must appear in the normalised text (LIKE). A full scan,
fine at the size of one deployment's SQLite archive.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Expression, Func, Q, QuerySet, TextField, Value

SQL_FUNCTION = "chibo_unaccent"
VECTOR_COLUMN = "search_vector"  # PostgreSQL only, outside Django's model state (minutes 0004)
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


class _StoredVector(Expression):
    """The document's stored search vector: the column of the query's own table, whatever
    alias the table has in this query (a subquery's U0, say)."""

    output_field = TextField()

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[object]]:
        table = compiler.quote_name_unless_alias(compiler.query.base_table)
        return f"{table}.{connection.ops.quote_name(VECTOR_COLUMN)}", []


class _Query(Func):
    """plainto_tsquery with the 'simple' configuration, as the stored vector has it."""

    template = "plainto_tsquery('simple'::regconfig, %(expressions)s)"
    output_field = TextField()


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
        wanted = _Query(Unaccent(Value(" ".join(terms))))
        return documents.filter(_Matches(_StoredVector(), wanted))
    _register_sqlite_function()
    normalised = documents.annotate(search_text=Unaccent("content_text"))
    condition = Q()
    for term in terms:
        condition &= Q(search_text__contains=Value(term))
    return normalised.filter(condition)
