"""The live room's incoming messages: their shape, checked before any service runs.

Each command names the service that handles it and the fields it takes, with their types. A
message that does not fit gets an `error` frame naming the field; see docs/protocol.md.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from meetings.errors import RuleViolation
from meetings.services import attendance, room, speaking, voting

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


@dataclass(frozen=True)
class Command:
    service: Callable[..., Any]
    fields: dict[
        str, tuple[str, type | tuple[type, ...], bool]
    ]  # name → (service kwarg, type, required)


def _f(
    kwarg: str, kind: type | tuple[type, ...], required: bool = True
) -> tuple[str, type | tuple[type, ...], bool]:
    return (kwarg, kind, required)


COMMANDS: dict[str, Command] = {
    "meeting.start": Command(room.start_meeting, {}),
    "meeting.end": Command(room.end_meeting, {"reason": _f("reason", str, False)}),
    "agenda.open": Command(room.open_item, {"item": _f("item_id", int)}),
    "agenda.close": Command(room.close_item, {"item": _f("item_id", int)}),
    "attendance.mark": Command(
        attendance.mark,
        {
            "member": _f("member_id", int),
            "status": _f("status", str),
            "reason": _f("reason", str, False),
        },
    ),
    "floor.request": Command(speaking.request_floor, {"kind": _f("kind", str)}),
    "floor.withdraw": Command(speaking.withdraw_floor, {"request": _f("request_id", int)}),
    "floor.grant": Command(speaking.grant_floor, {"request": _f("request_id", int)}),
    "floor.end": Command(speaking.end_turn, {}),
    "floor.reorder": Command(speaking.reorder_floor, {"order": _f("order", list)}),
    "turn.note": Command(
        speaking.note_turn,
        {
            "turn": _f("turn_id", int),
            "text": _f("text", str),
            "reserved": _f("reserved", bool, False),
        },
    ),
    "vote.open": Command(
        voting.open_vote,
        {
            "kind": _f("kind", str),
            "question": _f("question", str),
            "method": _f("method", str, False),
            "options": _f("options", dict, False),
        },
    ),
    "ballot.cast": Command(
        voting.cast_ballot,
        {
            "vote": _f("vote_id", int),
            "ballot": _f("ballot_id", str),
            "choice": _f("choice", (str, list)),
            "receipt": _f("receipt", str, False),
        },
    ),
    "vote.close": Command(voting.close_vote, {"vote": _f("vote_id", int)}),
}
# Answered by the consumer itself, not by a service.
LOCAL_TYPES = frozenset({"snapshot", "ping"})


def parse(text: str | None) -> dict[str, Any]:
    """Decodes a frame: a JSON object with a string `type` and a short string `id`."""
    if text is None:
        raise ProtocolError("bad_message", _("Chỉ nhận tin nhắn dạng văn bản JSON."))
    if len(text.encode()) > MAX_MESSAGE_BYTES:
        raise ProtocolError("too_large", _("Tin nhắn quá dài (tối đa 8 KiB)."))
    try:
        message = json.loads(text)
    except ValueError:
        raise ProtocolError("bad_json", _("Tin nhắn không phải JSON hợp lệ.")) from None
    if not isinstance(message, dict):
        raise ProtocolError("bad_message", _("Tin nhắn phải là một đối tượng JSON."))
    message_id = message.get("id")
    if not isinstance(message_id, str) or not 1 <= len(message_id) <= MAX_ID_LENGTH:
        raise ProtocolError("bad_message", _("Thiếu mã tin nhắn (id) hợp lệ."), field="id")
    kind = message.get("type")
    if not isinstance(kind, str) or (kind not in COMMANDS and kind not in LOCAL_TYPES):
        raise ProtocolError(
            "unknown_type",
            _("Loại tin nhắn không được hỗ trợ."),
            message_id=message_id,
            field="type",
        )
    return message


def arguments(message: dict[str, Any]) -> tuple[Callable[..., Any], dict[str, Any]]:
    """The service for a parsed command and its keyword arguments, type-checked."""
    command = COMMANDS[message["type"]]
    kwargs: dict[str, Any] = {}
    for name, (kwarg, kind, required) in command.fields.items():
        if name not in message:
            if required:
                raise ProtocolError(
                    "bad_message",
                    _("Thiếu trường %(field)s.") % {"field": name},
                    message_id=message["id"],
                    field=name,
                )
            continue
        value = message[name]
        # bool is an int in Python; a true/false where a number belongs is a client bug.
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise ProtocolError(
                "bad_message",
                _("Trường %(field)s không đúng kiểu.") % {"field": name},
                message_id=message["id"],
                field=name,
            )
        kwargs[kwarg] = value
    return command.service, kwargs


def ack(message_id: str, result: Any) -> dict[str, Any]:
    return {"type": "ack", "id": message_id, "result": result}


def refusal(message_id: str, violation: RuleViolation) -> dict[str, Any]:
    """A service's refusal, with the charter's or the service's explanation."""
    frame = {
        "type": "error",
        "id": message_id,
        "code": violation.reason or "refused",
        "message": violation.message,
    }
    return frame | ({"field": violation.field} if violation.field else {})


def unverified(message_id: str) -> dict[str, Any]:
    return ProtocolError(
        "unverified", _("Phiên đăng nhập đã hết hạn. Hãy đăng nhập lại."), message_id=message_id
    ).frame()


def server_error(message_id: str) -> dict[str, Any]:
    return {
        "type": "error",
        "id": message_id,
        "code": "server_error",
        "message": _("Máy chủ gặp lỗi khi xử lý yêu cầu; dữ liệu đã có không bị mất. Hãy thử lại."),
    }
