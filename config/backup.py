"""One archive holding everything a deployment keeps, and putting it back (docs/operations.md).

The archive is a tar file:

- `manifest.json`: when, which database engine, and the SHA-256 and size of every other part;
- `database.dump` (PostgreSQL, `pg_dump --format=custom`) or `database.sqlite3` (the embedded
  default, copied with SQLite's own backup API, consistent while the server writes). The database
  holds the signed PDFs (`SignedDocument.signed_pdf`), the meetings' hash-chained event logs and
  the signing keys (the certificate authority's and the members'), the keys encrypted under
  `SIGNING_KEY_ENCRYPTION_KEY`;
- `media/…`: every file under MEDIA_ROOT (uploaded meeting documents).

`SIGNING_KEY_ENCRYPTION_KEY` itself is never in the archive: whoever holds the archive alone cannot
open a signing key. It must be kept separately; without it the restored keys cannot sign again
(the signed PDFs still verify).

Restoring checks every part against the manifest before it changes anything, and refuses a
database or MEDIA_ROOT that already holds data unless told to replace it.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.db import connection

FORMAT = "chibo-backup/1"
MANIFEST = "manifest.json"
POSTGRES_PART = "database.dump"
SQLITE_PART = "database.sqlite3"
MEDIA_PREFIX = "media/"
KEY_NOTE = (
    "Khóa mã hóa khóa ký (SIGNING_KEY_ENCRYPTION_KEY) KHÔNG có trong bản sao lưu này: hãy cất giữ "
    "riêng; thiếu nó, các khóa ký được khôi phục không ký được. / SIGNING_KEY_ENCRYPTION_KEY is "
    "NOT in this archive: the signing keys inside are encrypted under it. Keep it separately; "
    "without it the restored keys cannot sign."
)


class BackupError(Exception):
    """The backup or restore cannot go on; the message says why, in Vietnamese and English."""


@dataclass(frozen=True)
class RestoreResult:
    manifest: dict[str, Any]
    media_files: int


def create_backup(outdir: Path) -> Path:
    """Write one archive into `outdir` and return its path."""
    outdir.mkdir(parents=True, exist_ok=True)
    created = datetime.datetime.now(datetime.UTC)
    archive = outdir / f"chibo-backup-{created:%Y%m%dT%H%M%SZ}.tar"
    with tempfile.TemporaryDirectory(prefix="chibo-backup-") as scratch:
        database_part = _dump_database(Path(scratch))
        parts: dict[str, Path] = {database_part.name: database_part}
        media_root = Path(settings.MEDIA_ROOT)
        if media_root.is_dir():
            for path in sorted(p for p in media_root.rglob("*") if p.is_file()):
                parts[MEDIA_PREFIX + path.relative_to(media_root).as_posix()] = path
        manifest = {
            "format": FORMAT,
            "created_at": created.isoformat(),
            "database_engine": _engine(),
            "signing_key_encryption_key": KEY_NOTE,
            "parts": {
                name: {"sha256": _sha256(path), "bytes": path.stat().st_size}
                for name, path in parts.items()
            },
        }
        partial = archive.with_suffix(".tar.partial")
        with tarfile.open(partial, "w") as tar:
            _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False).encode())
            for name, path in parts.items():
                tar.add(path, arcname=name, recursive=False)
        partial.chmod(0o600)  # the archive holds personal data and the encrypted keys
        partial.replace(archive)
    return archive


def restore_backup(archive: Path, *, force: bool = False) -> RestoreResult:
    """Put the archive's database and files back. Without `force`, a database with tables or a
    MEDIA_ROOT with files is left alone and BackupError says so."""
    if not archive.is_file():
        raise BackupError(
            f"Không tìm thấy tệp sao lưu {archive}. / Backup file {archive} not found."
        )
    with tempfile.TemporaryDirectory(prefix="chibo-restore-") as scratch:
        root = Path(scratch)
        manifest = _unpack_and_check(archive, root)
        if manifest["database_engine"] != _engine():
            raise BackupError(
                f"Bản sao lưu là của cơ sở dữ liệu {manifest['database_engine']}, máy này dùng "
                f"{_engine()}. / The backup is of a {manifest['database_engine']} database; "
                f"this deployment uses {_engine()}."
            )
        media_root = Path(settings.MEDIA_ROOT)
        if not force:
            if connection.introspection.table_names():
                raise BackupError(
                    "Cơ sở dữ liệu đã có dữ liệu; không khôi phục đè lên. Dùng --force để thay "
                    "toàn bộ. / The database is not empty; nothing was restored. Use --force to "
                    "replace it."
                )
            if media_root.is_dir() and any(media_root.iterdir()):
                raise BackupError(
                    f"Thư mục MEDIA_ROOT ({media_root}) đã có tệp; không khôi phục đè lên. Dùng "
                    f"--force để thay. / MEDIA_ROOT ({media_root}) is not empty; nothing was "
                    "restored. Use --force to replace it."
                )
        _restore_database(root)
        media_files = [name for name in manifest["parts"] if name.startswith(MEDIA_PREFIX)]
        # Files in MEDIA_ROOT that the backup does not hold are left alone (with the embedded
        # default, bin/media keeps Janus's configuration there); no restored row refers to them.
        media_root.mkdir(parents=True, exist_ok=True)
        for name in media_files:
            target = media_root / name.removeprefix(MEDIA_PREFIX)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(root / name, target)
    return RestoreResult(manifest=manifest, media_files=len(media_files))


def _unpack_and_check(archive: Path, root: Path) -> dict[str, Any]:
    try:
        with tarfile.open(archive, "r") as tar:
            for member in tar.getmembers():
                if not member.isfile() or not _safe_name(member.name):
                    raise BackupError(
                        f"Tệp sao lưu có mục không hợp lệ: {member.name!r}. / The backup holds "
                        f"an invalid entry: {member.name!r}."
                    )
            tar.extractall(root, filter="data")
    except tarfile.TarError as error:
        raise BackupError(
            f"Tệp {archive} không phải bản sao lưu đọc được ({error}). / {archive} is not a "
            f"readable backup ({error})."
        ) from error
    try:
        manifest = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BackupError(
            "Tệp sao lưu thiếu bản kê (manifest.json) hoặc bản kê hỏng. / The backup's "
            "manifest.json is missing or damaged."
        ) from error
    if not isinstance(manifest, dict) or not isinstance(manifest.get("parts"), dict):
        raise BackupError(
            "Bản kê (manifest.json) của tệp sao lưu hỏng. / The backup's manifest.json is damaged."
        )
    if manifest.get("format") != FORMAT:
        raise BackupError(
            f"Định dạng sao lưu không được hỗ trợ: {manifest.get('format')!r}. / Unsupported "
            f"backup format: {manifest.get('format')!r}."
        )
    present = {path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file()} - {
        MANIFEST
    }
    listed = set(manifest["parts"])
    if present != listed:
        raise BackupError(
            "Các phần trong tệp sao lưu không khớp bản kê (thiếu hoặc thừa: "
            f"{sorted(present ^ listed)}). / The backup's parts do not match its manifest "
            f"(missing or extra: {sorted(present ^ listed)})."
        )
    for name, expected in manifest["parts"].items():
        if _sha256(root / name) != expected["sha256"]:
            raise BackupError(
                f"Phần {name} của bản sao lưu bị hỏng (SHA-256 không khớp); chưa khôi phục gì. / "
                f"Part {name} of the backup is damaged (SHA-256 mismatch); nothing was restored."
            )
    return manifest


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and name != ""


def _engine() -> str:
    return connection.vendor  # "postgresql" or "sqlite"


def _dump_database(scratch: Path) -> Path:
    if connection.vendor == "sqlite":
        target = scratch / SQLITE_PART
        connection.ensure_connection()
        destination = sqlite3.connect(target)
        try:
            connection.connection.backup(destination)
        finally:
            destination.close()
        return target
    if connection.vendor != "postgresql":
        raise BackupError(f"Không hỗ trợ {connection.vendor}. / {connection.vendor} unsupported.")
    target = scratch / POSTGRES_PART
    # No owner or grants: the archive restores under whichever role the deployment uses.
    _run_postgres_tool(
        "pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={target}"
    )
    return target


def _restore_database(root: Path) -> None:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(root / SQLITE_PART)
        try:
            # The backup API replaces the whole destination database, page by page.
            source.backup(connection.connection)
        finally:
            source.close()
        return
    _drop_tables()
    _run_postgres_tool(
        "pg_restore",
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
        str(root / POSTGRES_PART),
    )


def _drop_tables() -> None:
    """Empty the database: its tables, and the collations, functions and types migrations made
    (the whole public schema), so the dump's own definitions go back in unopposed."""
    if connection.introspection.table_names():
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("CREATE SCHEMA public")
    connection.close()  # pg_restore runs in its own session


def _run_postgres_tool(tool: str, *args: str) -> None:
    database = connection.settings_dict
    env = os.environ | {"PGPASSWORD": str(database.get("PASSWORD") or "")}
    command = [tool, f"--dbname={database['NAME']}"]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if database.get(key):
            command.append(f"{option}={database[key]}")
    result = subprocess.run(  # noqa: S603 (fixed tool, arguments from settings)
        [*command, *args], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(
            f"{tool} thất bại / {tool} failed (mã thoát / exit code {result.returncode}): "
            f"{result.stderr.strip()}"
        )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(datetime.datetime.now(datetime.UTC).timestamp())
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))
