"""Handshakes per member to the live room.

A page reconnects with back-off and jitter (static/js/room.js): a few times a minute at worst,
a resync wave included. A client that loops on connecting (a bug, or on purpose) would make
every handshake cost the server an access check and a presence write; past
ROOM_CONNECTS_PER_MINUTE in a minute its handshakes are refused (4429) after the session check
alone, before any of that, and other members do not notice. Counted in the shared cache
(Redis: every Daphne); without it, nobody is refused.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)
WINDOW_SECONDS = 60


def window_key(user_id: int, now: float | None = None) -> str:
    return f"room-connects:{user_id}:{int((now or time.time()) // WINDOW_SECONDS)}"


def allow_connect(user_id: int) -> bool:
    """Counts one handshake of `user_id`; False when the minute's allowance is spent."""
    key = window_key(user_id)
    try:
        cache.add(key, 0, WINDOW_SECONDS * 2)
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        return True
    except Exception as error:
        logger.warning("room handshake count unavailable: %s", error)
        return True
    if count == settings.ROOM_CONNECTS_PER_MINUTE + 1:
        logger.warning("member %s reconnects too often: handshakes refused", user_id)
    return count <= settings.ROOM_CONNECTS_PER_MINUTE
