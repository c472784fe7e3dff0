"""Reads about the party tree and rosters (not permission-checked: see members.access)."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from members.enums import CellRoleKind, ExemptCountedWhen, Level, QuorumPolicy, VoteBasePolicy
from members.models import PATH_STEP, CellRole, Member, Organization


@dataclass(frozen=True)
class PolicySettings:
    """The policy fields of Organization that a subtree may set, each with its default where no
    organisation above sets one: the charter's (shared/domain/charter-rules.md), or where the
    charter is silent, the deployment's choice as noted."""

    vote_base_policy: str = VoteBasePolicy.EXCLUDE_APPROVED_ABSENTEES.value
    quorum_policy: str = QuorumPolicy.TWO_THIRDS.value
    exempt_counted_when: str = ExemptCountedWhen.PRESENT.value
    block_sensitive_items_online: bool = True
    minimum_regular_minutes: int = 90
    place_name: str = ""
    # The charter is silent on a signing deadline: 7 days, see Organization.minutes_signing_days.
    minutes_signing_days: int = 7
    # Not in the charter: the deployment's choice, off by default (docs/media.md).
    media_required_for_presence: bool = False
    # Not in the charter: Vietnam's time unless an organisation abroad sets its own (members.zones).
    time_zone: str = "Asia/Ho_Chi_Minh"


POLICY_FIELDS = tuple(field.name for field in dataclasses.fields(PolicySettings))


@dataclass(frozen=True)
class EffectivePolicy(PolicySettings):
    """The policy settings in force at an organisation, and where each one came from."""

    # field → id of the organisation that set it; None = default
    set_by: dict[str, int | None] = dataclasses.field(default_factory=dict)

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
    chain = Organization.objects.filter(pk__in=organization.ancestor_ids())
    return resolve_policies(chain)[organization.pk]


def policy_tree(root: Organization) -> QuerySet[Organization]:
    """`root`'s subtree and its ancestors: what `resolve_policies` needs for the subtree."""
    return Organization.objects.filter(
        Q(pk__in=root.ancestor_ids()) | Q(path__startswith=root.path)
    )


def effective_policies(
    root: Organization, organizations: Iterable[Any] | None = None
) -> dict[int, EffectivePolicy]:
    """`effective_policy` of every organisation in `root`'s subtree, in one query; in none when
    the caller has read `policy_tree(root)` and passes its rows (organisations, or rows with
    `pk`, `path` and the policy fields, e.g. `values_list(..., named=True)`)."""
    known = policy_tree(root) if organizations is None else organizations
    return {
        organization.pk: policy
        for organization, policy in _top_down(known)
        if organization.path.startswith(root.path)
    }


def resolve_policies(organizations: Iterable[Any]) -> dict[int, EffectivePolicy]:
    """The effective policy of each organisation given; all their ancestors must be given too."""
    return {organization.pk: policy for organization, policy in _top_down(organizations)}


_DEFAULTS = EffectivePolicy(set_by=dict.fromkeys(POLICY_FIELDS))


def _top_down(organizations: Iterable[Any]) -> list[tuple[Any, EffectivePolicy]]:
    """One pass from the top down. Sorted by path, a parent comes before its children (its path
    is a prefix of theirs), so each organisation starts from its parent's resolved policy and
    overrides the fields it sets; one that sets none shares its parent's (frozen) policy."""
    by_path: dict[str, EffectivePolicy] = {}
    resolved = []
    for organization in sorted(organizations, key=lambda o: o.path):
        parent_path = organization.path[:-PATH_STEP]
        # A missing ancestor is the caller's mistake (KeyError), not a reason to use defaults.
        policy = by_path[parent_path] if parent_path else _DEFAULTS
        own = {
            field: value
            for field in POLICY_FIELDS
            if (value := getattr(organization, field)) not in (None, "")
        }
        if own:
            set_by = {**policy.set_by, **dict.fromkeys(own, organization.pk)}
            policy = dataclasses.replace(policy, **own, set_by=set_by)
        by_path[organization.path] = policy
        resolved.append((organization, policy))
    return resolved


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
