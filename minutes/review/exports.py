"""The dashboard's table as CSV and XLSX: the same rows and columns as on the page."""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _

from minutes.review.dashboard import Dashboard
from minutes.review.figures import Figures


def header() -> list[object]:
    return [
        _("Đơn vị"),
        _("Số chi bộ"),
        _("Chi bộ đủ sinh hoạt thường kỳ và chuyên đề"),
        _("Số tháng thiếu sinh hoạt thường kỳ"),
        _("Số quý thiếu sinh hoạt chuyên đề"),
        _("Số buổi đã sinh hoạt"),
        _("Tỷ lệ đảng viên dự sinh hoạt"),
        _("Số buổi đạt tiêu chí dự sinh hoạt"),
        _("Biểu quyết không đủ số lượng có mặt"),
        _("Buổi ngắn hơn thời lượng tối thiểu"),
        _("Buổi trực tuyến hoặc kết hợp"),
        _("Trong đó chưa có văn bản cho phép"),
        _("Biên bản chưa ký"),
        _("Trong đó quá hạn ký"),
        _("Biên bản ký muộn"),
    ]


def figures_row(name: str, f: Figures) -> list[object]:
    return [
        name,
        f.cells,
        f.compliant_cells,
        f.missing_months,
        f.missing_quarters,
        f.held,
        f.rate_label,
        f.criterion_met,
        f.blocked_votes,
        f.short,
        f.online,
        f.online_without_approval,
        f.unsigned,
        f.overdue,
        f.signed_late,
    ]


def rows(board: Dashboard) -> list[list[object]]:
    body = [figures_row(row.organization.name, row.figures) for row in board.rows]
    return [header(), *body, figures_row(_("Tổng cộng"), board.total)]


def as_csv(board: Dashboard) -> bytes:
    """UTF-8 with a byte-order mark, so spreadsheet programs read the Vietnamese right."""
    out = io.StringIO()
    csv.writer(out).writerows(rows(board))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def as_xlsx(board: Dashboard) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = str(board.year)
    for values in rows(board):
        sheet.append(values)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 40
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
