"""PostgreSQL statistics on how long meetings last (ended_at - started_at).

Without them the planner guesses that few meetings are shorter than the charter's minimum, so
for the dashboard's list of the first 50 short meetings of a year (minutes.review.dashboard) it
reads every meeting of the year and sorts them, instead of reading the start index in order
and stopping at the 50th. SQLite has no such statistics: nothing to do there.
"""

from django.db import migrations

CREATE = "CREATE STATISTICS meeting_duration_stats ON (ended_at - started_at) FROM meetings_meeting"
DROP = "DROP STATISTICS IF EXISTS meeting_duration_stats"


def on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("meetings", "0005_meeting_start_index")]

    operations = [migrations.RunPython(on_postgresql(CREATE), on_postgresql(DROP))]
