"""HTTPS-only (HSTS) when served over HTTPS, signed-in pages kept out of caches, and a health
check that tells the public only that the server answers."""

import json
import os
import subprocess
import sys

import pytest
from django.urls import reverse

from tests.conftest import sign_in_verified
from tests.factories import MemberFactory

pytestmark = pytest.mark.integration

YEAR = 365 * 24 * 3600


def settings_under(**environment: str) -> dict:
    """HSTS and proxy settings as config/settings.py reads them from this environment."""
    probe = (
        "import json, config.settings as s; print(json.dumps([s.SECURE_HSTS_SECONDS, "
        "s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD, s.SECURE_PROXY_SSL_HEADER]))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SECURE_", "TRUST_"))}
    result = subprocess.run(
        [sys.executable, "-c", probe],
        env={**env, **environment},
        capture_output=True,
        text=True,
        check=True,
    )
    seconds, subdomains, preload, proxy = json.loads(result.stdout)
    return {"seconds": seconds, "subdomains": subdomains, "preload": preload, "proxy": proxy}


def test_hsts_is_on_for_a_year_when_served_over_https_and_off_otherwise():
    assert settings_under()["seconds"] == 0
    assert settings_under(SECURE_COOKIES="1") == {
        "seconds": YEAR,
        "subdomains": False,
        "preload": False,
        "proxy": None,
    }
    assert settings_under(SECURE_COOKIES="1", SECURE_HSTS_SECONDS="300")["seconds"] == 300
    assert settings_under(
        SECURE_COOKIES="1", SECURE_HSTS_INCLUDE_SUBDOMAINS="1", SECURE_HSTS_PRELOAD="1"
    ) == {"seconds": YEAR, "subdomains": True, "preload": True, "proxy": None}
    assert settings_under(TRUST_X_FORWARDED_PROTO="1")["proxy"] == [
        "HTTP_X_FORWARDED_PROTO",
        "https",
    ]


def test_https_answers_carry_hsts_and_plain_http_ones_do_not(client, db, settings):
    settings.SECURE_HSTS_SECONDS = YEAR
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

    secure = client.get(reverse("members:login"), secure=True)
    proxied = client.get(reverse("members:login"), HTTP_X_FORWARDED_PROTO="https")
    plain = client.get(reverse("members:login"))

    assert secure["Strict-Transport-Security"] == f"max-age={YEAR}"
    assert proxied["Strict-Transport-Security"] == f"max-age={YEAR}"
    assert "Strict-Transport-Security" not in plain


def test_signed_in_pages_are_not_stored_by_browsers_or_proxies(client, db):
    member = MemberFactory()
    sign_in_verified(client, member.user)

    home = client.get(reverse("members:home"))
    cell = client.get(reverse("members:cell", args=[member.home_cell_id]))

    assert "no-store" in home["Cache-Control"]
    assert "no-store" in cell["Cache-Control"]


def test_public_pages_and_static_files_keep_their_caching(client, db):
    verification = client.get(reverse("minutes:verify"))
    sign_in_verified(client, MemberFactory().user)
    stylesheet = client.get("/static/minutes/minutes.css")
    stylesheet.close()

    assert "no-store" not in verification.get("Cache-Control", "")
    assert stylesheet.status_code == 200
    assert "no-store" not in stylesheet.get("Cache-Control", "")


def test_the_public_health_check_says_only_that_the_server_answers(client, db):
    response = client.get(reverse("health"))

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_the_health_details_need_the_operators_token(client, db, settings):
    settings.HEALTH_TOKEN = "jeton-de-sante-0123456789"
    url = reverse("health")

    wrong = client.get(url, HTTP_AUTHORIZATION="Bearer jeton-faux")
    right = client.get(url, HTTP_AUTHORIZATION=f"Bearer {settings.HEALTH_TOKEN}")

    assert wrong.json() == {"status": "ok"}
    assert right.status_code == 200
    assert right.json() == {
        "status": "ok",
        "database": "ok",
        "db": "postgresql" if "postgres" in settings.DATABASES["default"]["ENGINE"] else "sqlite",
        "channel_layer": settings.CHANNEL_LAYERS["default"]["BACKEND"].rsplit(".", 1)[-1],
        "celery_eager": settings.CELERY_TASK_ALWAYS_EAGER,
    }


def test_without_a_configured_token_no_one_gets_the_details(client, db, settings):
    settings.HEALTH_TOKEN = ""

    response = client.get(reverse("health"), HTTP_AUTHORIZATION="Bearer ")

    assert response.json() == {"status": "ok"}
