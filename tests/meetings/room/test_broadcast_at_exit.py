"""A server stopping: its database thread may still be writing (the departures of the sockets
Daphne closed) after its event loop has stopped. Handing that write's event to the stopped loop
waited for ever, and the process never exited (tests/e2e/test_rolling_restart.py)."""

import asyncio
import threading

from asgiref.sync import sync_to_async

from meetings import events


def test_a_broadcast_from_the_thread_of_a_stopped_loop_returns_at_once():
    loop = asyncio.new_event_loop()
    loop_stopped = threading.Event()
    broadcast_returned = threading.Event()

    def write_after_the_loop_stopped() -> None:
        # A database thread of the server (sync_to_async), as the presence batch's.
        loop.call_soon_threadsafe(loop.stop)
        loop_stopped.wait(5)
        message = {"type": "meeting.event", "seq": 7, "event": "attendance.changed", "text": "{}"}
        events.broadcast(1, message)
        broadcast_returned.set()

    task = loop.create_task(sync_to_async(write_after_the_loop_stopped, thread_sensitive=False)())
    loop.run_forever()  # until the thread stops it, as SIGTERM stops Daphne's reactor
    loop_stopped.set()
    try:
        assert broadcast_returned.wait(5), "the broadcast waited for a loop that had stopped"
    finally:
        loop.run_until_complete(task)  # the thread's call returns to its loop
        loop.close()
