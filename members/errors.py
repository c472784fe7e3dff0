"""Domain errors of the roster. Their messages are for the user: Vietnamese, translatable."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _


class RosterError(Exception):
    """A roster change the rules refuse. Nothing was written."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class MemberRecordError(RosterError):
    """A member record breaks one or more rules; `problems` are (field name, message) pairs."""

    def __init__(self, problems: Sequence[tuple[str, str]]) -> None:
        super().__init__(" ".join(message for _field, message in problems))
        self.problems = list(problems)


@dataclass(frozen=True)
class RowError:
    """One problem in an import file. `row` is the spreadsheet's row number (the header is
    row 1); `row` and `column` are None for a problem with the whole file."""

    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return self.message
        if self.column is None:
            return _("Dòng %(row)d: %(message)s") % {"row": self.row, "message": self.message}
        return _("Dòng %(row)d, cột “%(column)s”: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


class RosterImportError(RosterError):
    """An import file with at least one bad row: nothing from it was written."""

    def __init__(self, errors: Sequence[RowError]) -> None:
        super().__init__(
            _("Chưa nhập được: tệp có %(count)d lỗi; không đảng viên nào được thêm.")
            % {"count": len(errors)}
        )
        self.errors = list(errors)
