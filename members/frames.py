"""What a page sends on a websocket (the notifications socket and the live room): one JSON
object of at most 8 KiB with a short string `id`. Anything else is refused with a documented
code (docs/protocol.md), never with a traceback: invalid or deeply nested JSON, binary frames,
lone surrogates."""

from __future__ import annotations

import json
from typing import Any, TypeGuard

from django.utils.translation import gettext as _

MAX_MESSAGE_BYTES = 8 * 1024
MAX_ID_LENGTH = 64


class ProtocolError(Exception):
    def __init__(
        self, code: str, message: str, *, message_id: str | None = None, field: str | None = None
    ):
        super().__init__(message)
        self.code = code
        self.message = message
        self.message_id = message_id
        self.field = field

    def frame(self) -> dict[str, Any]:
        frame = {"type": "error", "id": self.message_id, "code": self.code, "message": self.message}
        if self.field:
            frame["field"] = self.field
        return frame


def is_text(value: Any) -> TypeGuard[str]:
    """A string the database and the page can hold: UTF-8 (no lone surrogate, which JSON's
    `\\ud800` escape can produce) and no NUL character (PostgreSQL text refuses it)."""
    if not isinstance(value, str) or "\x00" in value:
        return False
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True


def too_large() -> ProtocolError:
    return ProtocolError("too_large", _("Tin nhắn quá dài (tối đa 8 KiB)."))


def decode(text: str | None, limit: int = MAX_MESSAGE_BYTES) -> dict[str, Any]:
    """The frame as a JSON object with a valid `id` (its `type` is for the socket to judge).
    `limit`: the most bytes read at all (a socket may take some types larger than 8 KiB)."""
    if text is None:
        raise ProtocolError("bad_message", _("Chỉ nhận tin nhắn dạng văn bản JSON."))
    if len(text.encode(errors="surrogatepass")) > limit:
        raise too_large()
    try:
        message = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: arrays or objects nested too deep
        raise ProtocolError("bad_json", _("Tin nhắn không phải JSON hợp lệ.")) from None
    if not isinstance(message, dict):
        raise ProtocolError("bad_message", _("Tin nhắn phải là một đối tượng JSON."))
    message_id = message.get("id")
    if not is_text(message_id) or not 1 <= len(message_id) <= MAX_ID_LENGTH:
        raise ProtocolError("bad_message", _("Thiếu mã tin nhắn (id) hợp lệ."), field="id")
    return message


def unknown_type(message_id: str) -> ProtocolError:
    return ProtocolError(
        "unknown_type",
        _("Loại tin nhắn không được hỗ trợ."),
        message_id=message_id,
        field="type",
    )
