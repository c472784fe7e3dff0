"""Importing a roster file (CSV or XLSX): the request, the worker's run, and the import itself."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict
from functools import partial
from typing import IO

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from members import roster_columns, roster_import
from members.enums import RosterChangeKind, RosterImportState
from members.errors import RosterError, RosterImportError, RowError
from members.models import Member, Organization, RosterChange, RosterImport, User
from members.services import records as record_rules
from members.services.base import as_json, require_manager
from members.services.records import MemberRecord

logger = logging.getLogger(__name__)


def request_roster_import(
    *, actor: User, cell: Organization, upload: IO[bytes], file_name: str = ""
) -> RosterImport:
    """Hands a roster file to the worker (`run_roster_import`, after commit); the page then
    shows its progress. Reading a spreadsheet, even a hostile one, never holds up the server
    that answers pages and the live room."""
    _require_import(actor, cell)
    # One byte past the limit is kept, so that the worker refuses the file with the size message.
    data = upload.read(settings.ROSTER_IMPORT_MAX_BYTES + 1)
    with transaction.atomic():
        job = RosterImport.objects.create(
            cell=cell, requested_by=actor, file_name=file_name[:255], data=data
        )
        transaction.on_commit(partial(enqueue_roster_import, job.pk))
    return job


def enqueue_roster_import(import_id: int) -> None:
    # Imported here: the task module imports this one (its body is `run_roster_import`), so a
    # module-level import would be a cycle between the service layer and the tasks above it.
    from members import tasks

    tasks.run_roster_import.delay(import_id=import_id)


def run_roster_import(*, import_id: int) -> RosterImport | None:
    """The worker's body: reads the file and imports it (`import_roster`), writing the progress
    (rows read) as it goes and the outcome at the end. Runs once: a repeated message finds the
    import started and does nothing. Any failure, even an unforeseen one, ends the import as
    failed with a message, so the page never waits for ever."""
    with transaction.atomic():
        job = RosterImport.objects.select_for_update().filter(pk=import_id).first()
        if job is None or job.state != RosterImportState.QUEUED:
            return job
        job.state = RosterImportState.RUNNING
        job.save(update_fields=["state"])
    job = RosterImport.objects.select_related("cell", "requested_by").get(pk=import_id)

    def progress(rows: int) -> None:
        RosterImport.objects.filter(pk=import_id).update(rows_read=rows)

    try:
        if job.requested_by is None:
            raise PermissionDenied
        members = import_roster(
            actor=job.requested_by,
            cell=job.cell,
            upload=bytes(job.data),
            file_name=job.file_name,
            progress=progress,
        )
    except RosterImportError as error:
        job.errors = [[e.row, e.column, str(e.message)] for e in error.errors]
    except RosterError as error:
        job.errors = [[None, None, str(error.message)]]
    except PermissionDenied:
        job.errors = [[None, None, _("Đồng chí không còn quản lý chi bộ này.")]]
    except Exception:
        logger.exception("roster import %s failed", import_id)
        job.errors = [[None, None, _("Lỗi máy chủ khi nhập danh sách; hãy nhập lại sau.")]]
    else:
        job.imported = len(members)
    job.state = RosterImportState.FAILED if job.errors else RosterImportState.SUCCEEDED
    job.data = b""
    job.finished_at = timezone.now()
    job.save(update_fields=["errors", "imported", "state", "data", "finished_at"])
    return job


def _require_import(actor: User, cell: Organization) -> None:
    require_manager(actor, cell)
    if not cell.is_cell:
        raise RosterError(_("Chỉ nhập được danh sách vào một chi bộ."))


def import_roster(
    *,
    actor: User,
    cell: Organization,
    upload: IO[bytes] | bytes,
    file_name: str = "",
    progress: Callable[[int], None] | None = None,
) -> list[Member]:
    """Adds every member listed in a CSV or XLSX file (see `members.roster_import`), or none.

    Any bad row, or a problem with the file itself, raises `RosterImportError` with every
    problem found (row, column, message) and writes nothing. Otherwise writes the members
    (without user accounts) and one `imported` history row each. Called by the worker
    (`run_roster_import`); `progress` hears the rows read so far.
    """
    _require_import(actor, cell)
    parsed = roster_import.read_roster(upload, progress)
    errors = parsed.all_errors + _import_rule_errors(parsed)
    if errors:
        raise RosterImportError(_in_file_order(errors))
    records = [
        # The cells as read (text, numbers, dates); normalised() gives each field its type.
        MemberRecord(**row.values).normalised()  # type: ignore[arg-type]
        for row in parsed.rows
    ]
    today = timezone.localdate()
    try:
        with transaction.atomic():
            members = Member.objects.bulk_create(
                [Member(home_cell=cell, **asdict(record)) for record in records]
            )
            RosterChange.objects.bulk_create(
                RosterChange(
                    member=member,
                    cell=cell,
                    kind=RosterChangeKind.IMPORTED,
                    details={
                        "file": file_name,
                        "row": row.row,
                        "record": {k: as_json(v) for k, v in asdict(record).items()},
                    },
                    recorded_by=actor,
                    effective_on=today,
                )
                for member, record, row in zip(members, records, parsed.rows, strict=True)
            )
    except IntegrityError:
        raise RosterImportError(
            [
                RowError(
                    None,
                    None,
                    _("Một số thẻ đảng viên trong tệp vừa được người khác ghi; hãy nhập lại."),
                )
            ]
        ) from None
    return members


def _import_rule_errors(parsed: roster_import.ParsedRoster) -> list[RowError]:
    today = timezone.localdate()
    header = roster_columns.COLUMN_BY_FIELD
    errors = [
        RowError(row.row, header[field].header, message)
        for row in parsed.rows
        for field, message in record_rules.record_problems(row.values, today=today)
    ]
    first_row_of: dict[str, int] = {}
    for row in parsed.rows:
        card = row.values.get("party_card_number")
        if not card:
            continue
        if card in first_row_of:
            errors.append(
                RowError(
                    row.row,
                    header["party_card_number"].header,
                    _("Số thẻ đảng viên %(card)s trùng với dòng %(row)d.")
                    % {"card": card, "row": first_row_of[card]},
                )
            )
        else:
            first_row_of[str(card)] = row.row
    column = header["party_card_number"].header
    errors.extend(
        RowError(first_row_of[card], column, record_rules.card_taken_message(card))
        for card in sorted(record_rules.cards_in_use(list(first_row_of)))
    )
    return errors


def _in_file_order(errors: list[RowError]) -> list[RowError]:
    order = {column.header: position for position, column in enumerate(roster_columns.COLUMNS)}
    return sorted(
        errors,
        key=lambda e: (e.row or 0, -1 if e.column is None else order.get(e.column, 99)),
    )
