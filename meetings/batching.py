"""Database writes gathered while the previous ones are in the database, and made together.

Daphne runs every database call of a process in one thread. When many connections want the
same kind of write at once (a burst of ballots, a meeting's members closing their pages), one
call each queues them up behind each other; here the first goes at once, and those that arrive
meanwhile wait for it and then go together, as one call with the whole batch. Each submitter
still gets its own answer. The batch runs in a task of its own, so a submitter that goes away
(a closed connection, cancelled by the server) does not take the write with it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from channels.db import database_sync_to_async

from config import metrics

logger = logging.getLogger(__name__)
Item = TypeVar("Item")


@dataclass
class Batches(Generic[Item]):
    """`write(key, items)` answers each item of a batch, in order. When it raises, each item is
    written alone; `failed(item, error)` is the answer to an item whose write alone raised."""

    write: Callable[[Any, list[Item]], list[Any]]
    failed: Callable[[Item, Exception], Any]
    limit: int = 100
    kind: str = "writes"  # its label in the batch-size histogram (config/metrics.py)
    _waiting: dict[tuple[int, Hashable], list[tuple[Item, asyncio.Future[Any]]]] = field(
        default_factory=dict
    )
    _writing: dict[tuple[int, Hashable], asyncio.Task[None]] = field(default_factory=dict)

    def submit(self, key: Hashable, item: Item) -> asyncio.Future[Any]:
        """The future answer to `item`, written with the others of `key` waiting then."""
        loop = asyncio.get_running_loop()
        slot = (id(loop), key)
        answer: asyncio.Future[Any] = loop.create_future()
        self._waiting.setdefault(slot, []).append((item, answer))
        if slot not in self._writing:
            self._writing[slot] = loop.create_task(self._write_waiting(slot, key))
        return answer

    async def _write_waiting(self, slot: tuple[int, Hashable], key: Hashable) -> None:
        batch: list[tuple[Item, asyncio.Future[Any]]] = []
        try:
            while self._waiting.get(slot):
                batch = self._waiting[slot][: self.limit]
                del self._waiting[slot][: self.limit]
                items = [item for item, _ in batch]
                metrics.BATCH_SIZE.labels(kind=self.kind).observe(len(items))
                try:
                    answers = await database_sync_to_async(self.write)(key, items)
                except Exception as error:
                    answers = await self._each_alone(key, items, error)
                _answer(batch, answers)
                batch = []
        finally:
            # Cancelled (the server stopping): whoever still waits is told, nothing hangs.
            left = batch + self._waiting.pop(slot, [])
            _answer(left, [self.failed(item, RuntimeError("stopped")) for item, _ in left])
            del self._writing[slot]

    async def _each_alone(self, key: Hashable, items: list[Item], error: Exception) -> list[Any]:
        """The answers to a batch whose write raised: each item is written again on its own,
        so the one that raised fails alone and the others go in (one member's malformed
        ballot answered everyone's ballots of the moment `server_error`)."""
        if len(items) == 1:
            logger.error("a write for %s failed", key, exc_info=error)
            return [self.failed(items[0], error)]
        logger.warning(
            "a batch of %s writes for %s failed (%r), each written alone", len(items), key, error
        )
        answers = []
        for item in items:
            try:
                answers += await database_sync_to_async(self.write)(key, [item])
            except Exception as alone:
                logger.error("a write for %s failed", key, exc_info=alone)
                answers.append(self.failed(item, alone))
        return answers


def _answer(batch: list[tuple[Any, asyncio.Future[Any]]], answers: list[Any]) -> None:
    for (_, future), answer in zip(batch, answers, strict=True):
        if not future.done():  # its submitter may have gone meanwhile
            future.set_result(answer)
