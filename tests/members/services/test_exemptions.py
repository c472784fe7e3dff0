"""Exemption from party work and meetings (`members.services.exemptions`)."""

import pytest
from django.core.exceptions import PermissionDenied

from members.enums import RosterChangeKind
from members.errors import RosterError
from members.models import Member, RosterChange
from members.services import exemptions
from tests.members.services.helpers import NEW_YEAR, TODAY, D

pytestmark = pytest.mark.integration


# --- mark_exempt, end_exemption ---------------------------------------------------------------


def test_mark_exempt_writes_the_period_the_reason_and_one_history_row(tree):
    exemptions.mark_exempt(
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

    exemptions.mark_exempt(
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
        (
            D(1900, 1, 1),
            None,
            "Tuổi cao",
            "Ngày bắt đầu không được trước ngày vào Đảng (19/05/2010).",
        ),
    ],
    ids=["blank reason", "over-long reason", "ends before it starts", "before the admission"],
)
def test_mark_exempt_refuses_a_bad_request(tree, start, end, reason, message):
    with pytest.raises(RosterError) as error:
        exemptions.mark_exempt(
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
        exemptions.mark_exempt(
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

    exemptions.end_exemption(actor=tree.secretary.user, member=tree.member, last_day=TODAY)

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
        exemptions.end_exemption(actor=tree.secretary.user, member=tree.member, last_day=last_day)

    assert error.value.message == message
    assert Member.objects.get(pk=tree.member.pk).exempt_until == end
    assert RosterChange.objects.count() == 0


def test_end_exemption_is_refused_to_a_plain_member(tree):
    _exempt(tree.member)

    with pytest.raises(PermissionDenied):
        exemptions.end_exemption(actor=tree.member.user, member=tree.member, last_day=TODAY)

    assert Member.objects.get(pk=tree.member.pk).exempt_until is None
