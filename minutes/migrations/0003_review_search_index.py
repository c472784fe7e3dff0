"""Full-text search over archived documents, with or without diacritics (minutes.review.search).

PostgreSQL only: the unaccent extension, an IMMUTABLE wrapper (unaccent itself is STABLE, so it
cannot be indexed) and a GIN index on the expression the search uses. SQLite needs nothing
stored: the search registers the same function in Python on its connection.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION chibo_unaccent(text) RETURNS text AS $$
    SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1))
$$ LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
"""
INDEX = """
CREATE INDEX IF NOT EXISTS signed_document_text_search_idx ON minutes_signeddocument
USING gin (to_tsvector('simple'::regconfig, chibo_unaccent(content_text)))
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    schema_editor.execute(FUNCTION)
    schema_editor.execute(INDEX)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS signed_document_text_search_idx")
    schema_editor.execute("DROP FUNCTION IF EXISTS chibo_unaccent(text)")


class Migration(migrations.Migration):
    dependencies = [("minutes", "0002_minutes_documents_reviews")]

    operations = [migrations.RunPython(forwards, backwards)]
