"""The audit of reads: every read of a cell's records by someone outside the cell is logged.

The access layer (members.access, meetings.access, minutes.access) and the review pages call
`record_read` once per load; nobody else writes `ReadAudit`. Whether the reader is inside the
cell is asked in the same query that loads the object (`members.access.reader_inside`), so
reads by the cell's own members cost no query at all, and an outside read a SELECT and at
most one INSERT.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils import timezone

from members.models import Organization, ReadAudit, ReadKind, User

# The same reader reading the same record again within this window is one read: the live room
# re-checks access on every snapshot (every few seconds while a reviewer observes a meeting).
SAME_READ = datetime.timedelta(minutes=10)


def record_read(user: User, kind: ReadKind, object_id: int, cell_id: int, *, inside: bool) -> None:
    """Log one read unless the reader belongs to the cell (home or temporary member), or read
    the same record less than SAME_READ ago."""
    if inside or not user.is_authenticated:
        return
    now = timezone.now()
    recent = ReadAudit.objects.filter(
        reader=user, kind=kind, object_id=object_id, cell_id=cell_id, read_at__gte=now - SAME_READ
    )
    if not recent.exists():
        ReadAudit.objects.create(
            reader=user, kind=kind, object_id=object_id, cell_id=cell_id, read_at=now
        )


def record_reads(user: User, kind: ReadKind, rows: Iterable[tuple[int, int]]) -> None:
    """Several reads at once, (object id, cell id) each, all by an outside reader: one INSERT."""
    if not user.is_authenticated:
        return
    now = timezone.now()
    ReadAudit.objects.bulk_create(
        ReadAudit(reader=user, kind=kind, object_id=object_id, cell_id=cell_id, read_at=now)
        for object_id, cell_id in rows
    )


def reads_of_cell(cell: Organization) -> QuerySet[ReadAudit]:
    return ReadAudit.objects.filter(cell=cell).select_related("reader__member", "cell")


def reads_under(organization: Organization) -> QuerySet[ReadAudit]:
    return ReadAudit.objects.filter(cell__path__startswith=organization.path).select_related(
        "reader__member", "cell"
    )
