"""The channel layer over two Redis servers (REDIS_URLS): channels-redis puts each meeting's group
and each process's inbox on one of them by a hash of its name.

The test starts two redis-servers and two daphnes (both listing both servers) on free 127.0.0.1
ports, with members of one meeting on each daphne: a vote opened through one and a ballot cast
through the other reach every page in order, and the meeting's group lives on the server its
name hashes to, the other one holding groups of other meetings.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import redis
from channels.layers import get_channel_layer

from config.settings import channel_layer
from meetings import events
from meetings.services import room
from tests.e2e.test_scale_out import (
    SERVERS_MARKS,
    Daphne,
    RedisServer,
    RoomClient,
    ballot,
    daphne_environment,
    eventually,
    free_port,
    session_key,
    start_daphne,
    stop,
    wait_healthy,
)
from tests.meetings.room.conftest import build_scene

pytestmark = [*SERVERS_MARKS]


@dataclass
class Sharded:
    shards: list[RedisServer]
    urls: list[str]
    a: Daphne
    b: Daphne


@pytest.fixture
def sharded(transactional_db, settings, tmp_path) -> Iterator[Sharded]:
    shards = [RedisServer(port=free_port(), log=tmp_path / f"redis-{i}.log") for i in range(2)]
    urls = [f"redis://127.0.0.1:{shard.port}/0" for shard in shards]
    # The test process's own broadcasts (the services it calls) use the same two servers.
    settings.CHANNEL_LAYERS = {"default": channel_layer(urls)}
    environment = daphne_environment(tmp_path, urls[0], REDIS_URLS=",".join(urls))
    servers: list[Daphne] = []
    try:
        for shard in shards:
            shard.start()
        servers = [start_daphne(name, environment, tmp_path) for name in ("a", "b")]
        for server in servers:
            wait_healthy(server)
        yield Sharded(shards, urls, *servers)
    finally:
        for server in servers:
            stop(server.process)
        for shard in shards:
            shard.stop()
        for server in servers:
            print(f"--- daphne {server.name} log ---\n{server.log_text()[-4000:]}")


def group_keys(url: str) -> set[str]:
    client = redis.Redis.from_url(url)
    try:
        return {key.decode() for key in client.scan_iter("chibo*group*")}
    finally:
        client.close()


def test_meetings_run_over_two_redis_servers(sharded):
    layer = get_channel_layer()
    assert len(layer.hosts) == 2
    scene = build_scene()
    meeting_id = scene.meeting.pk
    room.start_meeting(meeting_id=meeting_id, actor=scene.chair.user)
    room.open_item(meeting_id=meeting_id, actor=scene.chair.user, item_id=scene.items[2].pk)
    members = {
        "chair": (scene.chair, sharded.a),
        "official1": (scene.officials[0], sharded.a),
        "official2": (scene.officials[1], sharded.b),
        "recorder": (scene.recorder, sharded.b),
    }
    clients = {
        name: RoomClient(name, server, meeting_id, session_key(member))
        for name, (member, server) in members.items()
    }

    async def scenario() -> int:
        try:
            for client in clients.values():
                client.start()
            for client in clients.values():
                await eventually(lambda c=client: c.synced, f"{client.name} is in the room")
            # The meeting's group is on the server its name hashes to, and only there.
            group = events.group_name(meeting_id)
            home = layer.consistent_hash(group)
            held = [any(k.endswith(f":group:{group}") for k in group_keys(u)) for u in sharded.urls]
            assert held == [home == 0, home == 1]
            opened = await clients["chair"].request(
                {"type": "vote.open", "kind": "resolution", "question": "Thông qua"}
            )
            assert opened["type"] == "ack", opened
            vote_id = opened["result"]["vote"]
            cast = await clients["official2"].request(ballot(vote_id))
            assert (cast["type"], cast["result"]["cast"]) == ("ack", 1), cast
            for client in clients.values():
                await eventually(lambda c=client: c.event("ballot.counted"), f"{client.name}")
                (counted,) = client.event("ballot.counted")
                assert counted["seq"] == client.event("vote.opened")[0]["seq"] + 1
                assert counted["payload"]["cast"] == 1
            return vote_id
        finally:
            for client in clients.values():
                await client.stop()

    asyncio.run(scenario())

    # Other meetings' groups go to the other server: both carry meetings.
    assert {layer.consistent_hash(events.group_name(m)) for m in range(1, 20)} == {0, 1}
    for client in clients.values():
        assert client.close_codes == [], client.name  # never dropped
    assert not any("Exception inside application" in s.log_text() for s in (sharded.a, sharded.b))
