"""Domain errors: a change the rules refuse, told to the user. `DomainError` is the base of every
app's (the roster's here, `meetings.errors.RuleViolation` for meetings and minutes); views put
one on the form with `members.views.flow`. Messages are for the user: Vietnamese, translatable."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _


class DomainError(Exception):
    """A refusal by a rule of the domain; nothing was written. `message` is for the user
    (Vietnamese, translatable), `reason` a stable code for machines (tests, websocket clients,
    logs), `field` the form field it belongs to when there is one."""

    default_reason = "refused"

    def __init__(self, message: str, *, reason: str = "", field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason or self.default_reason
        self.field = field

    def form_errors(self) -> list[tuple[str | None, str]]:
        """(field or None, message) for each problem, as a form shows them."""
        return [(self.field, self.message)]


class RosterError(DomainError):
    """A roster change the rules refuse. Nothing was written."""

    default_reason = "roster_rule"


class MemberRecordError(RosterError):
    """A member record breaks one or more rules; `problems` are (field name, message) pairs."""

    default_reason = "invalid_record"

    def __init__(self, problems: Sequence[tuple[str, str]]) -> None:
        super().__init__(" ".join(message for _field, message in problems))
        self.problems = list(problems)

    def form_errors(self) -> list[tuple[str | None, str]]:
        return list(self.problems)


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

    default_reason = "invalid_import"

    def __init__(self, errors: Sequence[RowError]) -> None:
        super().__init__(
            _("Chưa nhập được: tệp có %(count)d lỗi; không đảng viên nào được thêm.")
            % {"count": len(errors)}
        )
        self.errors = list(errors)
