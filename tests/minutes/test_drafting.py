"""Minutes drafted from a meeting run through the real services, rendered, read back as text."""

import uuid

import pytest

from meetings import events
from meetings.services import attendance, room, speaking, voting
from minutes import document as doc
from minutes import rendering
from minutes.drafting import Edits, draft_minutes
from tests.meetings.room.conftest import build_scene
from tests.minutes.conftest import poppler

pytestmark = pytest.mark.integration


def run_meeting(scene):
    """Start; everyone but one official joins; one is marked absent with a reason; a speech, a
    passing resolution, a failing admission, a read-back approval; end."""
    meeting, chair = scene.meeting, scene.chair.user
    room.start_meeting(meeting_id=meeting.pk, actor=chair)
    for member in [
        scene.chair,
        scene.recorder,
        scene.officials[0],
        scene.officials[1],
        scene.probationary,
    ]:
        attendance.join(meeting_id=meeting.pk, actor=member.user, connection=f"c{member.pk}")
    attendance.mark(
        meeting_id=meeting.pk,
        actor=chair,
        member_id=scene.officials[2].pk,
        status="absent_with_reason",
        reason="Đi công tác",
    )
    room.open_item(meeting_id=meeting.pk, actor=chair, item_id=scene.items[0].pk)
    request = speaking.request_floor(
        meeting_id=meeting.pk, actor=scene.officials[0].user, kind="regular"
    )
    turn = speaking.grant_floor(meeting_id=meeting.pk, actor=chair, request_id=request["request"])
    speaking.note_turn(
        meeting_id=meeting.pk,
        actor=scene.recorder.user,
        turn_id=turn["turn"],
        text="Đề nghị tăng cường sinh hoạt chuyên đề.",
    )
    voters = [scene.chair, scene.recorder, scene.officials[0], scene.officials[1]]
    for index, kind, question, choices in [
        (1, "admission", "Kết nạp quần chúng Phạm Văn A", ["yes", "yes", "no", "no"]),
        (2, "resolution", "Thông qua nghị quyết tháng", ["yes", "yes", "yes", "abstain"]),
        (2, "minutes_approval", "Thông qua biên bản", ["yes", "yes", "yes", "yes"]),
    ]:
        if index != 2 or kind == "resolution":
            room.open_item(meeting_id=meeting.pk, actor=chair, item_id=scene.items[index].pk)
        vote = voting.open_vote(meeting_id=meeting.pk, actor=chair, kind=kind, question=question)
        for member, choice in zip(voters, choices, strict=True):
            voting.cast_ballot(
                meeting_id=meeting.pk,
                actor=member.user,
                vote_id=vote["vote"],
                ballot_id=str(uuid.uuid4()),
                choice=choice,
            )
        voting.close_vote(meeting_id=meeting.pk, actor=chair, vote_id=vote["vote"])
    room.end_meeting(meeting_id=meeting.pk, actor=chair)
    meeting.refresh_from_db()
    return meeting


@pytest.fixture
def drafted(db):
    scene = build_scene()
    meeting = run_meeting(scene)
    integrity = doc.Integrity(
        str(uuid.uuid4()), events.verify_chain(meeting), "http://127.0.0.1:8000/x/abc"
    )
    edits = Edits(
        conclusion="Chi bộ thống nhất phương hướng tháng 12.", quality_grade="Tốt", quality_score=92
    )
    return scene, draft_minutes(meeting, edits, integrity)


def test_draft_counts_come_from_the_roll_and_the_charter(drafted):
    scene, minutes = drafted

    a = minutes.attendance
    assert (a.total, a.official, a.probationary, a.temporary_in) == (6, 5, 1, 1)
    assert (a.present_official, a.present_probationary, a.present_temporary) == (4, 1, 0)
    assert a.absent_with_reason == (doc.Absence(scene.officials[2].full_name, "Đi công tác"),)
    assert a.absent_without_reason == ()
    assert a.vote_base == 4  # 5 official less the approved absentee (R-V1 default policy)
    assert a.chair == doc.Person("Nguyễn Thị Hằng", "Bí thư chi bộ")


def test_draft_places_speeches_and_votes_under_their_items(drafted):
    _, minutes = drafted

    news, admission, resolution = minutes.items
    assert news.speeches == (doc.Speech("Đảng viên 1", "Đề nghị tăng cường sinh hoạt chuyên đề."),)
    assert [(v.question, v.yes, v.required, v.outcome) for v in admission.votes] == [
        ("Kết nạp quần chúng Phạm Văn A", 2, 3, "KHÔNG ĐẠT")
    ]
    assert resolution.votes == ()
    assert (minutes.conclusion.vote.yes, minutes.conclusion.vote.outcome) == (3, "THÔNG QUA")
    assert minutes.closing.read_back == doc.ReadBack(4, 4)


def test_drafted_minutes_render_with_every_figure(drafted):
    _, minutes = drafted

    text = " ".join(
        poppler(
            "pdftotext", "-enc", "UTF-8", "-", "-", stdin=rendering.render_minutes(minutes).pdf
        ).split()
    )

    for expected in [
        "BIÊN BẢN",
        "CHI BỘ KHU PHỐ 3",
        "Đề nghị tăng cường sinh hoạt chuyên đề.",
        "Đi công tác",
        "Kết nạp quần chúng Phạm Văn A",
        "KHÔNG ĐẠT",
        "Chi bộ thống nhất phương hướng tháng 12.",
    ]:
        assert expected in text
    # The 64-character chain head may wrap across lines.
    assert minutes.integrity.event_chain_head in text.replace(" ", "")
