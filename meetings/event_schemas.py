"""The live room's events: one schema per kind, the payloads of docs/protocol.md as types.

Each kind's payload is a TypedDict; `check(kind, payload)` checks a payload against it at run
time: every required key there, no key the schema does not name, and each value of its type
(nested lists, dicts and TypedDicts included). The tests check every event the services append
(tests/meetings/conftest.py), and that docs/protocol.md names exactly these kinds. The commands'
schemas are `meetings.protocol.COMMANDS`; this module is apart from it because services append
events and protocol imports the services.
"""

# No `from __future__ import annotations`: TypedDict reads NotRequired only from real annotations
# on Python 3.11.
import types
import typing
from typing import Any, Literal, NotRequired, TypedDict, Union

from meetings import events

Time = str  # ISO 8601 with the offset, as meetings.services.participants.iso_time writes it


class RollLine(TypedDict):
    member: int
    status: str
    mode: str
    reason: str
    left_early: bool  # absent with a reason after joining: left with the chair's approval


class Assessment(TypedDict):
    """The charter's attendance figures (meetings.services.room.attendance_effect)."""

    assessment: dict[str, Any]
    why_not: dict[str, str]


class AttendanceChanged(Assessment):
    changes: list[RollLine]
    online: NotRequired[list[int]]  # after arrivals and departures; not after the chair's marks


class MeetingStarted(TypedDict):
    started_at: Time


class MeetingEnded(TypedDict):
    ended_at: Time
    early_end_reason: str


class AgendaOpened(TypedDict):
    item: int
    closed: int | None
    at: Time


class AgendaClosed(TypedDict):
    item: int
    at: Time


class FloorRequested(TypedDict):
    request: int
    member: int
    kind: str
    item: int
    queue: list[int]


class FloorWithdrawn(TypedDict):
    request: int
    member: int


class FloorGranted(TypedDict):
    turn: int
    request: int
    member: int
    kind: str
    item: int
    started_at: Time
    seconds: int
    ended_turn: int | None


class FloorEnded(TypedDict):
    turn: int
    member: int
    ended_at: Time
    seconds: int


class FloorReordered(TypedDict):
    item: int
    queue: list[int]


class TurnNoted(TypedDict):
    turn: int
    note: str
    reserved: bool


class VoteOpened(TypedDict):
    vote: int
    item: int
    kind: str
    method: str
    question: str
    attempt: int
    options: dict[str, Any]
    eligible: list[int]
    vote_base: int
    board: NotRequired[dict[str, Any]]  # an encrypted secret ballot's board, its public state


class BallotCounted(TypedDict):
    vote: int
    cast: int
    eligible: int


class VoteResult(TypedDict):
    cast: int
    decision: NotRequired[dict[str, Any]]  # not for approving the minutes
    eligible: NotRequired[int]  # not when the vote was blocked at opening
    base: NotRequired[int]
    named: NotRequired[dict[str, Any]]  # a show of hands: who chose what
    receipts: NotRequired[list[str]]  # a secret ballot: the receipt codes counted
    tally: NotRequired[dict[str, Any]]
    trackers: NotRequired[list[str]]  # an encrypted secret ballot: every ballot's tracker
    fingerprint: NotRequired[str]  # … and its published record's fingerprint


class BoardChanged(TypedDict):
    """An encrypted secret ballot's vote-counting board
    (meetings.services.secret_ballot.ceremony.public_state)."""

    vote: int
    board: dict[str, Any]
    # The chair changed the board during the key ceremony: the board replaced (its members,
    # threshold, manifest hash, public commitments and who had dealt), kept in the log.
    replaced: NotRequired[dict[str, Any]]


class VoteCounting(BoardChanged):
    trackers: list[str]


class VoidResult(TypedDict):
    cast: int
    eligible: int
    base: int  # N, as for a counted vote
    trackers: list[str]
    void: dict[str, Any]  # reason, board, threshold, missing (member ids), explanation


class VoteVoided(TypedDict):
    """An encrypted secret ballot its board could not count, annulled: no decision."""

    vote: int
    board: dict[str, Any]
    result: VoidResult


class VoteClosed(TypedDict):
    vote: int
    blocked: bool
    result: VoteResult


SCHEMAS: dict[str, type] = {
    events.MEETING_STARTED: MeetingStarted,
    events.MEETING_ENDED: MeetingEnded,
    events.ATTENDANCE_CHANGED: AttendanceChanged,
    events.AGENDA_OPENED: AgendaOpened,
    events.AGENDA_CLOSED: AgendaClosed,
    events.FLOOR_REQUESTED: FloorRequested,
    events.FLOOR_WITHDRAWN: FloorWithdrawn,
    events.FLOOR_GRANTED: FloorGranted,
    events.FLOOR_ENDED: FloorEnded,
    events.FLOOR_REORDERED: FloorReordered,
    events.TURN_NOTED: TurnNoted,
    events.VOTE_OPENED: VoteOpened,
    events.BALLOT_COUNTED: BallotCounted,
    events.VOTE_CLOSED: VoteClosed,
    events.BOARD_CHANGED: BoardChanged,
    events.VOTE_COUNTING: VoteCounting,
    events.VOTE_VOIDED: VoteVoided,
}


class SchemaError(ValueError):
    """A payload that does not fit its kind's schema; the message names the path."""


def check(kind: str, payload: Any) -> None:
    """Raises SchemaError unless `payload` fits the schema of event `kind`."""
    schema = SCHEMAS.get(kind)
    if schema is None:
        raise SchemaError(f"{kind}: no such event kind")
    _check(schema, payload, kind)


def _check(expected: Any, value: Any, path: str) -> None:
    if expected is Any:
        return
    if typing.is_typeddict(expected):
        _check_record(expected, value, path)
        return
    origin = typing.get_origin(expected)
    arguments = typing.get_args(expected)
    if origin in (Union, types.UnionType):
        for option in arguments:
            try:
                _check(option, value, path)
            except SchemaError:
                continue
            return
        raise SchemaError(f"{path}: {value!r} is none of {expected}")
    if origin is Literal:
        if value not in arguments:
            raise SchemaError(f"{path}: {value!r} is not one of {arguments}")
        return
    if origin is list:
        if not isinstance(value, list):
            raise SchemaError(f"{path}: a list expected, not {value!r}")
        for n, element in enumerate(value):
            _check(arguments[0], element, f"{path}[{n}]")
        return
    if origin is dict:
        if not isinstance(value, dict):
            raise SchemaError(f"{path}: an object expected, not {value!r}")
        for key, element in value.items():
            _check(arguments[0], key, f"{path} key")
            _check(arguments[1], element, f"{path}.{key}")
        return
    if expected is type(None):
        if value is not None:
            raise SchemaError(f"{path}: null expected, not {value!r}")
        return
    # JSON numbers: bool is no int here, and an int is no str.
    if expected is int and (type(value) is not int):
        raise SchemaError(f"{path}: a whole number expected, not {value!r}")
    if not isinstance(value, expected):
        raise SchemaError(f"{path}: {expected.__name__} expected, not {value!r}")


def _check_record(schema: Any, value: Any, path: str) -> None:
    if not isinstance(value, dict):
        raise SchemaError(f"{path}: an object expected, not {value!r}")
    hints = typing.get_type_hints(schema)
    unknown = set(value) - set(hints)
    if unknown:
        raise SchemaError(f"{path}: keys the schema does not name: {sorted(unknown)}")
    missing = schema.__required_keys__ - set(value)
    if missing:
        raise SchemaError(f"{path}: missing {sorted(missing)}")
    for key, element in value.items():
        _check(hints[key], element, f"{path}.{key}")
