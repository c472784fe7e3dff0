"""A member who changes or loses their phone moves the second factor to a new one."""

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import sign_in_verified
from tests.factories import PASSWORD, MemberFactory
from tests.members.test_login import code_for

pytestmark = pytest.mark.integration


@pytest.fixture
def member(db):
    return MemberFactory()


def test_the_backup_codes_page_offers_moving_to_a_new_phone(client, member):
    sign_in_verified(client, member.user)

    page = client.get(reverse("members:backup_codes")).content.decode()

    main = page.split("<main", 1)[1]
    assert f'href="{reverse("members:replace_device")}"' in main
    assert "<title>Mã dự phòng · Chi bộ trực tuyến</title>" in page


def test_a_member_moves_the_second_factor_to_a_new_phone(client, member):
    elsewhere = sign_in_verified(Client(), member.user)
    sign_in_verified(client, member.user)
    old = TOTPDevice.objects.get(user=member.user, confirmed=True)

    page = client.get(reverse("members:replace_device"))
    new = TOTPDevice.objects.get(user=member.user, confirmed=False)
    response = client.post(
        reverse("members:replace_device"), {"password": PASSWORD, "code": code_for(new)}
    )

    assert page.status_code == 200
    assert "<svg" in page.content.decode()
    assert response.status_code == 302
    assert list(TOTPDevice.objects.filter(user=member.user)) == [new]
    new.refresh_from_db()
    assert new.confirmed is True
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()
    home = client.get(reverse("members:home"))
    assert home.status_code == 200
    assert "Đã chuyển mã xác thực sang điện thoại mới." in home.content.decode()
    # A session verified with the old phone must give the new phone's code again.
    assert elsewhere.get(reverse("members:home"))["Location"] == reverse("members:second_factor")


def test_a_wrong_code_keeps_the_old_phone(client, member):
    sign_in_verified(client, member.user)
    old = TOTPDevice.objects.get(user=member.user, confirmed=True)
    client.get(reverse("members:replace_device"))

    response = client.post(
        reverse("members:replace_device"), {"password": PASSWORD, "code": "000000"}
    )

    assert response.status_code == 200
    assert "Mã không đúng" in response.content.decode()
    assert TOTPDevice.objects.get(user=member.user, confirmed=True) == old


def test_the_password_alone_cannot_replace_the_phone(client, member):
    client.post(reverse("members:login"), {"username": member.user.username, "password": PASSWORD})

    response = client.get(reverse("members:replace_device"))

    assert response.status_code == 302
    assert response["Location"] == reverse("members:second_factor")
    assert not TOTPDevice.objects.filter(user=member.user, confirmed=False).exists()


def test_a_verified_session_without_the_password_cannot_replace_the_phone(client, member):
    """Whoever holds a verified session (a computer left signed in) must not make their own
    phone the member's second factor: the page asks for the password too, and a wrong one
    counts towards the lock-out like a wrong password at sign-in."""
    sign_in_verified(client, member.user)
    old = TOTPDevice.objects.get(user=member.user, confirmed=True)
    client.get(reverse("members:replace_device"))
    new = TOTPDevice.objects.get(user=member.user, confirmed=False)

    without = client.post(reverse("members:replace_device"), {"code": code_for(new)})
    wrong = client.post(
        reverse("members:replace_device"), {"password": "not-it", "code": code_for(new)}
    )

    assert "Hãy nhập mật khẩu." in without.content.decode()
    assert "Mật khẩu không đúng." in wrong.content.decode()
    assert TOTPDevice.objects.get(user=member.user, confirmed=True) == old
    assert AccessAttempt.objects.get(username=member.user.username).failures_since_start == 1
