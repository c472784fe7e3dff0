"""What a screen reader is given on forms and in the header (issue 16)."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, MemberFactory

pytestmark = pytest.mark.integration


class Elements(HTMLParser):
    """Every start tag of a page with its attributes, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {name: value or "" for name, value in attrs}))


def elements(response) -> list[tuple[str, dict[str, str]]]:
    parser = Elements()
    parser.feed(response.content.decode())
    return parser.tags


def test_each_field_error_is_the_text_its_field_is_described_by(client, db):
    page = client.post(reverse("members:login"), {"username": "", "password": ""})

    tags = elements(page)
    ids = {attrs["id"] for _, attrs in tags if "id" in attrs}
    described = {
        attrs["name"]: attrs["aria-describedby"].split()
        for tag, attrs in tags
        if tag == "input" and "aria-describedby" in attrs
    }
    assert set(described) == {"username", "password"}
    for references in described.values():
        assert set(references) <= ids
    error_lists = [attrs["id"] for tag, attrs in tags if "errorlist" in attrs.get("class", "")]
    assert error_lists == ["id_username_error", "id_password_error"]


def test_a_form_with_errors_starts_with_a_summary_that_links_to_each_field(client, db):
    page = client.post(reverse("members:login"), {"username": "", "password": ""})

    tags = elements(page)
    summary = next(attrs for _, attrs in tags if "error-summary" in attrs.get("class", ""))
    assert summary["tabindex"] == "-1"
    links = [attrs["href"] for tag, attrs in tags if attrs.get("href", "").startswith("#id_")]
    assert links == ["#id_username", "#id_password"]
    scripts = [attrs["src"] for tag, attrs in tags if tag == "script"]
    assert any(src.endswith("js/error-summary.js") for src in scripts)


def test_a_form_without_errors_has_no_summary(client, db):
    page = client.get(reverse("members:login"))

    assert "error-summary" not in page.content.decode()


def test_each_language_is_named_in_its_own_language(client, db):
    page = client.get(reverse("members:login"))

    options = {
        attrs["value"]: attrs.get("lang") for tag, attrs in elements(page) if tag == "option"
    }
    assert options == {"vi": "vi", "en": "en"}


def test_the_enrolment_qr_code_scales_as_a_whole(client, db):
    member = MemberFactory()
    client.post(reverse("members:login"), {"username": member.user.username, "password": PASSWORD})

    page = client.get(reverse("members:enrol")).content.decode()

    svg = re.search(r"<svg[^>]*>", page).group(0)
    assert re.search(r'viewBox="0 0 (\d+) \1"', svg)
    assert "width=" not in svg
    assert "height=" not in svg
