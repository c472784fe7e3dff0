"""A member who joined and then left with the chair's approval ("xin về sớm") attended the
meeting: R-V1 (Quy định 24-QĐ/TW 9.3.2) leaves out of N only official members absent for the
WHOLE meeting with an approved reason, so a leaver stays in N for every later vote."""

import pytest

from meetings.room import room_state
from meetings.services import attendance, room
from meetings.services.voting import opening
from tests.factories import MemberFactory
from tests.meetings import ballots

pytestmark = pytest.mark.integration


def leaves_early(scene, member, reason="Xin về sớm đón con ốm"):
    attendance.mark(
        meeting_id=scene.meeting.pk,
        actor=scene.chair.user,
        member_id=member.pk,
        status="absent_with_reason",
        reason=reason,
    )


@pytest.fixture
def six(scene):
    """The room's scene with a fourth official member: six official members, all joining."""
    scene.officials.append(MemberFactory(home_cell=scene.cell, full_name="Đảng viên 4"))
    room.start_meeting(meeting_id=scene.meeting.pk, actor=scene.chair.user)
    for member in [scene.chair, scene.recorder, *scene.officials, scene.probationary]:
        attendance.join(meeting_id=scene.meeting.pk, actor=member.user, connection=f"c{member.pk}")
    return scene


def test_a_member_who_left_early_stays_in_n_and_a_bare_majority_of_the_rest_fails(six):
    scene = six
    leaver = scene.officials[3]
    leaves_early(scene, leaver)
    room.open_item(meeting_id=scene.meeting.pk, actor=scene.chair.user, item_id=scene.items[2].pk)

    vote = opening.open_vote(
        meeting_id=scene.meeting.pk,
        actor=scene.chair.user,
        kind="resolution",
        question="Thông qua nghị quyết tháng",
    )
    voters = [scene.chair, scene.recorder, *scene.officials[:3]]
    for member, choice in zip(voters, ["yes", "yes", "yes", "no", "no"], strict=True):
        ballots.cast(scene.meeting.pk, member, vote["vote"], choice)
    result = ballots.close(scene.meeting.pk, scene.chair, vote["vote"])["result"]

    # N = 6 (the leaver counts), so more than half is 4; with the leaver left out (N = 5) three
    # yes votes would have carried the resolution.
    assert vote["vote_base"] == result["base"] == 6
    assert leaver.pk not in vote["eligible"]  # gone: no ballot, not among the voters present
    decision = result["decision"]
    assert (decision["status"], decision["yes"], decision["required"]) == ("failed", 3, 4)


def test_the_room_counts_the_leaver_in_n_but_not_among_the_voters_present(six):
    scene = six
    leaver = scene.officials[3]

    leaves_early(scene, leaver)

    state = room_state(scene.meeting, None)
    assert (state["assessment"]["vote_base"], state["assessment"]["voters_present"]) == (6, 5)
    line = next(r for r in state["roll"] if r["member"] == leaver.pk)
    assert (line["status"], line["reason"], line["left_early"]) == (
        "absent_with_reason",
        "Xin về sớm đón con ốm",
        True,
    )
    assert "xin về sớm" in state["assessment"]["explanation"]


def test_an_approved_absentee_who_never_came_is_still_left_out_of_n(six):
    scene = six
    never_came = MemberFactory(home_cell=scene.cell, full_name="Đảng viên 5")
    # The roll was written when the meeting started; a member added since is not on it.
    scene.meeting.roll.create(member=never_came)

    leaves_early(scene, never_came, reason="Đi công tác")

    state = room_state(scene.meeting, None)
    assert state["assessment"]["vote_base"] == 6  # seven official members, less the absentee
    line = next(r for r in state["roll"] if r["member"] == never_came.pk)
    assert line["left_early"] is False
