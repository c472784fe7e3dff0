"""A one-time code is spent once, even when several sessions send it at the same moment.

Eight sessions of one account hold at a barrier and then post the same code to a real Daphne
(each request in its own thread, on the real database): exactly one may pass.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.urls import reverse

from members import otp
from minutes.models import DocumentKind, DocumentSignature, SignedDocument
from minutes.services import approval, drafting
from tests.live import TIMEOUT, Visitor, verified_visitor
from tests.minutes.flow import EDITS, code_for
from tests.minutes.scenes import tree_ended_meeting

pytestmark = pytest.mark.integration
SESSIONS = 8


def all_at_once(actions):
    """Runs each action in its own thread, all released together; returns their results."""
    barrier = threading.Barrier(len(actions), timeout=TIMEOUT)

    def run(action):
        prepare, act = action
        prepare()
        barrier.wait()
        return act()

    with ThreadPoolExecutor(len(actions)) as pool:
        return list(pool.map(run, actions))


def test_one_totp_code_sent_by_eight_sessions_at_once_signs_in_exactly_one(tree, daphne_server):
    user = tree.member.user
    code = code_for(user)
    visitors = [Visitor(daphne_server) for _ in range(SESSIONS)]

    results = all_at_once([signing_in(v, user, code) for v in visitors])

    assert results.count(True) == 1


def test_one_backup_code_sent_by_eight_sessions_at_once_signs_in_exactly_one(tree, daphne_server):
    user = tree.member.user
    code = otp.regenerate_backup_codes(user)[0]
    visitors = [Visitor(daphne_server) for _ in range(SESSIONS)]

    results = all_at_once([signing_in(v, user, code) for v in visitors])

    assert results.count(True) == 1
    assert otp.remaining_backup_codes(user) == 9


def signing_in(visitor, user, code):
    """Password first (before the barrier), then the code."""
    return (lambda: visitor.sign_in_with_password(user.username), lambda: visitor.submit_code(code))


@pytest.fixture
def document_to_sign(tree, celery_eager):
    """The tree's ended meeting with approved, rendered minutes; the secretary chairs it."""
    meeting = tree_ended_meeting(tree)
    drafting.save_edits(actor=tree.secretary.user, meeting=meeting, edits=EDITS)
    approval.approve(actor=tree.secretary.user, meeting=meeting)  # renders on commit
    document = SignedDocument.objects.get(minutes__meeting=meeting, kind=DocumentKind.MINUTES)
    assert document.rendered_pdf
    return document


def test_a_code_sent_to_sign_in_and_to_sign_at_once_serves_only_one(
    tree, document_to_sign, daphne_server
):
    """The fresh-code rule of signing: the code that signs cannot also open a session."""
    user = tree.secretary.user
    code = code_for(user)
    page = reverse("minutes:document", args=[document_to_sign.pk])
    sign = reverse("minutes:sign", args=[document_to_sign.pk])
    signers = [verified_visitor(daphne_server, user) for _ in range(SESSIONS // 2)]
    newcomers = [Visitor(daphne_server) for _ in range(SESSIONS // 2)]

    results = all_at_once(
        [
            *[(lambda v=v: v.get(page), lambda v=v: v.post(sign, {"code": code})) for v in signers],
            *[signing_in(v, user, code) for v in newcomers],
        ]
    )

    signed_in = results[SESSIONS // 2 :].count(True)
    signatures = DocumentSignature.objects.filter(document=document_to_sign).count()
    assert signed_in + signatures == 1
