"""Speaking turns: requests for the floor, the chair's grants, and the recorder's notes."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings import events
from meetings.charter.speaking import FloorRequest as CharterFloorRequest
from meetings.charter.speaking import RequestKind, floor_queue
from meetings.errors import RuleViolation
from meetings.media import services as media
from meetings.models import AgendaItem, FloorRequest, Meeting, SpeakingTurn
from meetings.models.speaking import FloorRequestKind, FloorRequestStatus
from meetings.services.participants import (
    current_item,
    lock_meeting,
    participant,
    require_chair,
    require_in_progress,
)
from members.models import User

NOTE_MAX_LENGTH = 4000


def _time(value: datetime.datetime | None) -> str | None:
    return value.isoformat() if value else None


def pending_queue(meeting: Meeting, item: AgendaItem) -> list[FloorRequest]:
    """Pending requests on `item` in the order the charter gives (points of order first)."""
    return _in_queue_order(
        FloorRequest.objects.filter(meeting=meeting, item=item, status=FloorRequestStatus.PENDING)
    )


def _in_queue_order(pending: Iterable[FloorRequest]) -> list[FloorRequest]:
    rows = {row.pk: row for row in pending}
    order = floor_queue(
        CharterFloorRequest(row.pk, RequestKind(row.kind), row.pk, row.position)
        for row in rows.values()
    )
    return [rows[request.request_id] for request in order]


def _current_turn(meeting: Meeting) -> SpeakingTurn | None:
    return SpeakingTurn.objects.filter(meeting=meeting, ended_at=None).first()


def _end_turn(turn: SpeakingTurn, now: datetime.datetime) -> None:
    turn.ended_at = now
    turn.save(update_fields=["ended_at"])


def close_floor_on(*, meeting: Meeting, item: AgendaItem, now: datetime.datetime) -> None:
    """When an item closes, the turn on it ends and pending requests on it lapse."""
    turn = _current_turn(meeting)
    if turn is not None and turn.item_id == item.pk:
        _end_turn(turn, now)
        media.on_floor_changed(meeting)
    FloorRequest.objects.filter(
        meeting=meeting, item=item, status=FloorRequestStatus.PENDING
    ).update(status=FloorRequestStatus.DROPPED)


@transaction.atomic
def request_floor(*, meeting_id: int, actor: User, kind: str) -> dict[str, Any]:
    """A member present asks to speak on the current item. One pending request each."""
    meeting = lock_meeting(meeting_id)
    who = participant(meeting, actor)
    require_in_progress(meeting)
    if not who.on_roll or who.member is None:
        raise RuleViolation(
            _("Chỉ đảng viên của chi bộ được đăng ký phát biểu."), reason="forbidden"
        )
    if kind not in FloorRequestKind.values:
        raise RuleViolation(_("Loại đăng ký phát biểu không hợp lệ."), reason="bad_message")
    item = current_item(meeting)
    if item is None:
        raise RuleViolation(_("Chưa có nội dung nào đang thảo luận."), reason="no_current_item")
    # The queue is read once: the meeting's lock keeps it as it is until this commits (every
    # change to it locks the meeting first), so the new queue is this one and the new request.
    pending = list(
        FloorRequest.objects.filter(meeting=meeting, item=item, status=FloorRequestStatus.PENDING)
    )
    if any(row.member_id == who.member.pk for row in pending):
        raise RuleViolation(_("Đồng chí đã đăng ký phát biểu rồi."), reason="already_requested")
    row = FloorRequest.objects.create(
        meeting=meeting, item=item, member=who.member, kind=kind, requested_at=timezone.now()
    )
    payload = {
        "request": row.pk,
        "member": row.member_id,
        "kind": row.kind,
        "item": item.pk,
        "queue": [r.pk for r in _in_queue_order([*pending, row])],
    }
    events.append_event(meeting=meeting, event=events.FLOOR_REQUESTED, payload=payload, actor=actor)
    return payload


@transaction.atomic
def withdraw_floor(*, meeting_id: int, actor: User, request_id: int) -> dict[str, Any]:
    """The requester takes back their pending request."""
    meeting = lock_meeting(meeting_id)
    who = participant(meeting, actor)
    pending = FloorRequest.objects.filter(
        meeting=meeting, pk=request_id, status=FloorRequestStatus.PENDING
    )
    # The usual case in one statement (a round trip less on every withdrawal, docs/benchmarks.md);
    # the meeting's lock keeps the request as it is until this commits.
    withdrawn = (
        who.member is not None
        and pending.filter(member=who.member).update(status=FloorRequestStatus.WITHDRAWN) == 1
    )
    if not withdrawn:
        if not pending.exists():
            raise RuleViolation(_("Không còn đăng ký phát biểu này."), reason="not_found")
        raise RuleViolation(_("Chỉ người đăng ký được rút đăng ký."), reason="forbidden")
    assert who.member is not None  # noqa: S101 -- withdrawn: the requester is a member
    payload = {"request": request_id, "member": who.member.pk}
    events.append_event(meeting=meeting, event=events.FLOOR_WITHDRAWN, payload=payload, actor=actor)
    return payload


@transaction.atomic
def grant_floor(*, meeting_id: int, actor: User, request_id: int) -> dict[str, Any]:
    """The chair gives the floor. Ending the current turn first keeps one speaker at a time."""
    meeting = lock_meeting(meeting_id)
    require_chair(participant(meeting, actor))
    require_in_progress(meeting)
    row = FloorRequest.objects.filter(
        meeting=meeting, pk=request_id, status=FloorRequestStatus.PENDING
    ).first()
    if row is None:
        raise RuleViolation(_("Không còn đăng ký phát biểu này."), reason="not_found")
    now = timezone.now()
    previous = _current_turn(meeting)
    if previous is not None:
        _end_turn(previous, now)
    row.status = FloorRequestStatus.GRANTED
    row.save(update_fields=["status"])
    turn = SpeakingTurn.objects.create(
        meeting=meeting,
        item_id=row.item_id,
        member_id=row.member_id,
        request=row,
        kind=row.kind,
        started_at=now,
    )
    payload = {
        "turn": turn.pk,
        "request": row.pk,
        "member": row.member_id,
        "kind": row.kind,
        "item": row.item_id,
        "started_at": _time(now),
        "seconds": meeting.turn_seconds,
        "ended_turn": previous.pk if previous else None,
    }
    events.append_event(meeting=meeting, event=events.FLOOR_GRANTED, payload=payload, actor=actor)
    media.on_floor_changed(meeting, given_to=row.member_id)  # microphones follow, after commit
    return payload


@transaction.atomic
def end_turn(*, meeting_id: int, actor: User) -> dict[str, Any]:
    """The chair, or the speaker, ends the current turn."""
    meeting = lock_meeting(meeting_id)
    who = participant(meeting, actor)
    turn = _current_turn(meeting)
    if turn is None:
        raise RuleViolation(_("Không có ai đang phát biểu."), reason="conflict")
    is_speaker = who.member is not None and who.member.pk == turn.member_id
    if not (who.is_chair or is_speaker):
        raise RuleViolation(
            _("Chỉ chủ trì hoặc người đang phát biểu được kết thúc lượt."), reason="forbidden"
        )
    now = timezone.now()
    _end_turn(turn, now)
    payload = {
        "turn": turn.pk,
        "member": turn.member_id,
        "ended_at": _time(now),
        "seconds": int((now - turn.started_at).total_seconds()),
    }
    events.append_event(meeting=meeting, event=events.FLOOR_ENDED, payload=payload, actor=actor)
    media.on_floor_changed(meeting)
    return payload


@transaction.atomic
def reorder_floor(*, meeting_id: int, actor: User, order: list[int]) -> dict[str, Any]:
    """The chair sets the order of the pending requests on the current item (all of them)."""
    meeting = lock_meeting(meeting_id)
    require_chair(participant(meeting, actor))
    item = current_item(meeting)
    if item is None:
        raise RuleViolation(_("Chưa có nội dung nào đang thảo luận."), reason="no_current_item")
    pending = {row.pk: row for row in pending_queue(meeting, item)}
    if sorted(order) != sorted(pending) or len(set(order)) != len(order):
        raise RuleViolation(
            _("Danh sách sắp xếp phải gồm đúng các đăng ký đang chờ."), reason="conflict"
        )
    for position, request_id in enumerate(order, start=1):
        pending[request_id].position = position
    FloorRequest.objects.bulk_update(pending.values(), ["position"])
    payload = {"item": item.pk, "queue": [r.pk for r in _in_queue_order(pending.values())]}
    events.append_event(meeting=meeting, event=events.FLOOR_REORDERED, payload=payload, actor=actor)
    return payload


@transaction.atomic
def note_turn(
    *, meeting_id: int, actor: User, turn_id: int, text: str, reserved: bool = False
) -> dict[str, Any]:
    """The recorder writes down what a speaker said (and whether it is a reserved opinion)."""
    meeting = lock_meeting(meeting_id)
    who = participant(meeting, actor)
    if not who.is_recorder:
        raise RuleViolation(_("Chỉ thư ký được ghi ý kiến."), reason="forbidden")
    turn = SpeakingTurn.objects.filter(meeting=meeting, pk=turn_id).first()
    if turn is None:
        raise RuleViolation(_("Không có lượt phát biểu này."), reason="not_found")
    if len(text) > NOTE_MAX_LENGTH:
        raise RuleViolation(
            _("Ý kiến ghi lại dài nhất %(n)s ký tự.") % {"n": NOTE_MAX_LENGTH},
            reason="too_long",
            field="text",
        )
    turn.note = text.strip()
    turn.is_reserved_opinion = reserved
    turn.save(update_fields=["note", "is_reserved_opinion"])
    payload = {"turn": turn.pk, "note": turn.note, "reserved": reserved}
    events.append_event(meeting=meeting, event=events.TURN_NOTED, payload=payload, actor=actor)
    return payload
