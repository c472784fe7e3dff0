"""Errors raised when a case handed to the evaluator is malformed."""

from __future__ import annotations


class CaseError(ValueError):
    """One malformed case: which case, where in it (a field path) and what is wrong."""

    def __init__(self, case: str, path: str, message: str) -> None:
        self.case = case
        self.path = path
        self.message = message
        where = f"{case}: {path}" if path else case
        super().__init__(f"{where}: {message}")


class DocumentError(ValueError):
    """A case file with one or more malformed cases; no result is given for any of them."""

    def __init__(self, errors: tuple[CaseError, ...]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(error) for error in errors))
