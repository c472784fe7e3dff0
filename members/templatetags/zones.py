"""`{% when moment cell %}`: a moment in the cell's zone, and in the viewer's own if it differs."""

from __future__ import annotations

import datetime
from typing import Any

from django import template

from members import access, zones

register = template.Library()


def own_zone(context: template.Context) -> Any:
    """The viewer's own zone (None when unset), read once per request."""
    request = context.get("request")
    if request is None:
        return None
    if not hasattr(request, "_own_zone"):
        user = getattr(request, "user", None)
        member = access.member_of(user) if user is not None else None
        request._own_zone = zones.of_member(member)
    return request._own_zone


@register.simple_tag(takes_context=True)
def when(
    context: template.Context,
    moment: datetime.datetime | None,
    cell: Any,
    date: bool = True,
    weekday: bool = False,
) -> str:
    if moment is None:
        return "—"
    zone = zones.of_cell_id(cell) if isinstance(cell, int) else zones.of_cell(cell)
    return zones.describe(moment, zone, own_zone(context), date=date, weekday=weekday)
