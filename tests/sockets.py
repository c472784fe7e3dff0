"""A websocket communicator for tests on a loaded machine.

channels' `WebsocketCommunicator` waits 1 s by default for a connection or a frame; a consumer
that reads the database in a thread can take longer on a busy 2-core machine, and a test then
fails for no fault of the code. Here waiting for something that must come defaults to
PATIENCE; `receive_nothing` keeps its short default, since it waits for the absence of a frame.
"""

from __future__ import annotations

from typing import Any

from channels.testing import WebsocketCommunicator

PATIENCE = 20.0


class PatientCommunicator(WebsocketCommunicator):
    async def connect(self, timeout: float = PATIENCE) -> Any:
        return await super().connect(timeout=timeout)

    async def receive_from(self, timeout: float = PATIENCE) -> Any:
        return await super().receive_from(timeout=timeout)

    async def receive_json_from(self, timeout: float = PATIENCE) -> Any:
        return await super().receive_json_from(timeout=timeout)

    async def receive_output(self, timeout: float = PATIENCE) -> Any:
        return await super().receive_output(timeout=timeout)

    async def disconnect(self, code: int = 1000, timeout: float = PATIENCE) -> None:
        await super().disconnect(code=code, timeout=timeout)
