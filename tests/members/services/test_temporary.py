"""A temporary stay in another cell (`members.services.temporary`)."""

import pytest
from django.core.exceptions import PermissionDenied

from members.enums import RosterChangeKind
from members.errors import RosterError
from members.models import Member, RosterChange
from members.services import temporary
from tests.members.services.helpers import TODAY, D, stay_away

pytestmark = pytest.mark.integration


# --- send_temporarily, end_temporary ----------------------------------------------------------


def test_send_temporarily_records_the_host_cell_and_period(tree):
    temporary.send_temporarily(
        actor=tree.secretary.user,
        member=tree.member,
        cell=tree.far_cell,
        temporary_from=D(2026, 3, 1),
        temporary_until=D(2026, 9, 30),
    )

    tree.member.refresh_from_db()
    assert tree.member.temporary_cell_on(TODAY) == tree.far_cell.pk
    assert tree.member.home_cell == tree.cell
    change = RosterChange.objects.get(member=tree.member)
    assert (change.kind, change.cell, change.effective_on) == (
        RosterChangeKind.TEMPORARY_OUT,
        tree.cell,
        D(2026, 3, 1),
    )
    assert change.details == {
        "cell_id": tree.far_cell.pk,
        "cell_name": "Chi bộ B1",
        "from": "2026-03-01",
        "until": "2026-09-30",
        "previous": None,
    }


def test_send_temporarily_replaces_an_earlier_stay_and_keeps_it_in_history(tree):
    Member.objects.filter(pk=tree.member.pk).update(
        temporary_cell=tree.neighbour_cell, temporary_from=D(2025, 1, 1)
    )

    temporary.send_temporarily(
        actor=tree.secretary.user,
        member=tree.member,
        cell=tree.far_cell,
        temporary_from=D(2026, 3, 1),
        temporary_until=None,
    )

    assert Member.objects.get(pk=tree.member.pk).temporary_cell == tree.far_cell
    assert RosterChange.objects.get(member=tree.member).details["previous"] == {
        "cell_id": tree.neighbour_cell.pk,
        "cell_name": "Chi bộ A2",
        "from": "2025-01-01",
        "until": None,
    }


@pytest.mark.parametrize(
    ("host", "end", "message"),
    [
        ("cell", D(2026, 9, 30), "Đồng chí này đang sinh hoạt chính thức tại chi bộ đó."),
        ("grassroots", D(2026, 9, 30), "Nơi đến phải là một chi bộ."),
        ("far_cell", D(2026, 2, 28), "Ngày kết thúc không được trước ngày bắt đầu."),
    ],
    ids=["host is the home cell", "host is not a cell", "ends before it starts"],
)
def test_send_temporarily_refuses_a_bad_request(tree, host, end, message):
    with pytest.raises(RosterError) as error:
        temporary.send_temporarily(
            actor=tree.secretary.user,
            member=tree.member,
            cell=getattr(tree, host),
            temporary_from=D(2026, 3, 1),
            temporary_until=end,
        )

    assert error.value.message == message
    assert Member.objects.get(pk=tree.member.pk).temporary_cell is None
    assert RosterChange.objects.count() == 0


def test_send_temporarily_refuses_a_stay_beginning_before_the_admission(tree):
    with pytest.raises(RosterError) as error:
        temporary.send_temporarily(
            actor=tree.secretary.user,
            member=tree.member,
            cell=tree.far_cell,
            temporary_from=D(1900, 1, 1),
            temporary_until=D(2026, 9, 30),
        )

    assert error.value.message == "Ngày bắt đầu không được trước ngày vào Đảng (19/05/2010)."
    assert Member.objects.get(pk=tree.member.pk).temporary_cell is None
    assert RosterChange.objects.count() == 0


def test_send_temporarily_is_refused_to_the_host_cells_reviewer(tree):
    with pytest.raises(PermissionDenied):
        temporary.send_temporarily(
            actor=tree.sibling_reviewer.user,
            member=tree.member,
            cell=tree.far_cell,
            temporary_from=D(2026, 3, 1),
            temporary_until=None,
        )

    assert Member.objects.get(pk=tree.member.pk).temporary_cell is None


def test_end_temporary_sets_the_last_day_and_writes_one_history_row(tree):
    stay_away(tree.member, tree.far_cell, end=D(2026, 9, 30))

    temporary.end_temporary(actor=tree.secretary.user, member=tree.member, last_day=D(2026, 3, 14))

    tree.member.refresh_from_db()
    assert tree.member.temporary_until == D(2026, 3, 14)
    assert tree.member.temporary_cell_on(TODAY) is None
    change = RosterChange.objects.get(member=tree.member)
    assert (change.kind, change.cell, change.effective_on, change.details) == (
        RosterChangeKind.TEMPORARY_ENDED,
        tree.cell,
        D(2026, 3, 14),
        {
            "cell_id": tree.far_cell.pk,
            "cell_name": "Chi bộ B1",
            "from": "2026-01-01",
            "planned_until": "2026-09-30",
            "last_day": "2026-03-14",
        },
    )


@pytest.mark.parametrize(
    ("away", "end", "last_day", "message"),
    [
        (False, None, TODAY, "Đồng chí này hiện không sinh hoạt tạm thời nơi khác."),
        (True, D(2026, 2, 1), TODAY, "Đồng chí này hiện không sinh hoạt tạm thời nơi khác."),
        (
            True,
            None,
            D(2025, 12, 31),
            "Ngày kết thúc không được trước ngày bắt đầu sinh hoạt tạm thời (01/01/2026).",
        ),
    ],
    ids=["never away", "stay already over", "before it began"],
)
def test_end_temporary_refuses_a_bad_request(tree, away, end, last_day, message):
    if away:
        stay_away(tree.member, tree.far_cell, end=end)

    with pytest.raises(RosterError) as error:
        temporary.end_temporary(actor=tree.secretary.user, member=tree.member, last_day=last_day)

    assert error.value.message == message
    assert Member.objects.get(pk=tree.member.pk).temporary_until == end
    assert RosterChange.objects.count() == 0


def test_end_temporary_is_refused_to_a_plain_member(tree):
    stay_away(tree.member, tree.far_cell)

    with pytest.raises(PermissionDenied):
        temporary.end_temporary(actor=tree.member.user, member=tree.member, last_day=TODAY)

    assert Member.objects.get(pk=tree.member.pk).temporary_until is None
