"""Changes to a cell's roster. Every change is one function here, and writes one history row.

Each service checks that `actor` manages the cell concerned (through `members.access`), so it
is safe to call from a view, a command or a consumer alike; it raises `PermissionDenied` if
not, and `members.errors.RosterError` (with a Vietnamese message) when a rule refuses the
change. Either way nothing is written.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from functools import partial
from typing import IO

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from members import access, roster_import, zones
from members.enums import RosterChangeKind, RosterImportState, Standing
from members.errors import MemberRecordError, RosterError, RosterImportError, RowError
from members.models import CellRole, Member, Organization, RosterChange, RosterImport, User

logger = logging.getLogger(__name__)

RECORD_FIELDS = (
    "full_name",
    "date_of_birth",
    "party_card_number",
    "admission_date",
    "recognition_date",
    "standing",
    "email",
    "phone",
)


@dataclass(frozen=True)
class MemberRecord:
    """The part of a member's party record the cell keeps and the secretary edits."""

    full_name: str
    admission_date: datetime.date
    standing: str
    date_of_birth: datetime.date | None = None
    party_card_number: str | None = None
    recognition_date: datetime.date | None = None
    email: str = ""
    phone: str = ""

    def normalised(self) -> MemberRecord:
        return MemberRecord(
            full_name=" ".join(self.full_name.split()),
            admission_date=self.admission_date,
            standing=self.standing,
            date_of_birth=self.date_of_birth,
            party_card_number=(self.party_card_number or "").strip() or None,
            recognition_date=self.recognition_date,
            email=self.email.strip(),
            phone=self.phone.strip(),
        )


# --- Rules of a record ------------------------------------------------------------------------

DATE_LABELS = {
    "date_of_birth": "Ngày sinh",
    "admission_date": "Ngày vào Đảng",
    "recognition_date": "Ngày chính thức",
}
MAX_LENGTHS = {"full_name": 120, "party_card_number": 20, "email": 254, "phone": 20}


def record_problems(values: Mapping[str, object], *, today: datetime.date) -> list[tuple[str, str]]:
    """(field, message) for each rule a record breaks. A field absent from `values` is unknown
    (it could not be read) and the rules that need it are skipped; card numbers already in use
    are checked separately (`_cards_in_use`)."""
    problems: list[tuple[str, str]] = []
    name = values.get("full_name")
    if "full_name" in values and not str(name or "").strip():
        problems.append(("full_name", _("Hãy nhập họ và tên.")))
    for field, limit in MAX_LENGTHS.items():
        text = str(values.get(field) or "")
        if len(text) > limit:
            problems.append(
                (
                    field,
                    _("Dài quá %(limit)d ký tự (đang có %(length)d).")
                    % {
                        "limit": limit,
                        "length": len(text),
                    },
                )
            )
    if email := values.get("email"):
        try:
            validate_email(str(email))
        except ValidationError:
            problems.append(("email", _("Địa chỉ thư điện tử không hợp lệ.")))
    if "standing" in values and values["standing"] not in Standing.values:
        problems.append(("standing", _("Loại đảng viên phải là chính thức hoặc dự bị.")))
    if "admission_date" in values and values["admission_date"] is None:
        problems.append(("admission_date", _("Hãy nhập ngày vào Đảng.")))

    dates = {
        field: day for field in DATE_LABELS if isinstance(day := values.get(field), datetime.date)
    }
    for field, day in dates.items():
        if day > today:
            problems.append(
                (
                    field,
                    _("%(label)s (%(date)s) ở tương lai.")
                    % {
                        "label": DATE_LABELS[field],
                        "date": date_format(day, "SHORT_DATE_FORMAT"),
                    },
                )
            )
    standing = values.get("standing")
    if "recognition_date" in values:
        if standing == Standing.OFFICIAL and values["recognition_date"] is None:
            problems.append(
                ("recognition_date", _("Đảng viên chính thức phải có ngày chính thức."))
            )
        if standing == Standing.PROBATIONARY and values["recognition_date"] is not None:
            problems.append(
                (
                    "recognition_date",
                    _("Đảng viên dự bị chưa có ngày chính thức: để trống ô này."),
                )
            )
    admitted = dates.get("admission_date")
    if admitted and "recognition_date" in dates and dates["recognition_date"] <= admitted:
        problems.append(("recognition_date", _("Ngày chính thức phải sau ngày vào Đảng.")))
    if admitted and "date_of_birth" in dates and dates["date_of_birth"] >= admitted:
        problems.append(("date_of_birth", _("Ngày sinh phải trước ngày vào Đảng.")))
    return problems


def _cards_in_use(cards: list[str], *, except_member: int | None = None) -> set[str]:
    taken = Member.objects.filter(party_card_number__in=cards)
    if except_member is not None:
        taken = taken.exclude(pk=except_member)
    return {card for card in taken.values_list("party_card_number", flat=True) if card}


def _card_taken_message(card: str) -> str:
    return _("Số thẻ đảng viên %(card)s đã có trong hệ thống.") % {"card": card}


def _check_record(record: MemberRecord, *, except_member: int | None = None) -> None:
    problems = record_problems(asdict(record), today=timezone.localdate())
    card = record.party_card_number
    if card and _cards_in_use([card], except_member=except_member):
        problems.append(("party_card_number", _card_taken_message(card)))
    if problems:
        raise MemberRecordError(problems)


# --- Authorisation and loading ----------------------------------------------------------------


def _require_manager(actor: User, cell: Organization) -> None:
    if not access.may_manage_cell(actor, cell):
        raise PermissionDenied(_("Đồng chí không quản lý chi bộ này."))


def _locked(actor: User, member: Member) -> Member:
    """The member's row, locked for this transaction, once the actor may manage it."""
    locked = (
        Member.objects.select_for_update(of=("self",))
        .select_related("home_cell", "temporary_cell")
        .get(pk=member.pk)
    )
    _require_manager(actor, locked.home_cell)
    return locked


def _iso(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


def _json(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime.date) else value


def _record_change(
    *,
    actor: User,
    member: Member,
    cell: Organization,
    kind: RosterChangeKind,
    effective_on: datetime.date,
    details: Mapping[str, object],
) -> RosterChange:
    return RosterChange.objects.create(
        member=member,
        cell=cell,
        kind=kind,
        details=details,
        recorded_by=actor,
        effective_on=effective_on,
    )


def _check_period(start: datetime.date, end: datetime.date | None) -> None:
    if end is not None and end < start:
        raise RosterError(_("Ngày kết thúc không được trước ngày bắt đầu."))


# --- Adding and editing -----------------------------------------------------------------------


def add_member(*, actor: User, cell: Organization, record: MemberRecord) -> Member:
    """Adds a member (without a user account) whose home cell is `cell`.

    Writes the member and one `added` history row listing the record.
    """
    record = record.normalised()
    try:
        with transaction.atomic():
            _require_manager(actor, cell)
            if not cell.is_cell:
                raise RosterError(_("Chỉ thêm được đảng viên vào một chi bộ."))
            _check_record(record)
            member = Member.objects.create(home_cell=cell, **asdict(record))
            _record_change(
                actor=actor,
                member=member,
                cell=cell,
                kind=RosterChangeKind.ADDED,
                effective_on=timezone.localdate(),
                details={"record": {k: _json(v) for k, v in asdict(record).items()}},
            )
    except IntegrityError:
        # Another secretary took the same card number between our check and our write.
        raise MemberRecordError(
            [("party_card_number", _card_taken_message(record.party_card_number or ""))]
        ) from None
    return member


def update_member(*, actor: User, member: Member, record: MemberRecord) -> Member:
    """Replaces the member's record. Writes one `edited` history row with each changed field
    as [old, new]; writes nothing when nothing changed."""
    record = record.normalised()
    try:
        with transaction.atomic():
            member = _locked(actor, member)
            _check_record(record, except_member=member.pk)
            changes = {
                field: [_json(getattr(member, field)), _json(new)]
                for field, new in asdict(record).items()
                if getattr(member, field) != new
            }
            if not changes:
                return member
            for field, new in asdict(record).items():
                setattr(member, field, new)
            member.save(update_fields=list(changes))
            _record_change(
                actor=actor,
                member=member,
                cell=member.home_cell,
                kind=RosterChangeKind.EDITED,
                effective_on=timezone.localdate(),
                details={"changes": changes},
            )
    except IntegrityError:
        raise MemberRecordError(
            [("party_card_number", _card_taken_message(record.party_card_number or ""))]
        ) from None
    return member


# --- Exemption (miễn công tác và sinh hoạt đảng) ----------------------------------------------


def mark_exempt(
    *,
    actor: User,
    member: Member,
    exempt_from: datetime.date,
    exempt_until: datetime.date | None,
    reason: str,
) -> Member:
    """Exempts the member from party work and meetings for the period (replacing any earlier
    exemption). Writes one `exempted` history row with the period, the reason and what it
    replaced."""
    reason = " ".join(reason.split())
    with transaction.atomic():
        member = _locked(actor, member)
        if not reason:
            raise RosterError(_("Hãy ghi lý do miễn công tác và sinh hoạt đảng."))
        if len(reason) > 300:
            raise RosterError(_("Lý do dài nhất 300 ký tự."))
        _check_period(exempt_from, exempt_until)
        previous = (
            {"from": _iso(member.exempt_from), "until": _iso(member.exempt_until)}
            if member.exempt_from
            else None
        )
        member.exempt_from, member.exempt_until, member.exempt_reason = (
            exempt_from,
            exempt_until,
            reason,
        )
        member.save(update_fields=["exempt_from", "exempt_until", "exempt_reason"])
        _record_change(
            actor=actor,
            member=member,
            cell=member.home_cell,
            kind=RosterChangeKind.EXEMPTED,
            effective_on=exempt_from,
            details={
                "from": _iso(exempt_from),
                "until": _iso(exempt_until),
                "reason": reason,
                "previous": previous,
            },
        )
    return member


def end_exemption(*, actor: User, member: Member, last_day: datetime.date) -> Member:
    """Ends the member's exemption after `last_day`. Writes one `exemption_ended` row."""
    with transaction.atomic():
        member = _locked(actor, member)
        if member.exempt_from is None or (
            member.exempt_until is not None and member.exempt_until < timezone.localdate()
        ):
            raise RosterError(_("Đồng chí này hiện không được miễn sinh hoạt."))
        if last_day < member.exempt_from:
            raise RosterError(
                _("Ngày thôi miễn sinh hoạt không được trước ngày bắt đầu miễn (%(date)s).")
                % {"date": date_format(member.exempt_from, "SHORT_DATE_FORMAT")}
            )
        if member.exempt_until is not None and last_day > member.exempt_until:
            raise RosterError(
                _("Thời gian miễn sinh hoạt đã định kết thúc ngày %(date)s.")
                % {"date": date_format(member.exempt_until, "SHORT_DATE_FORMAT")}
            )
        details = {
            "from": _iso(member.exempt_from),
            "planned_until": _iso(member.exempt_until),
            "last_day": _iso(last_day),
        }
        member.exempt_until = last_day
        member.save(update_fields=["exempt_until"])
        _record_change(
            actor=actor,
            member=member,
            cell=member.home_cell,
            kind=RosterChangeKind.EXEMPTION_ENDED,
            effective_on=last_day,
            details=details,
        )
    return member


# --- Temporary stay elsewhere (giới thiệu sinh hoạt tạm thời nơi khác) ------------------------


def _check_destination(member: Member, cell: Organization) -> None:
    if not cell.is_cell:
        raise RosterError(_("Nơi đến phải là một chi bộ."))
    if cell.pk == member.home_cell_id:
        raise RosterError(_("Đồng chí này đang sinh hoạt chính thức tại chi bộ đó."))


def send_temporarily(
    *,
    actor: User,
    member: Member,
    cell: Organization,
    temporary_from: datetime.date,
    temporary_until: datetime.date | None,
) -> Member:
    """The member meets in `cell` for the period, keeping full rights at home. Replaces any
    earlier temporary stay. Writes one `temporary_out` row on the home cell."""
    with transaction.atomic():
        member = _locked(actor, member)
        _check_destination(member, cell)
        _check_period(temporary_from, temporary_until)
        previous = (
            {
                "cell_id": member.temporary_cell_id,
                "cell_name": member.temporary_cell.name,
                "from": _iso(member.temporary_from),
                "until": _iso(member.temporary_until),
            }
            if member.temporary_cell
            else None
        )
        member.temporary_cell = cell
        member.temporary_from, member.temporary_until = temporary_from, temporary_until
        member.save(update_fields=["temporary_cell", "temporary_from", "temporary_until"])
        _record_change(
            actor=actor,
            member=member,
            cell=member.home_cell,
            kind=RosterChangeKind.TEMPORARY_OUT,
            effective_on=temporary_from,
            details={
                "cell_id": cell.pk,
                "cell_name": cell.name,
                "from": _iso(temporary_from),
                "until": _iso(temporary_until),
                "previous": previous,
            },
        )
    return member


def end_temporary(*, actor: User, member: Member, last_day: datetime.date) -> Member:
    """The temporary stay ends after `last_day`. Writes one `temporary_ended` row."""
    with transaction.atomic():
        member = _locked(actor, member)
        if member.temporary_cell is None or (
            member.temporary_until is not None and member.temporary_until < timezone.localdate()
        ):
            raise RosterError(_("Đồng chí này hiện không sinh hoạt tạm thời nơi khác."))
        started = member.temporary_from or last_day  # set together with temporary_cell
        if last_day < started:
            raise RosterError(
                _("Ngày kết thúc không được trước ngày bắt đầu sinh hoạt tạm thời (%(date)s).")
                % {"date": date_format(started, "SHORT_DATE_FORMAT")}
            )
        details = {
            "cell_id": member.temporary_cell_id,
            "cell_name": member.temporary_cell.name,
            "from": _iso(member.temporary_from),
            "planned_until": _iso(member.temporary_until),
            "last_day": _iso(last_day),
        }
        member.temporary_until = last_day
        member.save(update_fields=["temporary_until"])
        _record_change(
            actor=actor,
            member=member,
            cell=member.home_cell,
            kind=RosterChangeKind.TEMPORARY_ENDED,
            effective_on=last_day,
            details=details,
        )
    return member


# --- Transfer (chuyển sinh hoạt đảng chính thức) ----------------------------------------------


def transfer_member(
    *,
    actor: User,
    member: Member,
    destination: Organization,
    transferred_on: datetime.date,
    decision_reference: str,
) -> Member:
    """Moves the member's home cell to `destination` on `transferred_on`.

    Effects: the member's roles in the old cell end on that day; a temporary stay in the
    destination ends (it becomes home); one `transferred_out` row on the old cell and one
    `transferred_in` row on the destination, both with the decision reference. The record's
    history stays with the member.
    """
    decision_reference = " ".join(decision_reference.split())
    with transaction.atomic():
        member = _locked(actor, member)
        _check_destination(member, destination)
        if not decision_reference:
            raise RosterError(_("Hãy ghi số, ký hiệu của quyết định hoặc giấy giới thiệu."))
        if len(decision_reference) > 200:
            raise RosterError(_("Số quyết định dài nhất 200 ký tự."))
        if transferred_on > timezone.localdate():
            raise RosterError(_("Ngày chuyển sinh hoạt không được ở tương lai."))
        origin = member.home_cell
        roles = CellRole.objects.filter(
            Q(ended_on__isnull=True) | Q(ended_on__gt=transferred_on),
            member=member,
            cell=origin,
            started_on__lte=transferred_on,
        )
        roles_ended = sorted(roles.values_list("kind", flat=True))
        roles.update(ended_on=transferred_on)
        temporary_ended = None
        if member.temporary_cell_id == destination.pk:
            temporary_ended = {
                "from": _iso(member.temporary_from),
                "until": _iso(member.temporary_until),
            }
            member.temporary_cell = None
            member.temporary_from = member.temporary_until = None
        member.home_cell = destination
        member.save(
            update_fields=["home_cell", "temporary_cell", "temporary_from", "temporary_until"]
        )
        common = {"decision_reference": decision_reference, "date": _iso(transferred_on)}
        _record_change(
            actor=actor,
            member=member,
            cell=origin,
            kind=RosterChangeKind.TRANSFERRED_OUT,
            effective_on=transferred_on,
            details={
                **common,
                "to_cell_id": destination.pk,
                "to_cell_name": destination.name,
                "roles_ended": roles_ended,
                "temporary_ended": temporary_ended,
            },
        )
        _record_change(
            actor=actor,
            member=member,
            cell=destination,
            kind=RosterChangeKind.TRANSFERRED_IN,
            effective_on=transferred_on,
            details={**common, "from_cell_id": origin.pk, "from_cell_name": origin.name},
        )
    return member


# --- Import ---------------------------------------------------------------------------------


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
    _require_manager(actor, cell)
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
                        "record": {k: _json(v) for k, v in asdict(record).items()},
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
    header = roster_import.COLUMN_BY_FIELD
    errors = [
        RowError(row.row, header[field].header, message)
        for row in parsed.rows
        for field, message in record_problems(row.values, today=today)
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
        RowError(first_row_of[card], column, _card_taken_message(card))
        for card in sorted(_cards_in_use(list(first_row_of)))
    )
    return errors


def _in_file_order(errors: list[RowError]) -> list[RowError]:
    order = {column.header: position for position, column in enumerate(roster_import.COLUMNS)}
    return sorted(
        errors,
        key=lambda e: (e.row or 0, -1 if e.column is None else order.get(e.column, 99)),
    )


def set_own_time_zone(*, user: User, zone: str) -> Member:
    """The signed-in member's own zone ("" = their cell's): times are also shown in it.
    Effects: the member's `time_zone`."""
    zones.validate_zone(zone)
    member = Member.objects.filter(user=user).first()
    if member is None:
        raise PermissionDenied
    member.time_zone = zone
    member.save(update_fields=["time_zone"])
    return member
