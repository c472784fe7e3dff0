"""A temporary stay in another cell (giới thiệu sinh hoạt tạm thời nơi khác)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from members.enums import RosterChangeKind
from members.errors import RosterError
from members.models import Member, Organization, User
from members.services.base import (
    check_destination,
    check_period,
    iso,
    locked_member,
    record_change,
)


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
        member = locked_member(actor, member)
        check_destination(member, cell)
        check_period(member, temporary_from, temporary_until)
        previous = (
            {
                "cell_id": member.temporary_cell_id,
                "cell_name": member.temporary_cell.name,
                "from": iso(member.temporary_from),
                "until": iso(member.temporary_until),
            }
            if member.temporary_cell
            else None
        )
        member.temporary_cell = cell
        member.temporary_from, member.temporary_until = temporary_from, temporary_until
        member.save(update_fields=["temporary_cell", "temporary_from", "temporary_until"])
        record_change(
            actor=actor,
            member=member,
            cell=member.home_cell,
            kind=RosterChangeKind.TEMPORARY_OUT,
            effective_on=temporary_from,
            details={
                "cell_id": cell.pk,
                "cell_name": cell.name,
                "from": iso(temporary_from),
                "until": iso(temporary_until),
                "previous": previous,
            },
        )
    return member


def end_temporary(*, actor: User, member: Member, last_day: datetime.date) -> Member:
    """The temporary stay ends after `last_day`. Writes one `temporary_ended` row."""
    with transaction.atomic():
        member = locked_member(actor, member)
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
            "from": iso(member.temporary_from),
            "planned_until": iso(member.temporary_until),
            "last_day": iso(last_day),
        }
        member.temporary_until = last_day
        member.save(update_fields=["temporary_until"])
        record_change(
            actor=actor,
            member=member,
            cell=member.home_cell,
            kind=RosterChangeKind.TEMPORARY_ENDED,
            effective_on=last_day,
            details=details,
        )
    return member
