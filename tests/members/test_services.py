import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from members import services
from members.enums import CellRoleKind, RosterChangeKind, Standing
from members.errors import MemberRecordError, RosterError
from members.models import CellRole, Member, RosterChange
from members.services import MemberRecord
from tests.factories import CellRoleFactory

pytestmark = pytest.mark.integration

TODAY = datetime.date(2026, 3, 15)
D = datetime.date
NEW_YEAR = D(2026, 1, 1)


@pytest.fixture(autouse=True)
def today():
    moment = datetime.datetime(2026, 3, 15, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    with time_machine.travel(moment, tick=False):
        yield TODAY


def record(**overrides) -> MemberRecord:
    values = {
        "full_name": "Phạm Thị Lan",
        "date_of_birth": D(1990, 4, 2),
        "party_card_number": "77001122",
        "admission_date": D(2015, 6, 1),
        "recognition_date": D(2016, 6, 1),
        "standing": Standing.OFFICIAL,
        "email": "lan@chibo.invalid",
        "phone": "0912 345 678",
    }
    values.update(overrides)
    return MemberRecord(**values)


def changes_of(member):
    return list(RosterChange.objects.filter(member=member).values_list("cell__name", "kind"))


# --- add_member -------------------------------------------------------------------------------


def test_add_member_writes_the_record_without_an_account_and_one_history_row(tree):
    member = services.add_member(
        actor=tree.secretary.user, cell=tree.cell, record=record(full_name="  Phạm  Thị Lan ")
    )

    member.refresh_from_db()
    assert (member.full_name, member.home_cell, member.user) == ("Phạm Thị Lan", tree.cell, None)
    assert (member.party_card_number, member.recognition_date) == ("77001122", D(2016, 6, 1))
    change = RosterChange.objects.get(member=member)
    assert (change.cell, change.kind, change.recorded_by, change.effective_on) == (
        tree.cell,
        RosterChangeKind.ADDED,
        tree.secretary.user,
        TODAY,
    )
    assert change.details["record"] == {
        "full_name": "Phạm Thị Lan",
        "admission_date": "2015-06-01",
        "standing": "official",
        "date_of_birth": "1990-04-02",
        "party_card_number": "77001122",
        "recognition_date": "2016-06-01",
        "email": "lan@chibo.invalid",
        "phone": "0912 345 678",
    }


def test_add_member_stores_a_blank_card_number_as_none(tree):
    member = services.add_member(
        actor=tree.secretary.user,
        cell=tree.cell,
        record=record(party_card_number=" ", standing=Standing.PROBATIONARY, recognition_date=None),
    )

    assert Member.objects.get(pk=member.pk).party_card_number is None


@pytest.mark.parametrize("actor", ["member", "reviewer", "neighbour", "far_member"])
def test_add_member_is_refused_to_anyone_who_does_not_manage_the_cell(tree, actor):
    before = Member.objects.count()

    with pytest.raises(PermissionDenied):
        services.add_member(actor=getattr(tree, actor).user, cell=tree.cell, record=record())

    assert (Member.objects.count(), RosterChange.objects.count()) == (before, 0)


def test_add_member_is_refused_to_the_secretary_of_another_cell(tree):
    other_secretary = CellRoleFactory(member__home_cell=tree.neighbour_cell).member

    with pytest.raises(PermissionDenied):
        services.add_member(actor=other_secretary.user, cell=tree.cell, record=record())

    assert RosterChange.objects.count() == 0


def test_add_member_is_refused_once_the_secretary_role_has_ended(tree):
    CellRole.objects.filter(member=tree.secretary).update(ended_on=D(2026, 3, 14))

    with pytest.raises(PermissionDenied):
        services.add_member(actor=tree.secretary.user, cell=tree.cell, record=record())


def test_add_member_only_adds_to_a_cell(tree):
    CellRoleFactory(member=tree.secretary, cell=tree.grassroots)

    with pytest.raises(RosterError) as error:
        services.add_member(actor=tree.secretary.user, cell=tree.grassroots, record=record())

    assert error.value.message == "Chỉ thêm được đảng viên vào một chi bộ."
    assert RosterChange.objects.count() == 0


RECORD_RULES = [
    (
        "official without recognition date",
        {"recognition_date": None},
        [("recognition_date", "Đảng viên chính thức phải có ngày chính thức.")],
    ),
    (
        "probationary with a recognition date",
        {"standing": Standing.PROBATIONARY, "party_card_number": None},
        [("recognition_date", "Đảng viên dự bị chưa có ngày chính thức: để trống ô này.")],
    ),
    (
        "recognition before admission",
        {"recognition_date": D(2015, 6, 1)},
        [("recognition_date", "Ngày chính thức phải sau ngày vào Đảng.")],
    ),
    (
        "born after admission",
        {"date_of_birth": D(2015, 7, 1)},
        [("date_of_birth", "Ngày sinh phải trước ngày vào Đảng.")],
    ),
    (
        "admission in the future",
        {"admission_date": D(2026, 3, 16), "recognition_date": D(2027, 3, 16)},
        [
            ("admission_date", "Ngày vào Đảng (16/03/2026) ở tương lai."),
            ("recognition_date", "Ngày chính thức (16/03/2027) ở tương lai."),
        ],
    ),
    ("blank name", {"full_name": "   "}, [("full_name", "Hãy nhập họ và tên.")]),
    (
        "over-long name",
        {"full_name": "A" * 121},
        [("full_name", "Dài quá 120 ký tự (đang có 121).")],
    ),
    (
        "over-long card number",
        {"party_card_number": "1" * 21},
        [("party_card_number", "Dài quá 20 ký tự (đang có 21).")],
    ),
    ("bad e-mail", {"email": "lan@"}, [("email", "Địa chỉ thư điện tử không hợp lệ.")]),
    (
        "unknown standing",
        {"standing": "honorary"},
        [("standing", "Loại đảng viên phải là chính thức hoặc dự bị.")],
    ),
]


@pytest.mark.parametrize(
    ("overrides", "problems"),
    [rule[1:] for rule in RECORD_RULES],
    ids=[rule[0] for rule in RECORD_RULES],
)
def test_add_member_refuses_a_record_that_breaks_a_rule(tree, overrides, problems):
    before = Member.objects.count()

    with pytest.raises(MemberRecordError) as error:
        services.add_member(actor=tree.secretary.user, cell=tree.cell, record=record(**overrides))

    assert error.value.problems == problems
    assert (Member.objects.count(), RosterChange.objects.count()) == (before, 0)


def test_add_member_refuses_a_card_number_already_in_use(tree):
    before = Member.objects.count()

    with pytest.raises(MemberRecordError) as error:
        services.add_member(
            actor=tree.secretary.user,
            cell=tree.cell,
            record=record(party_card_number=tree.far_member.party_card_number),
        )

    card = tree.far_member.party_card_number
    assert error.value.problems == [
        ("party_card_number", f"Số thẻ đảng viên {card} đã có trong hệ thống.")
    ]
    assert (Member.objects.count(), RosterChange.objects.count()) == (before, 0)


def test_add_member_reports_a_card_number_taken_in_a_race(tree, monkeypatch):
    # Another request writes the same card between our check and our insert.
    monkeypatch.setattr(services, "_cards_in_use", lambda cards, except_member=None: set())
    before = Member.objects.count()

    with pytest.raises(MemberRecordError) as error:
        services.add_member(
            actor=tree.secretary.user,
            cell=tree.cell,
            record=record(party_card_number=tree.member.party_card_number),
        )

    assert error.value.problems[0][0] == "party_card_number"
    assert (Member.objects.count(), RosterChange.objects.count()) == (before, 0)


# --- update_member ----------------------------------------------------------------------------


def _record_of(member: Member, **overrides) -> MemberRecord:
    return record(**{field: getattr(member, field) for field in services.RECORD_FIELDS} | overrides)


def test_update_member_writes_the_changed_fields_old_and_new(tree):
    old_name = tree.member.full_name

    services.update_member(
        actor=tree.secretary.user,
        member=tree.member,
        record=_record_of(tree.member, full_name="Nguyễn Văn Mới", phone="0900000000"),
    )

    tree.member.refresh_from_db()
    assert (tree.member.full_name, tree.member.phone) == ("Nguyễn Văn Mới", "0900000000")
    change = RosterChange.objects.get(member=tree.member)
    assert (change.kind, change.cell, change.effective_on) == (
        RosterChangeKind.EDITED,
        tree.cell,
        TODAY,
    )
    assert change.details == {
        "changes": {"full_name": [old_name, "Nguyễn Văn Mới"], "phone": ["", "0900000000"]}
    }


def test_update_member_with_nothing_changed_writes_no_history(tree):
    services.update_member(
        actor=tree.secretary.user, member=tree.member, record=_record_of(tree.member)
    )

    assert RosterChange.objects.count() == 0


def test_update_member_keeps_its_own_card_number_but_refuses_another_members(tree):
    card = tree.neighbour.party_card_number

    with pytest.raises(MemberRecordError) as error:
        services.update_member(
            actor=tree.secretary.user,
            member=tree.member,
            record=_record_of(tree.member, party_card_number=card),
        )

    assert error.value.problems == [
        ("party_card_number", f"Số thẻ đảng viên {card} đã có trong hệ thống.")
    ]
    assert Member.objects.get(pk=tree.member.pk).party_card_number != card
    assert RosterChange.objects.count() == 0


def test_update_member_refuses_a_record_that_breaks_a_rule(tree):
    name = tree.member.full_name

    with pytest.raises(MemberRecordError):
        services.update_member(
            actor=tree.secretary.user,
            member=tree.member,
            record=_record_of(tree.member, full_name="Tên mới", recognition_date=None),
        )

    assert Member.objects.get(pk=tree.member.pk).full_name == name
    assert RosterChange.objects.count() == 0


def test_update_member_reports_a_card_number_taken_in_a_race(tree, monkeypatch):
    monkeypatch.setattr(services, "_cards_in_use", lambda cards, except_member=None: set())

    with pytest.raises(MemberRecordError):
        services.update_member(
            actor=tree.secretary.user,
            member=tree.member,
            record=_record_of(tree.member, party_card_number=tree.neighbour.party_card_number),
        )

    assert RosterChange.objects.count() == 0


@pytest.mark.parametrize(("actor", "target"), [("member", "member"), ("secretary", "neighbour")])
def test_update_member_is_refused_outside_the_cells_the_actor_manages(tree, actor, target):
    member = getattr(tree, target)
    name = member.full_name

    with pytest.raises(PermissionDenied):
        services.update_member(
            actor=getattr(tree, actor).user,
            member=member,
            record=_record_of(member, full_name="Tên mới"),
        )

    assert Member.objects.get(pk=member.pk).full_name == name
    assert RosterChange.objects.count() == 0


# --- mark_exempt, end_exemption ---------------------------------------------------------------


def test_mark_exempt_writes_the_period_the_reason_and_one_history_row(tree):
    services.mark_exempt(
        actor=tree.secretary.user,
        member=tree.member,
        exempt_from=D(2026, 3, 1),
        exempt_until=D(2026, 12, 31),
        reason=" Tuổi cao,  sức khỏe yếu ",
    )

    tree.member.refresh_from_db()
    assert (tree.member.exempt_from, tree.member.exempt_until, tree.member.exempt_reason) == (
        D(2026, 3, 1),
        D(2026, 12, 31),
        "Tuổi cao, sức khỏe yếu",
    )
    assert tree.member.is_exempt_on(TODAY)
    change = RosterChange.objects.get(member=tree.member)
    assert (change.kind, change.cell, change.effective_on) == (
        RosterChangeKind.EXEMPTED,
        tree.cell,
        D(2026, 3, 1),
    )
    assert change.details == {
        "from": "2026-03-01",
        "until": "2026-12-31",
        "reason": "Tuổi cao, sức khỏe yếu",
        "previous": None,
    }


def test_mark_exempt_replaces_an_earlier_exemption_and_keeps_it_in_history(tree):
    Member.objects.filter(pk=tree.member.pk).update(
        exempt_from=D(2025, 1, 1), exempt_until=D(2025, 6, 30), exempt_reason="Ốm"
    )

    services.mark_exempt(
        actor=tree.secretary.user,
        member=tree.member,
        exempt_from=D(2026, 3, 1),
        exempt_until=None,
        reason="Tuổi cao",
    )

    tree.member.refresh_from_db()
    assert (tree.member.exempt_from, tree.member.exempt_until) == (D(2026, 3, 1), None)
    assert RosterChange.objects.get(member=tree.member).details["previous"] == {
        "from": "2025-01-01",
        "until": "2025-06-30",
    }


@pytest.mark.parametrize(
    ("start", "end", "reason", "message"),
    [
        (D(2026, 3, 1), None, "  ", "Hãy ghi lý do miễn công tác và sinh hoạt đảng."),
        (D(2026, 3, 1), None, "x" * 301, "Lý do dài nhất 300 ký tự."),
        (
            D(2026, 3, 1),
            D(2026, 2, 28),
            "Tuổi cao",
            "Ngày kết thúc không được trước ngày bắt đầu.",
        ),
    ],
    ids=["blank reason", "over-long reason", "ends before it starts"],
)
def test_mark_exempt_refuses_a_bad_request(tree, start, end, reason, message):
    with pytest.raises(RosterError) as error:
        services.mark_exempt(
            actor=tree.secretary.user,
            member=tree.member,
            exempt_from=start,
            exempt_until=end,
            reason=reason,
        )

    assert error.value.message == message
    assert Member.objects.get(pk=tree.member.pk).exempt_from is None
    assert RosterChange.objects.count() == 0


def test_mark_exempt_is_refused_to_a_plain_member(tree):
    with pytest.raises(PermissionDenied):
        services.mark_exempt(
            actor=tree.member.user,
            member=tree.member,
            exempt_from=D(2026, 3, 1),
            exempt_until=None,
            reason="Tuổi cao",
        )

    assert Member.objects.get(pk=tree.member.pk).exempt_from is None


def _exempt(member, start=NEW_YEAR, end=None):
    Member.objects.filter(pk=member.pk).update(
        exempt_from=start, exempt_until=end, exempt_reason="Tuổi cao"
    )
    member.refresh_from_db()


def test_end_exemption_sets_the_last_day_and_writes_one_history_row(tree):
    _exempt(tree.member, end=D(2026, 12, 31))

    services.end_exemption(actor=tree.secretary.user, member=tree.member, last_day=TODAY)

    tree.member.refresh_from_db()
    assert tree.member.exempt_until == TODAY
    assert not tree.member.is_exempt_on(D(2026, 3, 16))
    change = RosterChange.objects.get(member=tree.member)
    assert (change.kind, change.effective_on, change.details) == (
        RosterChangeKind.EXEMPTION_ENDED,
        TODAY,
        {"from": "2026-01-01", "planned_until": "2026-12-31", "last_day": "2026-03-15"},
    )


@pytest.mark.parametrize(
    ("start", "end", "last_day", "message"),
    [
        (None, None, TODAY, "Đồng chí này hiện không được miễn sinh hoạt."),
        (D(2025, 1, 1), D(2025, 12, 31), TODAY, "Đồng chí này hiện không được miễn sinh hoạt."),
        (
            D(2026, 1, 1),
            None,
            D(2025, 12, 31),
            "Ngày thôi miễn sinh hoạt không được trước ngày bắt đầu miễn (01/01/2026).",
        ),
        (
            D(2026, 1, 1),
            D(2026, 6, 30),
            D(2026, 7, 1),
            "Thời gian miễn sinh hoạt đã định kết thúc ngày 30/06/2026.",
        ),
    ],
    ids=["never exempt", "exemption already over", "before it began", "after its planned end"],
)
def test_end_exemption_refuses_a_bad_request(tree, start, end, last_day, message):
    _exempt(tree.member, start, end)

    with pytest.raises(RosterError) as error:
        services.end_exemption(actor=tree.secretary.user, member=tree.member, last_day=last_day)

    assert error.value.message == message
    assert Member.objects.get(pk=tree.member.pk).exempt_until == end
    assert RosterChange.objects.count() == 0


def test_end_exemption_is_refused_to_a_plain_member(tree):
    _exempt(tree.member)

    with pytest.raises(PermissionDenied):
        services.end_exemption(actor=tree.member.user, member=tree.member, last_day=TODAY)

    assert Member.objects.get(pk=tree.member.pk).exempt_until is None


# --- send_temporarily, end_temporary ----------------------------------------------------------


def test_send_temporarily_records_the_host_cell_and_period(tree):
    services.send_temporarily(
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

    services.send_temporarily(
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
        services.send_temporarily(
            actor=tree.secretary.user,
            member=tree.member,
            cell=getattr(tree, host),
            temporary_from=D(2026, 3, 1),
            temporary_until=end,
        )

    assert error.value.message == message
    assert Member.objects.get(pk=tree.member.pk).temporary_cell is None
    assert RosterChange.objects.count() == 0


def test_send_temporarily_is_refused_to_the_host_cells_reviewer(tree):
    with pytest.raises(PermissionDenied):
        services.send_temporarily(
            actor=tree.sibling_reviewer.user,
            member=tree.member,
            cell=tree.far_cell,
            temporary_from=D(2026, 3, 1),
            temporary_until=None,
        )

    assert Member.objects.get(pk=tree.member.pk).temporary_cell is None


def _away(member, cell, start=NEW_YEAR, end=None):
    Member.objects.filter(pk=member.pk).update(
        temporary_cell=cell, temporary_from=start, temporary_until=end
    )
    member.refresh_from_db()


def test_end_temporary_sets_the_last_day_and_writes_one_history_row(tree):
    _away(tree.member, tree.far_cell, end=D(2026, 9, 30))

    services.end_temporary(actor=tree.secretary.user, member=tree.member, last_day=D(2026, 3, 14))

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
        _away(tree.member, tree.far_cell, end=end)

    with pytest.raises(RosterError) as error:
        services.end_temporary(actor=tree.secretary.user, member=tree.member, last_day=last_day)

    assert error.value.message == message
    assert Member.objects.get(pk=tree.member.pk).temporary_until == end
    assert RosterChange.objects.count() == 0


def test_end_temporary_is_refused_to_a_plain_member(tree):
    _away(tree.member, tree.far_cell)

    with pytest.raises(PermissionDenied):
        services.end_temporary(actor=tree.member.user, member=tree.member, last_day=TODAY)

    assert Member.objects.get(pk=tree.member.pk).temporary_until is None


# --- transfer_member --------------------------------------------------------------------------


def test_transfer_moves_the_home_cell_and_writes_history_on_both_cells(tree):
    services.transfer_member(
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

    services.transfer_member(
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
    _away(tree.member, tree.far_cell, start=D(2025, 10, 1), end=D(2026, 9, 30))

    services.transfer_member(
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
    _away(tree.member, tree.far_cell)

    services.transfer_member(
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
    services.transfer_member(
        actor=tree.secretary.user,
        member=tree.secretary,
        destination=tree.neighbour_cell,
        transferred_on=TODAY,
        decision_reference="Quyết định 5-QĐ/ĐU",
    )

    # The role ended today: tomorrow they cannot add members to the old cell.
    tomorrow = datetime.datetime(2026, 3, 16, 9, tzinfo=ZoneInfo("UTC"))
    with time_machine.travel(tomorrow), pytest.raises(PermissionDenied):
        services.add_member(actor=tree.secretary.user, cell=tree.cell, record=record())


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
        services.transfer_member(
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
        services.transfer_member(
            actor=getattr(tree, actor).user,
            member=tree.member,
            destination=tree.far_cell,
            transferred_on=TODAY,
            decision_reference="QĐ 5",
        )

    assert Member.objects.get(pk=tree.member.pk).home_cell == tree.cell
    assert RosterChange.objects.count() == 0


def test_the_history_follows_the_member_to_the_new_cell(tree):
    services.mark_exempt(
        actor=tree.secretary.user,
        member=tree.member,
        exempt_from=D(2026, 1, 1),
        exempt_until=None,
        reason="Tuổi cao",
    )
    services.transfer_member(
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
