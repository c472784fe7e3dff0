"""Who may see and manage what. Every permission-checked load goes through here.

- A member sees their own cells: the home cell, and the cell they meet in temporarily.
- A secretary (or deputy secretary) manages their cell.
- A reviewer holding a seat at an organisation sees every cell beneath it, and nothing else.

Loads answer 404 whether an object is missing or merely out of reach, so existence does not
leak; someone who may see a cell but not manage it gets 403 on management pages.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING, TypedDict

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet, Value
from django.db.models.expressions import BaseExpression
from django.http import Http404
from django.utils import timezone

from members import audit, zones
from members.enums import CellRoleKind, Level
from members.models import CellRole, CommitteeSeat, Member, Organization, ReadKind, User

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

MANAGING_ROLES = (CellRoleKind.SECRETARY, CellRoleKind.DEPUTY_SECRETARY)


def _today() -> datetime.date:
    return timezone.localdate()


def _current(day: datetime.date) -> Q:
    return Q(started_on__lte=day) & (Q(ended_on__isnull=True) | Q(ended_on__gte=day))


def member_of(user: User) -> Member | None:
    return members_of([user]).get(user.pk)


def members_of(users: list[User], *, cells: bool = True) -> dict[int, Member]:
    """The member record of each signed-in user who has one, by user id, in one query; with
    `cells=False` without their cells' rows (the live room decides from the ids alone)."""
    ids = {user.pk for user in users if user.is_authenticated}
    if not ids:
        return {}
    # Unordered: the members' Vietnamese name order (Member.Meta.ordering) cost more to compile
    # than the query took, on every live-room command (docs/benchmarks.md).
    found = Member.objects.filter(user_id__in=ids).order_by()
    if cells:
        found = found.select_related("home_cell", "temporary_cell")
    return {member.user_id: member for member in found if member.user_id is not None}


def own_cell_ids(member: Member | None, day: datetime.date | None = None) -> set[int]:
    if member is None:
        return set()
    day = day or _today()
    ids = {member.home_cell_id}
    temporary = member.temporary_cell_on(day)
    if temporary is not None:
        ids.add(temporary)
    return ids


def managed_cell_ids(member: Member | None, day: datetime.date | None = None) -> set[int]:
    if member is None:
        return set()
    day = day or _today()
    roles = CellRole.objects.filter(_current(day), member=member, kind__in=MANAGING_ROLES)
    return set(roles.values_list("cell_id", flat=True))


def review_seats(
    member: Member | None, day: datetime.date | None = None
) -> QuerySet[CommitteeSeat]:
    if member is None:
        return CommitteeSeat.objects.none()
    day = day or _today()
    return CommitteeSeat.objects.filter(_current(day), member=member).select_related("organization")


def reviewed_organizations(user: User) -> QuerySet[Organization]:
    """Organisations where the user holds a current committee seat."""
    seats = review_seats(member_of(user))
    return Organization.objects.filter(pk__in=seats.values("organization_id"))


def _subtree_filter(paths: list[str], field: str = "path") -> Q:
    return reduce(or_, (Q(**{f"{field}__startswith": path}) for path in paths), Q(pk__in=[]))


def reviewed_subtrees(user: User, field: str = "path") -> Q:
    """A filter on `field` (an organisation's path) for the subtrees the user reviews."""
    return _subtree_filter(
        [seat.organization.path for seat in review_seats(member_of(user))], field
    )


def visible_cells(user: User) -> QuerySet[Organization]:
    member = member_of(user)
    reviewed_paths = [seat.organization.path for seat in review_seats(member)]
    condition = Q(pk__in=own_cell_ids(member)) | _subtree_filter(reviewed_paths)
    return Organization.objects.filter(condition, level=Level.CELL)


@dataclass(frozen=True)
class Sight:
    """What `visible_cells` and `managed_cell_ids` know of one member, loaded for many members
    at once (`sights_of`): the same rules, answered in Python for a batch of checks."""

    own: frozenset[int]
    managed: frozenset[int]
    reviewed_paths: tuple[str, ...]

    def sees_cell(self, cell_id: int, path: str, level: str) -> bool:
        """As `visible_cells`: a cell of the member's own, or one beneath a reviewed seat."""
        if level != Level.CELL:
            return False
        return cell_id in self.own or any(path.startswith(p) for p in self.reviewed_paths)


NO_SIGHT = Sight(frozenset(), frozenset(), ())


def sights_of(users: list[User], day: datetime.date | None = None) -> dict[int, Sight]:
    """Each user's `Sight` by user id (users without a member record see nothing), in three
    queries whatever the number of users."""
    day = day or _today()
    members = members_of(users, cells=False)  # own_cell_ids reads the member's own row
    by_member = {member.pk: member for member in members.values()}
    managed: dict[int, set[int]] = {}
    roles = CellRole.objects.filter(_current(day), member__in=by_member, kind__in=MANAGING_ROLES)
    for member_id, cell_id in roles.values_list("member_id", "cell_id"):
        managed.setdefault(member_id, set()).add(cell_id)
    reviewed: dict[int, list[str]] = {}
    seats = CommitteeSeat.objects.filter(_current(day), member__in=by_member)
    for member_id, path in seats.values_list("member_id", "organization__path"):
        reviewed.setdefault(member_id, []).append(path)
    return {
        user_id: Sight(
            frozenset(own_cell_ids(member, day)),
            frozenset(managed.get(member.pk, ())),
            tuple(reviewed.get(member.pk, ())),
        )
        for user_id, member in members.items()
    }


class ReaderInside(TypedDict):
    """What `.annotate(reader_inside=reader_inside(user, ...))` adds to each object."""

    reader_inside: bool


def reader_inside(user: User, cell_ref: str = "pk") -> BaseExpression:
    """SQL: is the user a member of the cell at `cell_ref` (home, or temporary today)?

    Annotated onto the query that loads a cell's record, so the audit of reads
    (members.audit) knows without a query of its own whether the read comes from outside.
    """
    if not user.is_authenticated:
        return Value(False)
    day = _today()
    temporary = Q(temporary_cell=OuterRef(cell_ref), temporary_from__lte=day) & (
        Q(temporary_until__isnull=True) | Q(temporary_until__gte=day)
    )
    return Exists(Member.objects.filter(Q(home_cell=OuterRef(cell_ref)) | temporary, user=user.pk))


def _visible_cell(user: User, cell_id: int) -> WithAnnotations[Organization, ReaderInside]:
    cell = (
        visible_cells(user)
        .filter(pk=cell_id)
        .annotate(reader_inside=reader_inside(user), zone_key=zones.annotation("path"))
        .first()
    )
    if cell is None:
        raise Http404
    zones.remember(cell, cell.zone_key)
    zones.activate_for(cell)  # the page speaks the cell's time
    return cell


def access_cell(user: User, cell_id: int) -> Organization:
    """A cell the user may see; a read from outside the cell is logged (members.audit)."""
    cell = _visible_cell(user, cell_id)
    audit.record_read(user, ReadKind.CELL, cell.pk, cell.pk, inside=cell.reader_inside)
    return cell


def access_cell_for_management(user: User, cell_id: int) -> Organization:
    cell = _visible_cell(user, cell_id)
    if cell.pk not in managed_cell_ids(member_of(user)):
        raise PermissionDenied
    return cell


def may_manage_cell(user: User, cell: Organization) -> bool:
    return cell.pk in managed_cell_ids(member_of(user))


def access_organization(user: User, organization_id: int) -> Organization:
    """An organisation inside a subtree the user reviews (the seat's own organisation included)."""
    paths = [seat.organization.path for seat in review_seats(member_of(user))]
    organization = Organization.objects.filter(_subtree_filter(paths), pk=organization_id).first()
    if organization is None:
        raise Http404
    return organization


def administered_organizations(user: User) -> QuerySet[Organization]:
    """Organisations where the user holds a current seat marked `is_administrator`."""
    seats = review_seats(member_of(user)).filter(is_administrator=True)
    return Organization.objects.filter(pk__in=seats.values("organization_id"))


def access_administered_organization(user: User, organization_id: int) -> Organization:
    """An organisation inside a subtree the user administers (for the audit log), else 404."""
    paths = [org.path for org in administered_organizations(user)]
    organization = Organization.objects.filter(_subtree_filter(paths), pk=organization_id).first()
    if organization is None:
        raise Http404
    return organization


def visible_members(user: User) -> QuerySet[Member]:
    """Members whose home or temporary cell the user may see."""
    cells = visible_cells(user).values("pk")
    return Member.objects.filter(Q(home_cell__in=cells) | Q(temporary_cell__in=cells))


def access_member_for_management(user: User, member_id: int) -> Member:
    """A member of a cell the user manages (their home cell: the home cell keeps the record)."""
    member = visible_members(user).select_related("home_cell").filter(pk=member_id).first()
    if member is None:
        raise Http404
    if member.home_cell_id not in managed_cell_ids(member_of(user)):
        raise PermissionDenied
    return member
