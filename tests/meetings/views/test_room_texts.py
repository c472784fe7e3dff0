"""The room's scripts take their words from Django's JavaScript catalog (static/js/room-texts.js,
`jsi18n/`): Vietnamese by default, English for a member who chose it, none left untranslated."""

import re
from pathlib import Path

from babel.messages.pofile import read_po
from django.conf import settings

from tests.conftest import sign_in_verified
from tests.meetings.room.conftest import build_scene

ROOT = Path(__file__).resolve().parents[3]
TEXTS = (ROOT / "static" / "js" / "room-texts.js").read_text()


def js_strings():
    return re.findall(r'gettext\("((?:[^"\\]|\\.)*)"\)', TEXTS)


def test_every_word_of_the_room_has_its_english_translation():
    with open(ROOT / "locale" / "en" / "LC_MESSAGES" / "djangojs.po", "rb") as po:
        catalog = read_po(po, locale="en")

    untranslated = [s for s in js_strings() if not (catalog.get(s) and catalog.get(s).string)]

    assert len(js_strings()) > 100
    assert untranslated == []


def test_the_catalog_speaks_the_members_language(client, tree):
    sign_in_verified(client, tree.member.user)

    vietnamese = client.get("/jsi18n/").content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get("/jsi18n/").content.decode()

    assert "Vote in progress: %(question)s" not in vietnamese
    assert "Vote in progress: %(question)s" in english
    assert "Confirm and send the ballot" not in english  # a template's words, not the script's


def test_the_room_loads_its_words_at_an_address_the_browser_keeps(client, db):
    scene = build_scene()
    sign_in_verified(client, scene.officials[0].user)
    room = f"/sinh-hoat/{scene.meeting.pk}/phong-hop/"

    vietnamese_page = client.get(room).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english_page = client.get(room).content.decode()

    vi_url = re.search(r'<script src="(/jsi18n/vi/[0-9a-f]{12}/)"></script>', vietnamese_page)[1]
    en_url = re.search(r'<script src="(/jsi18n/en/[0-9a-f]{12}/)"></script>', english_page)[1]
    # The address, not the cookie, says the language: a cached copy is never the other's.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    english = client.get(en_url)
    vietnamese = client.get(vi_url)
    assert "Vote in progress: %(question)s" in english.content.decode()
    assert "Vote in progress: %(question)s" not in vietnamese.content.decode()
    for response in (english, vietnamese):
        assert response.status_code == 200
        assert "max-age=31536000" in response["Cache-Control"]
        assert "immutable" in response["Cache-Control"]


def test_an_old_catalog_address_gets_todays_words_uncached_and_a_strange_language_none(
    client, tree
):
    sign_in_verified(client, tree.member.user)

    old = client.get("/jsi18n/en/000000000000/")
    strange = client.get("/jsi18n/xx/000000000000/")

    assert old.status_code == 200
    assert "Vote in progress: %(question)s" in old.content.decode()
    assert "no-cache" in old["Cache-Control"]
    assert strange.status_code == 404
