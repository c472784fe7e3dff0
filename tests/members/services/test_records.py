"""Adding a member and editing the record (`members.services.records`)."""

import pytest
from django.core.exceptions import PermissionDenied

from members.enums import RosterChangeKind, Standing
from members.errors import MemberRecordError, RosterError
from members.models import CellRole, Member, RosterChange
from members.services import records
from members.services.records import MemberRecord
from tests.factories import CellRoleFactory
from tests.members.services.helpers import TODAY, D, record

pytestmark = pytest.mark.integration


# --- add_member -------------------------------------------------------------------------------


def test_add_member_writes_the_record_without_an_account_and_one_history_row(tree):
    member = records.add_member(
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
    member = records.add_member(
        actor=tree.secretary.user,
        cell=tree.cell,
        record=record(party_card_number=" ", standing=Standing.PROBATIONARY, recognition_date=None),
    )

    assert Member.objects.get(pk=member.pk).party_card_number is None


@pytest.mark.parametrize("actor", ["member", "reviewer", "neighbour", "far_member"])
def test_add_member_is_refused_to_anyone_who_does_not_manage_the_cell(tree, actor):
    before = Member.objects.count()

    with pytest.raises(PermissionDenied):
        records.add_member(actor=getattr(tree, actor).user, cell=tree.cell, record=record())

    assert (Member.objects.count(), RosterChange.objects.count()) == (before, 0)


def test_add_member_is_refused_to_the_secretary_of_another_cell(tree):
    other_secretary = CellRoleFactory(member__home_cell=tree.neighbour_cell).member

    with pytest.raises(PermissionDenied):
        records.add_member(actor=other_secretary.user, cell=tree.cell, record=record())

    assert RosterChange.objects.count() == 0


def test_add_member_is_refused_once_the_secretary_role_has_ended(tree):
    CellRole.objects.filter(member=tree.secretary).update(ended_on=D(2026, 3, 14))

    with pytest.raises(PermissionDenied):
        records.add_member(actor=tree.secretary.user, cell=tree.cell, record=record())


def test_add_member_only_adds_to_a_cell(tree):
    CellRoleFactory(member=tree.secretary, cell=tree.grassroots)

    with pytest.raises(RosterError) as error:
        records.add_member(actor=tree.secretary.user, cell=tree.grassroots, record=record())

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
        "admitted before the Party was founded",
        {
            "date_of_birth": D(1905, 1, 1),
            "admission_date": D(1929, 12, 31),
            "recognition_date": D(1930, 12, 31),
        },
        [
            (
                "admission_date",
                "Ngày vào Đảng (31/12/1929) trước ngày thành lập Đảng (03/02/1930).",
            )
        ],
    ),
    (
        "admitted before turning 18",
        {"date_of_birth": D(1997, 6, 2)},
        [("date_of_birth", "Chưa đủ 18 tuổi vào ngày vào Đảng (01/06/2015).")],
    ),
    (
        "born before 1900",
        {"date_of_birth": D(1899, 12, 31)},
        [("date_of_birth", "Ngày sinh (31/12/1899) trước năm 1900: hãy kiểm tra lại.")],
    ),
    (
        "recognised before the 12 months of probation",
        {"recognition_date": D(2016, 5, 31)},
        [("recognition_date", "Ngày chính thức phải sau ngày vào Đảng đủ 12 tháng dự bị.")],
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
        records.add_member(actor=tree.secretary.user, cell=tree.cell, record=record(**overrides))

    assert error.value.problems == problems
    assert (Member.objects.count(), RosterChange.objects.count()) == (before, 0)


def test_add_member_refuses_a_card_number_already_in_use(tree):
    before = Member.objects.count()

    with pytest.raises(MemberRecordError) as error:
        records.add_member(
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
    monkeypatch.setattr(records, "cards_in_use", lambda cards, except_member=None: set())
    before = Member.objects.count()

    with pytest.raises(MemberRecordError) as error:
        records.add_member(
            actor=tree.secretary.user,
            cell=tree.cell,
            record=record(party_card_number=tree.member.party_card_number),
        )

    assert error.value.problems[0][0] == "party_card_number"
    assert (Member.objects.count(), RosterChange.objects.count()) == (before, 0)


# --- update_member ----------------------------------------------------------------------------


def _record_of(member: Member, **overrides) -> MemberRecord:
    return record(**{field: getattr(member, field) for field in records.RECORD_FIELDS} | overrides)


def test_update_member_writes_the_changed_fields_old_and_new(tree):
    old_name = tree.member.full_name

    records.update_member(
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
    records.update_member(
        actor=tree.secretary.user, member=tree.member, record=_record_of(tree.member)
    )

    assert RosterChange.objects.count() == 0


def test_update_member_keeps_its_own_card_number_but_refuses_another_members(tree):
    card = tree.neighbour.party_card_number

    with pytest.raises(MemberRecordError) as error:
        records.update_member(
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
        records.update_member(
            actor=tree.secretary.user,
            member=tree.member,
            record=_record_of(tree.member, full_name="Tên mới", recognition_date=None),
        )

    assert Member.objects.get(pk=tree.member.pk).full_name == name
    assert RosterChange.objects.count() == 0


def test_a_member_holding_a_post_in_the_cell_cannot_be_made_probationary(tree):
    # Điều lệ Đảng, Điều 5: a probationary member neither votes nor stands for election, so
    # holds no elected post: the secretary had made themselves a probationary secretary.
    with pytest.raises(MemberRecordError) as error:
        records.update_member(
            actor=tree.secretary.user,
            member=tree.secretary,
            record=_record_of(
                tree.secretary,
                standing=Standing.PROBATIONARY,
                recognition_date=None,
                party_card_number=None,
            ),
        )

    assert error.value.problems == [
        (
            "standing",
            "Đồng chí này đang giữ chức vụ Bí thư của chi bộ: đảng viên dự bị không giữ "
            "chức vụ trong chi ủy.",
        )
    ]
    assert Member.objects.get(pk=tree.secretary.pk).standing == Standing.OFFICIAL
    assert RosterChange.objects.count() == 0


def test_update_member_reports_a_card_number_taken_in_a_race(tree, monkeypatch):
    monkeypatch.setattr(records, "cards_in_use", lambda cards, except_member=None: set())

    with pytest.raises(MemberRecordError):
        records.update_member(
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
        records.update_member(
            actor=getattr(tree, actor).user,
            member=member,
            record=_record_of(member, full_name="Tên mới"),
        )

    assert Member.objects.get(pk=member.pk).full_name == name
    assert RosterChange.objects.count() == 0
