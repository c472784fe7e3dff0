import datetime
import io
import re
import threading
import tracemalloc
import zipfile
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import PermissionDenied
from openpyxl import Workbook, load_workbook

from members import roster_columns, roster_import
from members.enums import RosterChangeKind
from members.errors import RosterError, RosterImportError
from members.models import Member, RosterChange
from members.services import imports, records
from tests.factories import CellRoleFactory

pytestmark = pytest.mark.integration

HEADER = (
    "Họ và tên,Ngày sinh,Số thẻ đảng viên,Ngày vào Đảng,Ngày chính thức,Loại đảng viên,"
    "Thư điện tử,Điện thoại"
)
GOOD_ROWS = [
    "Trần Văn An,02/09/1975,10000001,19/05/2000,19/05/2001,chính thức,an@chibo.invalid,0912345678",
    "Lê Thị Bình,15/01/1990,,03/02/2025,,dự bị,,",
]
ALL_COLUMNS = (
    "Các cột dùng được: Họ và tên, Ngày sinh, Số thẻ đảng viên, Ngày vào Đảng, Ngày chính thức, "
    "Loại đảng viên, Thư điện tử, Điện thoại."
)
UNREADABLE = (
    "Không đọc được tệp: tệp không phải Excel (.xlsx) và cũng không phải CSV mã UTF-8. "
    "Trong Excel, hãy chọn Lưu thành “Sổ làm việc Excel (.xlsx)” hoặc “CSV UTF-8”."
)

OLD_XLS = (
    "Tệp Excel đời cũ (.xls) không đọc được. Hãy lưu lại thành “Sổ làm việc Excel (.xlsx)” "
    "hoặc “CSV UTF-8”."
)


@pytest.fixture(autouse=True)
def today():
    moment = datetime.datetime(2026, 3, 15, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    with time_machine.travel(moment, tick=False):
        yield


def csv_file(*rows: str, header: str = HEADER, bom: bool = False) -> bytes:
    text = "\r\n".join([header, *rows]) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode()


def xlsx_file(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def import_file(tree, data: bytes, name: str = "danh-sach.csv") -> list[Member]:
    return imports.import_roster(
        actor=tree.secretary.user, cell=tree.cell, upload=io.BytesIO(data), file_name=name
    )


def rejected(tree, data: bytes) -> list[tuple[int | None, str | None, str]]:
    """The errors of a rejected import, after checking that it wrote nothing."""
    before = sorted(Member.objects.values_list("pk", "full_name"))

    with pytest.raises(RosterImportError) as error:
        import_file(tree, data)

    assert sorted(Member.objects.values_list("pk", "full_name")) == before
    assert RosterChange.objects.count() == 0
    return [(e.row, e.column, e.message) for e in error.value.errors]


def imported(tree) -> list[tuple]:
    return list(
        Member.objects.filter(home_cell=tree.cell, user=None)
        .order_by("full_name")
        .values_list(
            "full_name",
            "date_of_birth",
            "party_card_number",
            "admission_date",
            "recognition_date",
            "standing",
            "email",
            "phone",
        )
    )


EXPECTED = [
    (
        *("Lê Thị Bình", datetime.date(1990, 1, 15), None, datetime.date(2025, 2, 3), None),
        *("probationary", "", ""),
    ),
    (
        *("Trần Văn An", datetime.date(1975, 9, 2), "10000001", datetime.date(2000, 5, 19)),
        *(datetime.date(2001, 5, 19), "official", "an@chibo.invalid", "0912345678"),
    ),
]


# --- Good files -------------------------------------------------------------------------------


def test_a_good_csv_adds_every_member_without_accounts_and_one_history_row_each(tree):
    members = import_file(tree, csv_file(*GOOD_ROWS))

    assert imported(tree) == EXPECTED
    assert [m.full_name for m in members] == ["Trần Văn An", "Lê Thị Bình"]
    changes = RosterChange.objects.order_by("details__row")
    assert [(c.member.full_name, c.cell, c.kind, c.recorded_by) for c in changes] == [
        ("Trần Văn An", tree.cell, RosterChangeKind.IMPORTED, tree.secretary.user),
        ("Lê Thị Bình", tree.cell, RosterChangeKind.IMPORTED, tree.secretary.user),
    ]
    assert changes[0].details == {
        "file": "danh-sach.csv",
        "row": 2,
        "record": {
            "full_name": "Trần Văn An",
            "admission_date": "2000-05-19",
            "standing": "official",
            "date_of_birth": "1975-09-02",
            "party_card_number": "10000001",
            "recognition_date": "2001-05-19",
            "email": "an@chibo.invalid",
            "phone": "0912345678",
        },
    }


def test_a_semicolon_csv_with_a_byte_order_mark_is_read(tree):
    rows = [row.replace(",", ";") for row in GOOD_ROWS]

    import_file(tree, csv_file(*rows, header=HEADER.replace(",", ";"), bom=True))

    assert imported(tree) == EXPECTED


def test_a_good_xlsx_is_read_with_dates_numbers_and_a_row_number_column(tree):
    data = xlsx_file(
        [
            ["STT", *HEADER.split(",")],
            [
                *(1, "Trần Văn An", datetime.date(1975, 9, 2), 10000001, "19/05/2000"),
                *(datetime.date(2001, 5, 19), "Chính thức", "an@chibo.invalid", "0912345678"),
            ],
            [None] * 9,
            [2, "Lê Thị Bình", "15/01/1990", None, datetime.date(2025, 2, 3), None, "DỰ BỊ"],
        ]
    )

    import_file(tree, data, name="danh-sach.xlsx")

    assert imported(tree) == EXPECTED
    assert sorted(RosterChange.objects.values_list("details__row", flat=True)) == [2, 4]


def test_xlsx_is_told_by_its_content_not_its_name(tree):
    import_file(tree, xlsx_file([HEADER.split(","), GOOD_ROWS[0].split(",")]), name="ds.csv")
    import_file(tree, csv_file(GOOD_ROWS[1]), name="ds.xlsx")

    assert imported(tree) == EXPECTED


def test_ascii_and_english_headers_in_any_order_and_without_optional_columns(tree):
    data = csv_file(
        "dự bị,Lê Thị Bình,2025-02-03",
        "official,Trần Văn An,19/05/2000,19/05/2001",
        header="standing, HO VA TEN ,admission_date,ngay_chinh_thuc",
    )

    import_file(tree, data)

    assert [row[:1] + row[3:6] for row in imported(tree)] == [
        ("Lê Thị Bình", datetime.date(2025, 2, 3), None, "probationary"),
        ("Trần Văn An", datetime.date(2000, 5, 19), datetime.date(2001, 5, 19), "official"),
    ]


def test_a_missing_recognition_column_still_requires_it_of_official_members(tree):
    data = csv_file("Trần Văn An,19/05/2000,chính thức", header="Họ và tên,Ngày vào Đảng,Loại")

    assert rejected(tree, data) == [
        (2, "Ngày chính thức", "Đảng viên chính thức phải có ngày chính thức.")
    ]


# --- Bad files --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Tệp trống."),
        (b"\xef\xbb\xbf \r\n\r\n", "Tệp trống."),
        (b",,,\r\n,,\r\n", "Tệp trống."),
        (HEADER.encode() + b"\r\n,,,,\r\n", "Tệp chỉ có dòng tiêu đề, chưa có đảng viên nào."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", UNREADABLE),
        (b"Ho va ten\r\nL\xea Th\xe9\r\n", UNREADABLE),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, OLD_XLS),
        (
            HEADER.encode() + b'\r\n"Tr\xe1\xba\xa7n V\xc4\x83n An,02/09/1975\r\n',
            "Tệp CSV hỏng ở dòng 2: kiểm tra các dấu ngoặc kép.",
        ),
    ],
    ids=[
        "empty",
        "only a byte-order mark and blank lines",
        "only delimiters",
        "header only",
        "an image",
        "csv not in utf-8",
        "old binary xls",
        "unterminated quote",
    ],
)
def test_a_file_that_cannot_be_read_is_refused_whole(tree, data, message):
    assert rejected(tree, data) == [(None, None, message)]


def test_a_zip_that_is_not_a_workbook_is_refused(tree):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("ghi-chu.txt", "không phải bảng tính")

    assert rejected(tree, buffer.getvalue()) == [(None, None, UNREADABLE)]


def test_a_truncated_xlsx_is_refused(tree):
    data = xlsx_file([HEADER.split(","), GOOD_ROWS[0].split(",")])

    assert rejected(tree, data[: len(data) // 2]) == [(None, None, UNREADABLE)]


def test_a_file_over_the_size_limit_is_refused(tree, settings):
    settings.ROSTER_IMPORT_MAX_BYTES = 100

    assert rejected(tree, csv_file(*GOOD_ROWS)) == [
        (None, None, "Tệp lớn quá: tối đa 100\xa0byte.")
    ]


def test_the_default_size_limit_is_two_megabytes(tree):
    data = csv_file(*GOOD_ROWS) + b"," * settings.ROSTER_IMPORT_MAX_BYTES

    assert rejected(tree, data) == [(None, None, "Tệp lớn quá: tối đa 2,0\xa0MB.")]


def test_a_file_over_the_row_limit_is_refused(tree, settings):
    settings.ROSTER_IMPORT_MAX_ROWS = 1

    assert rejected(tree, csv_file(*GOOD_ROWS)) == [
        (None, None, "Tệp có hơn 1 dòng đảng viên; hãy chia thành nhiều tệp.")
    ]


# --- Hostile files: refused quickly, in bounded memory -----------------------------------------


def rewritten_xlsx(data: bytes, change) -> bytes:
    """The archive with its first sheet's XML passed through `change`."""
    source, buffer = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = change(content)
            target.writestr(item.filename, content, compresslevel=9)
    return buffer.getvalue()


def dimension_bomb() -> bytes:
    """The attack's file: a good roster whose sheet declares A1:XFD1048576 and has one cell at
    the last row and column (about 2 KB)."""

    def change(xml: bytes) -> bytes:
        xml = re.sub(rb'<dimension ref="[^"]+"/>', b'<dimension ref="A1:XFD1048576"/>', xml)
        last = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
        return xml.replace(b"</sheetData>", last + b"</sheetData>")

    return rewritten_xlsx(xlsx_file([HEADER.split(","), GOOD_ROWS[0].split(",")]), change)


def zip_bomb() -> bytes:
    """A good roster whose sheet is padded with 64 MB of blanks: about 64 KB compressed."""
    padding = b" " * (64 * 1024 * 1024)
    data = rewritten_xlsx(
        xlsx_file([HEADER.split(","), GOOD_ROWS[0].split(",")]),
        lambda xml: xml.replace(b"<sheetData>", b"<sheetData>" + padding),
    )
    assert len(data) < settings.ROSTER_IMPORT_MAX_BYTES
    return data


def refused_in_bounded_memory(tree, data: bytes) -> list[tuple[int | None, str | None, str]]:
    """The errors of the refused import, after checking that reading the file (in a thread: the
    test gives up after a generous minute instead of running for ever) kept the Python heap's
    peak under 64 MB."""
    reading = threading.Thread(target=roster_import.read_roster, args=(data,), daemon=True)
    tracemalloc.start()
    try:
        reading.start()
        reading.join(timeout=60)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert not reading.is_alive()
    assert peak < 64 * 1024 * 1024
    return rejected(tree, data)


def test_a_sheet_declaring_a_million_rows_and_columns_is_refused_without_reading_them(tree):
    assert refused_in_bounded_memory(tree, dimension_bomb()) == [
        (
            None,
            None,
            "Trang tính lớn quá: tối đa 10000 dòng và 50 cột (tệp ghi là đến dòng 1048576, "
            "cột 16384). Hãy xóa các dòng, cột thừa hoặc chia thành nhiều tệp.",
        )
    ]


def test_a_sheet_hiding_a_cell_beyond_the_row_limit_is_refused_not_cut_short(tree):
    """The declared size is not trusted: a sheet saying A1:H2 with a cell far below."""
    data = rewritten_xlsx(
        dimension_bomb(),
        lambda xml: xml.replace(b'<dimension ref="A1:XFD1048576"/>', b'<dimension ref="A1:H2"/>'),
    )

    assert refused_in_bounded_memory(tree, data) == [
        (
            None,
            None,
            "Trang tính có dữ liệu sau dòng 10000, quá giới hạn 10000 dòng. Hãy xóa các dòng "
            "thừa (kể cả dòng trống đã định dạng) hoặc chia thành nhiều tệp.",
        )
    ]


def test_data_beyond_the_column_limit_is_refused(tree):
    assert rejected(tree, csv_file(GOOD_ROWS[1] + "," * 60 + "x")) == [
        (
            None,
            None,
            "Dòng 2 có dữ liệu ở cột thứ 68, quá giới hạn 50 cột. Hãy xóa các cột thừa.",
        )
    ]


def test_a_zip_bomb_is_refused_before_it_is_unpacked(tree):
    assert refused_in_bounded_memory(tree, zip_bomb()) == [
        (
            None,
            None,
            "Tệp Excel giải nén ra lớn quá: tối đa 20,0\xa0MB (tệp này 64,0\xa0MB). Hãy xóa "
            "các trang tính, hình ảnh thừa hoặc chia thành nhiều tệp.",
        )
    ]


def test_an_import_that_runs_past_the_time_limit_is_stopped(tree, settings):
    settings.ROSTER_IMPORT_MAX_SECONDS = 0

    assert rejected(tree, csv_file(*GOOD_ROWS)) == [
        (
            None,
            None,
            "Đọc tệp quá 0 giây nên đã dừng. Hãy chia thành nhiều tệp nhỏ hơn.",
        )
    ]


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("Họ và tên,Ngày sinh", "Thiếu cột bắt buộc: Ngày vào Đảng, Loại đảng viên."),
        (
            HEADER + ",Quê quán",
            "Không nhận ra cột “Quê quán”.",
        ),
        (
            HEADER + ",full_name",
            "Cột “Họ và tên” có hai lần.",
        ),
    ],
    ids=["missing required columns", "unknown column", "duplicate column"],
)
def test_a_bad_header_row_is_refused_and_lists_the_columns_to_use(tree, header, message):
    assert rejected(tree, csv_file(GOOD_ROWS[0], header=header)) == [
        (None, None, f"{message} {ALL_COLUMNS}")
    ]


def test_every_bad_row_is_reported_with_its_row_and_column_and_nothing_is_written(tree):
    existing = tree.far_member.party_card_number
    data = csv_file(
        GOOD_ROWS[0],
        "Phạm Văn Cường,31/02/1980,10000002,01/01/2010,2011-01-01,chính thức,cuong@,0912",
        f"{'Đ' * 121},,10000001,01/01/2010,01/01/2011,chính thức,,",
        f"Võ Thị Dung,,{existing},01/04/2026,,dự bị,,09a",
        "Hồ Văn Em,,{},01/01/2010,,chính thức,,".format("9" * 21),
        ",,,,,,,",
        ",,,,,đảng viên,,",
        "Đinh Văn Giang,,,01/01/2010,01/01/2011,chính thức,,,thừa",
    )

    assert rejected(tree, data) == [
        (3, "Ngày sinh", "“31/02/1980” không phải ngày theo dạng dd/mm/yyyy, ví dụ 19/05/2010."),
        (3, "Thư điện tử", "“cuong@” không phải địa chỉ thư điện tử."),
        (4, "Họ và tên", "Dài quá 120 ký tự (đang có 121)."),
        (4, "Số thẻ đảng viên", "Số thẻ đảng viên 10000001 trùng với dòng 2."),
        (5, "Số thẻ đảng viên", f"Số thẻ đảng viên {existing} đã có trong hệ thống."),
        (5, "Ngày vào Đảng", "Ngày vào Đảng (01/04/2026) ở tương lai."),
        (5, "Điện thoại", "Số điện thoại chỉ gồm chữ số, dấu cách và các dấu + ( ) . -"),
        (6, "Số thẻ đảng viên", "Dài quá 20 ký tự (đang có 21)."),
        (6, "Ngày chính thức", "Đảng viên chính thức phải có ngày chính thức."),
        (8, "Họ và tên", "Không được để trống."),
        (8, "Ngày vào Đảng", "Không được để trống."),
        (
            8,
            "Loại đảng viên",
            "“đảng viên” không phải loại đảng viên: ghi “chính thức” hoặc “dự bị”.",
        ),
        (9, None, "Có dữ liệu ở ngoài các cột có tiêu đề."),
    ]


def test_bad_rows_in_an_xlsx_are_reported_with_the_spreadsheet_row_numbers(tree):
    data = xlsx_file(
        [
            [],
            HEADER.split(","),
            ["Trần Văn An", None, None, "19/05/2000", None, "chính thức"],
            [],
            ["Lê Thị Bình", datetime.date(2027, 1, 1), None, "2025-02-03", None, "dự bị"],
        ]
    )

    assert rejected(tree, data) == [
        (3, "Ngày chính thức", "Đảng viên chính thức phải có ngày chính thức."),
        (5, "Ngày sinh", "Ngày sinh (01/01/2027) ở tương lai."),
        (5, "Ngày sinh", "Ngày sinh phải trước ngày vào Đảng."),
    ]


def test_a_title_above_the_header_row_is_reported_not_guessed_at(tree):
    data = xlsx_file([["DANH SÁCH ĐẢNG VIÊN"], HEADER.split(","), GOOD_ROWS[0].split(",")])

    assert rejected(tree, data) == [
        (
            None,
            None,
            "Không nhận ra cột “DANH SÁCH ĐẢNG VIÊN”. Thiếu cột bắt buộc: Họ và tên, "
            f"Ngày vào Đảng, Loại đảng viên. {ALL_COLUMNS}",
        )
    ]


def test_a_file_with_good_and_bad_rows_adds_none_of_the_good_ones(tree):
    errors = rejected(tree, csv_file(*GOOD_ROWS, "Đặng Văn Hùng,,,,,chính thức,,"))

    assert errors == [
        (4, "Ngày vào Đảng", "Không được để trống."),
        (4, "Ngày chính thức", "Đảng viên chính thức phải có ngày chính thức."),
    ]
    assert imported(tree) == []


def test_fixing_the_file_then_imports_it(tree):
    rejected(tree, csv_file(*GOOD_ROWS, "Đặng Văn Hùng,,,,,chính thức,,"))

    import_file(tree, csv_file(*GOOD_ROWS))

    assert imported(tree) == EXPECTED


def test_a_card_number_taken_in_a_race_rejects_the_whole_file(tree, monkeypatch):
    monkeypatch.setattr(records, "cards_in_use", lambda cards, except_member=None: set())
    data = csv_file(
        GOOD_ROWS[1],
        f"Trần Văn An,,{tree.member.party_card_number},19/05/2000,19/05/2001,chính thức,,",
    )

    assert rejected(tree, data) == [
        (None, None, "Một số thẻ đảng viên trong tệp vừa được người khác ghi; hãy nhập lại.")
    ]


# --- Who may import, and where ----------------------------------------------------------------


@pytest.mark.parametrize("actor", ["member", "reviewer", "neighbour"])
def test_import_is_refused_to_anyone_who_does_not_manage_the_cell(tree, actor):
    with pytest.raises(PermissionDenied):
        imports.import_roster(
            actor=getattr(tree, actor).user, cell=tree.cell, upload=csv_file(*GOOD_ROWS)
        )

    assert imported(tree) == []
    assert RosterChange.objects.count() == 0


def test_import_only_adds_to_a_cell(tree):
    CellRoleFactory(member=tree.secretary, cell=tree.grassroots)

    with pytest.raises(RosterError) as error:
        imports.import_roster(
            actor=tree.secretary.user, cell=tree.grassroots, upload=csv_file(*GOOD_ROWS)
        )

    assert error.value.message == "Chỉ nhập được danh sách vào một chi bộ."
    assert RosterChange.objects.count() == 0


# --- The templates to download ----------------------------------------------------------------

STATIC = Path(settings.BASE_DIR) / "static" / "roster"


def test_the_csv_template_is_the_header_row_with_a_byte_order_mark():
    data = (STATIC / "mau-danh-sach-dang-vien.csv").read_bytes()

    assert data == roster_columns.template_csv()
    assert data == b"\xef\xbb\xbf" + HEADER.encode() + b"\r\n"


def test_the_xlsx_template_has_the_header_row_and_a_help_sheet():
    workbook = load_workbook(STATIC / "mau-danh-sach-dang-vien.xlsx")

    assert workbook.sheetnames == ["Danh sách", "Hướng dẫn"]
    header = next(workbook["Danh sách"].iter_rows(max_row=1, values_only=True))
    assert list(header) == HEADER.split(",")
    help_rows = list(workbook["Hướng dẫn"].iter_rows(values_only=True))
    assert [row[:2] for row in help_rows[:2]] == [("Cột", "Bắt buộc"), ("Họ và tên", "có")]


def test_a_filled_in_xlsx_template_imports(tree):
    workbook = load_workbook(STATIC / "mau-danh-sach-dang-vien.xlsx")
    for row in GOOD_ROWS:
        workbook["Danh sách"].append(row.split(","))
    buffer = io.BytesIO()
    workbook.save(buffer)

    import_file(tree, buffer.getvalue(), name="mau.xlsx")

    assert imported(tree) == EXPECTED
