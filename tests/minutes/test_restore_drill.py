"""The restore drill (docs/operations.md): signed minutes and a meeting's event log are backed up,
restored into a database the drill creates and drops (never the test database the other tests
use), and every archived signature and every meeting's hash chain still verify there. On
PostgreSQL the archive holds a `pg_dump` custom-format dump; on the embedded SQLite default, a copy
made with SQLite's backup API."""

from __future__ import annotations

import contextlib
import io
import json
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from config.backup import BackupError, create_backup, restore_backup
from meetings import events
from meetings.models import Meeting
from minutes.authority import trusted_authorities
from minutes.management.commands.restore import unopenable_signing_keys
from minutes.models import SignedDocument
from minutes.verification import verify_pdf
from tests.meetings.room.conftest import build_scene
from tests.minutes.flow import approved_minutes, sign_both

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@contextlib.contextmanager
def drill_database(tmp_path: Path) -> Iterator[None]:
    """Point the default connection at a fresh, empty database for the block, then drop it and
    point it back. pg_dump and pg_restore read the same settings."""
    original = connection.settings_dict["NAME"]
    if connection.vendor == "postgresql":
        name = f"{original}_drill"[:63]
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(name)}")
            cursor.execute(f"CREATE DATABASE {connection.ops.quote_name(name)}")
    else:
        name = str(tmp_path / "drill.sqlite3")
    connection.close()
    connection.settings_dict["NAME"] = name
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = original
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(name)}")


@pytest.fixture
def deployment(tmp_path, django_capture_on_commit_callbacks):
    """A deployment holding signed minutes, a meeting's event log and an uploaded file."""
    media = tmp_path / "media"
    (media / "meeting-files").mkdir(parents=True)
    (media / "meeting-files" / "bao-cao.pdf").write_bytes(b"%PDF-1.7 bao cao thang 11")
    with override_settings(MEDIA_ROOT=media):
        scene = build_scene()
        document = sign_both(scene, approved_minutes(scene, django_capture_on_commit_callbacks))
        yield document


def test_a_restored_backup_verifies_every_signature_and_every_hash_chain(deployment, tmp_path):
    heads = {meeting.pk: events.verify_chain(meeting) for meeting in Meeting.objects.all()}
    archived = {d.pk: d.sha256 for d in SignedDocument.objects.archived()}
    assert archived
    assert all(heads.values())

    with override_settings(MEDIA_ROOT=tmp_path / "media"):
        archive = create_backup(tmp_path / "backups")
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert "NOT in this archive" in manifest["signing_key_encryption_key"]
    assert {"media/meeting-files/bao-cao.pdf"} < set(manifest["parts"])

    restored_media = tmp_path / "restored-media"
    with drill_database(tmp_path), override_settings(MEDIA_ROOT=restored_media):
        restore_backup(archive)

        assert {m.pk: events.verify_chain(m) for m in Meeting.objects.all()} == heads
        documents = SignedDocument.objects.archived()
        assert {d.pk: d.sha256 for d in documents} == archived
        trusted = trusted_authorities()
        for document in documents:
            report = verify_pdf(
                bytes(document.signed_pdf), trusted=trusted, archived_sha256=document.sha256
            )
            assert report.is_valid, report.verdict
        assert unopenable_signing_keys() == 0
        with override_settings(SIGNING_KEY_ENCRYPTION_KEY="another-key-" + "x" * 40):
            assert unopenable_signing_keys() > 0
        assert (restored_media / "meeting-files" / "bao-cao.pdf").read_bytes() == (
            b"%PDF-1.7 bao cao thang 11"
        )

        with pytest.raises(CommandError, match=r"không khôi phục đè lên.*not empty"):
            call_command("restore", str(archive))
        output = io.StringIO()
        call_command("restore", str(archive), "--force", stdout=output)
        assert "Đã khôi phục" in output.getvalue()
        assert {m.pk: events.verify_chain(m) for m in Meeting.objects.all()} == heads


def test_a_damaged_archive_or_files_already_there_restore_nothing(deployment, tmp_path):
    with override_settings(MEDIA_ROOT=tmp_path / "media"):
        archive = create_backup(tmp_path / "backups")
    damaged = tmp_path / "damaged.tar"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name.startswith("media/"):
                data = data.replace(b"thang 11", b"thang 12")
            target.addfile(member, io.BytesIO(data))

    occupied = tmp_path / "restored-media"
    with drill_database(tmp_path), override_settings(MEDIA_ROOT=occupied):
        with pytest.raises(BackupError, match="SHA-256 mismatch"):
            restore_backup(damaged)
        assert connection.introspection.table_names() == []
        occupied.mkdir()
        (occupied / "someone-elses.pdf").write_bytes(b"%PDF")
        with pytest.raises(BackupError, match=r"MEDIA_ROOT .* is not empty"):
            restore_backup(archive)
        assert connection.introspection.table_names() == []
        with pytest.raises(CommandError, match="not found"):
            call_command("restore", str(tmp_path / "missing.tar"))
        (tmp_path / "notes.tar").write_text("không phải bản sao lưu")
        with pytest.raises(CommandError, match="not a readable backup"):
            call_command("restore", str(tmp_path / "notes.tar"))
        assert connection.introspection.table_names() == []
