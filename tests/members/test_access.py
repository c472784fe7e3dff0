import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from members import access, queries
from members.enums import CellRoleKind
from members.models import Organization
from tests.factories import CellRoleFactory, CommitteeSeatFactory, UserFactory

pytestmark = pytest.mark.integration


def names(queryset) -> list[str]:
    return sorted(o.name for o in queryset)


def test_member_sees_home_cell_only(tree):
    assert names(access.visible_cells(tree.member.user)) == ["Chi bộ A1"]


def test_member_meeting_elsewhere_temporarily_sees_both_cells(tree):
    tree.member.temporary_cell = tree.far_cell
    tree.member.temporary_from = datetime.date(2020, 1, 1)
    tree.member.save()

    assert names(access.visible_cells(tree.member.user)) == ["Chi bộ A1", "Chi bộ B1"]


def test_temporary_stay_that_ended_gives_no_access(tree):
    tree.member.temporary_cell = tree.far_cell
    tree.member.temporary_from = datetime.date(2020, 1, 1)
    tree.member.temporary_until = datetime.date(2020, 12, 31)
    tree.member.save()

    assert names(access.visible_cells(tree.member.user)) == ["Chi bộ A1"]


def test_reviewer_sees_every_cell_beneath_the_seat_and_nothing_else(tree):
    assert names(access.visible_cells(tree.reviewer.user)) == ["Chi bộ A1", "Chi bộ A2"]
    assert names(access.visible_cells(tree.sibling_reviewer.user)) == ["Chi bộ B1"]


def test_reviewer_of_a_sibling_gets_404_for_our_cell(tree):
    with pytest.raises(Http404):
        access.access_cell(tree.sibling_reviewer.user, tree.cell.pk)


def test_ended_seat_gives_no_access(tree):
    seat = CommitteeSeatFactory(
        organization=tree.superior,
        ended_on=datetime.date(2021, 1, 1),
        member__home_cell=tree.far_cell,
    )

    assert names(access.visible_cells(seat.member.user)) == ["Chi bộ B1"]


def test_secretary_and_deputy_manage_their_cell_a_member_may_not(tree):
    deputy = CellRoleFactory(member__home_cell=tree.cell, kind=CellRoleKind.DEPUTY_SECRETARY).member

    assert access.access_cell_for_management(tree.secretary.user, tree.cell.pk) == tree.cell
    assert access.access_cell_for_management(deputy.user, tree.cell.pk) == tree.cell
    with pytest.raises(PermissionDenied):
        access.access_cell_for_management(tree.member.user, tree.cell.pk)
    with pytest.raises(Http404):
        access.access_cell_for_management(tree.secretary.user, tree.neighbour_cell.pk)


def test_committee_member_does_not_manage_the_roster(tree):
    committee = CellRoleFactory(
        member__home_cell=tree.cell, kind=CellRoleKind.COMMITTEE_MEMBER
    ).member

    with pytest.raises(PermissionDenied):
        access.access_cell_for_management(committee.user, tree.cell.pk)


def test_forged_organisation_id_is_404(tree):
    with pytest.raises(Http404):
        access.access_organization(tree.reviewer.user, 999_999)
    with pytest.raises(Http404):
        access.access_organization(tree.reviewer.user, tree.sibling.pk)
    assert access.access_organization(tree.reviewer.user, tree.cell.pk) == tree.cell


def test_account_without_party_record_sees_nothing(db):
    assert list(access.visible_cells(UserFactory())) == []


def test_subtree_is_one_prefix_query(tree, django_assert_num_queries):
    with django_assert_num_queries(1):
        found = names(queries.subtree(tree.grassroots))

    assert found == ["Chi bộ A1", "Chi bộ A2", "Đảng bộ A"]


def test_policy_is_inherited_down_the_tree_and_overridable(tree):
    tree.superior.quorum_policy = "half"
    tree.superior.save()
    tree.grassroots.vote_base_policy = "strict"
    tree.grassroots.save()
    tree.cell.quorum_policy = "none"
    tree.cell.save()

    cell_policy = queries.effective_policy(tree.cell)
    neighbour_policy = queries.effective_policy(tree.neighbour_cell)

    assert (cell_policy.quorum_policy, cell_policy.vote_base_policy) == ("none", "strict")
    assert cell_policy.set_by["quorum_policy"] == tree.cell.pk
    assert (neighbour_policy.quorum_policy, neighbour_policy.vote_base_policy) == ("half", "strict")
    assert neighbour_policy.set_by["quorum_policy"] == tree.superior.pk
    assert neighbour_policy.exempt_counted_when == "present"
    assert neighbour_policy.set_by["exempt_counted_when"] is None


def test_the_policies_of_a_subtree_are_resolved_top_down_in_one_query(
    tree, django_assert_num_queries
):
    tree.superior.quorum_policy = "half"
    tree.superior.minutes_signing_days = 3
    tree.superior.save()
    tree.grassroots.minutes_signing_days = 5
    tree.grassroots.place_name = "Hà Nội"
    tree.grassroots.save()
    tree.cell.minutes_signing_days = 10
    tree.cell.save()

    with django_assert_num_queries(1):
        policies = queries.effective_policies(tree.grassroots)

    assert set(policies) == {tree.grassroots.pk, tree.cell.pk, tree.neighbour_cell.pk}
    for pk, policy in policies.items():
        assert policy == queries.effective_policy(Organization.objects.get(pk=pk))
    cell, neighbour = policies[tree.cell.pk], policies[tree.neighbour_cell.pk]
    assert (cell.minutes_signing_days, cell.set_by["minutes_signing_days"]) == (10, tree.cell.pk)
    assert (neighbour.minutes_signing_days, neighbour.place_name) == (5, "Hà Nội")
    assert neighbour.set_by["minutes_signing_days"] == tree.grassroots.pk
    assert neighbour.set_by["quorum_policy"] == tree.superior.pk
    assert neighbour.set_by["vote_base_policy"] is None
    # Given the rows already read, no query; without an ancestor, no silent defaults.
    known = list(queries.policy_tree(tree.grassroots))
    with django_assert_num_queries(0):
        assert queries.effective_policies(tree.grassroots, known) == policies
    with pytest.raises(KeyError):
        queries.resolve_policies([o for o in known if o.pk != tree.superior.pk])


def test_member_of_another_cell_is_not_managed_by_our_secretary(tree):
    with pytest.raises(Http404):
        access.access_member_for_management(tree.secretary.user, tree.far_member.pk)
    with pytest.raises(PermissionDenied):
        access.access_member_for_management(tree.reviewer.user, tree.member.pk)
    assert access.access_member_for_management(tree.secretary.user, tree.member.pk) == tree.member
