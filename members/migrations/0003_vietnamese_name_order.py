"""People listed in Vietnamese alphabetical order (members.names).

PostgreSQL: the ICU collation `chibo_vi` (the CLDR Vietnamese order: a ă â … d đ …, tones none,
huyền, hỏi, ngã, sắc, nặng). PostgreSQL must be built with ICU (the Debian packages and the
official images are). SQLite: nothing here, members.names registers a collation of the same
name on each connection. Members' default order becomes the one of members.names.by_name.
"""

import django.db.models.functions.comparison
from django.db import migrations, models

import members.names


def create_collation(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE COLLATION IF NOT EXISTS chibo_vi (provider = icu, locale = 'vi')"
        )


def drop_collation(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP COLLATION IF EXISTS chibo_vi")


class Migration(migrations.Migration):
    dependencies = [("members", "0002_read_audit_and_signing_deadline")]

    operations = [
        migrations.RunPython(create_collation, drop_collation),
        migrations.AlterModelOptions(
            name="member",
            options={
                "ordering": [
                    models.OrderBy(
                        django.db.models.functions.comparison.Collate(
                            members.names.GivenName(models.F("full_name")), "chibo_vi"
                        )
                    ),
                    models.OrderBy(
                        django.db.models.functions.comparison.Collate(
                            models.F("full_name"), "chibo_vi"
                        )
                    ),
                    models.OrderBy(models.F("pk")),
                ],
                "verbose_name": "đảng viên",
                "verbose_name_plural": "đảng viên",
            },
        ),
    ]
