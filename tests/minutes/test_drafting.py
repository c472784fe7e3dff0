"""Minutes drafted from a meeting run through the real services, rendered, read back as text."""

import datetime
import uuid

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from meetings import events
from meetings.models import Vote
from meetings.services import attendance, documents, room
from meetings.services.voting import opening
from minutes import document as doc
from minutes import rendering
from minutes.drafting import Edits, draft_minutes
from tests.meetings import ballots
from tests.meetings.helpers import EARLY_END, MINIMAL_PDF
from tests.meetings.room.conftest import build_scene
from tests.minutes.conftest import poppler
from tests.minutes.flow import run_meeting

pytestmark = pytest.mark.integration


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
    assert [(s.speaker, s.opinion) for s in news.speeches] == [
        ("Đảng viên 1", "Đề nghị tăng cường sinh hoạt chuyên đề.")
    ]
    assert [(v.question, v.yes, v.required, v.outcome) for v in admission.votes] == [
        ("Kết nạp quần chúng Phạm Văn A", 2, 3, "KHÔNG ĐẠT")
    ]
    # The conclusion vote stays under the item it was held on (issue 13).
    assert resolution.votes == (minutes.conclusion.vote,)
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


def test_guests_who_said_they_would_attend_are_listed_with_their_seat(db):
    from meetings.models import Invitation
    from tests.factories import CommitteeSeatFactory

    scene = build_scene()
    seat = CommitteeSeatFactory(
        organization=scene.cell.parent, title="Đảng ủy viên", follows_cell=scene.cell
    )
    Invitation.objects.create(
        meeting=scene.meeting, member=seat.member, is_guest=True, reply="attend"
    )
    declined = CommitteeSeatFactory(organization=scene.cell.parent, follows_cell=scene.cell)
    Invitation.objects.create(
        meeting=scene.meeting, member=declined.member, is_guest=True, reply="absent"
    )
    meeting = run_meeting(scene)
    integrity = doc.Integrity(str(uuid.uuid4()), events.verify_chain(meeting), "http://x/y")

    minutes = draft_minutes(meeting, Edits(), integrity)

    assert minutes.attendance.guests == (
        doc.Guest(seat.member.full_name, "Đảng ủy viên", scene.cell.parent.name),
    )


def test_a_member_who_left_early_is_present_named_apart_and_in_n(db):
    """A member who joined and left with the chair's approval ("xin về sớm") attended: counted
    in "Có mặt" and in N (R-V1 leaves out only members absent for the whole meeting), named on a
    line of their own, not among the absentees."""
    scene = build_scene()
    meeting, chair = scene.meeting, scene.chair.user
    room.start_meeting(meeting_id=meeting.pk, actor=chair)
    for member in [scene.chair, scene.recorder, *scene.officials, scene.probationary]:
        attendance.join(meeting_id=meeting.pk, actor=member.user, connection=f"c{member.pk}")
    attendance.mark(
        meeting_id=meeting.pk,
        actor=chair,
        member_id=scene.officials[1].pk,
        status="absent_with_reason",
        reason="Đón con ốm",
    )
    room.open_item(meeting_id=meeting.pk, actor=chair, item_id=scene.items[2].pk)
    vote = opening.open_vote(meeting_id=meeting.pk, actor=chair, kind="resolution", question="Q")
    for member in [scene.chair, scene.recorder, scene.officials[0]]:
        ballots.cast(meeting.pk, member, vote["vote"], "yes")
    ballots.close(meeting.pk, scene.chair, vote["vote"])
    room.end_meeting(meeting_id=meeting.pk, actor=chair, reason=EARLY_END)
    integrity = doc.Integrity(str(uuid.uuid4()), "0" * 64, "http://127.0.0.1:8000/x/abc")

    minutes = draft_minutes(meeting, Edits(), integrity)

    a = minutes.attendance
    assert (a.present, a.present_official, a.present_probationary) == (6, 5, 1)
    assert a.vote_base == 5
    assert (a.rate_present, a.rate_base) == (6, 6)
    assert (a.absent_with_reason, a.absent) == ((), 0)
    assert a.left_early == (doc.Absence("Đảng viên 2", "Đón con ốm"),)
    # The vote after the member left: N = 5 as in section II, three yes of five needed.
    assert Vote.objects.get().roll[str(scene.officials[1].pk)] == "left_with_reason"
    (record,) = minutes.items[2].votes
    assert (record.vote_base, record.yes, record.required, record.passed) == (5, 3, 3, True)
    text = rendering.document_text(minutes)
    assert "Có mặt: 6 đồng chí" in text
    assert "Xin về sớm: Đảng viên 2 – Đón con ốm." in text
    assert "Vắng mặt: 0 đồng chí." in text
    assert text.index("Có mặt: 6 đồng chí") < text.index("Xin về sớm") < text.index("Vắng mặt")


def test_documents_used_say_when_members_could_read_them(db, settings, tmp_path):
    # Template II: "Tài liệu sử dụng: <danh sách; nơi đăng tải …, ngày>" (R-P1); only the
    # titles were printed.
    settings.MEDIA_ROOT = tmp_path / "media"
    scene = build_scene()
    with time_machine.travel(datetime.datetime(2026, 12, 4, 3, 0, tzinfo=datetime.UTC)):
        documents.add_document(
            actor=scene.chair.user,
            meeting=scene.meeting,
            upload=SimpleUploadedFile("bao-cao.pdf", MINIMAL_PDF),
            title="Báo cáo kết quả tháng 11",
            classification="unclassified",
        )
    meeting = run_meeting(scene)
    integrity = doc.Integrity(str(uuid.uuid4()), events.verify_chain(meeting), "http://x/abc")

    minutes = draft_minutes(meeting, Edits(), integrity)

    assert minutes.attendance.documents == (
        "Báo cáo kết quả tháng 11 (đăng tải trên hệ thống cho đảng viên ngày 04/12/2026)",
    )
