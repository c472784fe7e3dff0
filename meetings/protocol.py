"""The live room's incoming messages: their shape, checked before any service runs.

Each command names the service that handles it and the fields it takes, each of a kind (RowId,
Text, ListOf, Record …) that checks it completely: type, range, length, nested values. A
message that does not fit gets an `error` frame naming the field; see docs/protocol.md. The
frame itself (size, JSON, `id`) is read by members.frames, shared with the notifications socket.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Field
from django.utils.translation import gettext as _

from meetings.errors import RuleViolation
from meetings.models import Attendance, Meeting
from meetings.services import attendance, room, speaking
from meetings.services.secret_ballot import ceremony, counting
from meetings.services.voting import casting, closing, opening
from members.frames import (
    MAX_ID_LENGTH,
    MAX_MESSAGE_BYTES,
    ProtocolError,
    decode,
    is_text,
    too_large,
    unknown_type,
)


class FieldValueError(ValueError):
    """A value that does not fit its field; `part` names the part of it that does not, and
    `longest` the length a text went over."""

    def __init__(self, part: str | None = None, *, longest: int | None = None) -> None:
        super().__init__(part)
        self.part = part
        self.longest = longest


# Row ids are PostgreSQL bigints (SQLite INTEGERs): a larger number can name no row, and SQLite
# cannot even be asked about one (OverflowError).
MAX_ROW_ID = 2**63 - 1


@dataclass(frozen=True)
class RowId:
    """The id of a row: a JSON integer from 1 to MAX_ROW_ID (not true, 1.0 or "1")."""

    def clean(self, value: Any) -> int:
        if type(value) is not int or not 1 <= value <= MAX_ROW_ID:
            raise FieldValueError
        return value


@dataclass(frozen=True)
class Count:
    """A small whole number (seats in an election)."""

    most: int

    def clean(self, value: Any) -> int:
        if type(value) is not int or not 1 <= value <= self.most:
            raise FieldValueError
        return value


@dataclass(frozen=True)
class Text:
    """A string of at most `longest` characters; services check its meaning (an enum value, a
    reason required) and give their own codes for that."""

    longest: int

    def clean(self, value: Any) -> str:
        if not is_text(value):
            raise FieldValueError
        if len(value) > self.longest:
            raise FieldValueError(longest=self.longest)
        return value

    @classmethod
    def of_column(cls, field: Field[Any, Any]) -> Text:
        """No longer than the text column that keeps it."""
        if field.max_length is None:
            raise ImproperlyConfigured(f"{field} has no max_length")
        return cls(field.max_length)


@dataclass(frozen=True)
class Flag:
    def clean(self, value: Any) -> bool:
        if not isinstance(value, bool):
            raise FieldValueError
        return value


@dataclass(frozen=True)
class Payload:
    """A JSON object carried whole to a service that checks every part of it itself: the
    parts of an encrypted ballot or of the board's keys and decryptions
    (meetings.secret_ballot refuses anything that is not exactly what the protocol expects)."""

    def clean(self, value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise FieldValueError
        return value


@dataclass(frozen=True)
class ListOf:
    """A JSON array of at most `most` values, each of the `item` kind."""

    item: Any
    most: int

    def clean(self, value: Any) -> list[Any]:
        if not isinstance(value, list) or len(value) > self.most:
            raise FieldValueError
        return [self.item.clean(v) for v in value]


@dataclass(frozen=True)
class OneOf:
    """The first of `kinds` that takes the value (a yes/no choice, or a list of candidates)."""

    kinds: tuple[Any, ...]

    def clean(self, value: Any) -> Any:
        for kind in self.kinds:
            try:
                return kind.clean(value)
            except FieldValueError:
                continue
        raise FieldValueError


@dataclass(frozen=True)
class Record:
    """A JSON object of known keys, each optional; other keys are dropped. A key that does not
    fit is named in the error as `record.key`."""

    fields: dict[str, Any]

    def clean(self, value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise FieldValueError
        cleaned = {}
        for name, kind in self.fields.items():
            if name in value:
                try:
                    cleaned[name] = kind.clean(value[name])
                except FieldValueError as invalid:
                    raise FieldValueError(name, longest=invalid.longest) from None
        return cleaned


@dataclass(frozen=True)
class Command:
    service: Callable[..., Any]
    fields: dict[str, tuple[str, Any, bool]]  # name → (service kwarg, kind, required)


def _f(kwarg: str, kind: Any, required: bool = True) -> tuple[str, Any, bool]:
    return (kwarg, kind, required)


ROW_ID = RowId()
WORD = Text(32)  # an enum value: a status, a kind, a method, a form, a post
MAX_CANDIDATES = 200  # more than any cell has members
MAX_SEATS = 50
VOTE_OPTIONS = Record(
    {
        "subject": ROW_ID,
        "forms": ListOf(WORD, 8),
        "subject_holds_post": Flag(),
        "candidates": ListOf(ROW_ID, MAX_CANDIDATES),
        "seats": Count(MAX_SEATS),
        "post": WORD,
        "follows": ROW_ID,
        "conclusion": Flag(),  # the chair puts the conclusion to the vote (R-V3)
        "members": ListOf(ROW_ID, 3),  # the vote-counting board put to a show of hands (R-V5)
    }
)

EARLY_END_REASON = Text.of_column(Meeting._meta.get_field("early_end_reason"))

COMMANDS: dict[str, Command] = {
    "meeting.start": Command(room.start_meeting, {}),
    "meeting.end": Command(
        room.end_meeting,
        {
            "reason": _f(
                "reason", Text.of_column(Meeting._meta.get_field("early_end_reason")), False
            )
        },
    ),
    "agenda.open": Command(room.open_item, {"item": _f("item_id", ROW_ID)}),
    "agenda.close": Command(room.close_item, {"item": _f("item_id", ROW_ID)}),
    "attendance.mark": Command(
        attendance.mark,
        {
            "member": _f("member_id", ROW_ID),
            "status": _f("status", WORD),
            "reason": _f("reason", Text.of_column(Attendance._meta.get_field("reason")), False),
        },
    ),
    "attendance.mark_many": Command(
        attendance.mark_many,
        {
            "members": _f("member_ids", ListOf(ROW_ID, MAX_CANDIDATES)),
            "status": _f("status", WORD),
            "reason": _f("reason", Text.of_column(Attendance._meta.get_field("reason")), False),
        },
    ),
    "floor.request": Command(speaking.request_floor, {"kind": _f("kind", WORD)}),
    "floor.withdraw": Command(speaking.withdraw_floor, {"request": _f("request_id", ROW_ID)}),
    "floor.grant": Command(speaking.grant_floor, {"request": _f("request_id", ROW_ID)}),
    "floor.end": Command(speaking.end_turn, {}),
    "floor.reorder": Command(
        speaking.reorder_floor, {"order": _f("order", ListOf(ROW_ID, MAX_CANDIDATES))}
    ),
    "turn.note": Command(
        speaking.note_turn,
        {
            "turn": _f("turn_id", ROW_ID),
            # Longer notes reach the service, which refuses them as `too_long`.
            "text": _f("text", Text(MAX_MESSAGE_BYTES)),
            "reserved": _f("reserved", Flag(), False),
        },
    ),
    "vote.open": Command(
        opening.open_vote,
        {
            "kind": _f("kind", WORD),
            # Longer questions reach the service, which says how long one may be.
            "question": _f("question", Text(MAX_MESSAGE_BYTES)),
            "method": _f("method", WORD, False),
            "options": _f("options", VOTE_OPTIONS, False),
            "encrypted": _f("encrypted", Flag(), False),
        },
    ),
    "ballot.cast": Command(
        casting.cast_ballot,
        {
            "vote": _f("vote_id", ROW_ID),
            "ballot": _f("ballot_id", Text(MAX_ID_LENGTH)),
            # One of: a `choice` (with a `receipt` when secret) or an `encrypted` ballot.
            "choice": _f("choice", OneOf((WORD, ListOf(ROW_ID, MAX_SEATS))), False),
            "receipt": _f("receipt", Text(16), False),
            "encrypted": _f("encrypted", Payload(), False),
        },
    ),
    "board.commit": Command(
        ceremony.commit,
        {"vote": _f("vote_id", ROW_ID), "commitment": _f("commitment", Payload())},
    ),
    "board.deal": Command(
        ceremony.deal, {"vote": _f("vote_id", ROW_ID), "shares": _f("shares", Payload())}
    ),
    "board.decrypt": Command(
        counting.decrypt,
        {"vote": _f("vote_id", ROW_ID), "partial": _f("partial", Payload())},
    ),
    "board.change": Command(
        ceremony.change_board,
        {"vote": _f("vote_id", ROW_ID), "members": _f("members", ListOf(ROW_ID, 3))},
    ),
    "vote.annul": Command(counting.annul, {"vote": _f("vote_id", ROW_ID)}),
    "vote.close": Command(closing.close_vote, {"vote": _f("vote_id", ROW_ID)}),
}
# Answered by the consumer itself, not by a service.
LOCAL_TYPES = frozenset({"snapshot", "ping", "events"})


def catch_up_after(message: dict[str, Any]) -> int:
    """`events`' field `after`: the seq of the page's last event, a JSON integer from 0."""
    if "after" not in message:
        raise ProtocolError(
            "bad_message",
            _("Thiếu trường %(field)s.") % {"field": "after"},
            message_id=message["id"],
            field="after",
        )
    value = message["after"]
    if type(value) is not int or not 0 <= value <= MAX_ROW_ID:
        raise _field_error(message["id"], "after", FieldValueError())
    return value


def held_seq(query_string: bytes) -> int | None:
    """The seq of the state a reconnecting page holds, from its socket address (`?seq=57`), or
    None: no such field, or not a whole number from 0 (then the page gets a snapshot, as a new
    page does; nothing to refuse)."""
    for field in query_string.split(b"&"):
        name, _equals, value = field.partition(b"=")
        if name == b"seq" and value.isdigit() and len(value) <= 19 and int(value) <= MAX_ROW_ID:
            return int(value)
    return None


# An encrypted ballot and a board member's partial decryption grow with the options (about
# 430 bytes an option): an election of 50 candidates is about 30 KiB. Only these may pass 8 KiB.
MAX_ENCRYPTED_MESSAGE_BYTES = 48 * 1024
LARGE_TYPES = frozenset({"ballot.cast", "board.decrypt"})


def parse(text: str | None) -> dict[str, Any]:
    """Decodes a frame (members.frames.decode) and checks its `type` is a command. A frame over
    8 KiB is refused `too_large` as before unless it is one of LARGE_TYPES."""
    large = text is not None and len(text.encode(errors="surrogatepass")) > MAX_MESSAGE_BYTES
    try:
        message = decode(text, limit=MAX_ENCRYPTED_MESSAGE_BYTES)
    except ProtocolError:
        if large:
            raise too_large() from None
        raise
    if large and message.get("type") not in LARGE_TYPES:
        raise too_large()
    kind = message.get("type")
    if not isinstance(kind, str) or (kind not in COMMANDS and kind not in LOCAL_TYPES):
        raise unknown_type(message["id"])
    return message


def arguments(message: dict[str, Any]) -> tuple[Callable[..., Any], dict[str, Any]]:
    """The service for a parsed command and its keyword arguments, each checked completely
    (kind, range, length, nested values): no value a service could choke on gets through."""
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
        try:
            kwargs[kwarg] = kind.clean(message[name])
        except FieldValueError as invalid:
            raise _field_error(message["id"], name, invalid) from None
    return command.service, kwargs


def _field_error(message_id: str, name: str, invalid: FieldValueError) -> ProtocolError:
    field = f"{name}.{invalid.part}" if invalid.part else name
    if invalid.longest is not None:
        text = _("Trường %(field)s dài quá %(n)s ký tự.") % {"field": field, "n": invalid.longest}
    else:
        text = _("Trường %(field)s không đúng kiểu.") % {"field": field}
    return ProtocolError("bad_message", text, message_id=message_id, field=field)


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


def not_found(message_id: str) -> dict[str, Any]:
    """The meeting is not (or no longer) one this user may see."""
    return ProtocolError(
        "not_found", _("Không tìm thấy buổi sinh hoạt."), message_id=message_id
    ).frame()


def server_error(message_id: str | None) -> dict[str, Any]:
    return {
        "type": "error",
        "id": message_id,
        "code": "server_error",
        "message": _("Máy chủ gặp lỗi khi xử lý yêu cầu; dữ liệu đã có không bị mất. Hãy thử lại."),
    }
