"""Presence closed when its server stops renewing its lease (killed, restarted): the sweep."""

import datetime

import pytest
from django.utils import timezone

from meetings.models import Attendance, MeetingEvent, PresenceLease, PresenceSpan, WaitingConnection
from meetings.room import room_state
from meetings.services import attendance, room
from meetings.tasks import sweep_presence_leases

pytestmark = pytest.mark.integration


def arrive(scene, member, server, at):
    attendance.record_presence(
        [attendance.Arrival(scene.meeting.pk, member.pk, f"{server}-{member.pk}", at, server)]
    )


def test_a_dead_servers_spans_are_closed_when_its_lease_was_last_renewed(scene):
    room.start_meeting(meeting_id=scene.meeting.pk, actor=scene.chair.user)
    now = timezone.now()
    attendance.renew_lease(server="live", lease_seconds=20)
    PresenceLease.objects.create(server="dead", renewed_at=now - datetime.timedelta(seconds=25))
    arrive(scene, scene.chair, "live", now)
    for member in scene.officials:
        arrive(scene, member, "dead", now - datetime.timedelta(seconds=60))
    events_before = MeetingEvent.objects.filter(meeting=scene.meeting).count()

    closed = attendance.renew_lease(server="live", lease_seconds=20)

    dead = PresenceSpan.objects.filter(server="dead")
    assert closed is True  # its own lease was there: nothing to record again
    assert [s.left_at for s in dead] == [now - datetime.timedelta(seconds=25)] * 3
    assert PresenceSpan.objects.get(server="live").left_at is None
    assert list(PresenceLease.objects.values_list("server", flat=True)) == ["live"]
    # The roll and the charter's figures as before: leaving is not an absence, so the three
    # still count as present and the quorum holds; one event, with no line of the roll, tells
    # the pages who is still connected.
    after = MeetingEvent.objects.filter(meeting=scene.meeting).order_by("seq")[events_before:]
    assert [(e.event, e.payload["changes"], e.payload["online"]) for e in after] == [
        ("attendance.changed", [], [scene.chair.pk])
    ]
    state = room_state(scene.meeting, None)
    assert state["online"] == [scene.chair.pk]
    assert state["assessment"]["voters_present"] == 4
    assert state["assessment"]["quorum"]["met"] is True
    assert Attendance.objects.filter(meeting=scene.meeting, status="present").count() == 4


def test_a_live_lease_is_left_alone_and_beat_sweeps_waiting_connections_of_a_dead_one(scene):
    now = timezone.now()
    PresenceLease.objects.create(server="busy", renewed_at=now - datetime.timedelta(seconds=5))
    PresenceLease.objects.create(server="gone", renewed_at=now - datetime.timedelta(seconds=60))
    arrive(scene, scene.officials[0], "busy", now)  # before the start: waiting
    arrive(scene, scene.officials[1], "gone", now)

    assert sweep_presence_leases() == 1

    assert list(WaitingConnection.objects.values_list("server", flat=True)) == ["busy"]
    room.start_meeting(meeting_id=scene.meeting.pk, actor=scene.chair.user)
    present = Attendance.objects.filter(meeting=scene.meeting, status="present")
    assert [row.member_id for row in present] == [scene.officials[0].pk]


def test_a_server_whose_lease_was_swept_is_told_to_record_its_connections_again(scene):
    attendance.renew_lease(server="cut-off", lease_seconds=20)
    PresenceLease.objects.filter(server="cut-off").update(
        renewed_at=timezone.now() - datetime.timedelta(seconds=60)
    )
    attendance.sweep_expired_leases(lease_seconds=20)

    assert attendance.renew_lease(server="cut-off", lease_seconds=20) is False
    assert attendance.renew_lease(server="cut-off", lease_seconds=20) is True


def test_a_stopping_server_releases_its_connections_at_once(scene):
    """SIGTERM (a deploy, a rolling restart): the process's exit handler (meetings.leases)
    closes what it holds now, not a lease's length later; another server's stay open."""
    room.start_meeting(meeting_id=scene.meeting.pk, actor=scene.chair.user)
    now = timezone.now()
    attendance.renew_lease(server="stopping", lease_seconds=20)
    attendance.renew_lease(server="staying", lease_seconds=20)
    arrive(scene, scene.chair, "staying", now)
    for member in scene.officials:
        arrive(scene, member, "stopping", now - datetime.timedelta(seconds=30))
    events_before = MeetingEvent.objects.filter(meeting=scene.meeting).count()

    assert attendance.release_lease(server="stopping", at=now) == 3

    # Nothing is announced from a process that is exiting: its event loop is gone, and sending
    # from its exit handler kept it from exiting (tests/e2e/test_rolling_restart.py). The pages
    # learn who is connected with their next snapshot.
    assert MeetingEvent.objects.filter(meeting=scene.meeting).count() == events_before

    assert [s.left_at for s in PresenceSpan.objects.filter(server="stopping")] == [now] * 3
    assert PresenceSpan.objects.get(server="staying").left_at is None
    assert list(PresenceLease.objects.values_list("server", flat=True)) == ["staying"]
    assert room_state(scene.meeting, None)["online"] == [scene.chair.pk]
    assert attendance.release_lease(server="stopping", at=now) == 0  # nothing twice
