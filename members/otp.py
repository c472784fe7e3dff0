"""The second factor: TOTP enrolment, backup codes, verification and its enforcement.

Every account must pass a one-time code. Until it has, a signed-in user reaches only the
enrolment and verification pages (HTTP, through the middleware below) and no websocket at all
(`verified_user_from_scope`).
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Callable
from importlib import import_module
from typing import Any

import segno
from asgiref.sync import sync_to_async
from axes.handlers.proxy import AxesProxyHandler
from django.apps import apps
from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.db.models import Exists
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from members.models import User

# Reached without signing in at all.
# The verification page of signed documents is public: it shows identity, signatures and hash,
# never the content (minutes/views/verification.py). /health/'s details and /metrics ask for the
# operator's bearer token instead (config/metrics.py); Janus's events carry Janus's own
# credentials (meetings/views/media.py).
PUBLIC_VIEW_NAMES = frozenset(
    {
        "members:login",
        "set_language",
        "health",
        "metrics",
        "janus_events",
        "minutes:verify",
        "minutes:verify_code",
    }
)
# Reached after the password, before the second factor.
SECOND_FACTOR_VIEW_NAMES = frozenset(
    {"members:second_factor", "members:enrol", "members:verify", "members:logout"}
)
BACKUP_DEVICE_NAME = "backup"


def _view_name(request: HttpRequest) -> str | None:
    try:
        return resolve(request.path_info).view_name
    except Resolver404:
        return None


class RequireVerifiedSecondFactorMiddleware:
    """Sends anyone without a verified second factor to the login or second-factor step."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(settings.STATIC_URL):
            return self.get_response(request)
        name = _view_name(request)
        user = request.user
        if name in PUBLIC_VIEW_NAMES:
            return self.get_response(request)
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if user.is_verified() or name in SECOND_FACTOR_VIEW_NAMES:
            return self.get_response(request)
        return redirect("members:second_factor")


def has_confirmed_totp(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_totp_device(user: User) -> TOTPDevice:
    """The unconfirmed device being enrolled; one is created on first visit and kept until used."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="totp", confirmed=False)
    return device


def qr_code_svg(device: TOTPDevice) -> str:
    """The otpauth:// URI as an inline SVG QR code, rendered here: nothing leaves the server.
    It has a viewBox and no fixed size, so CSS scales the whole code, quiet zone included."""
    return segno.make(device.config_url, error="m").svg_inline(
        dark="#000", light="#fff", omitsize=True, title="Mã QR đăng ký ứng dụng xác thực"
    )


def is_locked(request: HttpRequest, user: User) -> bool:
    return bool(AxesProxyHandler.is_locked(request, credentials={"username": user.get_username()}))


def record_failure(request: HttpRequest, user: User) -> None:
    # django-axes counts this like a wrong password, so one lockout covers both steps.
    user_login_failed.send(
        sender=__name__, credentials={"username": user.get_username()}, request=request
    )


def _record_success(request: HttpRequest, device: Device) -> None:
    otp_login(request, device)
    request.session.cycle_key()
    AxesProxyHandler.reset_attempts(username=request.user.get_username())


def confirm_enrolment(request: HttpRequest, user: User, token: str) -> list[str] | None:
    """Confirms the pending TOTP device with `token`; returns fresh backup codes, or None."""
    device = pending_totp_device(user)
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        if device.confirmed or not _spend(device, token):
            device = None
        else:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            codes = regenerate_backup_codes(user)
    if device is None:
        record_failure(request, user)
        return None
    _record_success(request, device)
    return codes


def replace_totp_device(request: HttpRequest, user: User, token: str) -> bool:
    """Moves a verified user's second factor to a new phone: confirms the pending device with
    `token` (a code of the new phone's app) and deletes their other TOTP devices, so the old
    phone makes no more codes and sessions verified with it must give a new code. This session
    stays verified, with the new device. The backup codes are kept."""
    device = pending_totp_device(user)
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        replaced = not device.confirmed and _spend(device, token)
        if replaced:
            TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
            device.confirmed = True
            device.save(update_fields=["confirmed"])
    if not replaced:
        record_failure(request, user)
        return False
    _record_success(request, device)
    return True


def verify_second_factor(request: HttpRequest, user: User, token: str) -> bool:
    """Checks a TOTP code or an unused backup code (which is then spent)."""
    token = token.strip().replace(" ", "")
    for device in [
        *TOTPDevice.objects.filter(user=user, confirmed=True),
        *StaticDevice.objects.filter(user=user, confirmed=True),
    ]:
        if consume_code(device, token):
            _record_success(request, device)
            return True
    record_failure(request, user)
    return False


def consume_code(device: Device, token: str) -> bool:
    """Checks `token` on the device and spends it, one request at a time.

    django-otp's `verify_token` reads the device (the last time step used, the backup codes
    left), compares and saves without a lock: eight sessions sending one code at the same
    moment passed up to six times, and a backup code seven times. Here the device's row is
    locked first, so whoever comes second reads what the first one spent."""
    with transaction.atomic():
        locked = type(device).objects.select_for_update().get(pk=device.pk)
        return _spend(locked, token)


def _spend(locked_device: Device, token: str) -> bool:
    """`consume_code` on a device row already locked by the caller's transaction."""
    return bool(locked_device.verify_is_allowed()[0] and locked_device.verify_token(token))


def regenerate_backup_codes(user: User) -> list[str]:
    """Replaces the user's single-use backup codes; the old ones stop working."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [f"{secrets.randbelow(10**8):08d}" for _ in range(settings.BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def remaining_backup_codes(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def _verified_user(scope: dict[str, Any]) -> User | None:
    user = scope.get("user")
    session = scope.get("session")
    if user is None or not user.is_authenticated or session is None:
        return None
    persistent_id = session.get(DEVICE_ID_SESSION_KEY)
    if not persistent_id:
        return None
    device = Device.from_persistent_id(persistent_id)
    if device is None or device.user_id != user.pk or not device.confirmed:
        return None
    return user


def session_still_verified(scope: dict[str, Any], user: User, *, renew: bool = False) -> bool:
    """For every websocket message: the session was not signed out or expired since connect.

    `renew` keeps a member who sits in a live meeting signed in: the page pings every few
    minutes, and each ping counts as activity, like a page load would."""
    verified = _still_verified_in_one_query(scope, user)
    if verified is None:
        verified = sessions_still_verified([(scope, user)])[0]
    if verified and renew:
        stored = scope["session"].__class__(scope["session"].session_key)
        stored.modified = True
        stored.save()
    return verified


def _still_verified_in_one_query(scope: dict[str, Any], user: User) -> bool | None:
    """`sessions_still_verified`'s rule for one message in one query: the stored session, and
    whether the device the socket was verified with (read from the session at connect) still
    exists, is this user's and is confirmed. That answer holds only if the stored session still
    names that device; if it names another (verified again since), or the store is not the
    database, None: the caller asks the general way."""
    key = _session_key(scope)
    expected = scope["session"].get(DEVICE_ID_SESSION_KEY) if key else None
    model_pk = _device_model_pk(str(expected)) if expected else None
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    if model_pk is None or not hasattr(store_class, "get_model_class"):
        return None
    model, pk = model_pk
    if f"{model._meta.app_label}.{model._meta.model_name}/{pk}" != expected:
        return None  # not as django-otp writes it: `_devices` decides
    device_ok = Exists(model.objects.filter(pk=pk, user_id=user.pk, confirmed=True))
    row = (
        store_class.get_model_class()
        .objects.filter(session_key=key, expire_date__gt=timezone.now())
        .annotate(device_ok=device_ok)
        .values_list("session_data", "device_ok")
        .first()
    )
    if row is None:
        return False  # signed out, expired or deleted
    data = store_class().decode(row[0])
    if str(data.get("_auth_user_id")) != str(user.pk):
        return False
    if data.get(DEVICE_ID_SESSION_KEY) != expected:
        return None
    return bool(row[1])


def sessions_still_verified(checks: list[tuple[dict[str, Any], User]]) -> list[bool]:
    """`session_still_verified` for several messages at once (a burst of ballots): the sessions
    in one query and the devices in one query per kind of device, not two queries a message."""
    keys = [_session_key(scope) for scope, _ in checks]
    stored = _stored_sessions({key for key in keys if key})
    device_ids: list[str | None] = []
    for key, (_, user) in zip(keys, checks, strict=True):
        data = stored.get(key) if key else None
        owner_matches = data is not None and str(data.get("_auth_user_id")) == str(user.pk)
        device_ids.append(data.get(DEVICE_ID_SESSION_KEY) if data and owner_matches else None)
    devices = _devices({d for d in device_ids if d})
    verified = []
    for device_id, (_, user) in zip(device_ids, checks, strict=True):
        device = devices.get(device_id) if device_id else None
        verified.append(device is not None and device.user_id == user.pk and device.confirmed)
    return verified


def verified_session_until(scope: dict[str, Any], user: User) -> datetime.datetime | None:
    """When the websocket's session ends unless something renews it; None when it has ended
    already: signed out, expired or deleted, its verified device gone, the account deactivated,
    or the password changed since it signed in (Django's session hash, checked as a page load
    checks it). A store that keeps no expiry time (not the database) answers "in a while"."""
    return verified_sessions_until([(scope, user)])[0]


def verified_sessions_until(
    checks: list[tuple[dict[str, Any], User]],
) -> list[datetime.datetime | None]:
    """`verified_session_until` for many sockets at once (a process's periodic re-check): the
    sessions in one query, the accounts in one, the devices in one per kind of device."""
    keys = [_session_key(scope) for scope, _ in checks]
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    now = timezone.now()
    stored: dict[str, tuple[dict[str, Any], datetime.datetime]] = {}
    wanted = {key for key in keys if key}
    if hasattr(store_class, "get_model_class") and wanted:
        rows = (
            store_class.get_model_class()
            .objects.filter(session_key__in=wanted, expire_date__gt=now)
            .values_list("session_key", "session_data", "expire_date")
        )
        decoder = store_class()
        stored = {key: (decoder.decode(data), until) for key, data, until in rows}
    elif wanted:
        for key in wanted:
            store = store_class(key)
            if store.exists(key):
                stored[key] = (dict(store.items()), now + datetime.timedelta(seconds=60))
    users = {
        current.pk: current
        for current in User.objects.filter(pk__in={user.pk for _, user in checks}, is_active=True)
    }
    device_ids = {
        str(data[DEVICE_ID_SESSION_KEY])
        for data, _ in stored.values()
        if data.get(DEVICE_ID_SESSION_KEY)
    }
    devices = _devices(device_ids)
    found: list[datetime.datetime | None] = []
    for session_key, (_, user) in zip(keys, checks, strict=True):
        session = stored.get(session_key) if session_key is not None else None
        current = users.get(user.pk)
        found.append(
            None
            if session is None or current is None
            else _verified_until(session[0], session[1], current, devices)
        )
    return found


def _verified_until(
    data: dict[str, Any], until: datetime.datetime, current: User, devices: dict[str, Device]
) -> datetime.datetime | None:
    if str(data.get("_auth_user_id")) != str(current.pk):
        return None
    session_hash = str(data.get(HASH_SESSION_KEY, ""))
    hashes = [current.get_session_auth_hash(), *current.get_session_auth_fallback_hash()]
    if not any(constant_time_compare(session_hash, known) for known in hashes):
        return None
    device_id = data.get(DEVICE_ID_SESSION_KEY)
    device = devices.get(device_id) if device_id else None
    if device is None or device.user_id != current.pk or not device.confirmed:
        return None
    return until


def _session_key(scope: dict[str, Any]) -> str | None:
    session = scope.get("session")
    return session.session_key if session is not None and session.session_key else None


def _stored_sessions(keys: set[str]) -> dict[str, dict[str, Any]]:
    """What the session store holds now for each key (expired and deleted ones are absent)."""
    if not keys:
        return {}
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store_class, "get_model_class"):  # not database-backed: one read a session
        found = {key: store_class(key) for key in keys}
        return {key: dict(store.items()) for key, store in found.items() if store.exists(key)}
    rows = store_class.get_model_class().objects.filter(
        session_key__in=keys, expire_date__gt=timezone.now()
    )
    decoder = store_class()
    return {row.session_key: decoder.decode(row.session_data) for row in rows}


def _devices(persistent_ids: set[str]) -> dict[str, Device]:
    """Devices by persistent id ("otp_totp.totpdevice/7"), one query per kind of device."""
    by_model: dict[type[Device], set[int]] = {}
    for persistent_id in persistent_ids:
        model_pk = _device_model_pk(persistent_id)
        if model_pk is not None:
            by_model.setdefault(model_pk[0], set()).add(model_pk[1])
    found: dict[str, Device] = {}
    for model, pks in by_model.items():
        found |= {device.persistent_id: device for device in model.objects.filter(pk__in=pks)}
    return found


def _device_model_pk(persistent_id: str) -> tuple[type[Device], int] | None:
    """The device model and primary key a persistent id names, or None if it names none."""
    label, _, pk = persistent_id.rpartition("/")
    if not pk.isdigit():
        return None
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return None
    return (model, int(pk)) if issubclass(model, Device) else None


verified_user_from_scope = sync_to_async(_verified_user)
verified_user_from_scope.__doc__ = """The websocket's user if their session passed the second
factor, else None. django-otp's middleware runs only for HTTP, so websockets check here."""
