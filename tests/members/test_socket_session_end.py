"""A session's live sockets end with it: sign-out, expiry, a password change, deactivation, and
(for the room) removal from the cell's roll. Real websockets on a real Daphne.

Each close must come well before the sockets' periodic re-check (SESSION_RECHECK_SECONDS) would
have caught it: the end is announced to the sockets, not discovered later. The time from the
change to the close is what docs/security.md reports (printed with `-s`).
"""

from __future__ import annotations

import asyncio
import datetime
import json
import time

import pytest
import websockets
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone

from members import sockets
from members.services import transfers
from tests.live import TIMEOUT, verified_visitor
from tests.meetings.scenes import tree_meeting

pytestmark = pytest.mark.integration
# Long enough for a loaded machine, well short of the periodic re-check.
CLOSE_BOUND = sockets.SESSION_RECHECK_SECONDS / 3
SIGNED_OUT, NOT_FOUND = 4401, 4404
needs_shared_layer = pytest.mark.skipif(
    "InMemory" in settings.CHANNEL_LAYERS["default"]["BACKEND"],
    reason="the change is made in the test process: the server hears of it through Redis",
)


async def open_socket(server, visitor, path: str):
    name = settings.SESSION_COOKIE_NAME
    connection = await websockets.connect(
        server.ws_url + path,
        additional_headers={"Cookie": f"{name}={visitor.cookie(name)}", "Origin": server.url},
        open_timeout=TIMEOUT,
    )
    _opened.append(connection)
    hello = json.loads(await asyncio.wait_for(connection.recv(), TIMEOUT))
    assert hello["type"] == "hello"
    return connection


async def close_code(connection, within: float = CLOSE_BOUND) -> int | None:
    """Reads frames until the server closes the socket: its close code, or None if still open."""
    try:
        async with asyncio.timeout(within):
            while True:
                await connection.recv()
    except websockets.ConnectionClosed:
        return connection.close_code
    except TimeoutError:
        return None


async def still_answers(connection) -> bool:
    await connection.send(json.dumps({"type": "ping", "id": "p1"}))
    while True:
        frame = json.loads(await asyncio.wait_for(connection.recv(), TIMEOUT))
        if frame.get("type") == "ack" and frame.get("id") == "p1":
            return True


_opened: list = []


def run(coroutine):
    """Runs the scenario and then closes what it left open."""

    async def scenario():
        try:
            return await coroutine
        finally:
            while _opened:
                await _opened.pop().close()

    return asyncio.run(scenario())


async def in_thread(change):
    """A database change made off the event loop; the thread's connection is closed after."""

    def changed():
        try:
            change()
        finally:
            connection.close()

    await asyncio.to_thread(changed)


@pytest.fixture
def sockets_of(daphne_server, tree):
    """Opens the member's room and notification sockets in a session of their own."""

    async def opened(visitor):
        room = await open_socket(daphne_server, visitor, f"/ws/meetings/{tree_meeting(tree).pk}/")
        notifications = await open_socket(daphne_server, visitor, "/ws/notifications/")
        return room, notifications

    return opened


def test_signing_out_closes_that_sessions_room_and_notification_sockets_only(
    tree, daphne_server, sockets_of
):
    leaving = verified_visitor(daphne_server, tree.member.user)
    staying = verified_visitor(daphne_server, tree.member.user)
    tree_meeting(tree)

    async def scenario():
        room, notifications = await sockets_of(leaving)
        other_room, other_notifications = await sockets_of(staying)
        leaving.get("/")  # the sign-out form's CSRF token
        signed_out_at = time.monotonic()
        answer = await asyncio.to_thread(leaving.post, "/dang-xuat/", {})
        assert answer.status == 302
        codes = await asyncio.gather(close_code(room), close_code(notifications))
        print(f"sign-out → sockets closed in {time.monotonic() - signed_out_at:.2f} s")
        assert await still_answers(other_room)
        assert await still_answers(other_notifications)
        return codes

    assert run(scenario()) == [SIGNED_OUT, SIGNED_OUT]


def test_an_expired_session_closes_its_sockets_when_it_expires(tree, daphne_server, sockets_of):
    visitor = verified_visitor(daphne_server, tree.member.user)
    session = SessionStore(visitor.cookie(settings.SESSION_COOKIE_NAME))
    session.set_expiry(10)  # seconds: time enough to connect both sockets first
    session.save()
    # The moment stored with the session, which the server reads: get_expiry_date() counts the
    # 10 s from when it is called, later than save() (by a loaded second, the sockets closed
    # "before" it).
    expires = Session.objects.get(session_key=session.session_key).expire_date
    tree_meeting(tree)

    async def scenario():
        room, notifications = await sockets_of(visitor)
        codes = await asyncio.gather(
            close_code(room, within=TIMEOUT), close_code(notifications, within=TIMEOUT)
        )
        print(f"expiry → sockets closed {(timezone.now() - expires).total_seconds():.2f} s late")
        return codes

    assert run(scenario()) == [SIGNED_OUT, SIGNED_OUT]
    assert timezone.now() >= expires


@needs_shared_layer
def test_a_password_change_closes_the_sockets_of_every_session(tree, daphne_server, sockets_of):
    user = tree.member.user
    visitors = [verified_visitor(daphne_server, user) for _ in range(2)]
    tree_meeting(tree)

    async def scenario():
        opened = [await sockets_of(visitor) for visitor in visitors]
        changed_at = time.monotonic()
        await in_thread(change_password)
        codes = await asyncio.gather(*(close_code(s) for pair in opened for s in pair))
        print(f"password change → sockets closed in {time.monotonic() - changed_at:.2f} s")
        return codes

    def change_password():
        user.set_password("mat-khau-moi-2026-12")
        user.save()

    assert run(scenario()) == [SIGNED_OUT] * 4


@needs_shared_layer
def test_deactivating_the_account_closes_every_socket(tree, daphne_server, sockets_of):
    user = tree.member.user
    visitor = verified_visitor(daphne_server, user)
    tree_meeting(tree)

    async def scenario():
        room, notifications = await sockets_of(visitor)
        user.is_active = False
        await in_thread(user.save)
        return await asyncio.gather(close_code(room), close_code(notifications))

    assert run(scenario()) == [SIGNED_OUT, SIGNED_OUT]


@needs_shared_layer
def test_moving_off_the_cells_roll_closes_its_room_but_not_the_session(
    tree, daphne_server, sockets_of
):
    visitor = verified_visitor(daphne_server, tree.member.user)
    tree_meeting(tree)

    def transfer():
        transfers.transfer_member(
            actor=tree.secretary.user,
            member=tree.member,
            destination=tree.neighbour_cell,
            transferred_on=timezone.localdate() - datetime.timedelta(days=1),
            decision_reference="12-QĐ/ĐU",
        )

    async def scenario():
        room, notifications = await sockets_of(visitor)
        moved_at = time.monotonic()
        await in_thread(transfer)
        code = await close_code(room)
        print(f"removal from the roll → room closed in {time.monotonic() - moved_at:.2f} s")
        return code, await still_answers(notifications)

    assert run(scenario()) == (NOT_FOUND, True)
