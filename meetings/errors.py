"""The domain error services raise when a rule refuses; views show `message` as a form error."""

from __future__ import annotations


class RuleViolation(Exception):  # noqa: N818 -- the name of the domain concept
    """A refusal in Vietnamese. `field` names the form field it belongs to, when there is one."""

    def __init__(self, message: str, *, field: str | None = None, reason: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.reason = reason
