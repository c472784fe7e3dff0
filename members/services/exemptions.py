"""Exemption from party work and meetings (miễn công tác và sinh hoạt đảng)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from members.enums import RosterChangeKind
from members.errors import RosterError
from members.models import Member, User
from members.services.base import check_period, iso, locked_member, record_change


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
        member = locked_member(actor, member)
        if not reason:
            raise RosterError(_("Hãy ghi lý do miễn công tác và sinh hoạt đảng."))
        if len(reason) > 300:
            raise RosterError(_("Lý do dài nhất 300 ký tự."))
        check_period(member, exempt_from, exempt_until)
        previous = (
            {"from": iso(member.exempt_from), "until": iso(member.exempt_until)}
            if member.exempt_from
            else None
        )
        member.exempt_from, member.exempt_until, member.exempt_reason = (
            exempt_from,
            exempt_until,
            reason,
        )
        member.save(update_fields=["exempt_from", "exempt_until", "exempt_reason"])
        record_change(
            actor=actor,
            member=member,
            cell=member.home_cell,
            kind=RosterChangeKind.EXEMPTED,
            effective_on=exempt_from,
            details={
                "from": iso(exempt_from),
                "until": iso(exempt_until),
                "reason": reason,
                "previous": previous,
            },
        )
    return member


def end_exemption(*, actor: User, member: Member, last_day: datetime.date) -> Member:
    """Ends the member's exemption after `last_day`. Writes one `exemption_ended` row."""
    with transaction.atomic():
        member = locked_member(actor, member)
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
            "from": iso(member.exempt_from),
            "planned_until": iso(member.exempt_until),
            "last_day": iso(last_day),
        }
        member.exempt_until = last_day
        member.save(update_fields=["exempt_until"])
        record_change(
            actor=actor,
            member=member,
            cell=member.home_cell,
            kind=RosterChangeKind.EXEMPTION_ENDED,
            effective_on=last_day,
            details=details,
        )
    return member
