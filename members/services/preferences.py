"""What a member sets for themselves."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from members import zones
from members.models import Member, User


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
