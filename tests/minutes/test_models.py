"""The minutes' rows: an archived document is immutable at the model level."""

import pytest

from minutes.models import (
    CODE_ALPHABET,
    CODE_LENGTH,
    ArchivedDocumentError,
    DocumentKind,
    DocumentStatus,
    Minutes,
    SignedDocument,
)
from tests.meetings.room.conftest import build_scene

pytestmark = pytest.mark.django_db


@pytest.fixture
def archived():
    minutes = Minutes.objects.create(meeting=build_scene().meeting)
    document = SignedDocument.objects.create(minutes=minutes, kind=DocumentKind.MINUTES)
    document.signed_pdf = b"%PDF-1.7 signed"
    document.sha256 = "ab" * 32
    document.status = DocumentStatus.ARCHIVED
    document.save()  # archiving itself is allowed: the stored row was not archived yet
    return document


def test_an_archived_document_cannot_be_saved_updated_or_deleted(archived):
    archived.signed_pdf = b"%PDF-1.7 forged"
    with pytest.raises(ArchivedDocumentError):
        archived.save()
    with pytest.raises(ArchivedDocumentError):
        SignedDocument.objects.filter(pk=archived.pk).update(sha256="00" * 32)
    with pytest.raises(ArchivedDocumentError):
        archived.delete()
    with pytest.raises(ArchivedDocumentError):
        SignedDocument.objects.all().delete()

    stored = SignedDocument.objects.get(pk=archived.pk)
    assert bytes(stored.signed_pdf) == b"%PDF-1.7 signed"
    assert stored.sha256 == "ab" * 32


def test_verification_codes_are_short_unambiguous_and_distinct(archived):
    other = SignedDocument.objects.create(minutes=archived.minutes, kind=DocumentKind.EXTRACT)

    for code in (archived.verification_code, other.verification_code):
        assert len(code) == CODE_LENGTH
        assert set(code) <= set(CODE_ALPHABET)
    assert archived.verification_code != other.verification_code
    assert archived.signer_roles == ("chair", "recorder")
    assert other.signer_roles == ("secretary",)


def test_archived_minutes_keep_their_words(archived):
    minutes = archived.minutes
    minutes.status = "archived"
    minutes.save()

    minutes.edits = {"conclusion": "Sửa sau khi ký"}
    with pytest.raises(ArchivedDocumentError):
        minutes.save()
    assert Minutes.objects.get(pk=minutes.pk).edits == {}
