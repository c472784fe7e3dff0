"""The check every websocket message gets (members.otp.session_still_verified): the session is
still stored and unexpired, still this user's, and the device it was verified with still exists,
is theirs and is confirmed. Asked in one query; the answer is the batch rule's
(`sessions_still_verified`) in every case."""

import datetime

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from members.otp import session_still_verified, sessions_still_verified
from tests.conftest import sign_in_verified
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def socket_scope(user):
    """What a websocket's scope holds after connect: the user and their session, loaded."""
    client = sign_in_verified(Client(), user)
    session = SessionStore(client.session.session_key)
    assert session[DEVICE_ID_SESSION_KEY]  # loaded: read at connect (verified_user_from_scope)
    return {"user": user, "session": session}


def stored(scope) -> SessionStore:
    return SessionStore(scope["session"].session_key)


def expire(scope, user):  # a store's clean-up has not run yet
    Session.objects.filter(session_key=scope["session"].session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )


def delete(scope, user):
    Session.objects.filter(session_key=scope["session"].session_key).delete()


def unconfirm_device(scope, user):
    TOTPDevice.objects.filter(user=user).update(confirmed=False)


def delete_device(scope, user):
    TOTPDevice.objects.filter(user=user).delete()


def give_device_to_another(scope, user):
    TOTPDevice.objects.filter(user=user).update(user=MemberFactory().user)


def session_of_another_user(scope, user):
    session = stored(scope)
    session["_auth_user_id"] = str(MemberFactory().user.pk)
    session.save()


def verified_again_with_a_backup_code(scope, user):
    """The session now names another device (a StaticDevice): the general path answers."""
    device = StaticDevice.objects.create(user=user, name="backup", confirmed=True)
    session = stored(scope)
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def verified_again_with_an_unconfirmed_device(scope, user):
    device = StaticDevice.objects.create(user=user, name="backup", confirmed=False)
    session = stored(scope)
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def device_dropped_from_session(scope, user):
    session = stored(scope)
    del session[DEVICE_ID_SESSION_KEY]
    session.save()


CASES = [
    (None, True),
    (expire, False),
    (delete, False),
    (unconfirm_device, False),
    (delete_device, False),
    (give_device_to_another, False),
    (session_of_another_user, False),
    (verified_again_with_a_backup_code, True),
    (verified_again_with_an_unconfirmed_device, False),
    (device_dropped_from_session, False),
]


@pytest.mark.parametrize(
    ("change", "verified"), CASES, ids=[c.__name__ if c else "unchanged" for c, _ in CASES]
)
def test_each_message_is_answered_as_the_batch_rule_answers(change, verified):
    user = MemberFactory().user
    scope = socket_scope(user)
    if change is not None:
        change(scope, user)

    assert session_still_verified(scope, user) is verified
    assert sessions_still_verified([(scope, user)]) == [verified]


def test_a_verified_session_is_checked_in_one_query(django_assert_num_queries):
    user = MemberFactory().user
    scope = socket_scope(user)

    with django_assert_num_queries(1):
        assert session_still_verified(scope, user) is True


def test_a_socket_without_a_session_key_is_not_verified():
    user = MemberFactory().user
    scope = {"user": user, "session": SessionStore()}

    assert session_still_verified(scope, user) is False
