"""Minutes drafted from a meeting run through the real services, rendered, read back as text."""

import datetime
import uuid

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from meetings import events
from meetings.services import documents
from minutes import document as doc
from minutes import rendering
from minutes.drafting import Edits, draft_minutes
from tests.meetings.helpers import MINIMAL_PDF
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
