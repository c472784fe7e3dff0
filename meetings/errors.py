"""The domain error services raise when a rule refuses; views show `message` as a form error."""

from __future__ import annotations

from meetings.charter.citations import in_words


class RuleViolation(Exception):  # noqa: N818 -- the name of the domain concept
    """A refusal in Vietnamese. `field` names the form field it belongs to, when there is one.
    A rule id in `message` (a charter verdict's explanation) becomes the Party text it comes
    from: members read the message, `reason` keeps the stable code."""

    def __init__(self, message: str, *, field: str | None = None, reason: str = "") -> None:
        message = in_words(str(message))
        super().__init__(message)
        self.message = message
        self.field = field
        self.reason = reason
