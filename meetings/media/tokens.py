"""What Django signs so that Janus and coturn let one participant in, and nobody else.

- Core token (Janus `token_auth`, src/auth.c of Janus 1.1.2): "<expiry>,janus,<plugin>[,…]:<sig>",
  sig = base64(HMAC-SHA1(JANUS_TOKEN_SECRET, "<expiry>,janus,<plugin>[,…]")). Janus checks it on
  every request (keepalives too), so it lasts for the meeting. The extra descriptions name the
  meeting and the member: each participant's token is their own.
- Room token: the string the VideoRoom's `allowed` list holds for one participant of one meeting.
  It is derived from the secret, so the list can be rebuilt without storing anything.
- Janus's event handler posts to the app with basic authentication: user EVENTS_USER, password
  derived from the token secret.
- TURN REST credentials (coturn `use-auth-secret`): username "<expiry>:<user id>", password
  base64(HMAC-SHA1(TURN_SECRET, username)).
"""

from __future__ import annotations

import base64
import hashlib
import hmac

PLUGIN = "janus.plugin.videoroom"


def _sign(secret: str, data: str) -> str:
    digest = hmac.new(secret.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def core_token(secret: str, *, expiry: int, descriptions: tuple[str, ...] = ()) -> str:
    data = ",".join([str(expiry), "janus", PLUGIN, *descriptions])
    return f"{data}:{_sign(secret, data)}"


def room_token(secret: str, *, room: int, member_id: int) -> str:
    data = f"room={room},member={member_id}"
    digest = hmac.new(secret.encode(), f"videoroom-allowed|{data}".encode(), hashlib.sha256)
    return f"{data},{digest.hexdigest()}"


def room_secret(secret: str, room: int) -> str:
    """The room's own secret (moderate, kick, allowed, destroy): the server's alone."""
    data = f"videoroom-secret|{room}".encode()
    return hmac.new(secret.encode(), data, hashlib.sha256).hexdigest()


EVENTS_USER = "janus"


def events_password(secret: str) -> str:
    """The basic-auth password Janus's event handler posts with (derived: nothing more to set)."""
    return hmac.new(secret.encode(), b"janus-events", hashlib.sha256).hexdigest()


def descriptions(token: str) -> dict[str, str]:
    """The `name=value` descriptions of a core token, when its signature is one of ours' shape:
    {"meeting": "12", "member": "34", "device": "hall"}. Janus checked the signature already."""
    data = token.rpartition(":")[0]
    return dict(part.split("=", 1) for part in data.split(",") if "=" in part)


def turn_credentials(secret: str, *, expiry: int, user_id: int) -> tuple[str, str]:
    username = f"{expiry}:{user_id}"
    return username, _sign(secret, username)
