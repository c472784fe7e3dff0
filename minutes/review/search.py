"""Full-text search over the archived documents' text: whole words, diacritics as typed,
quoted phrases.

The query (`parse`): words separated by spaces, all of which a document must hold, and phrases
in double quotes, whose words must follow one another. A query typed with diacritics anywhere
("Hương Sen") means the words as typed: "Hương" finds "Hương" and "HƯƠNG", never "hướng" or
"Hưởng", and "Sen" finds "sen", not "Sến". A query typed without any ("huong sen") matches
every way of writing its words with diacritics. Words are whole words: "sen" is not found in
"absentees".

PostgreSQL: the stored vector `search_vector` (a generated column, migration minutes 0007:
`chibo_search_vector(content_text)`, computed whenever the text is written) holds, at each
word's position, the word as written (lower case, NFC; weight A) and the word without
diacritics (`chibo_unaccent`, minutes 0003), so one GIN index serves both kinds of query and a
phrase is matched on positions. Each word or phrase, folded in Python the way the query was
typed, is `chibo_written_tsquery` (`phraseto_tsquery('simple', …)` restricted to weight A) when
typed with diacritics, else `phraseto_tsquery('simple', …)`; they are joined with `&&`.
Whatever plan PostgreSQL picks — the GIN index when few documents match, the archive's order
index or a sequential scan when most do — it reads the stored vector and never parses a
document's text. The 'simple' configuration fits Vietnamese: words are syllables separated by
spaces, with no stemming.

SQLite (the embedded default): `matches` in Python, registered as an SQL function on the
connection, on each document's text. A full scan, fine at the size of one deployment's SQLite
archive. The archive's excerpts (`minutes.review.archive.excerpt`) find the passage with the
same `hits` on both databases.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Expression, F, Func, QuerySet, TextField, Value
from django.utils.translation import gettext as _

VECTOR_COLUMN = "search_vector"  # PostgreSQL only, outside Django's model state (minutes 0007)
MATCHES_FUNCTION = "chibo_search_matches"  # SQLite only, registered in Python
MAX_QUERY_LENGTH = 200  # characters: a few sentences, enough for any phrase worth quoting
MAX_TERMS = 16
# 'đ' and 'Đ' are letters of their own, not a d with a combining mark: NFD leaves them alone.
_LETTERS = str.maketrans({"đ": "d", "Đ": "D"})
# A word as the 'simple' text search parser of PostgreSQL cuts them: letters and digits; an
# underscore or a hyphen separates words ("exclude_approved_absentees" is three words).
_WORD = re.compile(r"[^\W_]+")
# A phrase in double quotes (typographic quotes too); an unclosed quote runs to the end.
_TERM = re.compile(r'"([^"]*)"?|([^\s"]+)')
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"'})


class QueryError(ValueError):
    """A query the search cannot run; the message says why, in Vietnamese."""


def normalise(text: str | None) -> str | None:
    """Lower case, without diacritics: "Biên bản Đảng" → "bien ban dang"."""
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFD", text.translate(_LETTERS))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


# The tone of oa, oe, uy at the end of a word is written on either vowel ("hoà" and "hòa",
# "thuỷ" and "thủy"): compared with the tone on the first (the same table in minutes 0007).
TONE_PLACEMENT = {
    first + tone_on_second: tone_on_first + second
    for first, second, tones_on_first, tones_on_second in (
        ("o", "a", "òóỏõọ", "àáảãạ"),
        ("o", "e", "òóỏõọ", "èéẻẽẹ"),
        ("u", "y", "ùúủũụ", "ỳýỷỹỵ"),
    )
    for tone_on_first, tone_on_second in zip(tones_on_first, tones_on_second, strict=True)
}
_TONE_AT_WORD_END = re.compile(f"(?:{'|'.join(TONE_PLACEMENT)})(?![^\\W_])")


def as_written(text: str) -> str:
    """Lower case, diacritics kept, each letter in one code point (NFC), the tone of a final
    oa, oe or uy on its first vowel: how text typed with diacritics is compared."""
    lower = unicodedata.normalize("NFC", text).lower()
    return _TONE_AT_WORD_END.sub(lambda found: TONE_PLACEMENT[found.group()], lower)


@dataclass(frozen=True)
class Term:
    """A word, or the words of a quoted phrase, folded as the query was typed."""

    text: str  # the folded words as typed, for PostgreSQL's parser
    words: tuple[str, ...]


@dataclass(frozen=True)
class Query:
    terms: tuple[Term, ...]
    with_diacritics: bool  # words compared as written; else without diacritics

    def fold(self, word: str) -> str:
        return _fold_word(word, self.with_diacritics)


@functools.lru_cache(maxsize=65536)
def _fold_word(word: str, with_diacritics: bool) -> str:
    """One word of a document folded (kept: a page's excerpts fold the same words again)."""
    return as_written(word) if with_diacritics else normalise(word) or ""


@functools.lru_cache(maxsize=256)
def parse(text: str) -> Query:
    """The query's words and phrases, or QueryError saying what is wrong with it."""
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(
            _("Nội dung tìm kiếm dài quá: tối đa %(n)s ký tự, đã nhập %(length)s.")
            % {"n": MAX_QUERY_LENGTH, "length": len(text)}
        )
    text = unicodedata.normalize("NFC", text.translate(_QUOTES))
    with_diacritics = as_written(text) != normalise(text)
    fold = as_written if with_diacritics else normalise
    terms = []
    for match in _TERM.finditer(text):
        phrase, word = match.groups()
        folded = fold(phrase if phrase is not None else word) or ""
        words = tuple(_WORD.findall(folded))
        if phrase is not None and not words:
            raise QueryError(_("Cụm từ trong ngoặc kép đang trống."))
        if words:
            terms.append(Term(folded.strip(), words))
    if not terms:
        raise QueryError(_("Hãy nhập ít nhất một từ để tìm."))
    if len(terms) > MAX_TERMS:
        raise QueryError(_("Tối đa %(n)s từ hoặc cụm từ mỗi lần tìm.") % {"n": MAX_TERMS})
    return Query(tuple(terms), with_diacritics)


def check(text: str) -> str:
    """The query as given, after parse found it runnable (QueryError otherwise)."""
    parse(text)
    return text


@dataclass(frozen=True)
class Hit:
    term: int  # index in Query.terms
    start: int  # character offsets in the (NFC) text
    end: int


def hits(text: str, query: Query) -> Iterator[Hit]:
    """Every place where a word or phrase of the query stands in `text` (NFC), in order."""
    found = list(_WORD.finditer(text))
    folded = [query.fold(m.group()) for m in found]
    for at in range(len(found)):
        for index, term in enumerate(query.terms):
            end = at + len(term.words)
            if tuple(folded[at:end]) == term.words:
                yield Hit(index, found[at].start(), found[end - 1].end())


def matches(text: str | None, query_text: str) -> bool:
    """Whether `text` holds every word and phrase of the query (SQLite's search, in Python)."""
    query = parse(query_text)
    seen = {hit.term for hit in hits(unicodedata.normalize("NFC", text or ""), query)}
    return len(seen) == len(query.terms)


class _StoredVector(Expression):
    """The document's stored search vector: the column of the query's own table, whatever
    alias the table has in this query (a subquery's U0, say)."""

    output_field = TextField()

    # Django 5.2 passes SQL params as lists; django-stubs 6.1 describes Django 6's tuples.
    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[object]]:  # type: ignore[override]
        table = compiler.quote_name_unless_alias(compiler.query.base_table)
        return f"{table}.{connection.ops.quote_name(VECTOR_COLUMN)}", []


class _TsQuery(Expression):
    """Every term of the query, each a phrase (a single word is a phrase of one)."""

    output_field = TextField()

    def __init__(self, query: Query) -> None:
        super().__init__()
        self.query = query

    # Django 5.2 passes SQL params as lists; django-stubs 6.1 describes Django 6's tuples.
    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[object]]:  # type: ignore[override]
        one = (
            "chibo_written_tsquery(%s)"  # weight A: the words as written (minutes 0007)
            if self.query.with_diacritics
            else "phraseto_tsquery('simple'::regconfig, %s)"
        )
        return "(" + " && ".join([one] * len(self.query.terms)) + ")", [
            term.text for term in self.query.terms
        ]


class _Matches(Func):
    template = "%(expressions)s"
    arg_joiner = " @@ "
    output_field = BooleanField()


class _MatchesInPython(Func):
    function = MATCHES_FUNCTION
    output_field = BooleanField()


def _register_sqlite_function() -> None:
    """Idempotent and cheap: called before each SQLite search, on the connection in use."""
    connection.ensure_connection()
    connection.connection.create_function(
        MATCHES_FUNCTION, 2, lambda text, query: int(matches(text, query)), deterministic=True
    )


def search(documents: QuerySet, query_text: str) -> QuerySet:
    """Documents whose text holds every word and phrase of the query (QueryError when it has
    none, or is too long)."""
    query = parse(query_text)
    if connection.vendor == "postgresql":
        return documents.filter(_Matches(_StoredVector(), _TsQuery(query)))
    _register_sqlite_function()
    return documents.filter(_MatchesInPython(F("content_text"), Value(query_text)))
