import time

import pytest
import time_machine
from django.contrib.auth.hashers import identify_hasher
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from members import otp
from tests.conftest import sign_in_verified
from tests.factories import PASSWORD, MemberFactory, TOTPDeviceFactory, UserFactory

pytestmark = pytest.mark.integration


def code_for(device: TOTPDevice) -> str:
    """The code the member's authenticator app shows right now."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    return f"{totp.token():0{device.digits}d}"


def sign_in_with_password(client, user):
    return client.post(reverse("members:login"), {"username": user.username, "password": PASSWORD})


@pytest.fixture
def member(db):
    return MemberFactory()


def test_password_alone_reaches_only_the_second_factor_step(client, member):
    response = sign_in_with_password(client, member.user)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("members:second_factor"))
    home = client.get(reverse("members:cell", args=[member.home_cell_id]))
    assert home.status_code == 302
    assert home["Location"] == reverse("members:second_factor")


def test_first_sign_in_enrols_a_totp_device_with_a_qr_code_rendered_here(client, member):
    sign_in_with_password(client, member.user)

    page = client.get(reverse("members:enrol"))

    assert page.status_code == 200
    assert "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=member.user)
    assert device.confirmed is False


def test_the_enrolment_page_asks_for_the_apps_code_only(client, member):
    # A new account has no backup codes yet: the page offered "một mã dự phòng 8 chữ số".
    sign_in_with_password(client, member.user)

    page = client.get(reverse("members:enrol")).content.decode()

    assert "6 chữ số mà ứng dụng xác thực vừa tạo." in page
    assert "mã dự phòng 8 chữ số" not in page


def test_enrolment_with_the_right_code_confirms_the_device_and_shows_backup_codes(client, member):
    sign_in_with_password(client, member.user)
    client.get(reverse("members:enrol"))
    device = TOTPDevice.objects.get(user=member.user)

    response = client.post(reverse("members:enrol"), {"code": code_for(device)})

    device.refresh_from_db()
    assert device.confirmed is True
    codes = response.context["codes"]
    assert len(codes) == 10
    assert sorted(
        StaticToken.objects.filter(device__user=member.user).values_list("token", flat=True)
    ) == sorted(codes)
    assert client.get(reverse("members:cell", args=[member.home_cell_id])).status_code == 200


def test_enrolment_with_a_wrong_code_says_so_in_vietnamese_and_confirms_nothing(client, member):
    sign_in_with_password(client, member.user)
    client.get(reverse("members:enrol"))

    response = client.post(reverse("members:enrol"), {"code": "000000"})

    assert response.status_code == 200
    assert "Mã không đúng" in response.content.decode()
    assert TOTPDevice.objects.get(user=member.user).confirmed is False


def test_sign_in_with_a_totp_code(client, member):
    device = TOTPDeviceFactory(user=member.user)
    sign_in_with_password(client, member.user)

    response = client.post(
        reverse("members:verify") + "?next=/chi-bo/1/", {"code": code_for(device)}
    )

    assert response.status_code == 302
    assert response["Location"] == "/chi-bo/1/"
    assert client.get(reverse("members:home")).status_code == 200


def test_backup_code_works_once(client, member):
    TOTPDeviceFactory(user=member.user)
    codes = otp.regenerate_backup_codes(member.user)
    sign_in_with_password(client, member.user)

    first = client.post(reverse("members:verify"), {"code": codes[0]})
    client.post(reverse("members:logout"))
    sign_in_with_password(client, member.user)
    second = client.post(reverse("members:verify"), {"code": codes[0]})

    assert first.status_code == 302
    assert second.status_code == 200
    assert "Mã không đúng hoặc đã dùng" in second.content.decode()
    assert otp.remaining_backup_codes(member.user) == 9


def test_regenerating_backup_codes_voids_the_old_ones(member):
    old = otp.regenerate_backup_codes(member.user)

    new = otp.regenerate_backup_codes(member.user)

    remaining = set(
        StaticToken.objects.filter(device__user=member.user).values_list("token", flat=True)
    )
    assert remaining == set(new)
    assert not remaining & set(old)


def test_wrong_codes_lock_the_account_and_a_right_password_does_not_unlock_it(
    client, member, settings
):
    device = TOTPDeviceFactory(user=member.user)
    sign_in_with_password(client, member.user)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("members:verify"), {"code": "000000"})

    locked = client.post(reverse("members:verify"), {"code": code_for(device)})
    client.logout()
    again = sign_in_with_password(client, member.user)

    assert "tạm khóa" in locked.content.decode()
    assert not client.session.get("otp_device_id")
    assert again.status_code == 429
    assert "tạm khóa" in again.content.decode()


def test_wrong_passwords_lock_the_account(client, member, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("members:login"), {"username": member.user.username, "password": "sai"})

    response = sign_in_with_password(client, member.user)

    assert response.status_code == 429
    # Not a dead end: the page leads back to the sign-in form for after the cool-off.
    main = response.content.decode().split("<main", 1)[1]
    assert f'href="{reverse("members:login")}"' in main


def test_lockout_ends_after_the_cool_off(client, member, settings):
    device = TOTPDeviceFactory(user=member.user)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("members:login"), {"username": member.user.username, "password": "sai"})

    with time_machine.travel(time.time() + 16 * 60, tick=False):
        response = sign_in_with_password(client, member.user)
        verified = client.post(reverse("members:verify"), {"code": code_for(device)})

    assert response.status_code == 302
    assert verified.status_code == 302


def test_wrong_password_message_is_vietnamese(client, member):
    response = client.post(
        reverse("members:login"), {"username": member.user.username, "password": "sai"}
    )

    page = response.content.decode()
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in page
    # Nothing is being saved: the summary's heading said "Chưa lưu được" (not saved).
    assert "Chưa đăng nhập được. Đồng chí hãy sửa các lỗi sau:" in page
    assert "Chưa lưu được" not in page


def test_over_long_code_gets_a_clear_message(client, member):
    TOTPDeviceFactory(user=member.user)
    sign_in_with_password(client, member.user)

    response = client.post(reverse("members:verify"), {"code": "1" * 40})

    assert "Mã xác thực dài nhất 12 ký tự." in response.content.decode()


def test_passwords_are_stored_with_argon2(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]

    user = UserFactory()

    assert identify_hasher(user.password).algorithm == "argon2"


def test_session_expires_after_inactivity(client, member, settings):
    sign_in_verified(client, member.user)
    assert client.get(reverse("members:home")).status_code == 200

    with time_machine.travel(time.time() + settings.SESSION_COOKIE_AGE + 60, tick=False):
        response = client.get(reverse("members:home"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("members:login"))


def test_admin_needs_a_verified_second_factor(client, db):
    staff = UserFactory(is_staff=True, is_superuser=True)
    TOTPDeviceFactory(user=staff)
    client.force_login(staff)

    unverified = client.get("/quan-tri/")
    sign_in_verified(client, staff)
    verified = client.get("/quan-tri/")
    assert unverified.status_code == 302
    assert unverified["Location"] == reverse("members:second_factor")
    assert verified.status_code == 200
