"""A session's live sockets end with the session.

Every signed-in websocket (the notifications socket, the live room) joins two channel-layer
groups: one for its session (named by a hash of the session key: the key itself never leaves
the server) and one for its account. When a session ends (sign-out) its group gets `session.end`
and its sockets close at once with 4401. When something about the account changes that may end
sessions or access (password, deactivation, the roll: home or temporary cell, roles, committee
seats) the account's group gets `session.recheck`: each socket checks again and closes with 4401
(session no longer valid) or 4404 (meeting no longer visible). Expiry is watched for each socket
(members.consumers.SessionBoundConsumer, checked in batches per process): at the moment its
session would expire, and at least every SESSION_RECHECK_SECONDS for ends nobody announces (a
session deleted by hand).
"""

from __future__ import annotations

import hashlib
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)

SESSION_RECHECK_SECONDS = 60.0
# A socket wakes this long after its session's expiry time, so that the row has expired.
EXPIRY_GRACE_SECONDS = 0.5
# A new socket first reads its session's expiry time within this many seconds.
FIRST_CHECK_SPREAD_SECONDS = 3.0
# A process checks its sockets together: with the first one due, those due within this many
# seconds (members.consumers._SessionWatch).
BATCH_AHEAD_SECONDS = 5.0


def session_group(session_key: str) -> str:
    return "session." + hashlib.sha256(session_key.encode()).hexdigest()[:40]


def account_group(user_id: int) -> str:
    # Not "user.<id>": that group carries notifications, which the room socket does not handle.
    return f"sockets.user.{user_id}"


def end_session_sockets(session_key: str) -> None:
    """Closes every socket opened with this session (called as it ends: sign-out)."""
    _send(session_group(session_key), {"type": "session.end"})


def recheck_account_sockets(user_id: int) -> None:
    """Every socket of the account checks its session and its access again, now."""
    _send(account_group(user_id), {"type": "session.recheck"})


def _send(group: str, message: dict[str, str]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    # Best effort: a lost message leaves the periodic re-check (SESSION_RECHECK_SECONDS).
    try:
        async_to_sync(layer.group_send)(group, message)
    except Exception:
        logger.warning("could not tell the sockets of %s to close", group, exc_info=True)
