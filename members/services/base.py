"""What every roster change shares: the manager check, the locked member, the history row."""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from django.core.exceptions import PermissionDenied
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from members import access
from members.enums import RosterChangeKind
from members.errors import RosterError
from members.models import Member, Organization, RosterChange, User


def require_manager(actor: User, cell: Organization) -> None:
    if not access.may_manage_cell(actor, cell):
        raise PermissionDenied(_("Đồng chí không quản lý chi bộ này."))


def locked_member(actor: User, member: Member) -> Member:
    """The member's row, locked for this transaction, once the actor may manage it."""
    locked = (
        Member.objects.select_for_update(of=("self",))
        .select_related("home_cell", "temporary_cell")
        .get(pk=member.pk)
    )
    require_manager(actor, locked.home_cell)
    return locked


def iso(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


def as_json(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime.date) else value


def record_change(
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


def check_period(member: Member, start: datetime.date, end: datetime.date | None) -> None:
    """A period of the member's party life (an exemption, a stay elsewhere): it ends after it
    starts, and starts no earlier than the member's admission."""
    if start < member.admission_date:
        raise RosterError(
            _("Ngày bắt đầu không được trước ngày vào Đảng (%(date)s).")
            % {"date": date_format(member.admission_date, "SHORT_DATE_FORMAT")}
        )
    if end is not None and end < start:
        raise RosterError(_("Ngày kết thúc không được trước ngày bắt đầu."))


def check_destination(member: Member, cell: Organization) -> None:
    if not cell.is_cell:
        raise RosterError(_("Nơi đến phải là một chi bộ."))
    if cell.pk == member.home_cell_id:
        raise RosterError(_("Đồng chí này đang sinh hoạt chính thức tại chi bộ đó."))
