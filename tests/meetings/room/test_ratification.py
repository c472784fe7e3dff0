"""An election takes effect only when a reviewer above the cell ratifies it."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from meetings.errors import RuleViolation
from meetings.models import ElectionRatification
from meetings.services import ratification
from members.models import CellRole
from tests.conftest import sign_in_verified
from tests.meetings import scenes

pytestmark = pytest.mark.integration


def ratify(tree, actor, *, number="125-QĐ/ĐU", day=None, vote=None):
    return ratification.ratify_election(
        actor=actor.user,
        vote_id=(vote or scenes.tree_election(tree)).pk,
        details=ratification.RatificationDetails(
            decision_number=number, decided_on=day or timezone.localdate()
        ),
    )


def refused(code, *args, **kwargs):
    with pytest.raises(RuleViolation) as caught:
        ratify(*args, **kwargs)
    assert caught.value.reason == code
    return caught.value


def secretaries(tree):
    return {
        (role.member_id, role.ended_on)
        for role in CellRole.objects.filter(cell=tree.cell, kind="secretary")
    }


def test_the_reviewer_above_ratifies_and_the_elected_takes_the_post(tree):
    today = timezone.localdate()

    done = ratify(tree, tree.reviewer)

    assert (done.ratified_by, done.organization) == (tree.reviewer, tree.grassroots)
    assert secretaries(tree) == {
        (tree.secretary.pk, today - datetime.timedelta(days=1)),
        (tree.member.pk, None),
    }
    assert [role.member for role in done.roles.all()] == [tree.member]
    assert ratification.awaiting_ratification(tree.reviewer.user) == []


def test_until_ratified_nothing_changes_and_the_election_waits_in_the_subtree(tree):
    election = scenes.tree_election(tree)

    assert ratification.awaiting_ratification(tree.reviewer.user) == [election]
    assert ratification.awaiting_ratification(tree.sibling_reviewer.user) == []
    assert secretaries(tree) == {(tree.secretary.pk, None)}


def test_only_a_seat_above_the_cell_may_ratify(tree):
    refused("forbidden", tree, tree.sibling_reviewer)
    refused("forbidden", tree, tree.secretary)

    assert not ElectionRatification.objects.exists()


def test_a_result_is_ratified_once(tree):
    ratify(tree, tree.reviewer)

    refused("already_ratified", tree, tree.reviewer, number="126-QĐ/ĐU")


def test_the_decision_needs_a_number_and_a_date_from_the_vote_to_today(tree):
    today = timezone.localdate()

    assert refused("bad_decision", tree, tree.reviewer, number="  ").field == "decision_number"
    tomorrow = today + datetime.timedelta(days=1)
    yesterday = today - datetime.timedelta(days=1)
    assert refused("bad_date", tree, tree.reviewer, day=tomorrow).field == "decided_on"
    assert refused("bad_date", tree, tree.reviewer, day=yesterday).field == "decided_on"


def test_an_election_with_nobody_elected_has_nothing_to_ratify(tree):
    election = scenes.tree_election(tree)
    election.result["decision"]["elected"] = []
    election.save(update_fields=["result"])

    refused("nobody_elected", tree, tree.reviewer, vote=election)
    assert ratification.awaiting_ratification(tree.reviewer.user) == []


def test_a_committee_member_elected_again_keeps_their_role(tree):
    election = scenes.tree_election(tree)
    election.options["post"] = "committee_member"
    election.save(update_fields=["options"])
    CellRole.objects.create(
        member=tree.member,
        cell=tree.cell,
        kind="committee_member",
        started_on=datetime.date(2020, 1, 1),
    )

    done = ratify(tree, tree.reviewer)

    assert list(done.roles.all()) == []
    assert CellRole.objects.filter(kind="committee_member").count() == 1
    assert secretaries(tree) == {(tree.secretary.pk, None)}


# --- the reviewer's page and the meeting page ---------------------------------------------


def client_of(member):
    client = Client()
    sign_in_verified(client, member.user)
    return client


def test_the_reviewer_ratifies_on_the_page_after_fixing_a_date(tree):
    election = scenes.tree_election(tree)
    client = client_of(tree.reviewer)
    url = reverse("meetings:ratify", args=[election.pk])
    prefix = f"v{election.pk}"

    listed = client.get(reverse("meetings:ratifications"))
    wrong = client.post(
        url, {f"{prefix}-decision_number": "125-QĐ/ĐU", f"{prefix}-decided_on": "31/02/2027"}
    )
    future = client.post(
        url, {f"{prefix}-decision_number": "125-QĐ/ĐU", f"{prefix}-decided_on": "01/01/2099"}
    )
    today = timezone.localdate().strftime("%d/%m/%Y")
    done = client.post(
        url, {f"{prefix}-decision_number": "125-QĐ/ĐU", f"{prefix}-decided_on": today}, follow=True
    )

    assert "Bầu bí thư chi bộ nhiệm kỳ 2027–2030" in listed.text
    assert tree.member.full_name in listed.text
    assert "Ngày không hợp lệ; hãy ghi theo ngày/tháng/năm." in wrong.text
    assert "Ngày quyết định phải từ ngày bầu" in future.text
    assert "Đã chuẩn y kết quả bầu cử; chức vụ có hiệu lực." in done.text
    assert "Không có kết quả bầu cử nào đang chờ chuẩn y." in done.text
    assert CellRole.objects.filter(member=tree.member, kind="secretary").exists()


def test_the_cells_secretary_sees_the_status_on_the_meeting_page(tree):
    election = scenes.tree_election(tree)
    url = reverse("meetings:detail", args=[election.meeting.pk])

    before = client_of(tree.secretary).get(url)
    ratify(tree, tree.reviewer)
    after = client_of(tree.secretary).get(url)

    assert "Chờ cấp ủy cấp trên chuẩn y" in before.text
    assert "Đã chuẩn y" in after.text
    assert "Quyết định số 125-QĐ/ĐU" in after.text
    assert tree.grassroots.name in after.text
