"""Reads about the party tree and rosters (not permission-checked: see members.access)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from members.enums import CellRoleKind, ExemptCountedWhen, Level, QuorumPolicy, VoteBasePolicy
from members.models import CellRole, Member, Organization

# The charter defaults (shared/domain/charter-rules.md), used where no organisation above sets one.
POLICY_DEFAULTS = {
    "vote_base_policy": VoteBasePolicy.EXCLUDE_APPROVED_ABSENTEES.value,
    "quorum_policy": QuorumPolicy.TWO_THIRDS.value,
    "exempt_counted_when": ExemptCountedWhen.PRESENT.value,
    "block_sensitive_items_online": True,
    "minimum_regular_minutes": 90,
    "place_name": "",
    # The charter is silent on a signing deadline: 7 days, see Organization.minutes_signing_days.
    "minutes_signing_days": 7,
}


@dataclass(frozen=True)
class EffectivePolicy:
    """The policy settings in force at an organisation, and where each one came from."""

    vote_base_policy: str
    quorum_policy: str
    exempt_counted_when: str
    block_sensitive_items_online: bool
    minimum_regular_minutes: int
    place_name: str
    minutes_signing_days: int
    set_by: dict[str, int | None]  # field → id of the organisation that set it; None = default

    @property
    def vote_base_policy_label(self) -> str:
        return str(VoteBasePolicy(self.vote_base_policy).label)

    @property
    def quorum_policy_label(self) -> str:
        return str(QuorumPolicy(self.quorum_policy).label)

    @property
    def exempt_counted_when_label(self) -> str:
        return str(ExemptCountedWhen(self.exempt_counted_when).label)


def effective_policy(organization: Organization) -> EffectivePolicy:
    """The nearest ancestor (or the organisation itself) that sets a field wins; one query."""
    ancestors = {o.pk: o for o in Organization.objects.filter(pk__in=organization.ancestor_ids())}
    return _resolve(organization, ancestors)


def effective_policies(root: Organization) -> dict[int, EffectivePolicy]:
    """`effective_policy` of every organisation in `root`'s subtree, in one query."""
    known = {
        o.pk: o
        for o in Organization.objects.filter(
            Q(pk__in=root.ancestor_ids()) | Q(path__startswith=root.path)
        )
    }
    return {pk: _resolve(o, known) for pk, o in known.items() if o.path.startswith(root.path)}


def _resolve(organization: Organization, ancestors: dict[int, Organization]) -> EffectivePolicy:
    values: dict[str, object] = {}
    set_by: dict[str, int | None] = {}
    for field, default in POLICY_DEFAULTS.items():
        values[field], set_by[field] = default, None
        for ancestor_id in reversed(organization.ancestor_ids()):
            value = getattr(ancestors[ancestor_id], field)
            if value not in (None, ""):
                values[field], set_by[field] = value, ancestor_id
                break
    return EffectivePolicy(**values, set_by=set_by)  # type: ignore[arg-type]


def subtree(organization: Organization) -> QuerySet[Organization]:
    return Organization.objects.filter(path__startswith=organization.path)


def cells_under(organization: Organization) -> QuerySet[Organization]:
    return subtree(organization).filter(level=Level.CELL)


def superior_of(cell: Organization) -> Organization | None:
    return cell.parent


def home_members(cell: Organization) -> QuerySet[Member]:
    return Member.objects.filter(home_cell=cell)


def temporary_members(cell: Organization, day: datetime.date) -> QuerySet[Member]:
    """Members of other cells meeting here on `day` (sinh hoạt tạm thời tại chi bộ)."""
    return Member.objects.filter(
        Q(temporary_until__isnull=True) | Q(temporary_until__gte=day),
        temporary_cell=cell,
        temporary_from__lte=day,
    )


def current_roles(cell: Organization, day: datetime.date) -> QuerySet[CellRole]:
    return CellRole.objects.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=day), cell=cell, started_on__lte=day
    ).select_related("member")


def secretary_of(cell: Organization, day: datetime.date) -> Member | None:
    role = current_roles(cell, day).filter(kind=CellRoleKind.SECRETARY).first()
    return role.member if role else None
