"""Signing with fresh codes, and each signer told when it is their turn."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from meetings.errors import RuleViolation
from minutes.services import signing
from tests.conftest import sign_in_verified
from tests.minutes.flow import approved_minutes, code_for

pytestmark = pytest.mark.integration


def test_a_code_already_used_is_refused(scene, django_capture_on_commit_callbacks):
    document = approved_minutes(scene, django_capture_on_commit_callbacks)
    code = code_for(scene.chair.user)
    signing.sign_document(actor=scene.chair.user, document=document, code=code)
    assert signing.check_fresh_code(scene.chair.user, code) is False
    with pytest.raises(RuleViolation, match="đã được dùng"):
        signing.sign_document(actor=scene.recorder.user, document=document, code="000000")
    document.refresh_from_db()
    assert document.signatures.count() == 1


def test_each_signer_is_told_when_it_is_their_turn_and_the_notice_ends_when_they_sign(
    scene, django_capture_on_commit_callbacks
):
    from meetings.models import Notification

    def awaited(member):
        return list(
            Notification.objects.filter(user=member.user, kind="signature_awaited").values_list(
                "url", "read_at"
            )
        )

    document = approved_minutes(scene, django_capture_on_commit_callbacks)
    sign_page = f"/van-ban/{document.pk}/#sign-heading"

    # Rendered: the chair signs first.
    chair_notices = Notification.objects.filter(user=scene.chair.user, kind="signature_awaited")
    assert [(url, read) for url, read in awaited(scene.chair)] == [(sign_page, None)]
    assert chair_notices.get().title.startswith("Đến lượt đồng chí ký: Biên bản, ")
    assert awaited(scene.recorder) == []
    # The link opens the page with the signing form (the sign URL itself takes only a POST).
    opened = sign_in_verified(Client(), scene.chair.user).get(chair_notices.get().url)
    assert opened.status_code == 200
    assert 'id="sign-heading"' in opened.content.decode()

    signing.sign_document(
        actor=scene.chair.user, document=document, code=code_for(scene.chair.user)
    )
    assert awaited(scene.chair)[0][1] is not None  # read: the chair has signed
    assert [(url, read) for url, read in awaited(scene.recorder)] == [(sign_page, None)]

    signing.sign_document(
        actor=scene.recorder.user, document=document, code=code_for(scene.recorder.user)
    )
    assert awaited(scene.recorder)[0][1] is not None
    assert len(awaited(scene.chair)) == 1  # nobody is asked again once it is archived
    others = [m.user for m in scene.officials]
    assert not Notification.objects.filter(user__in=others, kind="signature_awaited").exists()


def test_the_next_signer_s_notice_is_in_the_product_s_language_whatever_the_signer_reads(
    scene, django_capture_on_commit_callbacks
):
    # The chair signed with the English interface on: the recorder's notice was English.
    from django.utils import translation

    from meetings.models import Notification

    document = approved_minutes(scene, django_capture_on_commit_callbacks)
    with translation.override("en"):
        signing.sign_document(
            actor=scene.chair.user, document=document, code=code_for(scene.chair.user)
        )

    notice = Notification.objects.get(user=scene.recorder.user, kind="signature_awaited")
    assert notice.title.startswith("Đến lượt đồng chí ký: Biên bản, ")
    assert notice.body == "Ký với tư cách thư ký bằng mã xác thực trên ứng dụng."


def test_the_next_signer_reading_english_reads_the_notice_in_english(
    scene, django_capture_on_commit_callbacks
):
    # Shown in the reader's language: the document kind and the role named in it too.
    document = approved_minutes(scene, django_capture_on_commit_callbacks)
    signing.sign_document(
        actor=scene.chair.user, document=document, code=code_for(scene.chair.user)
    )
    client = sign_in_verified(Client(), scene.recorder.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    page = client.get(reverse("meetings:notifications")).content.decode()
    translation.activate(settings.LANGUAGE_CODE)  # the middleware left English on

    assert "Your turn to sign: Minutes, " in page
    assert "Sign as recorder with the code from your authenticator app." in page
    assert "Đến lượt" not in page
