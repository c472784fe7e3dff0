"""Parity of the live room's state: a page that applies a meeting's events to its first snapshot
(the real room.js in Chromium) holds the same state as a fresh snapshot of the server.

room.js re-implements each event's effect from its payload (docs/protocol.md); this test plays a
meeting with every kind of event the page applies itself and compares, so a payload or a
handler that drifts shows here.
"""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from playwright.sync_api import expect

from meetings.enums import AttendanceStatus
from meetings.models import Meeting, MeetingEvent
from meetings.room import room_state
from meetings.services import attendance, room, speaking
from meetings.services.voting import casting, closing, opening
from tests.e2e.browser import BrowserTestCase
from tests.meetings.room.conftest import build_scene
from tests.meetings.secret_ballot.pages import cast_encrypted, key_ceremony

pytestmark = pytest.mark.e2e

# Connections come and go without events (the page refreshes `online` about once a minute).
NOT_FROM_EVENTS = {"online"}


def comparable(state: dict) -> dict:
    return {key: value for key, value in state.items() if key not in NOT_FROM_EVENTS}


class TestRoomParity(BrowserTestCase):
    def play(self, work):
        """Services run off the browser's event loop (their broadcasts need a thread of their
        own), one step at a time, as the chair and members would send them."""

        def step():
            try:
                return work()
            finally:
                connections.close_all()  # this thread's connection, before the test database goes

        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(step).result()

    def test_events_applied_to_the_first_snapshot_give_a_fresh_snapshot(self):
        self.scene = scene = build_scene()
        meeting_id = scene.meeting.pk
        chair = scene.chair.user
        room.start_meeting(meeting_id=meeting_id, actor=chair)
        viewer = scene.officials[2]
        page = self.open_room(viewer)
        first_seq = page.evaluate("window.chiboRoom.seq()")
        voters = [scene.officials[0], scene.officials[1], scene.recorder]

        def meeting() -> None:
            attendance.mark_many(
                meeting_id=meeting_id,
                actor=chair,
                member_ids=[m.pk for m in voters],
                status=AttendanceStatus.PRESENT,
            )
            attendance.mark(
                meeting_id=meeting_id,
                actor=chair,
                member_id=scene.probationary.pk,
                status=AttendanceStatus.ABSENT_WITH_REASON,
                reason="Ốm",
            )
            first, second, third = scene.items
            room.open_item(meeting_id=meeting_id, actor=chair, item_id=first.pk)
            asked = [
                speaking.request_floor(meeting_id=meeting_id, actor=m.user, kind="regular")
                for m in voters
            ]
            speaking.withdraw_floor(
                meeting_id=meeting_id, actor=voters[2].user, request_id=asked[2]["request"]
            )
            speaking.reorder_floor(
                meeting_id=meeting_id,
                actor=chair,
                order=[asked[1]["request"], asked[0]["request"]],
            )
            turn = speaking.grant_floor(
                meeting_id=meeting_id, actor=chair, request_id=asked[1]["request"]
            )
            speaking.note_turn(
                meeting_id=meeting_id,
                actor=scene.recorder.user,
                turn_id=turn["turn"],
                text="Đề nghị bổ sung chỉ tiêu.",
                reserved=True,
            )
            # Granting the next request ends the turn before it.
            speaking.grant_floor(meeting_id=meeting_id, actor=chair, request_id=asked[0]["request"])
            speaking.end_turn(meeting_id=meeting_id, actor=chair)
            room.open_item(meeting_id=meeting_id, actor=chair, item_id=third.pk)  # closes first
            vote = opening.open_vote(
                meeting_id=meeting_id,
                actor=chair,
                kind="resolution",
                question="Thông qua nghị quyết tháng?",
                method="show_of_hands",
            )
            for member, choice in zip(voters, ["yes", "yes", "no"], strict=True):
                casting.cast_ballot(
                    meeting_id=meeting_id,
                    actor=member.user,
                    vote_id=vote["vote"],
                    ballot_id=str(uuid.uuid4()),
                    choice=choice,
                )
            closing.close_vote(meeting_id=meeting_id, actor=chair, vote_id=vote["vote"])
            # An encrypted secret ballot: its board's steps come as board.changed and
            # vote.counting, each with the board's whole public state (the viewer is not on
            # the board: its page only follows).
            secret = opening.open_vote(
                meeting_id=meeting_id,
                actor=chair,
                kind="resolution",
                question="Thông qua nghị quyết (phiếu kín)?",
                method="secret_ballot",
                encrypted=True,
            )
            ids = secret["board"]["members"]
            assert viewer.pk not in ids
            everyone = [scene.chair, *voters, viewer]
            board = [next(m for m in everyone if m.pk == pk) for pk in ids]
            counters = key_ceremony(scene, secret["vote"], board)
            for member, choice in zip(voters, ["yes", "no", "yes"], strict=True):
                cast_encrypted(scene, member, secret["vote"], [choice])
            closing.close_vote(meeting_id=meeting_id, actor=chair, vote_id=secret["vote"])
            for page in counters[:2]:
                page.decrypt()
            room.close_item(meeting_id=meeting_id, actor=chair, item_id=third.pk)
            room.open_item(meeting_id=meeting_id, actor=chair, item_id=second.pk)

        self.play(meeting)
        last = MeetingEvent.objects.filter(meeting_id=meeting_id).order_by("-seq").first().seq
        page.wait_for_function("(last) => window.chiboRoom.seq() === last", arg=last)
        kinds = set(
            MeetingEvent.objects.filter(meeting_id=meeting_id, seq__gt=first_seq).values_list(
                "event", flat=True
            )
        )
        assert kinds >= {
            "attendance.changed",
            "agenda.opened",
            "agenda.closed",
            "floor.requested",
            "floor.withdrawn",
            "floor.reordered",
            "floor.granted",
            "floor.ended",
            "turn.noted",
            "vote.opened",
            "ballot.counted",
            "vote.closed",
            "board.changed",
            "vote.counting",
        }

        held = page.evaluate("window.chiboRoom.state()")
        # The page counts events in its own variable; the state's `seq` is the first snapshot's.
        held["seq"] = page.evaluate("window.chiboRoom.seq()")
        # Every event was applied by the page itself: it loaded no snapshot on the way.
        assert page.evaluate("window.chiboRoom.snapshotsLoaded()") == 0
        fresh = room_state(Meeting.objects.get(pk=meeting_id), viewer)
        assert comparable(held) == comparable(fresh)
        expect(page.locator("#connection")).to_have_text("Đã kết nối")
