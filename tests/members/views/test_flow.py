"""The form flow of every form page (`members.views.flow.submit`): a valid form → one service →
its refusal on the form, or a message and a redirect. Real services, a real database."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.test import RequestFactory
from django.urls import reverse

from meetings.errors import RuleViolation
from members.errors import DomainError, MemberRecordError, RosterError
from members.forms.roster import LastDayForm, MemberForm
from members.models import Member, RosterChange
from members.services import exemptions, records
from members.views.flow import show_error, submit
from tests.conftest import sign_in_verified

pytestmark = pytest.mark.integration

RECORD = {
    "full_name": "Phạm Thị Lan",
    "date_of_birth": "02/04/1990",
    "party_card_number": "77001122",
    "admission_date": "01/06/2015",
    "recognition_date": "01/06/2016",
    "standing": "official",
    "email": "",
    "phone": "",
}


@pytest.fixture(autouse=True)
def today():
    moment = datetime.datetime(2026, 3, 15, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    with time_machine.travel(moment, tick=False):
        yield


def post(user, data):
    """A POST request that has a session and messages, as the middleware gives a view."""
    request = RequestFactory().post("/", data)
    SessionMiddleware(lambda r: None).process_request(request)
    MessageMiddleware(lambda r: None).process_request(request)
    request.user = user
    return request


def written():
    return Member.objects.count(), RosterChange.objects.count()


def messages_of(request) -> list[str]:
    return [str(message) for message in get_messages(request)]


def test_a_refusal_lands_on_the_field_it_names_and_nothing_is_written(tree):
    request = post(
        tree.secretary.user, {**RECORD, "party_card_number": tree.member.party_card_number}
    )
    form = MemberForm(request.POST)
    before = written()

    response = submit(
        request,
        form,
        lambda: records.add_member(actor=tree.secretary.user, cell=tree.cell, record=form.record()),
        redirect_to="/done/",
        message="Đã thêm.",
    )

    assert response is None
    assert form.errors == {
        "party_card_number": [
            f"Số thẻ đảng viên {tree.member.party_card_number} đã có trong hệ thống."
        ]
    }
    assert written() == before
    assert messages_of(request) == []


def test_a_refusal_without_a_field_lands_on_the_whole_form(tree):
    request = post(tree.secretary.user, {"last_day": "15/03/2026"})
    form = LastDayForm(request.POST, label="Ngày cuối cùng được miễn sinh hoạt")
    before = written()

    response = submit(
        request,
        form,
        # The member is not exempt: the service refuses, naming no field.
        lambda: exemptions.end_exemption(
            actor=tree.secretary.user, member=tree.member, **form.cleaned_data
        ),
        redirect_to="/done/",
        message="Đã ghi.",
    )

    assert response is None
    assert form.errors == {"__all__": ["Đồng chí này hiện không được miễn sinh hoạt."]}
    assert written() == before
    assert messages_of(request) == []


def test_a_field_the_form_does_not_have_goes_on_the_whole_form_or_through_an_alias():
    class Form(forms.Form):
        date = forms.CharField()

    on_alias, on_form = Form({"date": "x"}), Form({"date": "x"})
    on_alias.is_valid(), on_form.is_valid()
    refusal = RuleViolation("Thời gian bắt đầu đã qua.", field="starts_at", reason="past")

    show_error(on_alias, refusal, {"starts_at": "date"})
    show_error(on_form, refusal)

    assert on_alias.errors == {"date": ["Thời gian bắt đầu đã qua."]}
    assert on_form.non_field_errors() == ["Thời gian bắt đầu đã qua."]


def test_every_problem_of_a_record_lands_on_its_field():
    form = MemberForm(RECORD)
    form.is_valid()

    show_error(
        form,
        MemberRecordError(
            [
                ("date_of_birth", "Ngày sinh phải trước ngày vào Đảng."),
                ("recognition_date", "Ngày chính thức phải sau ngày vào Đảng."),
            ]
        ),
    )

    assert form.errors == {
        "date_of_birth": ["Ngày sinh phải trước ngày vào Đảng."],
        "recognition_date": ["Ngày chính thức phải sau ngày vào Đảng."],
    }


def test_an_invalid_form_runs_nothing(tree):
    request = post(tree.secretary.user, {**RECORD, "full_name": ""})
    form = MemberForm(request.POST)
    before = written()

    response = submit(
        request,
        form,
        lambda: records.add_member(actor=tree.secretary.user, cell=tree.cell, record=form.record()),
        redirect_to="/done/",
        message="Đã thêm.",
    )

    assert response is None
    assert "full_name" in form.errors
    assert written() == before


def test_done_redirects_with_the_message_made_from_the_result(tree):
    request = post(tree.secretary.user, RECORD)
    form = MemberForm(request.POST)

    response = submit(
        request,
        form,
        lambda: records.add_member(actor=tree.secretary.user, cell=tree.cell, record=form.record()),
        redirect_to=lambda member: reverse("members:member", args=[member.pk]),
        message=lambda member: f"Đã thêm đồng chí {member.full_name}.",
    )

    member = Member.objects.get(party_card_number="77001122")
    assert response is not None
    assert (response.status_code, response["Location"]) == (
        302,
        reverse("members:member", args=[member.pk]),
    )
    assert messages_of(request) == ["Đã thêm đồng chí Phạm Thị Lan."]


def test_every_domain_error_carries_a_message_a_reason_and_a_field():
    roster = RosterError("Nơi đến phải là một chi bộ.")
    rule = RuleViolation("Tệp rỗng.", field="file", reason="empty")

    assert isinstance(roster, DomainError)
    assert isinstance(rule, DomainError)
    assert (roster.message, roster.reason, roster.field) == (
        "Nơi đến phải là một chi bộ.",
        "roster_rule",
        None,
    )
    assert (rule.message, rule.reason, rule.field) == ("Tệp rỗng.", "empty", "file")
    assert RuleViolation("Không được.").reason == ""  # the room's error events say "refused"


def test_a_refused_page_answers_200_with_the_form_and_the_error_on_it(client, tree):
    secretary = sign_in_verified(client, tree.secretary.user)
    before = written()

    response = secretary.post(
        reverse("members:member_add", args=[tree.cell.pk]),
        {**RECORD, "party_card_number": tree.member.party_card_number},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["party_card_number"] == [
        f"Số thẻ đảng viên {tree.member.party_card_number} đã có trong hệ thống."
    ]
    assert written() == before
