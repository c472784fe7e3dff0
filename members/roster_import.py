"""Reading a roster file (CSV or XLSX) into rows, with every problem found in it.

The file's first non-empty row names the columns; their order is free. Headers are matched
ignoring letter case, accents, spaces and punctuation, so "Họ và tên", "HO VA TEN", "ho_ten"
and "full_name" are the same column.

Column (template header)  required  also accepted as           format
Họ và tên                 yes       ho_ten, full_name, name      ≤ 120 characters
Ngày sinh                 no        date_of_birth, birth_date    dd/mm/yyyy
Số thẻ đảng viên          no        so_the, party_card_number    ≤ 20 characters; empty for
                                                                 a probationary member
Ngày vào Đảng             yes       ngay_ket_nap, admission_date dd/mm/yyyy
Ngày chính thức           no        recognition_date             dd/mm/yyyy; required for an
                                                                 official member
Loại đảng viên            yes       loai, standing               "chính thức" or "dự bị"
Thư điện tử               no        email                        an e-mail address
Điện thoại                no        sdt, so_dien_thoai, phone    ≤ 20 characters

A column "STT" (row number) is allowed and ignored; any other column is an error, so that data
under a misspelt header is never dropped silently. Row numbers in the report are the
spreadsheet's own (the header is usually row 1); empty rows are skipped.

CSV: UTF-8 with or without a byte-order mark, comma or semicolon delimited (Excel in a
Vietnamese locale writes semicolons). XLSX: the first sheet. The kind is told from the content
(a ZIP archive is an XLSX), never from the file name.

This module checks each cell on its own. Rules across cells and against the database
(official without recognition date, dates in the future, duplicate card numbers) are the
service's: `members.services.imports.import_roster`.
"""

from __future__ import annotations

import csv
import io
import time
import warnings
import zipfile
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from typing import IO

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from members.errors import RowError
from members.roster_columns import (
    COLUMNS,
    HEADER_KEYS,
    IGNORED_HEADERS,
    CellError,
    Column,
    cell_text,
    header_key,
)

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls
MAX_ARCHIVE_MEMBERS = 500  # an Excel workbook has a dozen or two parts


@dataclass
class ParsedRow:
    """One data row: `values` holds the fields that were read without error (a blank optional
    cell is None or ""); a field that could not be read is absent and has an error."""

    row: int
    values: dict[str, object] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)


@dataclass
class ParsedRoster:
    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)  # problems with the whole file

    @property
    def all_errors(self) -> list[RowError]:
        return [*self.errors, *(error for row in self.rows for error in row.errors)]


class ImportFileError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def read_roster(
    upload: IO[bytes] | bytes, progress: Callable[[int], None] | None = None
) -> ParsedRoster:
    """Reads every row of a CSV or XLSX roster; never raises for a bad file, it reports it.

    A hostile file cannot make this run long or take much memory: the upload's size, an XLSX's
    unpacked size (checked in the archive's directory before anything is unpacked), the rows and
    columns read (whatever size the sheet declares) and the time are all limited (settings
    ROSTER_IMPORT_MAX_*), and each limit is named in the error. `progress` is told the number
    of spreadsheet rows read so far, every PROGRESS_EVERY rows."""
    try:
        data = _read_limited(upload)
        rows = _xlsx_rows(data) if data.startswith(ZIP_MAGIC) else _csv_rows(data)
        # closing() ends the generator, and with it the workbook, when a row is rejected.
        with closing(rows):
            return _parse(_bounded(rows, progress or (lambda _rows: None)))
    except ImportFileError as rejected:
        return ParsedRoster(errors=[RowError(None, None, rejected.message)])


PROGRESS_EVERY = 200


def _bounded(
    rows: Iterator[tuple[int, list[object]]], progress: Callable[[int], None]
) -> Iterator[tuple[int, list[object]]]:
    """The rows, refused past the row, column and time limits."""
    max_rows, max_columns = (
        settings.ROSTER_IMPORT_MAX_SHEET_ROWS,
        settings.ROSTER_IMPORT_MAX_COLUMNS,
    )
    seconds = settings.ROSTER_IMPORT_MAX_SECONDS
    deadline = time.monotonic() + seconds
    for count, (number, values) in enumerate(rows, start=1):
        if time.monotonic() > deadline:
            raise ImportFileError(
                _("Đọc tệp quá %(seconds)d giây nên đã dừng. Hãy chia thành nhiều tệp nhỏ hơn.")
                % {"seconds": seconds}
            )
        if number > max_rows:
            raise ImportFileError(
                _(
                    "Trang tính có dữ liệu sau dòng %(limit)d, quá giới hạn %(limit)d dòng. Hãy "
                    "xóa các dòng thừa (kể cả dòng trống đã định dạng) hoặc chia thành nhiều tệp."
                )
                % {"limit": max_rows}
            )
        if len(values) > max_columns and not _is_blank(values[max_columns:]):
            beyond = max_columns + next(
                i for i, value in enumerate(values[max_columns:], start=1) if cell_text(value)
            )
            raise ImportFileError(
                _(
                    "Dòng %(row)d có dữ liệu ở cột thứ %(column)d, quá giới hạn %(limit)d cột. "
                    "Hãy xóa các cột thừa."
                )
                % {"row": number, "column": beyond, "limit": max_columns}
            )
        if count % PROGRESS_EVERY == 0:
            progress(number)
        yield number, values[:max_columns]


def _read_limited(upload: IO[bytes] | bytes) -> bytes:
    limit = settings.ROSTER_IMPORT_MAX_BYTES
    data = upload if isinstance(upload, bytes) else upload.read(limit + 1)
    if len(data) > limit:
        raise ImportFileError(_("Tệp lớn quá: tối đa %(size)s.") % {"size": filesizeformat(limit)})
    if not data.strip().removeprefix(b"\xef\xbb\xbf").strip():
        raise ImportFileError(_("Tệp trống."))
    if data.startswith(OLE2_MAGIC):
        raise ImportFileError(
            _(
                "Tệp Excel đời cũ (.xls) không đọc được. Hãy lưu lại thành “Sổ làm việc Excel "
                "(.xlsx)” hoặc “CSV UTF-8”."
            )
        )
    return data


def _not_readable() -> ImportFileError:
    return ImportFileError(
        _(
            "Không đọc được tệp: tệp không phải Excel (.xlsx) và cũng không phải CSV mã UTF-8. "
            "Trong Excel, hãy chọn Lưu thành “Sổ làm việc Excel (.xlsx)” hoặc “CSV UTF-8”."
        )
    )


def _csv_rows(data: bytes) -> Generator[tuple[int, list[object]], None, None]:
    if b"\x00" in data:
        raise _not_readable()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _not_readable() from None
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        # csv counts physical lines; a quoted cell may span several, so number by record start.
        start = 1
        for record in reader:
            yield start, list(record)
            start = reader.line_num + 1
    except csv.Error:
        raise ImportFileError(
            _("Tệp CSV hỏng ở dòng %(row)d: kiểm tra các dấu ngoặc kép.") % {"row": start}
        ) from None


def _check_archive(data: bytes) -> None:
    """Refuses a zip bomb from the archive's directory, before anything is unpacked: Python's
    zipfile never unpacks a member past the size its directory entry states."""
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _not_readable() from None
    limit = settings.ROSTER_IMPORT_MAX_UNPACKED_BYTES
    unpacked = sum(member.file_size for member in members)
    if unpacked > limit or len(members) > MAX_ARCHIVE_MEMBERS:
        raise ImportFileError(
            _(
                "Tệp Excel giải nén ra lớn quá: tối đa %(limit)s (tệp này %(size)s). Hãy xóa các "
                "trang tính, hình ảnh thừa hoặc chia thành nhiều tệp."
            )
            % {"limit": filesizeformat(limit), "size": filesizeformat(unpacked)}
        )


def _xlsx_rows(data: bytes) -> Generator[tuple[int, list[object]], None, None]:
    from openpyxl import load_workbook

    _check_archive(data)
    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it does not know; the data is fine.
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # a broken archive raises any of a dozen error types
        raise _not_readable() from None
    try:
        if not workbook.worksheets:
            raise _not_readable()
        sheet = workbook.worksheets[0]
        max_rows = settings.ROSTER_IMPORT_MAX_SHEET_ROWS
        max_columns = settings.ROSTER_IMPORT_MAX_COLUMNS
        declared = (sheet.max_row or 0, sheet.max_column or 0)
        if declared[0] > max_rows or declared[1] > max_columns:
            raise ImportFileError(
                _(
                    "Trang tính lớn quá: tối đa %(rows)d dòng và %(columns)d cột (tệp ghi là "
                    "đến dòng %(last_row)d, cột %(last_column)d). Hãy xóa các dòng, cột thừa "
                    "hoặc chia thành nhiều tệp."
                )
                % {
                    "rows": max_rows,
                    "columns": max_columns,
                    "last_row": declared[0],
                    "last_column": declared[1],
                }
            )
        # The declared size is a claim, not a bound: read at most one row and one column past
        # the limits, so that `_bounded` sees data beyond them and refuses the file.
        bounded = sheet.iter_rows(max_row=max_rows + 1, max_col=max_columns + 1, values_only=True)
        for number, values in enumerate(bounded, start=1):
            yield number, list(values)
    except ImportFileError:
        raise
    except Exception:  # a broken sheet inside a good archive
        raise _not_readable() from None
    finally:
        workbook.close()


def _is_blank(values: Iterable[object]) -> bool:
    return all(cell_text(value) == "" for value in values)


def _parse(rows: Iterator[tuple[int, list[object]]]) -> ParsedRoster:
    roster = ParsedRoster()
    header_row = next(((n, v) for n, v in rows if not _is_blank(v)), None)
    if header_row is None:
        raise ImportFileError(_("Tệp trống."))
    columns = _columns(header_row[1])
    limit = settings.ROSTER_IMPORT_MAX_ROWS
    for number, values in rows:
        if _is_blank(values):
            continue
        if len(roster.rows) == limit:
            raise ImportFileError(
                _("Tệp có hơn %(limit)d dòng đảng viên; hãy chia thành nhiều tệp.")
                % {"limit": limit}
            )
        roster.rows.append(_parse_row(number, values, columns))
    if not roster.rows:
        raise ImportFileError(_("Tệp chỉ có dòng tiêu đề, chưa có đảng viên nào."))
    return roster


def _columns(headers: list[object]) -> list[Column | None]:
    """The column under each header position (None: ignored); rejects a bad header row."""
    columns: list[Column | None] = []
    problems: list[str] = []
    for header in headers:
        key = header_key(header)
        column = HEADER_KEYS.get(key)
        if column is None and key and key not in IGNORED_HEADERS:
            problems.append(
                _("Không nhận ra cột “%(header)s”.") % {"header": cell_text(header)},
            )
        elif column is not None and column in columns:
            problems.append(_("Cột “%(header)s” có hai lần.") % {"header": column.header})
        columns.append(column)
    missing = [c.header for c in COLUMNS if c.required and c not in columns]
    if missing:
        problems.append(
            _("Thiếu cột bắt buộc: %(columns)s.") % {"columns": ", ".join(missing)},
        )
    if problems:
        problems.append(
            _("Các cột dùng được: %(columns)s.")
            % {"columns": ", ".join(column.header for column in COLUMNS)}
        )
        raise ImportFileError(" ".join(problems))
    return columns


def _parse_row(number: int, values: list[object], columns: list[Column | None]) -> ParsedRow:
    parsed = ParsedRow(number)
    cells: dict[str, object] = {}
    for position, value in enumerate(values):
        column = columns[position] if position < len(columns) else None
        if column is not None:
            cells[column.field] = value
        elif position >= len(columns) and cell_text(value):
            parsed.errors.append(
                RowError(number, None, _("Có dữ liệu ở ngoài các cột có tiêu đề."))
            )
    for column in COLUMNS:
        if column not in columns:
            # An optional column left out of the file is blank on every row.
            parsed.values[column.field] = column.parse(None)
            continue
        try:
            value = column.parse(cells.get(column.field))
        except CellError as error:
            parsed.errors.append(RowError(number, column.header, str(error)))
            continue
        if column.required and value in (None, ""):
            parsed.errors.append(RowError(number, column.header, _("Không được để trống.")))
            continue
        parsed.values[column.field] = value
    return parsed
