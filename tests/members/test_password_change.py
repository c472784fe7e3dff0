"""A member changes their own password (a verified session only; other sessions end)."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import sign_in_verified
from tests.factories import PASSWORD, MemberFactory

pytestmark = pytest.mark.integration

NEW_PASSWORD = "mot-mat-khau-moi-dai-2027"


@pytest.fixture
def member(db):
    return MemberFactory()


def change(client, old=PASSWORD, new=NEW_PASSWORD, again=None):
    return client.post(
        reverse("members:password_change"),
        {"old_password": old, "new_password1": new, "new_password2": again or new},
    )


def test_the_header_offers_the_password_change_to_a_signed_in_member(client, member):
    sign_in_verified(client, member.user)

    page = client.get(reverse("members:home")).content.decode()

    assert f'href="{reverse("members:password_change")}"' in page
    assert "Đổi mật khẩu" in page


def test_a_member_changes_their_password_stays_signed_in_and_other_sessions_end(client, member):
    elsewhere = sign_in_verified(Client(), member.user)
    sign_in_verified(client, member.user)

    response = change(client)

    assert response.status_code == 302
    assert response["Location"] == reverse("members:home")
    member.user.refresh_from_db()
    assert member.user.check_password(NEW_PASSWORD)
    home = client.get(reverse("members:home"))
    assert home.status_code == 200
    assert "Đã đổi mật khẩu." in home.content.decode()
    assert elsewhere.get(reverse("members:home")).status_code == 302


def test_a_wrong_old_password_or_a_weak_new_one_changes_nothing(client, member):
    sign_in_verified(client, member.user)

    wrong = change(client, old="khong-phai")
    weak = change(client, new="12345678")
    mismatched = change(client, again="mot-mat-khau-khac-2027")

    assert [r.status_code for r in (wrong, weak, mismatched)] == [200, 200, 200]
    assert "Mật khẩu cũ" in wrong.content.decode()
    member.user.refresh_from_db()
    assert member.user.check_password(PASSWORD)


def test_the_password_alone_does_not_reach_the_password_change(client, member):
    client.post(reverse("members:login"), {"username": member.user.username, "password": PASSWORD})

    response = change(client)

    assert response.status_code == 302
    assert response["Location"] == reverse("members:second_factor")
    member.user.refresh_from_db()
    assert member.user.check_password(PASSWORD)
