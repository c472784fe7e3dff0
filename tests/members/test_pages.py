import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.integration

ROOT = Path(settings.BASE_DIR)
# Any absolute URL in a template or asset that the browser would fetch.
EXTERNAL = re.compile(r"""(?:src|href|url)\s*[=(]\s*["']?(?:https?:)?//""", re.IGNORECASE)


def test_no_template_or_asset_loads_anything_from_outside():
    files = [
        *ROOT.glob("templates/**/*.html"),
        *ROOT.glob("*/templates/**/*.html"),
        *ROOT.glob("static/**/*.css"),
        *ROOT.glob("static/**/*.js"),
    ]

    offenders = [str(f.relative_to(ROOT)) for f in files if EXTERNAL.search(f.read_text())]

    assert files
    assert offenders == []


def test_pages_forbid_loading_from_other_origins(client, db):
    response = client.get(reverse("members:login"))

    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy


def test_login_page_is_vietnamese_by_default_and_english_on_request(client, db):
    vietnamese = client.get(reverse("members:login"))
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.get(reverse("members:login"))

    assert '<html lang="vi">' in vietnamese.content.decode()
    assert "Đăng nhập" in vietnamese.content.decode()
    assert '<html lang="en">' in english.content.decode()
    assert "Sign in" in english.content.decode()


def test_the_chosen_language_outlives_the_browser_session(client, db, settings):
    # The session cookie ends when the browser closes; the member's choice of language must not:
    # a member who chose English got Vietnamese again the next day.
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})

    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "en"
    assert int(cookie["max-age"]) >= 365 * 24 * 3600
    assert cookie["samesite"] == "Lax"


def test_unknown_page_is_a_vietnamese_404(client, db):
    from tests.conftest import sign_in_verified
    from tests.factories import MemberFactory

    sign_in_verified(client, MemberFactory().user)

    response = client.get("/khong-co-trang-nay/")

    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


def test_dates_are_day_first_in_both_languages(settings):
    import datetime

    from django.utils import formats, translation

    day = datetime.date(2026, 3, 7)
    for language in ("vi", "en"):
        with translation.override(language):
            assert formats.date_format(day, "SHORT_DATE_FORMAT") == "07/03/2026"


def test_an_english_browser_still_gets_vietnamese_until_the_user_chooses(client, db):
    # Accept-Language of a laptop set to English is not a choice the member made.
    before = client.get(reverse("members:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    after = client.get(reverse("members:login"), HTTP_ACCEPT_LANGUAGE="vi")

    assert '<html lang="vi">' in before.content.decode()
    assert before["Content-Language"] == "vi"
    assert '<html lang="en">' in after.content.decode()


def test_a_form_sent_from_a_stale_page_gets_a_vietnamese_403(db):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.get(reverse("members:login"))  # the page's token ...
    client.cookies.pop(settings.CSRF_COOKIE_NAME)  # ... lost, as when the session expired

    response = client.post(reverse("members:login"), {"username": "x", "password": "y"})

    assert response.status_code == 403
    assert "Trang đã cũ" in response.content.decode()
    assert "chưa có gì được lưu" in response.content.decode()
    assert "CSRF" not in response.content.decode()
