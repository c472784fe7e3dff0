"""Time zones: each organisation has one, inherited down the tree (Vietnam's by default), and a
member may set their own. Times are stated in the cell's zone, and also in the member's own zone
when it shows another wall-clock time ("19:30, Thứ Ba 03/03/2026 (giờ Berlin) · 01:30 Thứ Tư
04/03/2026 giờ Hà Nội").

Pages about one cell activate its zone (`activate_for`, called by the cell and meeting loaders
in members.access and meetings.access), so Django's forms read times typed into them in the
cell's zone and the `date` filter shows them there; `config.zones.ZoneMiddleware` starts every
request in the viewer's own zone.
"""

from __future__ import annotations

import datetime
import functools
import zoneinfo
from contextvars import ContextVar
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

DEFAULT_ZONE = "Asia/Ho_Chi_Minh"

# Place names for the zones members of the pilot live in; others show their city as IANA names it.
PLACES = {
    "Asia/Ho_Chi_Minh": gettext_lazy("Hà Nội"),
    "Asia/Saigon": gettext_lazy("Hà Nội"),
    "Asia/Bangkok": gettext_lazy("Băng Cốc"),
    "Asia/Vientiane": gettext_lazy("Viêng Chăn"),
    "Asia/Phnom_Penh": gettext_lazy("Phnôm Pênh"),
    "Asia/Shanghai": gettext_lazy("Bắc Kinh"),
    "Asia/Tokyo": gettext_lazy("Tô-ky-ô"),
    "Asia/Seoul": gettext_lazy("Xơ-un"),
    "Asia/Singapore": gettext_lazy("Xin-ga-po"),
    "Europe/Moscow": gettext_lazy("Mát-xcơ-va"),
    "Europe/Paris": gettext_lazy("Pa-ri"),
    "Europe/London": gettext_lazy("Luân Đôn"),
    "Europe/Prague": gettext_lazy("Praha"),
    "Europe/Warsaw": gettext_lazy("Vác-sa-va"),
    "Australia/Sydney": gettext_lazy("Xít-ni"),
}


@functools.cache
def known_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_zone(value: str) -> None:
    if value and value not in known_zones():
        raise ValidationError(
            _("Không có múi giờ “%(zone)s”. Ví dụ đúng: Europe/Berlin, Asia/Tokyo."),
            params={"zone": value},
            code="unknown_zone",
        )


def zone_choices() -> list[tuple[str, str]]:
    """The zones a member may pick, their place names first, then every other IANA name."""
    named = [(key, f"{PLACES[key]} ({key})") for key in PLACES if key != "Asia/Saigon"]
    rest = sorted(known_zones() - set(PLACES) - {"UTC"})
    return named + [(key, key.replace("_", " ")) for key in rest if "/" in key]


def get(key: str | None) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(key or DEFAULT_ZONE)


def label(zone: zoneinfo.ZoneInfo) -> str:
    """ "giờ Berlin", "giờ Hà Nội"."""
    key = zone.key
    place = PLACES.get(key) or key.rsplit("/", 1)[-1].replace("_", " ")
    return _("giờ %(place)s") % {"place": place}


# Zones already found during this request, by organisation id (config.zones.ZoneMiddleware
# starts each request with an empty one): a list of meetings costs no query per meeting.
request_zones: ContextVar[dict[int, zoneinfo.ZoneInfo] | None] = ContextVar(
    "request_zones", default=None
)


def of_cell(cell: Any) -> zoneinfo.ZoneInfo:
    """The cell's zone: its own, else the nearest ancestor's, else Vietnam's. Cached on the
    object and for the request (one query the first time)."""
    zone = getattr(cell, "_zone", None)
    if zone is None:
        known = request_zones.get()
        zone = known.get(cell.pk) if known is not None else None
        if zone is None:
            from members.queries import effective_policy

            zone = get(effective_policy(cell).time_zone)
            if known is not None:
                known[cell.pk] = zone
        cell._zone = zone
    return zone


def annotation(path_ref: str) -> Any:
    """For a loader's query: the zone in force at the organisation whose path is `path_ref`
    (the nearest one on its path that sets one), read in the same query; "" = the default.
    Pass the value to `remember`."""
    from django.db.models import CharField, ExpressionWrapper, OuterRef, Subquery

    from members.models import Organization

    ancestors = (
        Organization.objects.alias(
            outer=ExpressionWrapper(OuterRef(path_ref), output_field=CharField())
        )
        .filter(outer__startswith=F("path"))
        .exclude(time_zone="")
        .order_by("-path")
        .values("time_zone")[:1]
    )
    return Subquery(ancestors)


def remember(cell: Any, key: str | None) -> zoneinfo.ZoneInfo:
    zone = remember_id(cell.pk, key)
    cell._zone = zone
    return zone


def remember_id(cell_id: int, key: str | None) -> zoneinfo.ZoneInfo:
    zone = get(key)
    known = request_zones.get()
    if known is not None:
        known[cell_id] = zone
    return zone


def of_cell_id(cell_id: int) -> zoneinfo.ZoneInfo:
    known = request_zones.get()
    if known is not None and cell_id in known:
        return known[cell_id]
    from members.models import Organization

    key = (
        Organization.objects.filter(pk=cell_id)
        .annotate(zone_key=annotation("path"))
        .values_list("zone_key", flat=True)
        .first()
    )
    return remember_id(cell_id, key)


def of_member(member: Any) -> zoneinfo.ZoneInfo | None:
    key = getattr(member, "time_zone", "") if member is not None else ""
    return get(key) if key else None


def activate_for(cell: Any) -> zoneinfo.ZoneInfo:
    zone = of_cell(cell)
    timezone.activate(zone)
    return zone


def _moment(local: datetime.datetime, *, date: bool, weekday: bool) -> str:
    text = formats.date_format(local, "H:i")
    if date:
        day = formats.date_format(local, "SHORT_DATE_FORMAT")
        # "19:30, Thứ Ba 03/03/2026"; without the weekday "19:30 03/03/2026"
        weekday_name = formats.date_format(local, "l")
        text += f", {weekday_name} {day}" if weekday else f" {day}"
    return text


def describe(
    moment: datetime.datetime,
    zone: zoneinfo.ZoneInfo,
    own: zoneinfo.ZoneInfo | None = None,
    *,
    date: bool = True,
    weekday: bool = False,
) -> str:
    """A moment in the cell's zone, named when the cell is abroad or the member's own zone
    shows another wall-clock time; then that time, with its day when the day differs."""
    local = moment.astimezone(zone)
    text = _moment(local, date=date, weekday=weekday)
    other = moment.astimezone(own) if own is not None else local
    differs = other.replace(tzinfo=None) != local.replace(tzinfo=None)
    if zone.key != DEFAULT_ZONE or differs:
        text += f" ({label(zone)})"
    if own is not None and differs:
        text += " · " + _moment(other, date=date and other.date() != local.date(), weekday=weekday)
        text += " " + label(own)
    return text
