import contextlib
import io
import random
import zipfile

import openpyxl
import pytest

from meetings.file_types import UnsupportedFile, detect
from tests.meetings.helpers import MINIMAL_PDF, PNG_HEADER, office_file

pytestmark = pytest.mark.unit

WINDOWS_EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 56 + b"PE\x00\x00" + b"\x00" * 200
LINUX_EXECUTABLE = b"\x7fELF\x02\x01\x01" + b"\x00" * 200


def xlsx_bytes() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "Danh sách đảng viên"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (MINIMAL_PDF, ("pdf", "application/pdf")),
        (PNG_HEADER, ("png", "image/png")),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32, ("jpg", "image/jpeg")),
        (
            office_file("word/document.xml"),
            (
                "docx",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ),
        ),
        (
            xlsx_bytes(),
            ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ),
    ],
    ids=["pdf", "png", "jpeg", "docx", "xlsx-from-openpyxl"],
)
def test_detect_recognises_allowed_types_by_content(data, expected):
    kind = detect(data)

    assert (kind.file_type, kind.content_type) == expected


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (WINDOWS_EXECUTABLE, "nội dung là tệp exe"),
        (LINUX_EXECUTABLE, "nội dung là tệp elf"),
        (b"Just some text pretending to be a PDF", "không nhận ra loại tệp"),
        (office_file("ppt/presentation.xml"), "nội dung là tệp pptx"),
        (office_file("content/other.xml"), "không phải văn bản Word hay Excel"),
        (office_file("word/document.xml", extra={"word/vbaProject.bin": b"x"}), "macro"),
        (b"PK\x03\x04" + b"\x00" * 100, "tệp nén bị hỏng"),
    ],
    ids=["windows-exe", "elf", "text", "pptx", "other-ooxml", "docm-macro", "broken-zip"],
)
def test_detect_refuses_anything_else(data, message):
    with pytest.raises(UnsupportedFile, match=message):
        detect(data)


def test_detect_refuses_a_zip_without_office_content_types():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<x/>")

    with pytest.raises(UnsupportedFile, match="không phải văn bản Office"):
        detect(buffer.getvalue())


def test_detect_refuses_a_zip_made_by_a_newer_zip_version_as_broken():
    # "Version needed to extract" 12.7 in the central directory: zipfile raises
    # NotImplementedError, which must not reach the member as a server error.
    data = bytearray(office_file("word/document.xml"))
    entry = data.index(b"PK\x01\x02")
    data[entry + 6 : entry + 8] = (127).to_bytes(2, "little")

    with pytest.raises(UnsupportedFile, match="tệp nén bị hỏng"):
        detect(bytes(data))


def test_detect_answers_every_byte_mutated_office_file_by_recognising_or_refusing_it():
    document = office_file("word/document.xml")
    rng = random.Random(14)
    for _ in range(3000):
        mutated = bytearray(document)
        for _ in range(rng.randint(1, 4)):
            mutated[rng.randrange(len(mutated))] = rng.randrange(256)
        with contextlib.suppress(UnsupportedFile):  # anything else fails the test
            detect(bytes(mutated))
