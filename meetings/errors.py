"""The domain error meetings' and minutes' services raise when a rule refuses (a `DomainError`);
views show `message` as a form error."""

from __future__ import annotations

from meetings.charter.citations import in_words
from members.errors import DomainError


class RuleViolation(DomainError):  # noqa: N818 -- the name of the domain concept
    """A refusal in Vietnamese. `field` names the form field it belongs to, when there is one.
    A rule id in `message` (a charter verdict's explanation) becomes the Party text it comes
    from: members read the message, `reason` keeps the stable code."""

    # A refusal without a code keeps "": the room's error events then say "refused"
    # (`meetings.protocol`), the media answers send it as is.
    default_reason = ""

    def __init__(self, message: str, *, field: str | None = None, reason: str = "") -> None:
        super().__init__(in_words(str(message)), reason=reason, field=field)
