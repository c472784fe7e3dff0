"""The columns of a roster file: their headers (with the other spellings accepted), how each
cell is read, and the templates to download. Reading the file itself is `members.roster_import`,
whose docstring lists the columns and their formats.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.enums import Standing

DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d")
PHONE = re.compile(r"[0-9+().\-\s]*")


class CellError(ValueError):
    """A value that cannot be read; its message goes into the report."""


def cell_text(value: object) -> str:
    if value is None:
        return ""
    # A number typed into an Excel cell comes back as 12345678.0.
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime | datetime.date):
        value = value.strftime("%d/%m/%Y")
    return " ".join(str(value).split())


def _limited(limit: int) -> Callable[[object], str]:
    def parse(value: object) -> str:
        text = cell_text(value)
        if len(text) > limit:
            raise CellError(
                _("Dài quá %(limit)d ký tự (đang có %(length)d).")
                % {"limit": limit, "length": len(text)}
            )
        return text

    return parse


def _optional_card(value: object) -> str | None:
    return _limited(20)(value) or None


def _date(value: object) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = cell_text(value)
    if not text:
        return None
    for date_format in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, date_format).date()  # noqa: DTZ007 (a date)
        except ValueError:
            continue
    raise CellError(
        _("“%(value)s” không phải ngày theo dạng dd/mm/yyyy, ví dụ 19/05/2010.") % {"value": text}
    )


STANDINGS = {
    "chinh_thuc": Standing.OFFICIAL,
    "ct": Standing.OFFICIAL,
    "official": Standing.OFFICIAL,
    "du_bi": Standing.PROBATIONARY,
    "db": Standing.PROBATIONARY,
    "probationary": Standing.PROBATIONARY,
}


def _standing(value: object) -> str | None:
    text = cell_text(value)
    if not text:
        return None
    standing = STANDINGS.get(header_key(text))
    if standing is None:
        raise CellError(
            _("“%(value)s” không phải loại đảng viên: ghi “chính thức” hoặc “dự bị”.")
            % {"value": text}
        )
    return standing.value


def _email(value: object) -> str:
    text = _limited(254)(value)
    if text:
        try:
            validate_email(text)
        except ValidationError:
            raise CellError(
                _("“%(value)s” không phải địa chỉ thư điện tử.") % {"value": text}
            ) from None
    return text


def _phone(value: object) -> str:
    text = _limited(20)(value)
    if not PHONE.fullmatch(text):
        raise CellError(_("Số điện thoại chỉ gồm chữ số, dấu cách và các dấu + ( ) . -"))
    return text


@dataclass(frozen=True)
class Column:
    field: str
    header: str  # as written in the template; the report names columns this way
    required: bool
    parse: Callable[[object], object]
    aliases: tuple[str, ...] = ()


# The file's headers are Vietnamese whatever the interface language, so they are not translated.
COLUMNS = (
    Column("full_name", "Họ và tên", True, _limited(120), ("ho_ten", "full_name", "name", "ten")),
    Column("date_of_birth", "Ngày sinh", False, _date, ("date_of_birth", "birth_date", "dob")),
    Column(
        "party_card_number",
        "Số thẻ đảng viên",
        False,
        _optional_card,
        ("so_the", "so_the_dang", "party_card_number", "card_number"),
    ),
    Column(
        "admission_date",
        "Ngày vào Đảng",
        True,
        _date,
        ("ngay_ket_nap", "admission_date", "admitted_on"),
    ),
    Column(
        "recognition_date",
        "Ngày chính thức",
        False,
        _date,
        ("ngay_cong_nhan_chinh_thuc", "recognition_date", "recognized_on", "recognised_on"),
    ),
    Column("standing", "Loại đảng viên", True, _standing, ("loai", "standing")),
    Column("email", "Thư điện tử", False, _email, ("email", "e_mail")),
    Column("phone", "Điện thoại", False, _phone, ("so_dien_thoai", "sdt", "phone", "telephone")),
)
COLUMN_BY_FIELD = {column.field: column for column in COLUMNS}
IGNORED_HEADERS = frozenset({"stt", "tt", "so_thu_tu", "no"})


def header_key(text: object) -> str:
    """ "Ngày vào Đảng" → "ngay_vao_dang": no accents, lower case, words joined by "_"."""
    text = str(text or "").replace("đ", "d").replace("Đ", "D")
    text = "".join(
        c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
    ).lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


HEADER_KEYS = {
    key: column
    for column in COLUMNS
    for key in (header_key(column.header), column.field, *column.aliases)
}


# --- Templates to download ------------------------------------------------------------------


def template_csv() -> bytes:
    """Header row only, UTF-8 with a byte-order mark so that Excel opens the accents right."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerow([column.header for column in COLUMNS])
    return b"\xef\xbb\xbf" + buffer.getvalue().encode()


def template_xlsx() -> bytes:
    """The header row on the first sheet (text-formatted columns keep leading zeros), and a
    second sheet explaining each column."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Danh sách"
    sheet.append([column.header for column in COLUMNS])
    for position, column in enumerate(COLUMNS, start=1):
        letter = sheet.cell(row=1, column=position).column_letter
        sheet.cell(row=1, column=position).font = Font(bold=True)
        sheet.column_dimensions[letter].width = 22 if column.field != "full_name" else 30
        for row in range(2, 502):
            sheet.cell(row=row, column=position).number_format = "@"
    help_sheet = workbook.create_sheet("Hướng dẫn")
    help_sheet.append(["Cột", "Bắt buộc", "Cách ghi"])
    with translation.override("vi"):
        for column, how in zip(COLUMNS, TEMPLATE_HELP, strict=True):
            help_sheet.append([column.header, "có" if column.required else "không", str(how)])
    help_sheet.column_dimensions["A"].width = 22
    help_sheet.column_dimensions["C"].width = 80
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


TEMPLATE_HELP = (
    gettext_lazy("Tối đa 120 ký tự."),
    gettext_lazy("Ngày/tháng/năm, ví dụ 02/09/1975."),
    gettext_lazy("Tối đa 20 ký tự. Đảng viên dự bị chưa có thẻ: để trống."),
    gettext_lazy("Ngày/tháng/năm."),
    gettext_lazy("Ngày/tháng/năm. Bắt buộc với đảng viên chính thức; đảng viên dự bị để trống."),
    gettext_lazy("“chính thức” hoặc “dự bị”."),
    gettext_lazy("Địa chỉ thư điện tử; có thể để trống."),
    gettext_lazy("Tối đa 20 ký tự; có thể để trống."),
)
