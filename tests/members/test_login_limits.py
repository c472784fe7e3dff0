"""What a failed sign-in may leave behind: django-axes records each one, so what it records is
bounded (on PostgreSQL an over-long username used to end in a 500; on SQLite it was stored
whole, megabytes at a time)."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import authenticate
from django.test import RequestFactory
from django.urls import reverse

from members.models import User

pytestmark = pytest.mark.integration

LONGEST_USERNAME = User._meta.get_field("username").max_length  # 150


@pytest.mark.parametrize("length", [LONGEST_USERNAME + 1, 256, 40_000])
def test_an_over_long_username_gets_a_form_error_and_is_stored_nowhere(client, db, length):
    response = client.post(reverse("members:login"), {"username": "a" * length, "password": "x"})

    assert response.status_code == 200
    assert f"Dài nhất {LONGEST_USERNAME} ký tự (đang có {length})." in response.content.decode()
    assert not AccessAttempt.objects.exists()


def test_a_username_of_the_longest_allowed_length_is_counted_as_a_failure(client, db):
    username = "a" * LONGEST_USERNAME

    response = client.post(reverse("members:login"), {"username": username, "password": "x"})

    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.content.decode()
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == [username]


def test_axes_records_at_most_a_usernames_length_whatever_path_the_failure_comes_by(db):
    # Any sign-in form (the admin's, a future one) reaches authenticate(); what django-axes
    # stores of the name must be bounded there too, and the lockout still counts per name.
    request = RequestFactory().post("/quan-tri/login/")
    long_name = "đ" * 5000

    for _ in range(2):
        assert authenticate(request, username=long_name, password="x") is None

    attempt = AccessAttempt.objects.get()
    assert attempt.username == long_name[:LONGEST_USERNAME]
    assert attempt.failures_since_start == 2
