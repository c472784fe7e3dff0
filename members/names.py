"""Lists of people in Vietnamese alphabetical order: one rule for every list shown or printed
(roster, roll, room, minutes, dashboard, selects), the same in Python and on both databases.

The order is that of Vietnamese registers (lists of pupils, candidates, voters, members): by
given name (tên, the last word of the name), then by the whole name read from the family name
(họ, tên đệm), then by record. Letters follow the Vietnamese alphabet, a ă â b c d đ e ê g h i
k l m n o ô ơ p q r s t u ư v x y (each a letter of its own: "Ân" after "Anh", "Đào" after
"Dũng"), and a word's tones, compared only between words of the same letters, follow the
dictionary's order: none, huyền, hỏi, ngã, sắc, nặng (Hà, Hả, Hã, Há, Hạ), as in Từ điển tiếng
Việt (Hoàng Phê, ed.) and in the Unicode CLDR Vietnamese collation that ICU implements.

- PostgreSQL: the ICU collation `chibo_vi` (locale `vi`, members migration 0003).
- SQLite: a collation of the same name, registered on every connection (`sort_key`), and the
  function `chibo_given_name`.
- Python: `name_key` for a name in a list of people (`sort_key` for any text), `person_key`
  and `people_sorted` for people.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Any, Protocol, TypeVar

from django.db.models import F, Func, OrderBy, TextField
from django.db.models.functions import Collate

COLLATION = "chibo_vi"
GIVEN_NAME_FUNCTION = "chibo_given_name"  # SQLite only, registered in Python

ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_RANK = {letter: rank for rank, letter in enumerate(ALPHABET)}
# Marks that make a letter of its own (ă â ê ô ơ ư), put back on the base letter.
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}
# Tones in the dictionary's order; none is 0.
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def _letters(text: str) -> list[tuple[str, int]]:
    """Each letter of `text` (lower case, with its own marks) and its tone."""
    out: list[tuple[str, int]] = []
    for char in unicodedata.normalize("NFC", text):
        decomposed = unicodedata.normalize("NFD", char)
        base = "".join(c for c in decomposed if c not in _TONES)
        tone = next((_TONES[c] for c in decomposed if c in _TONES), 0)
        out.append((unicodedata.normalize("NFC", base), tone))
    return out


def _primary(letter: str) -> tuple[int, int]:
    lower = letter.lower()
    if lower in _RANK:
        return (3, _RANK[lower])
    if lower.isdigit():
        return (2, ord(lower))
    if lower.isalpha():
        return (4, ord(lower))
    return (1, ord(lower))  # spaces and punctuation before digits and letters


def sort_key(text: str) -> tuple[tuple[Any, ...], ...]:
    """A name's place in Vietnamese alphabetical order: letters first, then tones, then case
    (lower before upper), as ICU's Vietnamese collation compares them."""
    letters = _letters(text)
    return (
        tuple(_primary(letter) for letter, _ in letters),
        tuple(tone for _, tone in letters),
        tuple(letter != letter.lower() for letter, _ in letters),
    )


def given_name(full_name: str) -> str:
    """The given name (tên): the last word of a Vietnamese name."""
    words = full_name.split()
    return words[-1] if words else ""


class Named(Protocol):
    pk: Any
    full_name: str


N = TypeVar("N", bound=Named)


def name_key(full_name: str) -> tuple[object, ...]:
    """A name's place in a list of people: by given name, then the whole name."""
    return (sort_key(given_name(full_name)), sort_key(full_name))


def person_key(person: Named) -> tuple[object, ...]:
    """A person's place in a list: given name, whole name, record."""
    return (*name_key(person.full_name), person.pk)


def people_sorted(people: Iterable[N]) -> list[N]:
    return sorted(people, key=person_key)


class GivenName(Func):
    """The last word of a name, in SQL."""

    output_field = TextField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler, connection, template="regexp_replace(%(expressions)s, '^.*\\s', '')"
        )

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, function=GIVEN_NAME_FUNCTION)


def by_name(path: str = "") -> list[OrderBy]:
    """ORDER BY for people (`path`: the relation to the person, "member__" say)."""
    name = F(f"{path}full_name")
    return [
        Collate(GivenName(name), COLLATION).asc(),
        Collate(name, COLLATION).asc(),
        F(f"{path}pk").asc(),
    ]


def _compare(a: str, b: str) -> int:
    key_a, key_b = sort_key(a), sort_key(b)
    return (key_a > key_b) - (key_a < key_b)


def register_sqlite(sender: object, connection: Any, **kwargs: object) -> None:
    """The collation and the function on every new SQLite connection (connected to
    connection_created by members.apps)."""
    if connection.vendor != "sqlite":
        return
    connection.connection.create_collation(COLLATION, _compare)
    connection.connection.create_function(
        GIVEN_NAME_FUNCTION,
        1,
        lambda name: None if name is None else given_name(name),
        deterministic=True,
    )
