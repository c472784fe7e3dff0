"""A member's record with its history, and a cell's roster history, in the reader's language."""

from __future__ import annotations

import datetime

from django.core.paginator import Paginator
from django.db.models import Field
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from members import access
from members.enums import CellRoleKind, RosterChangeKind, Standing
from members.models import Member, RosterChange
from members.requests import VerifiedRequest
from members.services.records import RECORD_FIELDS

HISTORY_PAGE_SIZE = 50


def member_detail(request: VerifiedRequest, member_id: int) -> HttpResponse:
    member = access.access_member_for_management(request.user, member_id)
    changes = member.roster_changes.select_related("cell", "recorded_by__member")
    return render(
        request,
        "members/member_detail.html",
        {
            "member": member,
            "cell": member.home_cell,
            "today": timezone.localdate(),
            "changes": [(change, describe(change)) for change in changes],
        },
    )


def cell_history(request: VerifiedRequest, cell_id: int) -> HttpResponse:
    cell = access.access_cell_for_management(request.user, cell_id)
    changes = RosterChange.objects.filter(cell=cell).select_related("member", "recorded_by__member")
    page = Paginator(changes, HISTORY_PAGE_SIZE).get_page(request.GET.get("trang"))
    return render(
        request,
        "members/cell_history.html",
        {
            "cell": cell,
            "page": page,
            "changes": [(change, describe(change)) for change in page],
        },
    )


def short_date(value: datetime.date | str | None) -> str:
    if not value:
        return "—"
    if isinstance(value, str):
        value = datetime.date.fromisoformat(value)
    return date_format(value, "SHORT_DATE_FORMAT")


def _value(field: str, value: object) -> str:
    if value in (None, ""):
        return "—"
    if field.endswith("_date") or field == "date_of_birth":
        return short_date(str(value))
    if field == "standing":
        return str(Standing(str(value)).label)
    return str(value)


def _label(field: str) -> str:
    model_field = Member._meta.get_field(field)
    assert isinstance(model_field, Field)  # noqa: S101 -- a record's fields are columns of Member
    return str(capfirst(model_field.verbose_name))


def _period(start: str | None, end: str | None) -> str:
    if end:
        return _("Từ %(start)s đến %(end)s") % {"start": short_date(start), "end": short_date(end)}
    return _("Từ %(start)s, chưa định ngày kết thúc") % {"start": short_date(start)}


def describe(change: RosterChange) -> list[str]:
    """The lines that tell what a history row changed, in the reader's language."""
    details = change.details
    kind = change.kind
    if kind in (RosterChangeKind.ADDED, RosterChangeKind.IMPORTED):
        record = details.get("record", {})
        lines = [
            f"{_label(field)}: {_value(field, record[field])}"
            for field in RECORD_FIELDS
            if record.get(field) not in (None, "")
        ]
        if details.get("file"):
            lines.append(
                _("Tệp %(file)s, dòng %(row)s") % {"file": details["file"], "row": details["row"]}
            )
        return lines
    if kind == RosterChangeKind.EDITED:
        return [
            f"{_label(field)}: {_value(field, old)} → {_value(field, new)}"
            for field, (old, new) in details.get("changes", {}).items()
        ]
    if kind == RosterChangeKind.EXEMPTED:
        return [
            _period(details.get("from"), details.get("until")),
            _("Lý do: %(reason)s") % {"reason": details.get("reason", "")},
        ]
    if kind in (RosterChangeKind.EXEMPTION_ENDED, RosterChangeKind.TEMPORARY_ENDED):
        lines = [_("Ngày cuối: %(date)s") % {"date": short_date(details.get("last_day"))}]
        if details.get("cell_name"):
            lines.insert(0, details["cell_name"])
        return lines
    if kind == RosterChangeKind.TEMPORARY_OUT:
        return [
            _("Tại %(cell)s") % {"cell": details.get("cell_name", "")},
            _period(details.get("from"), details.get("until")),
        ]
    if kind == RosterChangeKind.TRANSFERRED_OUT:
        lines = [_("Đến %(cell)s") % {"cell": details.get("to_cell_name", "")}]
        roles = [str(CellRoleKind(role).label) for role in details.get("roles_ended", [])]
        if roles:
            lines.append(_("Thôi chức vụ: %(roles)s") % {"roles": ", ".join(roles)})
    elif kind == RosterChangeKind.TRANSFERRED_IN:
        lines = [_("Từ %(cell)s") % {"cell": details.get("from_cell_name", "")}]
    else:
        return []
    lines.append(
        _("Quyết định: %(reference)s") % {"reference": details.get("decision_reference", "")}
    )
    return lines
