"""Celery tasks of the roster (run in-process when Celery is eager: the embedded default)."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from members.services import imports


# The reader stops itself at ROSTER_IMPORT_MAX_SECONDS; the soft limit is a backstop for a
# stage it cannot interrupt (opening the archive), and the import then ends as failed.
@shared_task(soft_time_limit=settings.ROSTER_IMPORT_MAX_SECONDS + 60)
def run_roster_import(*, import_id: int) -> str | None:
    job = imports.run_roster_import(import_id=import_id)
    return job.state if job else None
