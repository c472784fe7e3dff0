"""The transfer of a member's home cell (chuyển sinh hoạt đảng chính thức)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from members.enums import RosterChangeKind
from members.errors import RosterError
from members.models import CellRole, Member, Organization, User
from members.services.base import check_destination, iso, locked_member, record_change


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
        member = locked_member(actor, member)
        check_destination(member, destination)
        if not decision_reference:
            raise RosterError(_("Hãy ghi số, ký hiệu của quyết định hoặc giấy giới thiệu."))
        if len(decision_reference) > 200:
            raise RosterError(_("Số quyết định dài nhất 200 ký tự."))
        if transferred_on > timezone.localdate():
            raise RosterError(_("Ngày chuyển sinh hoạt không được ở tương lai."))
        if transferred_on < member.admission_date:
            raise RosterError(
                _("Ngày chuyển sinh hoạt không được trước ngày vào Đảng (%(date)s).")
                % {"date": date_format(member.admission_date, "SHORT_DATE_FORMAT")}
            )
        origin = member.home_cell
        # A role in the old cell that began after the transfer's day would not end with it:
        # the member would stay that cell's secretary from another cell.
        later = (
            CellRole.objects.filter(
                Q(ended_on__isnull=True) | Q(ended_on__gt=transferred_on),
                member=member,
                cell=origin,
                started_on__gt=transferred_on,
            )
            .order_by("started_on")
            .first()
        )
        if later is not None:
            raise RosterError(
                _(
                    "Đồng chí này giữ chức vụ %(role)s tại chi bộ từ ngày %(date)s: ngày chuyển "
                    "sinh hoạt không được trước ngày đó."
                )
                % {
                    "role": later.get_kind_display(),
                    "date": date_format(later.started_on, "SHORT_DATE_FORMAT"),
                }
            )
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
                "from": iso(member.temporary_from),
                "until": iso(member.temporary_until),
            }
            member.temporary_cell = None
            member.temporary_from = member.temporary_until = None
        member.home_cell = destination
        member.save(
            update_fields=["home_cell", "temporary_cell", "temporary_from", "temporary_until"]
        )
        common = {"decision_reference": decision_reference, "date": iso(transferred_on)}
        record_change(
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
        record_change(
            actor=actor,
            member=member,
            cell=destination,
            kind=RosterChangeKind.TRANSFERRED_IN,
            effective_on=transferred_on,
            details={**common, "from_cell_id": origin.pk, "from_cell_name": origin.name},
        )
    return member
