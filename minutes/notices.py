"""The wording of the minutes app's notifications (registered with meetings.notices; the app
imports this module when it is ready, so every process can render them)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from meetings import notices
from meetings.models import Meeting
from minutes.enums import DocumentKind, SignerRole


def _document_values(meeting: Meeting | None, params: Mapping[str, Any]) -> dict[str, Any]:
    """The meeting's name, and the document kind (`document`) and signer's role (`role`) named
    in the reader's language from their stored values."""
    values = notices.meeting_values(meeting, params)
    if "document" in params:
        values["document"] = DocumentKind(params["document"]).label
    if "role" in params:
        values["role"] = SignerRole(params["role"]).label.lower()
    return values


def _lower_document_values(meeting: Meeting | None, params: Mapping[str, Any]) -> dict[str, Any]:
    values = _document_values(meeting, params)
    values["document"] = values["document"].lower()
    return values


SIGNATURE_AWAITED = notices.message(
    "signature_awaited",
    _("Đến lượt đồng chí ký: %(document)s, %(meeting)s"),
    _("Ký với tư cách %(role)s bằng mã xác thực trên ứng dụng."),
    values=_document_values,
)
# The body is the comment, as the reviewer wrote it.
REVIEW_COMMENT = notices.message(
    "review_comment",
    _("Ý kiến của cấp ủy cấp trên (%(reviewer)s) về %(document)s: %(meeting)s"),
    values=_lower_document_values,
)
