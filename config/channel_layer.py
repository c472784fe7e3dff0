"""The Redis channel layer's settings (config/settings.py; tests build theirs with this too)."""

from __future__ import annotations

from typing import Any

from config.env import env_str


def channel_layer(urls: list[str]) -> dict[str, Any]:
    """The Redis channel layer over `urls`."""
    return {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {
            # Explicit values so a later redis-py 8 upgrade cannot bring back its 5 s socket
            # timeout and 100-connection pool (channels_redis#422).
            "hosts": [
                {"address": url, "socket_timeout": None, "max_connections": 10_000} for url in urls
            ],
            "prefix": env_str("CHANNELS_PREFIX", "chibo"),
            # Events waiting per daphne process (all its connections share one queue in
            # Redis) and per connection. At the default 100 a 300-member ballot burst on
            # 2 cores overflowed it and every page lost events (docs/benchmarks.md).
            "capacity": 1000,
        },
    }
