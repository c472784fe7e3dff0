"""Full-text search on a stored vector (PostgreSQL), instead of an index on an expression.

Migration 0003 indexed `to_tsvector('simple', chibo_unaccent(content_text))`; the index served
a search that matched few documents, but when most matched ("biên bản") the planner preferred a
sequential scan that computed the expression, unaccenting and parsing every text (seconds for
20,000 documents), and the search had to turn sequential scans off for its transaction.

Now the vector is a generated column, `search_vector`, computed by PostgreSQL whenever
`content_text` is written (every INSERT and UPDATE, whichever code path or bulk operation does
it) and filled for the rows already there when the column is added. The GIN index is on the
column, and any plan reads the stored vector: even a sequential scan no longer unaccents or
parses a text. The vector is stored without word positions (`strip`): the search asks for every
word in any order (`plainto_tsquery` makes an AND of them), which needs no positions, and
without them the vector of a 2 KB text is about 0.5 KB instead of 1.5 KB and stays in the row
(a larger one goes to the TOAST table, and a sequential scan then fetches it from there for
every row). The column is outside Django's model state (no model field: the search refers to it
by name, `minutes.review.search`), like the indexes of 0003.

SQLite: nothing (the search registers its function in Python and scans).
"""

from django.db import migrations

VECTOR = "to_tsvector('simple'::regconfig, chibo_unaccent(content_text))"
FORWARDS = [
    f"""ALTER TABLE minutes_signeddocument
    ADD COLUMN IF NOT EXISTS search_vector tsvector GENERATED ALWAYS AS (strip({VECTOR})) STORED""",
    "DROP INDEX IF EXISTS signed_document_text_search_idx",
    """CREATE INDEX signed_document_text_search_idx ON minutes_signeddocument
    USING gin (search_vector)""",
]
BACKWARDS = [
    "DROP INDEX IF EXISTS signed_document_text_search_idx",
    "ALTER TABLE minutes_signeddocument DROP COLUMN IF EXISTS search_vector",
    f"""CREATE INDEX signed_document_text_search_idx ON minutes_signeddocument
    USING gin ({VECTOR})""",
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
    dependencies = [("minutes", "0003_review_search_index")]

    operations = [migrations.RunPython(forwards, backwards)]
