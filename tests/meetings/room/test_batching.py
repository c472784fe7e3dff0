"""meetings.batching: writes that arrive while a batch is in the database go together."""

import asyncio
import threading

import pytest

from meetings.batching import Batches

pytestmark = pytest.mark.asyncio


class Recorder:
    """A write that answers each item doubled, and can be held until the test lets it go."""

    def __init__(self):
        self.batches = []
        self.gate = threading.Event()
        self.gate.set()

    def write(self, key, items):
        self.gate.wait(5)
        self.batches.append((key, list(items)))
        if "boom" in items:
            raise ValueError("boom")
        return [item * 2 for item in items]


def batches(recorder, limit=100):
    return Batches(write=recorder.write, failed=lambda item, error: f"failed {item}", limit=limit)


async def test_what_arrives_during_a_write_goes_together_and_each_gets_its_answer():
    recorder = Recorder()
    writes = batches(recorder)
    recorder.gate.clear()  # the first write is slow
    first = writes.submit("m1", "a")
    await asyncio.sleep(0.05)
    waiting = [writes.submit("m1", item) for item in ("b", "c", "d")]
    recorder.gate.set()

    answers = await asyncio.gather(first, *waiting)

    assert answers == ["aa", "bb", "cc", "dd"]
    assert recorder.batches == [("m1", ["a"]), ("m1", ["b", "c", "d"])]


async def test_a_batch_is_at_most_the_limit():
    recorder = Recorder()
    writes = batches(recorder, limit=2)
    recorder.gate.clear()
    futures = [writes.submit("m1", item) for item in "abcde"]
    recorder.gate.set()

    assert await asyncio.gather(*futures) == ["aa", "bb", "cc", "dd", "ee"]
    assert [items for _, items in recorder.batches] == [["a", "b"], ["c", "d"], ["e"]]


async def test_a_submitter_that_goes_away_does_not_take_the_write_with_it():
    recorder = Recorder()
    writes = batches(recorder)
    recorder.gate.clear()
    waiting = asyncio.ensure_future(writes.submit("m1", "a"))
    await asyncio.sleep(0.05)
    waiting.cancel()  # the connection was killed
    recorder.gate.set()
    later = await writes.submit("m1", "b")

    assert later == "bb"
    assert [items for _, items in recorder.batches] == [["a"], ["b"]]


async def test_an_item_that_fails_its_batch_fails_alone_and_the_others_go_in():
    """Regression (issue 14): one malformed ballot answered every ballot of its batch
    `server_error`."""
    recorder = Recorder()
    writes = batches(recorder)
    recorder.gate.clear()
    futures = [writes.submit("m1", item) for item in ("x", "boom", "z")]
    recorder.gate.set()

    assert await asyncio.gather(*futures) == ["xx", "failed boom", "zz"]
    assert [items for _, items in recorder.batches] == [
        ["x", "boom", "z"],
        ["x"],
        ["boom"],
        ["z"],
    ]
    assert await writes.submit("m1", "y") == "yy"  # the next batch goes on
