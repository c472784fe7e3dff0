"""A member's party record: its rules, adding a member and editing the record."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import asdict, dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from members import queries
from members.enums import RosterChangeKind, Standing
from members.errors import MemberRecordError, RosterError
from members.models import Member, Organization, User
from members.services.base import as_json, locked_member, record_change, require_manager

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
# The Communist Party of Vietnam was founded on 3 February 1930: nobody joined it earlier.
PARTY_FOUNDED = datetime.date(1930, 2, 3)
# Điều lệ Đảng, Điều 1: a member is a Vietnamese citizen of 18 or older.
ADMISSION_AGE = 18
# Điều lệ Đảng, Điều 5: 12 months' probation before recognition as an official member.
PROBATION_YEARS = 1
# Not a charter rule: nobody living was born before 1900; an earlier year is a typing slip.
EARLIEST_BIRTH = datetime.date(1900, 1, 1)


def years_after(day: datetime.date, years: int) -> datetime.date:
    """The same day `years` later; 29 February becomes 28 February (the earlier of the two
    readings, so no true record is refused)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def record_problems(values: Mapping[str, object], *, today: datetime.date) -> list[tuple[str, str]]:
    """(field, message) for each rule a record breaks. A field absent from `values` is unknown
    (it could not be read) and the rules that need it are skipped; card numbers already in use
    are checked separately (`cards_in_use`)."""
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
    if admitted and admitted < PARTY_FOUNDED:
        problems.append(
            (
                "admission_date",
                _("Ngày vào Đảng (%(date)s) trước ngày thành lập Đảng (%(founded)s).")
                % {
                    "date": date_format(admitted, "SHORT_DATE_FORMAT"),
                    "founded": date_format(PARTY_FOUNDED, "SHORT_DATE_FORMAT"),
                },
            )
        )
    born = dates.get("date_of_birth")
    if born and born < EARLIEST_BIRTH:
        problems.append(
            (
                "date_of_birth",
                _("Ngày sinh (%(date)s) trước năm 1900: hãy kiểm tra lại.")
                % {"date": date_format(born, "SHORT_DATE_FORMAT")},
            )
        )
    recognised = dates.get("recognition_date")
    if admitted and recognised and recognised <= admitted:
        problems.append(("recognition_date", _("Ngày chính thức phải sau ngày vào Đảng.")))
    elif admitted and recognised and recognised < years_after(admitted, PROBATION_YEARS):
        problems.append(
            ("recognition_date", _("Ngày chính thức phải sau ngày vào Đảng đủ 12 tháng dự bị."))
        )
    if admitted and born and born >= admitted:
        problems.append(("date_of_birth", _("Ngày sinh phải trước ngày vào Đảng.")))
    elif admitted and born and years_after(born, ADMISSION_AGE) > admitted:
        problems.append(
            (
                "date_of_birth",
                _("Chưa đủ 18 tuổi vào ngày vào Đảng (%(date)s).")
                % {"date": date_format(admitted, "SHORT_DATE_FORMAT")},
            )
        )
    return problems


def cards_in_use(cards: list[str], *, except_member: int | None = None) -> set[str]:
    taken = Member.objects.filter(party_card_number__in=cards)
    if except_member is not None:
        taken = taken.exclude(pk=except_member)
    return {card for card in taken.values_list("party_card_number", flat=True) if card}


def card_taken_message(card: str) -> str:
    return _("Số thẻ đảng viên %(card)s đã có trong hệ thống.") % {"card": card}


def check_record(record: MemberRecord, *, except_member: int | None = None) -> None:
    problems = record_problems(asdict(record), today=timezone.localdate())
    card = record.party_card_number
    if card and cards_in_use([card], except_member=except_member):
        problems.append(("party_card_number", card_taken_message(card)))
    if problems:
        raise MemberRecordError(problems)


def check_no_post(member: Member) -> None:
    """Điều lệ Đảng, Điều 5: a probationary member does not vote or stand for election, so
    holds no post on the cell committee (secretary, deputy, committee member)."""
    role = (
        queries.current_roles(member.home_cell, timezone.localdate()).filter(member=member).first()
    )
    if role is not None:
        message = _(
            "Đồng chí này đang giữ chức vụ %(role)s của chi bộ: đảng viên dự bị không giữ "
            "chức vụ trong chi ủy."
        ) % {"role": role.get_kind_display()}
        raise MemberRecordError([("standing", message)])


# --- Adding and editing -----------------------------------------------------------------------


def add_member(*, actor: User, cell: Organization, record: MemberRecord) -> Member:
    """Adds a member (without a user account) whose home cell is `cell`.

    Writes the member and one `added` history row listing the record.
    """
    record = record.normalised()
    try:
        with transaction.atomic():
            require_manager(actor, cell)
            if not cell.is_cell:
                raise RosterError(_("Chỉ thêm được đảng viên vào một chi bộ."))
            check_record(record)
            member = Member.objects.create(home_cell=cell, **asdict(record))
            record_change(
                actor=actor,
                member=member,
                cell=cell,
                kind=RosterChangeKind.ADDED,
                effective_on=timezone.localdate(),
                details={"record": {k: as_json(v) for k, v in asdict(record).items()}},
            )
    except IntegrityError:
        # Another secretary took the same card number between our check and our write.
        raise MemberRecordError(
            [("party_card_number", card_taken_message(record.party_card_number or ""))]
        ) from None
    return member


def update_member(*, actor: User, member: Member, record: MemberRecord) -> Member:
    """Replaces the member's record. Writes one `edited` history row with each changed field
    as [old, new]; writes nothing when nothing changed."""
    record = record.normalised()
    try:
        with transaction.atomic():
            member = locked_member(actor, member)
            check_record(record, except_member=member.pk)
            if record.standing == Standing.PROBATIONARY:
                check_no_post(member)
            changes = {
                field: [as_json(getattr(member, field)), as_json(new)]
                for field, new in asdict(record).items()
                if getattr(member, field) != new
            }
            if not changes:
                return member
            for field, new in asdict(record).items():
                setattr(member, field, new)
            member.save(update_fields=list(changes))
            record_change(
                actor=actor,
                member=member,
                cell=member.home_cell,
                kind=RosterChangeKind.EDITED,
                effective_on=timezone.localdate(),
                details={"changes": changes},
            )
    except IntegrityError:
        raise MemberRecordError(
            [("party_card_number", card_taken_message(record.party_card_number or ""))]
        ) from None
    return member
