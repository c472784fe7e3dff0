"""Reads for the live room: who is on the roll, and the snapshot a client loads on (re)connect.

The snapshot is the state every event applies to: a client that sees a gap in `seq` reloads it.
It is built with a fixed number of queries whatever the size of the meeting.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable
from typing import Any

from django.core.cache import cache

from meetings import charter
from meetings.enums import ONLINE_MODES, AgendaItemKind
from meetings.models import (
    AgendaItem,
    Attendance,
    Ballot,
    BallotReceipt,
    Meeting,
    MeetingEvent,
    PresenceSpan,
)
from meetings.models.voting import VoteKind, VoteMethod, VoteStatus
from meetings.room_lists import floor_lists, iso_time, vote_list
from meetings.snapshots import (
    agenda_item,
    duration_minimums_for,
    meeting_format,
    meeting_kind,
    member_key,
    online_policy_for,
    policy_for,
    roll_attendance,
    roster_entry,
)
from members import names
from members import queries as member_queries
from members.models import Member

logger = logging.getLogger(__name__)


def roster_members(meeting: Meeting) -> list[Member]:
    """Home members, then members meeting here temporarily, on the meeting's day."""
    day = meeting.local_day
    home = list(member_queries.home_members(meeting.cell).order_by(*names.by_name()))
    temporary = list(member_queries.temporary_members(meeting.cell, day).order_by(*names.by_name()))
    return [*home, *temporary]


def roster_entries(meeting: Meeting) -> tuple[charter.RosterEntry, ...]:
    day = meeting.local_day
    return tuple(roster_entry(member, meeting.cell, day) for member in roster_members(meeting))


def live_attendance(meeting: Meeting) -> dict[str, charter.Attendance]:
    """The roll as the charter reads it. A member who joined stays present until the chair marks
    otherwise: a dropped connection does not take a vote away. One the chair marks absent with
    a reason after joining left early (`snapshots.roll_attendance`): still in N, no vote."""
    return {
        member_key(member_id): roll_attendance(status, first_joined_at)
        for member_id, status, first_joined_at in Attendance.objects.filter(
            meeting=meeting
        ).values_list("member_id", "status", "first_joined_at")
    }


def left_early(row: Attendance) -> bool:
    """The member joined and then left with the chair's approval (the room shows "Về sớm")."""
    return roll_attendance(row.status, row.first_joined_at) == charter.Attendance.LEFT_WITH_REASON


def online_verdict(
    meeting: Meeting, item: AgendaItem, kind: str, policy: charter.OnlinePolicy
) -> charter.Verdict:
    """R-O4: whether an online or hybrid meeting may vote on `kind` on `item`. A vote is asked of
    the charter as an item of its own kind (the minutes' read-back, which is no agenda kind, as
    the item it is taken on)."""
    item_kind = kind if kind in AgendaItemKind.values else item.kind
    return charter.may_handle_online(
        agenda_item(kind=item_kind, personnel=item.personnel, classification=item.classification),
        meeting_format(meeting.mode),
        policy,
    )


def vote_kinds(
    meeting: Meeting, item: AgendaItem, policy: charter.OnlinePolicy | None
) -> list[str]:
    """The kinds of vote the chair may open on `item`: all of them in person, in an online or
    hybrid meeting those R-O4 allows (the room offers only these; the service checks again)."""
    if policy is None:
        return list(VoteKind.values)
    return [k for k in VoteKind.values if online_verdict(meeting, item, k, policy).allowed]


def head_of(meeting_id: int) -> tuple[int, str]:
    """(seq, hash) of the meeting's last event; (0, "") before the first."""
    last = (
        MeetingEvent.objects.filter(meeting_id=meeting_id)
        .order_by("-seq")
        .values_list("seq", "hash")
        .first()
    )
    return last or (0, "")


# The part of the snapshot that is the same for every viewer, built once per meeting and version
# for all server processes: after a resync wave (a Redis restart, a deploy) every page of a
# meeting asks at once, on every Daphne. The first process to need a version builds it, under
# a short lock in the shared cache (Redis), and stores its JSON there for the others; each process
# also keeps the last one per meeting in memory. Keyed by the head event's seq and hash, so a
# reused meeting id (a test database) never matches. Changes that append no event (a roster
# edit, a schedule setting) show within SHARED_MAX_AGE seconds of the build; who is online right
# now (connections come and go without events) is read per request. Without the cache (Redis
# down) each process builds its own.
SHARED_MAX_AGE = 30.0
SHARED_MAX_MEETINGS = 256
BUILD_LOCK_SECONDS = 10  # a builder that died frees the lock after this
BUILD_WAIT_SECONDS = 2.0  # how long another process's build is waited for
BUILD_POLL_SECONDS = 0.02
_shared: OrderedDict[int, tuple[tuple[int, str], float, tuple[dict[str, Any], str]]] = OrderedDict()
_shared_lock = threading.Lock()
builds: Counter[int] = (
    Counter()
)  # builds made by this process, per meeting (tests and the benchmark read it)


def room_state(meeting: Meeting, viewer: Member | None) -> dict[str, Any]:
    """Everything the live page shows, as plain JSON. `viewer` decides only `you`."""
    shared, _ = shared_state(meeting)
    return {**shared, **_per_request(meeting, shared, viewer)}


def snapshot_frame(
    meeting: Meeting,
    viewer: Member | None,
    message_id: str | None,
    head: tuple[int, str] | None = None,
) -> str:
    """The `snapshot` frame as text: the shared part is encoded once per event and reused.
    `message_id` is the command's id, or None for the snapshot the server sends after `hello`
    (built at `head`, the hello's, read in the same trip to the database)."""
    shared, encoded = shared_state(meeting, head)
    extra = json.dumps(_per_request(meeting, shared, viewer), separators=(",", ":"))
    state = f"{encoded[:-1]},{extra[1:]}"
    return (
        f'{{"type":"snapshot","id":{json.dumps(message_id)},"seq":{shared["seq"]},"state":{state}}}'
    )


def _per_request(meeting: Meeting, shared: dict[str, Any], viewer: Member | None) -> dict[str, Any]:
    """Who is online now (connections come and go without events) and the viewer's part."""
    online = online_members(meeting)
    open_vote = next((v for v in shared["votes"] if v["status"] == VoteStatus.OPEN), None)
    cast_by_me = False
    if open_vote is not None and viewer is not None:
        model = BallotReceipt if open_vote["method"] == VoteMethod.SECRET_BALLOT else Ballot
        cast_by_me = model.objects.filter(vote_id=open_vote["vote"], member=viewer).exists()
    return {
        "online": online,
        "you": {"member": viewer.pk if viewer else None, "cast_in_open_vote": cast_by_me},
    }


def online_members(meeting: Meeting) -> list[int]:
    """Members with a connection to the room open now, in id order."""
    return sorted(
        set(
            PresenceSpan.objects.filter(attendance__meeting=meeting, left_at=None).values_list(
                "attendance__member_id", flat=True
            )
        )
    )


def shared_state(
    meeting: Meeting, head: tuple[int, str] | None = None
) -> tuple[dict[str, Any], str]:
    """The viewer-independent snapshot at the log's head (read here unless given, just read by
    the caller) and its JSON (built at most once per event for all processes sharing the cache)."""
    # The head is read first: what is built after it is at least as new, and a change that
    # lands meanwhile comes with an event that makes the client reload again.
    if head is None:
        head = head_of(meeting.pk)
    now = time.time()
    with _shared_lock:
        hit = _shared.get(meeting.pk)
    if hit is not None and hit[0] == head and now - hit[1] < SHARED_MAX_AGE:
        return hit[2]
    built_at, encoded = _shared_build(meeting.pk, head)
    built = (json.loads(encoded), encoded)
    with _shared_lock:
        _shared[meeting.pk] = (head, built_at, built)
        _shared.move_to_end(meeting.pk)
        while len(_shared) > SHARED_MAX_MEETINGS:
            _shared.popitem(last=False)
    return built


def _shared_key(meeting_id: int, head: tuple[int, str]) -> str:
    return f"room-state:{meeting_id}:{head[0]}:{head[1][:16]}"


def _shared_build(meeting_id: int, head: tuple[int, str]) -> tuple[float, str]:
    """(built at, JSON) of the shared state at `head`: another process's build when the cache
    holds a recent one or one is under way, else built here and left in the cache."""
    key = _shared_key(meeting_id, head)
    found = _cached(key)
    if found is not None:
        return found
    if not _cache_try(lambda: cache.add(f"{key}:building", 1, BUILD_LOCK_SECONDS), True):
        deadline = time.monotonic() + BUILD_WAIT_SECONDS
        while time.monotonic() < deadline:
            time.sleep(BUILD_POLL_SECONDS)
            found = _cached(key)
            if found is not None:
                return found
    # Loaded afresh: the caller's row may be older than the head (a connection's own copy).
    fresh = Meeting.objects.select_related("cell").get(pk=meeting_id)
    encoded = json.dumps(_build_shared(fresh, head[0]), ensure_ascii=False, separators=(",", ":"))
    builds[meeting_id] += 1
    built = (time.time(), encoded)
    _cache_try(lambda: cache.set(key, built, SHARED_MAX_AGE), None)
    _cache_try(lambda: cache.delete(f"{key}:building"), None)
    return built


def _cached(key: str) -> tuple[float, str] | None:
    found = _cache_try(lambda: cache.get(key), None)
    if found is None or time.time() - found[0] >= SHARED_MAX_AGE:
        return None
    return found


def _cache_try(call: Callable[[], Any], otherwise: Any) -> Any:
    """The shared cache is an optimisation: when Redis fails, each process builds its own."""
    try:
        return call()
    except Exception as error:
        logger.warning("room state cache unavailable: %s", error)
        return otherwise


# Events since a page's last one, for a page that was away briefly (docs/protocol.md, `events`):
# at most this many; further behind, the page loads the snapshot.
CATCH_UP_MAX = 200


def events_after(meeting_id: int, after: int) -> tuple[int, list[str]] | None:
    """(head seq, each event's frame as sent live) for the events after `after`, or None when
    there are more than CATCH_UP_MAX of them or `after` is past the head (a reused id)."""
    rows = list(
        MeetingEvent.objects.filter(meeting_id=meeting_id, seq__gt=after)
        .order_by("seq")
        .values_list("seq", "event", "payload")[: CATCH_UP_MAX + 1]
    )
    head = rows[-1][0] if rows else head_of(meeting_id)[0]
    if len(rows) > CATCH_UP_MAX or head < after:
        return None
    return head, [
        json.dumps(
            {"type": "event", "seq": seq, "event": event, "payload": payload},
            ensure_ascii=False,
            separators=(",", ":"),
        )
        for seq, event, payload in rows
    ]


def _assess(
    meeting: Meeting, members: list[Member], roll: dict[int, Attendance]
) -> tuple[tuple[charter.RosterEntry, ...], Any]:
    roster = tuple(roster_entry(m, meeting.cell, meeting.local_day) for m in members)
    attendance = {
        member_key(m): roll_attendance(row.status, row.first_joined_at) for m, row in roll.items()
    }
    if not roll:  # before the start: expected attendance is not the room's business
        attendance = {}
    assessment = charter.assess(
        charter.MeetingSnapshot(
            roster=roster, attendance=attendance, policy=policy_for(meeting.cell)
        )
    )
    return roster, assessment


def _assessment_dict(assessment: Any, names: dict[str, str]) -> dict[str, Any]:
    return {
        "vote_base": assessment.vote_base.size,
        "voters_present": assessment.vote_base.voters_present,
        "quorum": {
            "rule": str(assessment.quorum.rule),
            "required": assessment.quorum.required,
            "met": assessment.quorum.met,
        },
        "attendance_rate": assessment.attendance.rate_percent,
        "explanation": charter.for_members(assessment.explanation, names),
    }


def attendance_effect(meeting: Meeting) -> dict[str, Any]:
    """What an attendance change does to the room: the charter's new assessment and the
    reason each member may not vote (only those who have one). Carried by `attendance.changed`,
    so pages need not reload."""
    members = roster_members(meeting)
    roll = {row.member_id: row for row in Attendance.objects.filter(meeting=meeting)}
    _, assessment = _assess(meeting, members, roll)
    excluded = dict(assessment.vote_base.excluded)
    keyed_names = {member_key(m.pk): m.full_name for m in members}
    return {
        "assessment": _assessment_dict(assessment, keyed_names),
        "why_not": {
            str(m.pk): str(excluded[member_key(m.pk)])
            for m in members
            if member_key(m.pk) in excluded
        },
    }


def _build_shared(meeting: Meeting, seq: int) -> dict[str, Any]:
    members = roster_members(meeting)
    names = {m.pk: m.full_name for m in members}
    keyed_names = {member_key(pk): name for pk, name in names.items()}
    roll = {row.member_id: row for row in Attendance.objects.filter(meeting=meeting)}
    roster, assessment = _assess(meeting, members, roll)
    entries = {int(e.member_id): e for e in roster}
    items = list(AgendaItem.objects.filter(meeting=meeting).order_by("position", "pk"))
    online_policy = online_policy_for(meeting.cell) if meeting.mode in ONLINE_MODES else None
    current = next((i for i in items if i.opened_at and not i.closed_at), None)
    excluded = dict(assessment.vote_base.excluded)
    minimum = charter.minimum_duration(
        meeting_kind(meeting.kind), minimums=duration_minimums_for(meeting.cell)
    )
    return {
        "seq": seq,
        "meeting": {
            "id": meeting.pk,
            "title": meeting.display_title,
            "status": meeting.status,
            "mode": meeting.mode,
            "started_at": iso_time(meeting.started_at),
            "ended_at": iso_time(meeting.ended_at),
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
                "exempt": entries[m.pk].exempt,
                "suspended": entries[m.pk].suspended,
                "status": roll[m.pk].status if m.pk in roll else None,
                "mode": roll[m.pk].mode if m.pk in roll else "",
                "reason": roll[m.pk].reason if m.pk in roll else "",
                # Marked absent with a reason after joining: left early (xin về sớm).
                "left_early": m.pk in roll and left_early(roll[m.pk]),
                "may_vote_why_not": str(excluded.get(member_key(m.pk), "")),
            }
            for m in members
        ],
        "assessment": _assessment_dict(assessment, keyed_names),
        "agenda": [
            {
                "id": i.pk,
                "title": i.title,
                "kind": i.kind,
                "draft_resolution": i.draft_resolution,
                "planned_minutes": i.planned_minutes,
                "opened_at": iso_time(i.opened_at),
                "closed_at": iso_time(i.closed_at),
                "vote_kinds": vote_kinds(meeting, i, online_policy),
            }
            for i in items
        ],
        "current_item": current.pk if current else None,
        **floor_lists(meeting, names),
        "votes": vote_list(meeting, keyed_names),
    }
