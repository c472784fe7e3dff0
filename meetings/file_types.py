"""What an uploaded file really is, read from its bytes (never from its name). No Django.

PDF and images are recognised by their signatures (the `filetype` package). DOCX and XLSX are
ZIP archives: filetype's guess depends on the order of the members, so the archive is opened and
its members checked, which also refuses macro-enabled documents and ZIP bombs.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

import filetype

# Images and PDF: the filetype extension → our type and the content type we serve.
SIGNATURE_TYPES = {
    "pdf": ("pdf", "application/pdf"),
    "jpg": ("jpg", "image/jpeg"),
    "png": ("png", "image/png"),
    "webp": ("webp", "image/webp"),
}
ZIP_KINDS = frozenset({"zip", "docx", "xlsx"})
OOXML_TYPES = {
    "word/document.xml": (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "xl/workbook.xml": (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
}
MACRO_MEMBERS = ("word/vbaProject.bin", "xl/vbaProject.bin")
MAX_ZIP_MEMBERS = 5000
MAX_UNPACKED_RATIO = 100  # unpacked / packed; Office files are typically 3–10


@dataclass(frozen=True, slots=True)
class FileKind:
    file_type: str  # pdf, docx, xlsx, jpg, png, webp
    content_type: str


class UnsupportedFile(ValueError):  # noqa: N818 -- reads as the refusal it is
    """The content is not an allowed type; the message is shown to the member (Vietnamese)."""


NOT_ALLOWED = "Tệp không phải PDF, Word (DOCX), Excel (XLSX) hay ảnh (JPEG, PNG, WebP): {}."


def detect(data: bytes) -> FileKind:
    guess = filetype.guess(data[:8192])
    if guess is None:
        raise UnsupportedFile(NOT_ALLOWED.format("không nhận ra loại tệp"))
    if guess.extension in SIGNATURE_TYPES:
        file_type, content_type = SIGNATURE_TYPES[guess.extension]
        return FileKind(file_type, content_type)
    if guess.extension in ZIP_KINDS:
        return _office_document(data)
    raise UnsupportedFile(NOT_ALLOWED.format(f"nội dung là tệp {guess.extension}"))


def _office_document(data: bytes) -> FileKind:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    # NotImplementedError: a "version needed to extract" newer than zipfile knows (a byte fuzz
    # found it; tests/meetings/test_file_types.py).
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError) as error:
        raise UnsupportedFile(NOT_ALLOWED.format("tệp nén bị hỏng")) from error
    names = {member.filename for member in members}
    if (
        len(members) > MAX_ZIP_MEMBERS
        or sum(m.file_size for m in members) > max(len(data), 1) * MAX_UNPACKED_RATIO
    ):
        raise UnsupportedFile(NOT_ALLOWED.format("tệp nén bất thường"))
    if "[Content_Types].xml" not in names:
        raise UnsupportedFile(NOT_ALLOWED.format("tệp nén không phải văn bản Office"))
    if names.intersection(MACRO_MEMBERS):
        raise UnsupportedFile(
            "Tệp Office có chứa macro không được tải lên; hãy lưu lại dạng "
            "DOCX hoặc XLSX không có macro."
        )
    kinds = [kind for member, kind in OOXML_TYPES.items() if member in names]
    if len(kinds) != 1:
        raise UnsupportedFile(NOT_ALLOWED.format("tệp nén không phải văn bản Word hay Excel"))
    return FileKind(*kinds[0])
