import datetime

import pytest

from minutes.document import DocumentHeader, MinutesKind, ReadBack, minutes_title
from minutes.document_votes import OutcomeWording
from tests.minutes.samples import sample_extract, sample_minutes, sample_resolution

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("place", "expected"),
    [
        ("Hà Nội", "Hà Nội, ngày 05 tháng 03 năm 2026"),
        ("", "Ngày 05 tháng 03 năm 2026"),  # no place set anywhere up the tree: no lone comma
        ("  ", "Ngày 05 tháng 03 năm 2026"),
    ],
)
def test_the_place_and_date_line(place, expected):
    header = DocumentHeader(
        "ĐẢNG BỘ PHƯỜNG 1", "CHI BỘ KHU PHỐ 3", place, datetime.date(2026, 3, 5)
    )

    assert header.place_and_date == expected


@pytest.mark.parametrize(
    ("kind", "subject", "expected"),
    [
        (MinutesKind.REGULAR, "", "SINH HOẠT CHI BỘ THƯỜNG KỲ THÁNG 11 NĂM 2026"),
        (
            MinutesKind.THEMATIC,
            "Học tập và làm theo tư tưởng Hồ Chí Minh",
            "SINH HOẠT CHI BỘ CHUYÊN ĐỀ HỌC TẬP VÀ LÀM THEO TƯ TƯỞNG HỒ CHÍ MINH",
        ),
        (MinutesKind.COMMITTEE, "", "HỌP CHI ỦY THÁNG 11 NĂM 2026"),
        (MinutesKind.EXTRAORDINARY, "", "SINH HOẠT CHI BỘ BẤT THƯỜNG"),
        (MinutesKind.CONGRESS, "nhiệm kỳ 2025 – 2027", "ĐẠI HỘI CHI BỘ NHIỆM KỲ 2025 – 2027"),
    ],
    ids=["regular", "thematic", "committee", "extraordinary", "congress"],
)
def test_minutes_title_per_kind(kind, subject, expected):
    assert minutes_title(kind, datetime.date(2026, 11, 5), subject) == expected


@pytest.mark.parametrize(
    ("kind", "subject", "expected"),
    [
        (
            MinutesKind.THEMATIC,
            "Chuyên đề: Đảng viên gương mẫu xây dựng nếp sống văn minh đô thị",
            "SINH HOẠT CHI BỘ CHUYÊN ĐỀ ĐẢNG VIÊN GƯƠNG MẪU XÂY DỰNG NẾP SỐNG VĂN MINH ĐÔ THỊ",
        ),
        (
            MinutesKind.THEMATIC,
            "Sinh hoạt chi bộ chuyên đề - Nâng cao chất lượng sinh hoạt chi bộ",
            "SINH HOẠT CHI BỘ CHUYÊN ĐỀ NÂNG CAO CHẤT LƯỢNG SINH HOẠT CHI BỘ",
        ),
        (MinutesKind.THEMATIC, "Chuyên đề", "SINH HOẠT CHI BỘ CHUYÊN ĐỀ"),
        (
            MinutesKind.EXTRAORDINARY,
            "Sinh hoạt bất thường: cho ý kiến về kế hoạch ra quân vệ sinh môi trường",
            "SINH HOẠT CHI BỘ BẤT THƯỜNG CHO Ý KIẾN VỀ KẾ HOẠCH RA QUÂN VỆ SINH MÔI TRƯỜNG",
        ),
        (
            MinutesKind.CONGRESS,
            "Đại hội chi bộ nhiệm kỳ 2025 – 2027",
            "ĐẠI HỘI CHI BỘ NHIỆM KỲ 2025 – 2027",
        ),
        # Only the kind's own words at the start: a theme that merely contains them is kept.
        (
            MinutesKind.THEMATIC,
            "Học tập chuyên đề năm 2026",
            "SINH HOẠT CHI BỘ CHUYÊN ĐỀ HỌC TẬP CHUYÊN ĐỀ NĂM 2026",
        ),
    ],
    ids=[
        "thematic-colon",
        "thematic-full-dash",
        "thematic-only",
        "extraordinary",
        "congress",
        "thematic-word-inside",
    ],
)
def test_minutes_title_does_not_repeat_the_kind_the_meetings_title_starts_with(
    kind, subject, expected
):
    """A thematic meeting titled "Chuyên đề: …" (as the cell calendar shows it) printed
    "SINH HOẠT CHI BỘ CHUYÊN ĐỀ CHUYÊN ĐỀ: …" under "BIÊN BẢN" in the signed minutes."""
    assert minutes_title(kind, datetime.date(2026, 11, 5), subject) == expected


def test_sample_is_a_two_hour_meeting_with_30_speeches_and_5_votes():
    document = sample_minutes()

    assert (document.speech_count, len(document.votes)) == (30, 5)
    assert (document.duration_minutes, document.duration_label) == (125, "2 giờ 05 phút")
    assert document.meets_minimum_duration is True


def test_sample_attendance_adds_up():
    attendance = sample_minutes().attendance

    assert attendance.total == attendance.official + attendance.probationary
    assert (attendance.present, attendance.absent) == (14, 2)
    assert attendance.attendance_rate == "86,67%"


def test_sample_votes_carry_the_engine_outcome_in_the_right_wording():
    outcomes = [(vote.outcome, vote.percentage) for vote in sample_minutes().votes]

    assert outcomes == [
        ("THÔNG QUA", "91,67%"),
        ("ĐẠT", "83,33%"),
        ("ĐẠT", "91,67%"),
        ("KHÔNG THÔNG QUA", "41,67%"),
        ("THÔNG QUA", "91,67%"),
    ]


def test_only_the_secret_ballot_carries_a_counting_board_record():
    votes = sample_minutes().votes

    assert [vote.ballot_count is not None for vote in votes] == [False, True, False, False, False]
    assert votes[1].wording == OutcomeWording.THRESHOLD


def test_read_back_without_counts_means_chair_and_recorder_approved():
    assert ReadBack().approved_by_vote is False
    assert ReadBack(yes=11, of=11).approved_by_vote is True


def test_extract_and_resolution_titles():
    assert sample_extract().title == (
        "Sinh hoạt chi bộ ngày 05/11/2026 (về việc đề nghị kết nạp quần chúng Lê Thị Mai vào Đảng)"
    )
    assert sample_resolution().header.number == "11-NQ/CB"


@pytest.mark.parametrize(
    ("question", "heading"),
    [
        ("Thông qua kết luận của đồng chí chủ trì", "Thông qua kết luận của đồng chí chủ trì"),
        (
            "Thông qua nghị quyết tháng 11",
            "Thông qua nghị quyết tháng 11 (biểu quyết thông qua kết luận của đồng chí chủ trì)",
        ),
    ],
    ids=["question-says-it", "question-does-not"],
)
def test_a_conclusion_vote_s_heading_names_the_conclusion_once(question, heading):
    from dataclasses import replace

    vote = replace(sample_minutes().conclusion.vote, question=question, is_conclusion=True)

    assert vote.heading == heading
    assert replace(vote, is_conclusion=False).heading == question


def test_a_place_not_recorded_is_said_so():
    from dataclasses import replace

    setting = sample_minutes().setting

    assert replace(setting, place=" ").place_label == "không ghi nhận"
    assert replace(setting, place="Nhà văn hóa").place_label == "Nhà văn hóa"


def test_the_closing_item_refers_to_section_iv_and_no_other_does():
    from dataclasses import replace

    document = sample_minutes()
    last = len(document.items) - 1

    sections = replace(document, closing_at=last).sections

    assert [s.number for s in sections if s.closing] == [last + 1]
    assert not any(s.closing for s in document.sections)
