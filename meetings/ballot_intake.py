"""Ballots gathered per meeting while the previous ones are in the database, cast as a batch.

In a burst (a 300-member meeting voting within two seconds) each ballot was a transaction of its
own: the session and its second factor, the meeting row lock, the vote, who voted, the count and
the head of the log, one ballot after another in daphne's one database thread; about 25 ms
each, so the count became final seconds after the last ballot (docs/benchmarks.md). Here the
first ballot goes to the database at once, and those that arrive meanwhile wait for it and go
together (`voting.cast_ballots`: one lock, one read of the vote and its ballots, each ballot
checked by the same rules, written in bulk, one event per ballot). Each sender still gets the
answer to its own ballot, and its session is checked for that message, as for any other.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from channels.db import database_sync_to_async

from meetings import protocol
from meetings.errors import RuleViolation
from meetings.services import voting
from members.models import User
from members.otp import sessions_still_verified

logger = logging.getLogger(__name__)
MAX_BATCH = 100


@dataclass
class _Ballot:
    scope: dict[str, Any]
    user: User
    message_id: str
    kwargs: dict[str, Any]  # the ballot.cast fields, as protocol.arguments checked them
    answer: asyncio.Future[dict[str, Any]]


# Per (event loop, meeting): the ballots waiting, and the task casting them.
_waiting: dict[tuple[int, int], list[_Ballot]] = {}
_casting: dict[tuple[int, int], asyncio.Task[None]] = {}


async def cast(
    scope: dict[str, Any], user: User, meeting_id: int, message_id: str, kwargs: dict[str, Any]
) -> dict[str, Any]:
    """The answer frame to one `ballot.cast` (ack or error), once its batch is written."""
    loop = asyncio.get_running_loop()
    key = (id(loop), meeting_id)
    ballot = _Ballot(scope, user, message_id, kwargs, loop.create_future())
    _waiting.setdefault(key, []).append(ballot)
    if key not in _casting:
        _casting[key] = loop.create_task(_cast_waiting(key, meeting_id))
    return await ballot.answer


async def _cast_waiting(key: tuple[int, int], meeting_id: int) -> None:
    batch: list[_Ballot] = []
    try:
        while _waiting.get(key):
            batch = _waiting[key][:MAX_BATCH]
            del _waiting[key][:MAX_BATCH]
            try:
                frames = await database_sync_to_async(_cast_batch)(meeting_id, batch)
            except RuleViolation as violation:  # the meeting itself is gone
                frames = [protocol.refusal(b.message_id, violation) for b in batch]
            except Exception:
                logger.exception(
                    "a batch of %s ballots for meeting %s failed", len(batch), meeting_id
                )
                frames = [protocol.server_error(b.message_id) for b in batch]
            _answer(batch, frames)
            batch = []
    finally:
        # Cancelled (the server stopping): whoever still waits is told, nothing hangs.
        left = batch + _waiting.pop(key, [])
        _answer(left, [protocol.server_error(b.message_id) for b in left])
        del _casting[key]


def _answer(batch: list[_Ballot], frames: list[dict[str, Any]]) -> None:
    for ballot, frame in zip(batch, frames, strict=True):
        if not ballot.answer.done():  # its connection may have closed meanwhile
            ballot.answer.set_result(frame)


def _cast_batch(meeting_id: int, batch: list[_Ballot]) -> list[dict[str, Any]]:
    verified = sessions_still_verified([(b.scope, b.user) for b in batch])
    sent = [b for b, ok in zip(batch, verified, strict=True) if ok]
    outcomes = voting.cast_ballots(
        meeting_id=meeting_id,
        requests=[voting.BallotRequest(actor=b.user, **b.kwargs) for b in sent],
    )
    frames = {id(b): _frame(b, outcome) for b, outcome in zip(sent, outcomes, strict=True)}
    return [frames.get(id(b)) or protocol.unverified(b.message_id) for b in batch]


def _frame(ballot: _Ballot, outcome: dict[str, Any] | RuleViolation) -> dict[str, Any]:
    if isinstance(outcome, RuleViolation):
        return protocol.refusal(ballot.message_id, outcome)
    return protocol.ack(ballot.message_id, outcome)
