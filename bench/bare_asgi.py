"""The baseline for bench/live_room.py: a bare Channels fan-out under the same daphne, settings
and channel layer as the product (config.settings CHANNEL_LAYERS, so channels-redis on REDIS_URL),
without sessions, database or services.

    daphne -b 127.0.0.1 -p 8010 bench.bare_asgi:application

`ws/bare/<room>/`: on connect the socket joins group `bare.<room>` and gets a hello; a message
`{"type": "broadcast", "seq": n, "payload": {...}}` is sent with group_send to every socket in
the room (the sender included), which answers `{"type": "event", "seq": n, ...}` like the live
room's events. HTTP answers 200 on any path, for the bench's readiness check.
"""

from __future__ import annotations

import os
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from channels.generic.websocket import AsyncJsonWebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.urls import path  # noqa: E402


class BareRoom(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        self.group = f"bare.{self.scope['url_route']['kwargs']['room']}"
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "hello", "seq": 0})

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        await self.channel_layer.group_send(
            self.group,
            {"type": "room.event", "seq": content.get("seq"), "payload": content.get("payload")},
        )

    async def room_event(self, message: dict[str, Any]) -> None:
        await self.send_json(
            {"type": "event", "seq": message["seq"], "event": "bare", "payload": message["payload"]}
        )


async def health(scope: dict[str, Any], receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


# The product's server keeps its full collections short (config/asgi.py, config/heap.py); so
# does the baseline, or its own half-second collections set its tail and the comparison.
from config.heap import freeze_startup_objects, keep_full_collections_short  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": health,
        "websocket": AllowedHostsOriginValidator(
            URLRouter([path("ws/bare/<int:room>/", BareRoom.as_asgi())])
        ),
    }
)

freeze_startup_objects()
keep_full_collections_short()
