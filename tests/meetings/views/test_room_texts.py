"""The room's scripts take their words from Django's JavaScript catalog (static/js/room-texts.js,
`jsi18n/`): Vietnamese by default, English for a member who chose it, none left untranslated."""

import re
from pathlib import Path

from babel.messages.pofile import read_po
from django.conf import settings

from tests.conftest import sign_in_verified

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
