"""The public verification page fed byte-mutated copies of a real signed document: every file
gets an answer (never a 500), a file the reader cannot parse gets "cannot read this file", and no
mutated file is ever called valid."""

import random

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from minutes.views import verification
from tests.meetings.room.conftest import build_scene
from tests.minutes.flow import approved_minutes, sign_both
from tests.minutes.test_views import text_of, upload

pytestmark = pytest.mark.integration

SEED = 20261207
MUTANTS = 240  # about 1 in 12 made pyHanko's reader raise zlib.error, AssertionError, …
UNREADABLE = "Không hợp lệ: không đọc được tệp PDF."


def mutants(pdf: bytes, count: int, seed: int):
    """`count` copies of `pdf`, each with 1–4 bytes set to random values at random offsets."""
    rng = random.Random(seed)
    for _ in range(count):
        mutated = bytearray(pdf)
        for _ in range(rng.randint(1, 4)):
            mutated[rng.randrange(len(mutated))] = rng.randrange(256)
        if mutated != pdf:
            yield bytes(mutated)


@pytest.fixture
def unlimited_checks(monkeypatch):
    monkeypatch.setattr(verification, "CHECKS_PER_WINDOW", MUTANTS * 10)
    cache.delete("verification-checks:address-127.0.0.1")
    yield
    cache.delete("verification-checks:address-127.0.0.1")


def test_no_mutated_signed_pdf_breaks_the_page_or_passes_as_valid(
    db, django_capture_on_commit_callbacks, unlimited_checks
):
    scene = build_scene()
    document = sign_both(scene, approved_minutes(scene, django_capture_on_commit_callbacks))
    signed = bytes(document.signed_pdf)
    url = reverse("minutes:verify")
    visitor = Client()
    answers = {"unreadable": 0, "invalid": 0, "not a pdf": 0}

    for mutated in mutants(signed, MUTANTS, SEED):
        response = upload(visitor, url, mutated)  # the test client re-raises a view's exception
        page = text_of(response)
        if response.status_code == 400:
            assert "Tệp này không phải là tệp PDF." in page  # the first bytes were hit
            answers["not a pdf"] += 1
            continue
        assert response.status_code == 200
        assert "KHÔNG HỢP LỆ" in page, "a mutated file was called valid"
        answers["unreadable" if UNREADABLE in page else "invalid"] += 1

    # Both kinds of answer were given many times: the fuzz reached the reader and the validator.
    assert answers["unreadable"] >= 20, answers
    assert answers["invalid"] >= 20, answers
