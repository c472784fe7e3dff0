"""Issue 13: the minutes of one meeting, run through the real services, say what happened, in the
right places. The PDF's text (pdftotext) is read section by section: each fact names the section
it belongs in and the words a member would look for there. Add a fact to FACTS to check one more.
"""

from __future__ import annotations

import datetime
import re
import uuid
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from meetings import events
from meetings.agenda_templates import REGULAR
from meetings.services import agenda, attendance, room, speaking
from meetings.services.voting import opening
from minutes import document as doc
from minutes import rendering
from minutes.drafting import Edits, draft_minutes
from tests.factories import MemberFactory
from tests.meetings import ballots
from tests.meetings.helpers import EARLY_END
from tests.meetings.room.conftest import build_scene
from tests.minutes.conftest import poppler

pytestmark = pytest.mark.integration

# The regular agenda's items by position (meetings.agenda_templates.REGULAR).
OPENING, NEWS, REVIEW, PLAN, DISCUSSION, OTHER, CONCLUSION, RESOLUTION, QUALITY, CLOSING = range(
    1, len(REGULAR) + 1
)


def _ballots(scene, meeting, vote, choices) -> None:
    for member, choice in zip(scene.voters, choices, strict=True):
        ballots.cast(meeting.pk, member, vote["vote"], choice)
    ballots.close(meeting.pk, scene.chair, vote["vote"])


def _turn(scene, meeting, member, *, kind="regular", note=""):
    request = speaking.request_floor(meeting_id=meeting.pk, actor=member.user, kind=kind)
    turn = speaking.grant_floor(
        meeting_id=meeting.pk, actor=scene.chair.user, request_id=request["request"]
    )
    if note:
        speaking.note_turn(
            meeting_id=meeting.pk, actor=scene.recorder.user, turn_id=turn["turn"], text=note
        )
    speaking.end_turn(meeting_id=meeting.pk, actor=scene.chair.user)


def held_meeting(scene):
    """A regular meeting on the standard agenda: an exempt member stays away; on the plan two
    members speak and only the first is noted, a point of order is raised; the plan is put to a
    secret ballot that fails, then (same item) a show of hands on the chair's conclusion passes; the
    chair ends it before the charter's minimum, with a reason."""
    meeting, chair = scene.meeting, scene.chair.user
    meeting.agenda_items.all().delete()
    agenda.apply_agenda_template(actor=chair, meeting=meeting, template="regular")
    items = list(meeting.agenda_items.order_by("position"))
    room.start_meeting(meeting_id=meeting.pk, actor=chair)
    for member in [*scene.voters, scene.probationary]:
        attendance.join(meeting_id=meeting.pk, actor=member.user, connection=f"c{member.pk}")
    attendance.mark(
        meeting_id=meeting.pk,
        actor=chair,
        member_id=scene.officials[2].pk,
        status="absent_with_reason",
        reason="Đi công tác",
    )
    room.open_item(meeting_id=meeting.pk, actor=chair, item_id=items[PLAN - 1].pk)
    _turn(scene, meeting, scene.officials[0], note="Đề nghị giao chỉ tiêu cụ thể cho từng tổ.")
    _turn(scene, meeting, scene.officials[1])
    _turn(scene, meeting, scene.officials[0], kind="point_of_order", note="Đề nghị giữ thời gian.")
    # An election with a probationary candidate: blocked, but it states what it would need.
    room.open_item(meeting_id=meeting.pk, actor=chair, item_id=items[OTHER - 1].pk)
    opening.open_vote(
        meeting_id=meeting.pk,
        actor=chair,
        kind="election",
        question="Bầu phó bí thư chi bộ",
        options={"candidates": [scene.probationary.pk], "seats": 1, "post": "deputy_secretary"},
    )
    room.open_item(meeting_id=meeting.pk, actor=chair, item_id=items[RESOLUTION - 1].pk)
    plan = opening.open_vote(
        meeting_id=meeting.pk,
        actor=chair,
        kind="resolution",
        method="secret_ballot",
        question="Thông qua kế hoạch làm đường giao thông nông thôn",
    )
    _ballots(scene, meeting, plan, ["yes", "no", "no", "abstain"])
    conclusion = opening.open_vote(
        meeting_id=meeting.pk,
        actor=chair,
        kind="resolution",
        question="Thông qua kết luận của đồng chí chủ trì",
        options={"conclusion": True},
    )
    _ballots(scene, meeting, conclusion, ["yes", "yes", "yes", "no"])
    room.end_meeting(meeting_id=meeting.pk, actor=chair, reason=EARLY_END)
    meeting.refresh_from_db()
    return meeting


@pytest.fixture
def minutes(db):
    scene = build_scene(mode="in_person")
    scene.exempt = MemberFactory(
        home_cell=scene.cell,
        full_name="Cao Văn Thọ",
        exempt_from=datetime.date(2020, 1, 1),
        exempt_reason="Tuổi cao, sức yếu",
    )
    scene.voters = [scene.chair, scene.recorder, scene.officials[0], scene.officials[1]]
    meeting = held_meeting(scene)
    integrity = doc.Integrity(str(uuid.uuid4()), events.verify_chain(meeting), "http://x/y")
    edits = Edits(conclusion="Chi bộ thống nhất giao chỉ tiêu cho từng tổ.", quality_grade="Khá")
    return scene, draft_minutes(meeting, edits, integrity)


def pdf_text(minutes: doc.MinutesDocument) -> str:
    text = poppler(
        "pdftotext", "-enc", "UTF-8", "-", "-", stdin=rendering.render_minutes(minutes).pdf
    )
    return " ".join(text.split())


def section(text: str, start: str, end: str) -> str:
    """The text from the first `start` (a regular expression) up to the next `end` after it."""
    found = re.search(start, text)
    assert found, f"no {start!r} in the minutes"
    rest = text[found.start() :]
    stop = re.search(end, rest[1:])
    return rest[: stop.start() + 1] if stop else rest


@dataclass(frozen=True)
class Fact:
    """What a member expects to read (`words`, in order) between two headings of the PDF."""

    name: str
    start: str
    end: str
    words: tuple[str, ...]


ITEM = r" \d+\. [A-ZĐ]|IV\. KẾT THÚC"  # the next heading of section III, or section IV
FACTS = [
    Fact(
        "an in-person meeting with no place says so, not an online room",
        r"I\. THỜI GIAN",
        r"II\. THÀNH PHẦN",
        ("Địa điểm: không ghi nhận.",),
    ),
    Fact(
        "how N is counted reads as a sentence: the policy's label in lower case",
        r"II\. THÀNH PHẦN",
        r"III\. NỘI DUNG",
        ("(cách tính: trừ đảng viên vắng mặt có lý do được chấp thuận",),
    ),
    Fact(
        "an exempt member who stayed away is shown apart, not as absent without reason",
        r"II\. THÀNH PHẦN",
        r"III\. NỘI DUNG",
        (
            "Vắng mặt: 1 đồng chí",
            "Có lý do: Đảng viên 3 – Đi công tác.",
            "Không có lý do: không.",
            "Miễn sinh hoạt, không dự: Cao Văn Thọ",
        ),
    ),
    Fact(
        "every speaking turn on the plan, in order, with its time; the note where there is one",
        r"4\. Phương hướng, nhiệm vụ tháng tới",
        ITEM,
        (
            "Đồng chí Đảng viên 1 (",
            "): Đề nghị giao chỉ tiêu cụ thể cho từng tổ.",
            "Đồng chí Đảng viên 2 (",
            ") phát biểu.",
            "Đồng chí Đảng viên 1 (",
            ") nêu kiến nghị về thủ tục: Đề nghị giữ thời gian.",
        ),
    ),
    Fact(
        "a blocked election names the ineligible candidate and states the threshold it needed",
        r"6\. Các nội dung khác",
        ITEM,
        (
            "Biểu quyết: Bầu phó bí thư chi bộ",
            "Số thành viên căn cứ (N): 4; không tiến hành biểu quyết.",
            "Ngưỡng áp dụng: nếu được biểu quyết, cần ít nhất 3/4 tán thành (quá nửa N; căn cứ"
            " Quy chế bầu cử trong Đảng, Điều 32 khoản 2",
            "KHÔNG ĐƯỢC BIỂU QUYẾT",
            "không đủ điều kiện: Lý Thị Ánh.",
        ),
    ),
    Fact(
        "the chair's conclusion under the agenda's conclusion item",
        r"7\. Đồng chí chủ trì kết luận",
        ITEM,
        ("Chi bộ thống nhất giao chỉ tiêu cho từng tổ.",),
    ),
    Fact(
        "two votes in the item where they were held: the failed secret ballot, then the conclusion",
        r"8\. Biểu quyết thông qua kết luận, nghị quyết",
        ITEM,
        (
            "Biểu quyết: Thông qua kế hoạch làm đường giao thông nông thôn",
            "Hình thức biểu quyết: bỏ phiếu kín.",
            "; tán thành: 1 phiếu; không tán thành: 2 phiếu; không biểu quyết: 1 phiếu",
            "tán thành 1/4",
            "Ngưỡng áp dụng: cần ít nhất 3/4 tán thành (quá nửa N; căn cứ Điều lệ Đảng, Điều 9"
            " khoản 5) → KHÔNG THÔNG QUA.",
            "Biểu quyết: Thông qua kết luận của đồng chí chủ trì - Loại biểu quyết",
            "Hình thức biểu quyết: giơ tay.",
            "tán thành 3/4",
            "→ THÔNG QUA.",
        ),
    ),
    Fact(
        "the quality assessment under the agenda's assessment item",
        r"9\. Tự đánh giá chất lượng buổi sinh hoạt",
        ITEM,
        ("Xếp loại: Khá.",),
    ),
    Fact(
        "the closing item is not printed empty: the approval and the end are section IV's",
        r"10\. Thông qua biên bản, bế mạc",
        r"IV\. KẾT THÚC",
        ("Thông qua biên bản và bế mạc: xem phần IV. Kết thúc.",),
    ),
    Fact(
        "an early end with its reason",
        r"IV\. KẾT THÚC",
        r"$",
        (f"Lý do kết thúc trước thời lượng tối thiểu: {EARLY_END}.",),
    ),
]


@pytest.mark.parametrize("fact", FACTS, ids=[fact.name for fact in FACTS])
def test_the_minutes_say_it_in_the_right_place(minutes, fact):
    _, drafted = minutes
    text = section(pdf_text(drafted), fact.start, fact.end)

    position = 0
    for words in fact.words:
        found = text.find(words, position)
        assert found >= 0, f"{words!r} not found (in order) in: {text}"
        position = found + len(words)


def test_no_section_is_printed_twice_and_no_fixed_vote_section(minutes):
    _, drafted = minutes

    text = section(pdf_text(drafted), r"III\. NỘI DUNG", r"IV\. KẾT THÚC")

    assert "Biểu quyết thông qua kết luận, nghị quyết" in text
    assert text.count("Đồng chí chủ trì kết luận") == 1
    assert text.count("Tự đánh giá chất lượng buổi sinh hoạt") == 1
    assert "Kết luận của đồng chí chủ trì" not in text
    assert "Đánh giá chất lượng buổi sinh hoạt" not in text.replace(
        "Tự đánh giá chất lượng buổi sinh hoạt", ""
    )
    assert [n for n in range(1, 14) if re.search(rf" {n}\. [A-ZĐ]", text)] == list(
        range(1, len(REGULAR) + 1)
    )


def test_each_vote_states_its_threshold_once_and_its_heading_says_nothing_twice(minutes):
    _, drafted = minutes
    text = pdf_text(drafted)

    other = section(text, r"6\. Các nội dung khác", ITEM)
    votes = section(text, r"8\. Biểu quyết thông qua kết luận, nghị quyết", ITEM)

    assert other.count("cần ít nhất 3/4") == 1
    assert votes.count("cần ít nhất 3/4") == 2  # two votes, one statement each
    assert votes.count("kết luận của đồng chí chủ trì") == 1


def test_an_online_room_is_not_printed_as_an_in_person_meeting_s_place(minutes):
    _, drafted = minutes

    assert drafted.setting.place == ""
    assert "trực tuyến" not in section(pdf_text(drafted), r"I\. THỜI GIAN", r"II\. THÀNH PHẦN")


def test_the_conclusion_vote_is_the_one_the_chair_opened_as_such(minutes):
    _, drafted = minutes

    assert drafted.conclusion.vote.question == "Thông qua kết luận của đồng chí chủ trì"
    assert drafted.conclusion.vote.passed
    plan_votes = [v.question for v in drafted.items[RESOLUTION - 1].votes]
    assert plan_votes == [
        "Thông qua kế hoạch làm đường giao thông nông thôn",
        "Thông qua kết luận của đồng chí chủ trì",
    ]


def test_every_turn_is_drafted_in_order_with_its_time(minutes):
    _, drafted = minutes

    speeches = drafted.items[PLAN - 1].speeches

    assert [(s.speaker, s.opinion, s.point_of_order) for s in speeches] == [
        ("Đảng viên 1", "Đề nghị giao chỉ tiêu cụ thể cho từng tổ.", False),
        ("Đảng viên 2", "", False),
        ("Đảng viên 1", "Đề nghị giữ thời gian.", True),
    ]
    today = timezone.localtime().replace(tzinfo=None)
    assert all(abs(s.started_at - today) < datetime.timedelta(hours=1) for s in speeches)


def test_an_exempt_absentee_is_neither_absent_nor_counted(minutes):
    _, drafted = minutes

    a = drafted.attendance

    assert a.exempt_absent == ("Cao Văn Thọ",)
    assert a.absent_without_reason == ()
    assert a.absent_with_reason == (doc.Absence("Đảng viên 3", "Đi công tác"),)
    assert a.absent == 1  # Đảng viên 3 is the only one away with no exemption
    assert (a.rate_present, a.rate_base) == (5, 6)  # the exempt member is not in the rate


@pytest.fixture
def minutes_with_a_suspended_member(db):
    scene = build_scene(mode="in_person")
    scene.exempt = MemberFactory(
        home_cell=scene.cell,
        full_name="Cao Văn Thọ",
        exempt_from=datetime.date(2020, 1, 1),
        exempt_reason="Tuổi cao, sức yếu",
    )
    MemberFactory(
        home_cell=scene.cell,
        full_name="Phan Văn Đình",
        suspended_from=datetime.date(2020, 1, 1),
    )
    scene.voters = [scene.chair, scene.recorder, scene.officials[0], scene.officials[1]]
    meeting = held_meeting(scene)
    integrity = doc.Integrity(str(uuid.uuid4()), events.verify_chain(meeting), "http://x/y")
    return scene, draft_minutes(meeting, Edits(quality_grade="Khá"), integrity)


def test_a_suspended_member_is_not_written_absent_without_reason(minutes_with_a_suspended_member):
    """A member suspended from party activities (đình chỉ sinh hoạt) may not attend: the signed
    minutes listed him under "Vắng mặt … Không có lý do", a fault he did not commit, while the
    rate beside it (rightly) left him out."""
    _, drafted = minutes_with_a_suspended_member

    a = drafted.attendance

    assert a.absent_without_reason == ()
    assert a.suspended == ("Phan Văn Đình",)
    assert a.absent == 1  # Đảng viên 3, away with a reason
    assert (a.rate_present, a.rate_base) == (5, 6)
    composition = section(pdf_text(drafted), r"II\. THÀNH PHẦN", r"III\. NỘI DUNG")
    assert "Vắng mặt: 1 đồng chí" in composition
    assert "Không có lý do: không." in composition
    assert "Đình chỉ sinh hoạt, không dự: Phan Văn Đình" in composition


# --- Plain words: no internal names in what members read (issue 13, defect 2) ----------------

INTERNAL_NAME = re.compile(r"\b[A-Za-z]+_[A-Za-z_]+\b")
ENGLISH_CHOICE = re.compile(r"\b(?:yes|no|abstain)\b")
RULE_ID = re.compile(r"\bR-[A-Z]\d+\b")


class _VisibleText(HTMLParser):
    """The text a reader sees: no tags, attributes, scripts or styles."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs) -> None:
        self.hidden += tag in ("script", "style")

    def handle_endtag(self, tag) -> None:
        self.hidden -= tag in ("script", "style")

    def handle_data(self, data) -> None:
        if not self.hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def internal_names(text: str) -> list[str]:
    return INTERNAL_NAME.findall(text) + ENGLISH_CHOICE.findall(text) + RULE_ID.findall(text)


def test_pages_and_the_minutes_name_nothing_internal(
    minutes, client, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    from meetings.room import room_state
    from minutes.models import DocumentKind, SignedDocument
    from minutes.services import approval, drafting
    from tests.conftest import sign_in_verified

    scene, drafted = minutes
    meeting = scene.meeting
    drafting.save_edits(
        actor=scene.recorder.user, meeting=meeting, edits=Edits(conclusion="Nhất trí.")
    )
    sign_in_verified(client, scene.chair.user)
    responses = {
        name: client.get(reverse(name, args=[meeting.pk]))
        for name in [
            "meetings:detail",
            "meetings:room",
            "minutes:detail",
            "minutes:edit",
            "minutes:preview",
        ]
    }
    assert {name: r.status_code for name, r in responses.items()} == dict.fromkeys(responses, 200)
    # Approved by chair and recorder (no read-back vote), the minutes are rendered: their page.
    with django_capture_on_commit_callbacks(execute=True):
        approval.approve(actor=scene.recorder.user, meeting=meeting)
        approval.approve(actor=scene.chair.user, meeting=meeting)
    document = SignedDocument.objects.get(minutes__meeting=meeting, kind=DocumentKind.MINUTES)
    responses["minutes:document"] = client.get(reverse("minutes:document", args=[document.pk]))
    assert responses["minutes:document"].status_code == 200
    assert document.content_text
    pages = {name: visible_text(r.content.decode()) for name, r in responses.items()}
    pages["stored text of the rendered minutes"] = document.content_text
    state = room_state(meeting, scene.chair)
    # What the room's script shows: the charter's explanations of the roll and of each vote.
    pages["room explanations"] = " ".join(
        [state["assessment"]["explanation"]]
        + [v["result"]["decision"]["explanation"] for v in state["votes"] if v["result"]]
    )
    pages["minutes PDF"] = pdf_text(drafted)

    found = {name: internal_names(text) for name, text in pages.items()}

    assert found == {name: [] for name in pages}
    assert "Miễn sinh hoạt, không dự" in pages["minutes:preview"]
