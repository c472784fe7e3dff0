"""What many connections send at once, written in batches (meetings.batching): ballots, and
arrivals and departures.

Ballots: in a burst (a 300-member meeting voting within two seconds) each ballot was a
transaction of its own: the session and its second factor, the meeting row lock, the vote, who
voted, the count and the head of the log, one ballot after another in daphne's one database
thread; about 25 ms each, so the count became final seconds after the last ballot
(docs/benchmarks.md). Here the first ballot goes to the database at once, and those that arrive
meanwhile wait for it and go together (`casting.cast_ballots`: one lock, one read of the vote and
its ballots, each ballot checked by the same rules, written in bulk, one event per ballot). Each
sender still gets the answer to its own ballot, and its session is checked for that message,
as for any other.

Departures: when a meeting's pages close together (the end of a meeting, a network drop), each
closed its presence span in a transaction of its own in that same thread; daphne kills a
connection whose close takes more than 10 s, and 806 of 1,500 closing at once were killed
before their leave time was written (docs/benchmarks.md). Now they are written together, each
with the moment its own connection closed, and the write goes on if the connection is killed.

Arrivals: each was its own transaction and its own `attendance.changed` to everyone present,
with the charter's assessment computed each time, so 300 members arriving at once took a
minute and handshakes were refused (issue 17). Arrivals and departures are now one stream:
those of the moment are written together, per meeting, with at most one event for the meeting
(`attendance.record_presence`). A connection is accepted only once its arrival is written, so
a member whose page is open is present for any vote opened after that.
"""

from __future__ import annotations

import asyncio
import datetime
from dataclasses import dataclass
from typing import Any

from meetings import protocol
from meetings.batching import Batches
from meetings.errors import RuleViolation
from meetings.services import attendance
from meetings.services.voting import casting
from members.models import User
from members.otp import sessions_still_verified


@dataclass
class _Ballot:
    scope: dict[str, Any]
    user: User
    message_id: str
    kwargs: dict[str, Any]  # the ballot.cast fields, as protocol.arguments checked them


async def cast_ballot(
    scope: dict[str, Any], user: User, meeting_id: int, message_id: str, kwargs: dict[str, Any]
) -> dict[str, Any]:
    """The answer frame to one `ballot.cast` (ack or error), once its batch is written."""
    return await _ballots.submit(meeting_id, _Ballot(scope, user, message_id, kwargs))


def _cast_batch(meeting_id: int, batch: list[_Ballot]) -> list[dict[str, Any]]:
    verified = sessions_still_verified([(b.scope, b.user) for b in batch])
    sent = [b for b, ok in zip(batch, verified, strict=True) if ok]
    try:
        outcomes = casting.cast_ballots(
            meeting_id=meeting_id,
            requests=[casting.BallotRequest(actor=b.user, **b.kwargs) for b in sent],
        )
    except RuleViolation as violation:  # the meeting itself is gone
        outcomes = [violation] * len(sent)
    frames = {id(b): _frame(b, outcome) for b, outcome in zip(sent, outcomes, strict=True)}
    return [frames.get(id(b)) or protocol.unverified(b.message_id) for b in batch]


def _frame(ballot: _Ballot, outcome: dict[str, Any] | RuleViolation) -> dict[str, Any]:
    if isinstance(outcome, RuleViolation):
        return protocol.refusal(ballot.message_id, outcome)
    return protocol.ack(ballot.message_id, outcome)


_ballots: Batches[_Ballot] = Batches(
    write=_cast_batch,
    failed=lambda ballot, _: protocol.server_error(ballot.message_id),
    kind="ballots",
)


def arrive(
    meeting_id: int, member_id: int, connection: str, at: datetime.datetime, server: str
) -> asyncio.Future[bool]:
    """Records that the connection was accepted at `at` (present from then), with the other
    arrivals and departures of the moment; the future answers whether it is in the database."""
    return _presence.submit(None, attendance.Arrival(meeting_id, member_id, connection, at, server))


def depart(meeting_id: int, connection: str, at: datetime.datetime) -> asyncio.Future[bool]:
    """Closes the connection's presence span at `at`, with the other changes of the moment."""
    return _presence.submit(None, attendance.Departure(meeting_id, connection, at))


def _presence_batch(
    _: None, changes: list[attendance.Arrival | attendance.Departure]
) -> list[bool]:
    failed = attendance.record_presence(changes)
    return [change.meeting_id not in failed for change in changes]


# One stream for the process, written per meeting (attendance.record_presence); up to 500 at a
# time: a 300-member meeting arriving at once is one or two batches.
_presence: Batches[attendance.Arrival | attendance.Departure] = Batches(
    write=_presence_batch, failed=lambda change, _: False, limit=500, kind="presence"
)
