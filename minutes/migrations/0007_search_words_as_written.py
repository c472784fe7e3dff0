"""Search: each word stored as written and without diacritics, with its position.

Migration 0004 stored `strip(to_tsvector('simple', chibo_unaccent(content_text)))`: the words
without diacritics and without positions, so "Hương" found "hướng" and a quoted phrase could not
be matched. Now `search_vector` is `chibo_search_vector(content_text)`: at each word's position,
the word as written (lower case, NFC, the tone of a final oa, oe, uy on the first vowel:
`chibo_tone_placement`) with weight A and the same word without diacritics
(`chibo_unaccent` of it) with the default weight D. Where the two are the same ("sen") the
tsvector keeps one entry with weight A, which both kinds of query find. A query typed with
diacritics asks for weight A (`chibo_written_tsquery`), one typed without asks for any weight,
and phrases are matched on positions (`<->`). The column is added again (PostgreSQL computes it
for the documents already there), with its GIN index.

SQLite: nothing (the search matches words in Python, `minutes.review.search.matches`).
"""

from django.db import migrations

# The tone of a final oa, oe, uy goes on its first vowel ("hoà" → "hòa"), at the end of a word
# or of a hyphenated word's part (the same table as minutes.review.search.TONE_PLACEMENT).
TONE_PLACEMENT = {
    first + tone_on_second: tone_on_first + second
    for first, second, tones_on_first, tones_on_second in (
        ("o", "a", "òóỏõọ", "àáảãạ"),
        ("o", "e", "òóỏõọ", "èéẻẽẹ"),
        ("u", "y", "ùúủũụ", "ỳýỷỹỵ"),
    )
    for tone_on_first, tone_on_second in zip(tones_on_first, tones_on_second, strict=True)
}
TONE_EXPRESSION = "$1"
for _written, _canonical in TONE_PLACEMENT.items():
    TONE_EXPRESSION = f"regexp_replace({TONE_EXPRESSION}, '{_written}(-|$)', '{_canonical}\\1', 'g')"
TONE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION chibo_tone_placement(text) RETURNS text AS $$
    SELECT {TONE_EXPRESSION}
$$ LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
"""
# Lexemes are quoted for tsvector input: a quote doubled, a backslash escaped.
VECTOR_FUNCTION = r"""
CREATE OR REPLACE FUNCTION chibo_search_vector(text) RETURNS tsvector AS $$
    SELECT coalesce(string_agg(
        '''' || replace(replace(word.lexeme, '\', '\\'), '''', '''''') || ''':'
        || array_to_string(written.positions, word.weight || ',') || word.weight, ' '), '')::tsvector
    FROM unnest(to_tsvector('simple'::regconfig, normalize($1, NFC))) AS written,
    LATERAL (
        VALUES (chibo_tone_placement(written.lexeme), 'A'), (chibo_unaccent(written.lexeme), '')
    )
        AS word(lexeme, weight)
$$ LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT SET search_path = public, pg_temp
"""
# A phrase of words as written: every lexeme of phraseto_tsquery restricted to weight A.
QUERY_FUNCTION = r"""
CREATE OR REPLACE FUNCTION chibo_written_tsquery(text) RETURNS tsquery AS $$
    SELECT regexp_replace(
        phraseto_tsquery('simple'::regconfig, $1)::text, '''(\s|\)|$)', ''':A\1', 'g'
    )::tsquery
$$ LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT SET search_path = public, pg_temp
"""
FORWARDS = [
    TONE_FUNCTION,
    VECTOR_FUNCTION,
    QUERY_FUNCTION,
    "DROP INDEX IF EXISTS signed_document_text_search_idx",
    "ALTER TABLE minutes_signeddocument DROP COLUMN IF EXISTS search_vector",
    """ALTER TABLE minutes_signeddocument
    ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (chibo_search_vector(content_text)) STORED""",
    """CREATE INDEX signed_document_text_search_idx ON minutes_signeddocument
    USING gin (search_vector)""",
]
BACKWARDS = [
    "DROP INDEX IF EXISTS signed_document_text_search_idx",
    "ALTER TABLE minutes_signeddocument DROP COLUMN IF EXISTS search_vector",
    """ALTER TABLE minutes_signeddocument ADD COLUMN search_vector tsvector GENERATED ALWAYS AS
    (strip(to_tsvector('simple'::regconfig, chibo_unaccent(content_text)))) STORED""",
    """CREATE INDEX signed_document_text_search_idx ON minutes_signeddocument
    USING gin (search_vector)""",
    "DROP FUNCTION IF EXISTS chibo_written_tsquery(text)",
    "DROP FUNCTION IF EXISTS chibo_search_vector(text)",
    "DROP FUNCTION IF EXISTS chibo_tone_placement(text)",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARDS:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARDS:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("minutes", "0006_kept_cell_year_figures")]

    operations = [migrations.RunPython(forwards, backwards)]
