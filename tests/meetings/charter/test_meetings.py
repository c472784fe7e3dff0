from __future__ import annotations

from datetime import date

import pytest

from meetings.charter import (
    AgendaItem,
    AgendaItemKind,
    Classification,
    DurationMinimums,
    MeetingFormat,
    MeetingKind,
    OnlinePolicy,
    check_duration,
    may_handle_online,
    may_hold_online,
    may_store,
    minimum_duration,
    yearly_compliance,
)

pytestmark = pytest.mark.unit

REGULAR = MeetingKind.REGULAR
THEMATIC = MeetingKind.THEMATIC
SMALL_CELL = DurationMinimums(regular=60, combined=90)

DURATION_CASES = [
    pytest.param(
        REGULAR, False, DurationMinimums(), 90, 90, id="R-P4 regular meeting: 90 minutes is enough"
    ),
    pytest.param(
        REGULAR,
        True,
        DurationMinimums(),
        120,
        119,
        id="R-P4 regular and thematic in one session: 119 minutes is short",
    ),
    pytest.param(
        THEMATIC,
        True,
        DurationMinimums(),
        120,
        120,
        id="R-P4 thematic combined with regular: 120 minutes",
    ),
    pytest.param(
        THEMATIC,
        False,
        DurationMinimums(),
        90,
        89,
        id="R-P4 thematic meeting on its own: 89 minutes is short",
    ),
    pytest.param(
        REGULAR, False, SMALL_CELL, 60, 60, id="R-P4 per-cell override for a small cell: regular"
    ),
    pytest.param(
        REGULAR, True, SMALL_CELL, 90, 95, id="R-P4 per-cell override for a small cell: combined"
    ),
    pytest.param(
        MeetingKind.EXTRAORDINARY,
        False,
        DurationMinimums(),
        None,
        20,
        id="R-P4 extraordinary meeting: no minimum",
    ),
    pytest.param(
        MeetingKind.COMMITTEE,
        False,
        DurationMinimums(),
        None,
        30,
        id="R-P4 committee meeting: no minimum",
    ),
    pytest.param(
        MeetingKind.CONGRESS, True, DurationMinimums(), None, 200, id="R-P4 congress: no minimum"
    ),
]


@pytest.mark.parametrize(("kind", "combined", "minimums", "minimum", "minutes"), DURATION_CASES)
def test_minimum_duration(
    kind: MeetingKind,
    combined: bool,
    minimums: DurationMinimums,
    minimum: int | None,
    minutes: int,
) -> None:
    check = check_duration(kind, minutes, combined_with_thematic=combined, minimums=minimums)

    assert minimum_duration(kind, combined_with_thematic=combined, minimums=minimums) == minimum
    assert check.minimum == minimum
    assert check.met is (minimum is None or minutes >= minimum)
    assert check.rules == ("R-P4",)


def test_duration_explanations() -> None:
    assert check_duration(REGULAR, 75).explanation == (
        "Thời lượng sinh hoạt (R-P4): tối thiểu 90 phút, thực tế 75 phút: không đạt."
    )
    assert check_duration(MeetingKind.COMMITTEE, 30).explanation == (
        "Thời lượng (R-P4): 30 phút; không quy định tối thiểu."
    )


def test_duration_rejects_negative_values() -> None:
    with pytest.raises(ValueError, match="negative"):
        check_duration(REGULAR, -1)
    with pytest.raises(ValueError, match="negative"):
        DurationMinimums(regular=-5)


def monthly(
    year: int, months: range, kind: MeetingKind = REGULAR
) -> list[tuple[date, MeetingKind]]:
    return [(date(year, month, 10), kind) for month in months]


QUARTERLY = [(date(2025, month, 10), THEMATIC) for month in (2, 5, 8, 11)]

COMPLIANCE_CASES = [
    pytest.param(
        monthly(2025, range(1, 13)) + QUARTERLY, None, (), (), id="R-M1 R-M3 a complete year"
    ),
    pytest.param(
        monthly(2025, range(1, 13)),
        None,
        (),
        (1, 2, 3, 4),
        id="R-M3 regular meetings alone leave every quarter without a thematic meeting",
    ),
    pytest.param([], None, tuple(range(1, 13)), (1, 2, 3, 4), id="R-M1 R-M3 nothing held"),
    pytest.param(
        [m for m in monthly(2025, range(1, 13)) if m[0].month not in (2, 7)] + QUARTERLY[:3],
        None,
        (2, 7),
        (4,),
        id="R-M1 missing months and R-M3 a missing quarter",
    ),
    pytest.param(
        monthly(2024, range(1, 13)) + monthly(2026, range(1, 13)),
        None,
        tuple(range(1, 13)),
        (1, 2, 3, 4),
        id="R-M1 meetings of other years do not count",
    ),
    pytest.param(
        [(date(2025, 3, 31), REGULAR), (date(2025, 3, 31), THEMATIC)],
        None,
        (1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12),
        (2, 3, 4),
        id="R-M3 regular and thematic combined in one session count for both",
    ),
    pytest.param(
        monthly(2025, range(1, 5)) + QUARTERLY[:1],
        date(2025, 5, 20),
        (),
        (),
        id="R-M1 as of mid-May: January to April complete, May not over yet",
    ),
    pytest.param(
        monthly(2025, range(1, 4)) + QUARTERLY[:1],
        date(2025, 5, 20),
        (4,),
        (),
        id="R-M1 as of mid-May: April missing",
    ),
    pytest.param(
        monthly(2025, range(1, 6)),
        date(2025, 7, 1),
        (6,),
        (1, 2),
        id="R-M3 as of July 1st: the first two quarters are over",
    ),
    pytest.param(
        [], date(2024, 12, 31), (), (), id="R-M1 as of a date before the year: nothing is due"
    ),
    pytest.param(
        [],
        date(2026, 1, 1),
        tuple(range(1, 13)),
        (1, 2, 3, 4),
        id="R-M1 as of a date after the year: the whole year is due",
    ),
    pytest.param(
        monthly(2025, range(1, 13), MeetingKind.EXTRAORDINARY),
        None,
        tuple(range(1, 13)),
        (1, 2, 3, 4),
        id="R-M1 extraordinary meetings do not replace regular ones",
    ),
]


@pytest.mark.parametrize(("held", "as_of", "months", "quarters"), COMPLIANCE_CASES)
def test_yearly_compliance(
    held: list[tuple[date, MeetingKind]],
    as_of: date | None,
    months: tuple[int, ...],
    quarters: tuple[int, ...],
) -> None:
    result = yearly_compliance(2025, held, as_of=as_of)

    assert (result.missing_months, result.missing_quarters) == (months, quarters)
    assert result.compliant is (not months and not quarters)
    assert result.rules == ("R-M1", "R-M3")


def test_yearly_compliance_accepts_a_one_shot_iterable() -> None:
    held = iter(monthly(2025, range(1, 13)) + QUARTERLY)

    assert yearly_compliance(2025, held).compliant is True


def test_yearly_compliance_explanations() -> None:
    complete = yearly_compliance(2025, monthly(2025, range(1, 13)) + QUARTERLY)
    gaps = yearly_compliance(2025, monthly(2025, range(1, 3)), as_of=date(2025, 5, 2))
    only_quarters = yearly_compliance(2025, monthly(2025, range(1, 13)))

    assert complete.explanation == (
        "Năm 2025 (R-M1, R-M3): đủ sinh hoạt thường kỳ hằng tháng và sinh hoạt chuyên đề hằng quý."
    )
    assert gaps.explanation == (
        "Năm 2025 (R-M1, R-M3): thiếu sinh hoạt thường kỳ tháng 3, 4; thiếu sinh hoạt chuyên đề "
        "quý 1 (đã xét đến hết tháng 4)."
    )
    assert only_quarters.explanation == (
        "Năm 2025 (R-M1, R-M3): thiếu sinh hoạt chuyên đề quý 1, 2, 3, 4."
    )


HOLD_CASES = [
    pytest.param(
        MeetingFormat.IN_PERSON, None, True, "in_person", id="R-O3 in person needs no approval"
    ),
    pytest.param(
        MeetingFormat.ONLINE,
        None,
        False,
        "approval_reference_missing",
        id="R-O3 online without an approval reference is refused",
    ),
    pytest.param(
        MeetingFormat.HYBRID,
        "   ",
        False,
        "approval_reference_missing",
        id="R-O3 hybrid with a blank reference is refused",
    ),
    pytest.param(
        MeetingFormat.ONLINE,
        "Công văn 12-CV/ĐU ngày 03/02/2026",
        True,
        "approved",
        id="R-O3 online with the superior committee's approval",
    ),
    pytest.param(
        MeetingFormat.HYBRID,
        "QĐ 7-QĐ/ĐU",
        True,
        "approved",
        id="R-O3 hybrid with the superior committee's approval",
    ),
]


@pytest.mark.parametrize(("meeting_format", "reference", "allowed", "reason"), HOLD_CASES)
def test_may_hold_online(
    meeting_format: MeetingFormat, reference: str | None, allowed: bool, reason: str
) -> None:
    verdict = may_hold_online(meeting_format, reference)

    assert (verdict.allowed, verdict.reason) == (allowed, reason)


def test_approved_online_meeting_cites_the_reference() -> None:
    verdict = may_hold_online(MeetingFormat.ONLINE, " Công văn 12-CV/ĐU ")

    assert verdict.explanation == (
        "Sinh hoạt trực tuyến hoặc kết hợp, căn cứ Công văn 12-CV/ĐU (R-O3)."
    )


ONLINE = MeetingFormat.ONLINE
HYBRID = MeetingFormat.HYBRID
ALLOW_ADMISSION_BLOCK = OnlinePolicy(
    blocked_kinds=frozenset({AgendaItemKind.ADMISSION, AgendaItemKind.RECOGNITION}),
    block_personnel=False,
)
ITEM_CASES = [
    pytest.param(
        AgendaItem(AgendaItemKind.DISCIPLINE),
        ONLINE,
        OnlinePolicy(),
        False,
        "kind_blocked_online",
        id="R-O4 discipline is blocked online by default",
    ),
    pytest.param(
        AgendaItem(AgendaItemKind.ELECTION),
        HYBRID,
        OnlinePolicy(),
        False,
        "kind_blocked_online",
        id="R-O4 election is blocked in a hybrid meeting by default",
    ),
    pytest.param(
        AgendaItem(AgendaItemKind.OTHER, personnel=True),
        ONLINE,
        OnlinePolicy(),
        False,
        "personnel_blocked_online",
        id="R-O4 personnel items are blocked online by default",
    ),
    pytest.param(
        AgendaItem(AgendaItemKind.NEWS, classification=Classification.MAT),
        ONLINE,
        OnlinePolicy(),
        False,
        "state_secret",
        id="R-O4 R-I1 state-secret items are never handled online",
    ),
    pytest.param(
        AgendaItem(AgendaItemKind.NEWS, classification=Classification.TUYET_MAT),
        ONLINE,
        ALLOW_ADMISSION_BLOCK,
        False,
        "state_secret",
        id="R-O4 R-I1 state secrets stay blocked whatever the policy",
    ),
    pytest.param(
        AgendaItem(AgendaItemKind.ADMISSION),
        ONLINE,
        OnlinePolicy(),
        True,
        "allowed_online",
        id="R-O4 admission is allowed online by default",
    ),
    pytest.param(
        AgendaItem(AgendaItemKind.ADMISSION),
        ONLINE,
        ALLOW_ADMISSION_BLOCK,
        False,
        "kind_blocked_online",
        id="R-O4 a policy may block admission online",
    ),
    pytest.param(
        AgendaItem(AgendaItemKind.DISCIPLINE),
        ONLINE,
        ALLOW_ADMISSION_BLOCK,
        True,
        "allowed_online",
        id="R-O4 a policy may allow discipline online",
    ),
    pytest.param(
        AgendaItem(AgendaItemKind.OTHER, personnel=True),
        ONLINE,
        ALLOW_ADMISSION_BLOCK,
        True,
        "allowed_online",
        id="R-O4 a policy may allow personnel items online",
    ),
    pytest.param(
        AgendaItem(AgendaItemKind.RESOLUTION),
        HYBRID,
        OnlinePolicy(),
        True,
        "allowed_online",
        id="R-O4 resolutions may be handled in a hybrid meeting",
    ),
    pytest.param(
        AgendaItem(AgendaItemKind.THEMATIC_REPORT),
        ONLINE,
        OnlinePolicy(),
        True,
        "allowed_online",
        id="R-O4 thematic reports may be handled online",
    ),
    pytest.param(
        AgendaItem(AgendaItemKind.DISCIPLINE),
        MeetingFormat.IN_PERSON,
        OnlinePolicy(),
        True,
        "in_person",
        id="R-O4 nothing is restricted in person",
    ),
]


@pytest.mark.parametrize(("item", "meeting_format", "policy", "allowed", "reason"), ITEM_CASES)
def test_may_handle_online(
    item: AgendaItem,
    meeting_format: MeetingFormat,
    policy: OnlinePolicy,
    allowed: bool,
    reason: str,
) -> None:
    verdict = may_handle_online(item, meeting_format, policy)

    assert (verdict.allowed, verdict.reason) == (allowed, reason)


def test_blocked_online_item_is_named_in_vietnamese() -> None:
    verdict = may_handle_online(AgendaItem(AgendaItemKind.DISCIPLINE), ONLINE)

    assert verdict.explanation == (
        "Nội dung kỷ luật không được xử lý trong buổi sinh hoạt trực tuyến hoặc kết hợp (R-O4; "
        "chính sách của cấp ủy)."
    )
    assert verdict.rules == ("R-O4",)


@pytest.mark.parametrize(
    ("classification", "allowed"),
    [
        (Classification.UNCLASSIFIED, True),
        (Classification.MAT, False),
        (Classification.TOI_MAT, False),
        (Classification.TUYET_MAT, False),
    ],
    ids=[
        "R-I1 unclassified content may be stored",
        "R-I1 Mật is refused",
        "R-I1 Tối mật is refused",
        "R-I1 Tuyệt mật is refused",
    ],
)
def test_may_store(classification: Classification, allowed: bool) -> None:
    verdict = may_store(classification)

    assert verdict.allowed is allowed
    assert verdict.rules == ("R-I1",)
