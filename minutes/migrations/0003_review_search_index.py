"""The reviewers' archive (minutes.review): its order, and full-text search with or without
diacritics.

Both databases: an index on (archived_at DESC, id DESC), the archive's order, so a page of the
newest documents is read without sorting the whole subtree.
PostgreSQL: the unaccent extension, an IMMUTABLE wrapper (unaccent itself is STABLE, so it
cannot be indexed) and a GIN index on the expression the search uses. SQLite needs nothing
more: the search registers the same function in Python on its connection.
The indexes are created in SQL, outside Django's model state, as expression indexes must be.
"""

from django.db import migrations

# SET search_path pins the dictionary lookup and keeps the function from being inlined, so the
# planner sees its COST: it then prefers the GIN index to computing it on every row's text.
FUNCTION = """
CREATE OR REPLACE FUNCTION chibo_unaccent(text) RETURNS text AS $$
    SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1))
$$ LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT COST 1000 SET search_path = public, pg_temp
"""
INDEX = """
CREATE INDEX IF NOT EXISTS signed_document_text_search_idx ON minutes_signeddocument
USING gin (to_tsvector('simple'::regconfig, chibo_unaccent(content_text)))
"""


ORDER = """
CREATE INDEX IF NOT EXISTS signed_document_archive_order_idx
ON minutes_signeddocument (archived_at DESC, id DESC)
"""


def forwards(apps, schema_editor):
    schema_editor.execute(ORDER)
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    schema_editor.execute(FUNCTION)
    schema_editor.execute(INDEX)


def backwards(apps, schema_editor):
    schema_editor.execute("DROP INDEX IF EXISTS signed_document_archive_order_idx")
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS signed_document_text_search_idx")
    schema_editor.execute("DROP FUNCTION IF EXISTS chibo_unaccent(text)")


class Migration(migrations.Migration):
    dependencies = [("minutes", "0002_minutes_documents_reviews")]

    operations = [migrations.RunPython(forwards, backwards)]
