"""The transfer of a member's home cell (`members.services.transfers`)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from members.enums import CellRoleKind, RosterChangeKind
from members.errors import RosterError
from members.models import CellRole, Member, RosterChange
from members.services import exemptions, records, transfers
from tests.factories import CellRoleFactory
from tests.members.services.helpers import TODAY, D, changes_of, record, stay_away

pytestmark = pytest.mark.integration


# --- transfer_member --------------------------------------------------------------------------


def test_transfer_moves_the_home_cell_and_writes_history_on_both_cells(tree):
    transfers.transfer_member(
        actor=tree.secretary.user,
        member=tree.member,
        destination=tree.far_cell,
        transferred_on=D(2026, 3, 10),
        decision_reference=" Giấy giới thiệu số 12-GGT/ĐU ",
    )

    tree.member.refresh_from_db()
    assert tree.member.home_cell == tree.far_cell
    out, arrival = (
        RosterChange.objects.get(member=tree.member, cell=tree.cell),
        RosterChange.objects.get(member=tree.member, cell=tree.far_cell),
    )
    assert (out.kind, out.effective_on, out.details) == (
        RosterChangeKind.TRANSFERRED_OUT,
        D(2026, 3, 10),
        {
            "decision_reference": "Giấy giới thiệu số 12-GGT/ĐU",
            "date": "2026-03-10",
            "to_cell_id": tree.far_cell.pk,
            "to_cell_name": "Chi bộ B1",
            "roles_ended": [],
            "temporary_ended": None,
        },
    )
    assert (arrival.kind, arrival.effective_on, arrival.details) == (
        RosterChangeKind.TRANSFERRED_IN,
        D(2026, 3, 10),
        {
            "decision_reference": "Giấy giới thiệu số 12-GGT/ĐU",
            "date": "2026-03-10",
            "from_cell_id": tree.cell.pk,
            "from_cell_name": "Chi bộ A1",
        },
    )


def test_transfer_ends_the_members_current_roles_in_the_old_cell_only(tree):
    committee = CellRoleFactory(member=tree.member, kind=CellRoleKind.COMMITTEE_MEMBER)
    past = CellRoleFactory(
        member=tree.member,
        kind=CellRoleKind.DEPUTY_SECRETARY,
        started_on=D(2018, 1, 1),
        ended_on=D(2019, 12, 31),
    )
    elsewhere = CellRoleFactory(member=tree.member, cell=tree.far_cell)

    transfers.transfer_member(
        actor=tree.secretary.user,
        member=tree.member,
        destination=tree.neighbour_cell,
        transferred_on=D(2026, 3, 10),
        decision_reference="Quyết định 5-QĐ/ĐU",
    )

    ended = {role.pk: role.ended_on for role in CellRole.objects.filter(member=tree.member)}
    assert ended == {
        committee.pk: D(2026, 3, 10),
        past.pk: D(2019, 12, 31),
        elsewhere.pk: None,
    }
    out = RosterChange.objects.get(kind=RosterChangeKind.TRANSFERRED_OUT)
    assert out.details["roles_ended"] == ["committee_member"]


def test_transfer_into_the_cell_of_a_temporary_stay_ends_that_stay(tree):
    stay_away(tree.member, tree.far_cell, start=D(2025, 10, 1), end=D(2026, 9, 30))

    transfers.transfer_member(
        actor=tree.secretary.user,
        member=tree.member,
        destination=tree.far_cell,
        transferred_on=TODAY,
        decision_reference="Quyết định 5-QĐ/ĐU",
    )

    tree.member.refresh_from_db()
    assert (tree.member.home_cell, tree.member.temporary_cell, tree.member.temporary_from) == (
        tree.far_cell,
        None,
        None,
    )
    out = RosterChange.objects.get(kind=RosterChangeKind.TRANSFERRED_OUT)
    assert out.details["temporary_ended"] == {"from": "2025-10-01", "until": "2026-09-30"}


def test_transfer_elsewhere_keeps_a_temporary_stay_in_a_third_cell(tree):
    stay_away(tree.member, tree.far_cell)

    transfers.transfer_member(
        actor=tree.secretary.user,
        member=tree.member,
        destination=tree.neighbour_cell,
        transferred_on=TODAY,
        decision_reference="Quyết định 5-QĐ/ĐU",
    )

    tree.member.refresh_from_db()
    assert (tree.member.home_cell, tree.member.temporary_cell) == (
        tree.neighbour_cell,
        tree.far_cell,
    )


def test_a_secretary_who_transfers_themselves_no_longer_manages_the_old_cell(tree):
    transfers.transfer_member(
        actor=tree.secretary.user,
        member=tree.secretary,
        destination=tree.neighbour_cell,
        transferred_on=TODAY,
        decision_reference="Quyết định 5-QĐ/ĐU",
    )

    # The role ended today: tomorrow they cannot add members to the old cell.
    tomorrow = datetime.datetime(2026, 3, 16, 9, tzinfo=ZoneInfo("UTC"))
    with time_machine.travel(tomorrow), pytest.raises(PermissionDenied):
        records.add_member(actor=tree.secretary.user, cell=tree.cell, record=record())


def test_a_transfer_dated_before_a_role_began_is_refused_and_the_role_stays(tree):
    # Dated before the secretary's role began, the transfer ended no role: the member of
    # another cell stayed the old cell's secretary, and its notifications went on reaching them.
    with pytest.raises(RosterError) as error:
        transfers.transfer_member(
            actor=tree.secretary.user,
            member=tree.secretary,
            destination=tree.far_cell,
            transferred_on=D(2019, 6, 1),
            decision_reference="Quyết định 5-QĐ/ĐU",
        )

    assert error.value.message == (
        "Đồng chí này giữ chức vụ Bí thư tại chi bộ từ ngày 01/01/2020: "
        "ngày chuyển sinh hoạt không được trước ngày đó."
    )
    assert Member.objects.get(pk=tree.secretary.pk).home_cell == tree.cell
    assert CellRole.objects.get(member=tree.secretary).ended_on is None
    assert RosterChange.objects.count() == 0


def test_a_transfer_dated_before_the_admission_is_refused(tree):
    with pytest.raises(RosterError) as error:
        transfers.transfer_member(
            actor=tree.secretary.user,
            member=tree.member,
            destination=tree.far_cell,
            transferred_on=D(1900, 1, 1),
            decision_reference="Quyết định 5-QĐ/ĐU",
        )

    assert error.value.message == (
        "Ngày chuyển sinh hoạt không được trước ngày vào Đảng (19/05/2010)."
    )
    assert Member.objects.get(pk=tree.member.pk).home_cell == tree.cell


@pytest.mark.parametrize(
    ("destination", "day", "reference", "message"),
    [
        ("cell", TODAY, "QĐ 5", "Đồng chí này đang sinh hoạt chính thức tại chi bộ đó."),
        ("grassroots", TODAY, "QĐ 5", "Nơi đến phải là một chi bộ."),
        (
            "far_cell",
            TODAY,
            "  ",
            "Hãy ghi số, ký hiệu của quyết định hoặc giấy giới thiệu.",
        ),
        ("far_cell", TODAY, "x" * 201, "Số quyết định dài nhất 200 ký tự."),
        (
            "far_cell",
            D(2026, 3, 16),
            "QĐ 5",
            "Ngày chuyển sinh hoạt không được ở tương lai.",
        ),
    ],
    ids=["same cell", "not a cell", "no decision", "over-long decision", "in the future"],
)
def test_transfer_refuses_a_bad_request(tree, destination, day, reference, message):
    with pytest.raises(RosterError) as error:
        transfers.transfer_member(
            actor=tree.secretary.user,
            member=tree.member,
            destination=getattr(tree, destination),
            transferred_on=day,
            decision_reference=reference,
        )

    assert error.value.message == message
    assert Member.objects.get(pk=tree.member.pk).home_cell == tree.cell
    assert RosterChange.objects.count() == 0


@pytest.mark.parametrize("actor", ["member", "reviewer", "sibling_reviewer"])
def test_transfer_is_refused_to_anyone_who_does_not_manage_the_home_cell(tree, actor):
    with pytest.raises(PermissionDenied):
        transfers.transfer_member(
            actor=getattr(tree, actor).user,
            member=tree.member,
            destination=tree.far_cell,
            transferred_on=TODAY,
            decision_reference="QĐ 5",
        )

    assert Member.objects.get(pk=tree.member.pk).home_cell == tree.cell
    assert RosterChange.objects.count() == 0


def test_the_history_follows_the_member_to_the_new_cell(tree):
    exemptions.mark_exempt(
        actor=tree.secretary.user,
        member=tree.member,
        exempt_from=D(2026, 1, 1),
        exempt_until=None,
        reason="Tuổi cao",
    )
    transfers.transfer_member(
        actor=tree.secretary.user,
        member=tree.member,
        destination=tree.far_cell,
        transferred_on=TODAY,
        decision_reference="QĐ 5",
    )

    assert sorted(changes_of(tree.member)) == [
        ("Chi bộ A1", "exempted"),
        ("Chi bộ A1", "transferred_out"),
        ("Chi bộ B1", "transferred_in"),
    ]
