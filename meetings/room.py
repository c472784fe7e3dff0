"""Reads for the live room: who is on the roll, and the snapshot a client loads on (re)connect.

The snapshot is the state every event applies to: a client that sees a gap in `seq` reloads it.
It is built with a fixed number of queries whatever the size of the meeting.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Max
from django.utils import timezone

from meetings import charter
from meetings.charter import speaking
from meetings.models import (
    AgendaItem,
    Attendance,
    Ballot,
    BallotReceipt,
    FloorRequest,
    Meeting,
    MeetingEvent,
    PresenceSpan,
    SpeakingTurn,
    Vote,
)
from meetings.models.speaking import FloorRequestStatus
from meetings.models.voting import VoteStatus
from meetings.snapshots import (
    duration_minimums_for,
    meeting_kind,
    member_key,
    policy_for,
    roster_entry,
)
from members import queries as member_queries
from members.models import Member


def roster_members(meeting: Meeting) -> list[Member]:
    """Home members, then members meeting here temporarily, on the meeting's day."""
    day = meeting.local_day
    home = list(member_queries.home_members(meeting.cell).order_by("full_name", "pk"))
    temporary = list(
        member_queries.temporary_members(meeting.cell, day).order_by("full_name", "pk")
    )
    return [*home, *temporary]


def roster_entries(meeting: Meeting) -> tuple[charter.RosterEntry, ...]:
    day = meeting.local_day
    return tuple(roster_entry(member, meeting.cell, day) for member in roster_members(meeting))


def live_attendance(meeting: Meeting) -> dict[str, charter.Attendance]:
    """The roll as the charter reads it. A member who joined stays present until the chair marks
    otherwise: a dropped connection does not take a vote away."""
    return {
        member_key(member_id): charter.Attendance(status)
        for member_id, status in Attendance.objects.filter(meeting=meeting).values_list(
            "member_id", "status"
        )
    }


def _time(value: Any) -> str | None:
    return value.isoformat() if value else None


def room_state(meeting: Meeting, viewer: Member | None) -> dict[str, Any]:
    """Everything the live page shows, as plain JSON. `viewer` decides only `you`."""
    members = roster_members(meeting)
    names = {m.pk: m.full_name for m in members}
    roster = tuple(roster_entry(m, meeting.cell, meeting.local_day) for m in members)
    roll = {row.member_id: row for row in Attendance.objects.filter(meeting=meeting)}
    online = set(
        PresenceSpan.objects.filter(attendance__meeting=meeting, left_at=None).values_list(
            "attendance__member_id", flat=True
        )
    )
    attendance = {member_key(m): charter.Attendance(row.status) for m, row in roll.items()}
    if not roll:  # before the start: expected attendance is not the room's business
        attendance = {}
    assessment = charter.assess(
        charter.MeetingSnapshot(
            roster=roster, attendance=attendance, policy=policy_for(meeting.cell)
        )
    )
    items = list(AgendaItem.objects.filter(meeting=meeting).order_by("position", "pk"))
    current = next((i for i in items if i.opened_at and not i.closed_at), None)
    turns = list(SpeakingTurn.objects.filter(meeting=meeting).order_by("started_at", "pk"))
    pending = list(FloorRequest.objects.filter(meeting=meeting, status=FloorRequestStatus.PENDING))
    order = speaking.floor_queue(
        speaking.FloorRequest(r.pk, speaking.RequestKind(r.kind), r.pk, r.position) for r in pending
    )
    by_id = {r.pk: r for r in pending}
    votes = list(Vote.objects.filter(meeting=meeting).order_by("opened_at", "pk"))
    open_vote = next((v for v in votes if v.status == VoteStatus.OPEN), None)
    cast_by_me = False
    cast = 0
    if open_vote is not None:
        model = BallotReceipt if open_vote.is_secret else Ballot
        cast = model.objects.filter(vote=open_vote).count()
        cast_by_me = (
            viewer is not None and model.objects.filter(vote=open_vote, member=viewer).exists()
        )
    excluded = dict(assessment.vote_base.excluded)
    stats: dict[int, dict[str, int]] = defaultdict(lambda: {"turns": 0, "seconds": 0})
    now = timezone.now()
    for turn in turns:
        stats[turn.member_id]["turns"] += 1
        stats[turn.member_id]["seconds"] += int(
            ((turn.ended_at or now) - turn.started_at).total_seconds()
        )
    minimum = charter.minimum_duration(
        meeting_kind(meeting.kind), minimums=duration_minimums_for(meeting.cell)
    )
    seq = MeetingEvent.objects.filter(meeting=meeting).aggregate(seq=Max("seq"))["seq"] or 0
    return {
        "seq": seq,
        "meeting": {
            "id": meeting.pk,
            "title": meeting.display_title,
            "status": meeting.status,
            "mode": meeting.mode,
            "started_at": _time(meeting.started_at),
            "ended_at": _time(meeting.ended_at),
            "minimum_minutes": minimum,
            "turn_seconds": meeting.turn_seconds,
            "chair": meeting.chair_id,
            "recorder": meeting.recorder_id,
        },
        "roll": [
            {
                "member": m.pk,
                "name": m.full_name,
                "standing": m.standing,
                "temporary_in": m.home_cell_id != meeting.cell_id,
                "status": roll[m.pk].status if m.pk in roll else None,
                "reason": roll[m.pk].reason if m.pk in roll else "",
                "online": m.pk in online,
                "may_vote_why_not": str(excluded.get(member_key(m.pk), "")),
            }
            for m in members
        ],
        "assessment": {
            "vote_base": assessment.vote_base.size,
            "voters_present": assessment.vote_base.voters_present,
            "quorum": {
                "rule": str(assessment.quorum.rule),
                "required": assessment.quorum.required,
                "met": assessment.quorum.met,
            },
            "attendance_rate": assessment.attendance.rate_percent,
            "explanation": assessment.explanation,
        },
        "agenda": [
            {
                "id": i.pk,
                "title": i.title,
                "kind": i.kind,
                "planned_minutes": i.planned_minutes,
                "opened_at": _time(i.opened_at),
                "closed_at": _time(i.closed_at),
            }
            for i in items
        ],
        "current_item": current.pk if current else None,
        "queue": [
            {
                "request": r.request_id,
                "member": by_id[r.request_id].member_id,
                "name": names.get(by_id[r.request_id].member_id, ""),
                "kind": str(r.kind),
            }
            for r in order
        ],
        "turns": [
            {
                "turn": t.pk,
                "item": t.item_id,
                "member": t.member_id,
                "name": names.get(t.member_id, ""),
                "kind": t.kind,
                "started_at": _time(t.started_at),
                "ended_at": _time(t.ended_at),
                "note": t.note,
                "reserved": t.is_reserved_opinion,
            }
            for t in turns
        ],
        "speakers": {str(m): s for m, s in stats.items()},
        "votes": [
            {
                "vote": v.pk,
                "item": v.item_id,
                "kind": v.kind,
                "method": v.method,
                "question": v.question,
                "status": v.status,
                "options": v.options,
                "eligible": v.eligible,
                "cast": cast if v is open_vote else v.result.get("cast", 0),
                "result": v.result if v.status == VoteStatus.CLOSED else None,
            }
            for v in votes
        ],
        "you": {
            "member": viewer.pk if viewer else None,
            "cast_in_open_vote": cast_by_me,
        },
    }
