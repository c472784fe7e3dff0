"""The live room's events have one schema each, docs/protocol.md names exactly those kinds, and a
payload that drifts from its schema is caught (every service test checks what it appends:
tests/conftest.py)."""

import re
from pathlib import Path

import pytest

from meetings import event_schemas, events, protocol
from meetings.services import speaking
from tests.meetings.room.conftest import build_scene

PROTOCOL_DOC = Path(__file__).resolve().parents[2] / "docs" / "protocol.md"


def kinds_in_code() -> set[str]:
    return {
        value
        for name, value in vars(events).items()
        if name.isupper() and isinstance(value, str) and re.fullmatch(r"[a-z]+\.[a-z_]+", value)
    }


def test_every_event_kind_has_a_schema():
    assert set(event_schemas.SCHEMAS) == kinds_in_code()


def test_the_protocol_document_names_exactly_the_kinds_the_code_has():
    text = PROTOCOL_DOC.read_text(encoding="utf-8")
    named = text.split("Event names:", 1)[1].split("Event payloads", 1)[0]
    listed = set(re.findall(r"`([a-z]+\.[a-z_]+)`", named))
    assert listed == kinds_in_code()
    table = text.split("| event | payload |", 1)[1].split("\n\n", 1)[0]
    documented = set(re.findall(r"^\| `([a-z]+\.[a-z_]+)`(?: / `([a-z]+\.[a-z_]+)`)?", table, re.M))
    with_payloads = {kind for pair in documented for kind in pair if kind}
    assert with_payloads == kinds_in_code()


def test_the_protocol_document_names_exactly_the_commands_the_code_has():
    text = PROTOCOL_DOC.read_text(encoding="utf-8")
    table = text.split("| type | who | fields | does |", 1)[1].split("\n\n", 1)[0]
    rows = re.findall(r"^\| `([a-z._]+)`(?: / `([a-z._]+)`)? \|", table, re.M)
    documented = {kind for pair in rows for kind in pair if kind}
    assert documented == set(protocol.COMMANDS) | protocol.LOCAL_TYPES


@pytest.mark.parametrize(
    ("payload", "fault"),
    [
        ({"request": 1}, "missing ['member']"),
        ({"request": 1, "member": 2, "who": "x"}, "does not name: ['who']"),
        ({"request": True, "member": 2}, "floor.withdrawn.request"),
        ({"request": "1", "member": 2}, "floor.withdrawn.request"),
    ],
)
def test_a_payload_that_drifts_is_named(payload, fault):
    with pytest.raises(event_schemas.SchemaError, match=re.escape(fault)):
        event_schemas.check(events.FLOOR_WITHDRAWN, payload)


def test_nested_values_are_checked():
    good = {"vote": 1, "blocked": False, "result": {"cast": 2, "receipts": ["ABCDEFGHJK"]}}
    event_schemas.check(events.VOTE_CLOSED, good)
    with pytest.raises(event_schemas.SchemaError, match=r"result\.receipts\[0\]"):
        event_schemas.check(events.VOTE_CLOSED, good | {"result": {"cast": 2, "receipts": [7]}})
    with pytest.raises(event_schemas.SchemaError, match="no such event kind"):
        event_schemas.check("floor.taken", {})


@pytest.mark.django_db
def test_a_service_appending_a_drifted_payload_fails_its_test(monkeypatch):
    """The check the suite runs on every appended event (tests/conftest.py) is in force."""
    scene = build_scene()
    from meetings.services import room

    room.start_meeting(meeting_id=scene.meeting.pk, actor=scene.chair.user)
    room.open_item(meeting_id=scene.meeting.pk, actor=scene.chair.user, item_id=scene.items[0].pk)
    original = events.append_event

    def drifting(*, meeting, event, payload, actor):
        return original(meeting=meeting, event=event, payload=payload | {"extra": 1}, actor=actor)

    monkeypatch.setattr(events, "append_event", drifting)
    with pytest.raises(event_schemas.SchemaError, match="extra"):
        speaking.request_floor(
            meeting_id=scene.meeting.pk, actor=scene.officials[0].user, kind="regular"
        )
