"""Meetings: minimum duration (R-P4), yearly compliance (R-M1, R-M3), online meetings (R-O3,
R-O4) and classified content (R-I1)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from meetings.charter.outcomes import Verdict
from meetings.charter.texts import met_word


class MeetingKind(StrEnum):
    REGULAR = "regular"  # thường kỳ, monthly
    THEMATIC = "thematic"  # chuyên đề, at least once a quarter
    EXTRAORDINARY = "extraordinary"  # bất thường
    COMMITTEE = "committee"  # họp chi ủy
    CONGRESS = "congress"  # đại hội chi bộ


class MeetingFormat(StrEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"
    HYBRID = "hybrid"


class AgendaItemKind(StrEnum):
    NEWS = "news"
    REVIEW = "review"
    PLAN = "plan"
    DISCUSSION = "discussion"
    ADMISSION = "admission"
    RECOGNITION = "recognition"
    DISCIPLINE = "discipline"
    ELECTION = "election"
    RESOLUTION = "resolution"
    THEMATIC_REPORT = "thematic_report"
    CONCLUSION = "conclusion"  # the chair's conclusion (R-P2, part 3)
    ASSESSMENT = "assessment"  # the meeting's quality self-assessment (R-P2, R-Q2)
    CLOSING = "closing"  # the read-back of the minutes and the closing
    OTHER = "other"


AGENDA_KIND_LABELS: Mapping[AgendaItemKind, str] = {
    AgendaItemKind.NEWS: "thông tin thời sự, quán triệt văn bản cấp trên",
    AgendaItemKind.REVIEW: "đánh giá kết quả tháng trước",
    AgendaItemKind.PLAN: "phương hướng, nhiệm vụ tháng tới",
    AgendaItemKind.DISCUSSION: "thảo luận",
    AgendaItemKind.ADMISSION: "kết nạp đảng viên",
    AgendaItemKind.RECOGNITION: "công nhận đảng viên chính thức",
    AgendaItemKind.DISCIPLINE: "kỷ luật",
    AgendaItemKind.ELECTION: "bầu cử",
    AgendaItemKind.RESOLUTION: "nghị quyết",
    AgendaItemKind.THEMATIC_REPORT: "báo cáo chuyên đề",
    AgendaItemKind.CONCLUSION: "kết luận của đồng chí chủ trì",
    AgendaItemKind.ASSESSMENT: "tự đánh giá chất lượng buổi sinh hoạt",
    AgendaItemKind.CLOSING: "thông qua biên bản, bế mạc",
    AgendaItemKind.OTHER: "nội dung khác",
}


class Classification(StrEnum):
    UNCLASSIFIED = "unclassified"  # không mật
    MAT = "mat"  # Mật
    TOI_MAT = "toi_mat"  # Tối mật
    TUYET_MAT = "tuyet_mat"  # Tuyệt mật


# ---------------------------------------------------------------- duration (R-P4)


@dataclass(frozen=True, slots=True)
class DurationMinimums:
    """Minutes; the competent committee may set other values for a cell (R-P4)."""

    regular: int = 90
    combined: int = 120  # a thematic meeting held in the same session as the regular one

    def __post_init__(self) -> None:
        if self.regular < 0 or self.combined < 0:
            raise ValueError("a minimum duration cannot be negative")


DEFAULT_DURATION_MINIMUMS = DurationMinimums()

# Kinds the charter gives a minimum for; a thematic meeting on its own is a cell meeting too.
_TIMED_KINDS: frozenset[MeetingKind] = frozenset({MeetingKind.REGULAR, MeetingKind.THEMATIC})


@dataclass(frozen=True, slots=True)
class DurationCheck:
    minimum: int | None  # None: no minimum for this kind
    minutes: int
    met: bool
    rules: tuple[str, ...]
    explanation: str


def minimum_duration(
    kind: MeetingKind,
    *,
    combined_with_thematic: bool = False,
    minimums: DurationMinimums = DEFAULT_DURATION_MINIMUMS,
) -> int | None:
    """R-P4: regular ≥ 90 minutes, regular and thematic in one session ≥ 120; other kinds have
    no minimum."""
    if kind not in _TIMED_KINDS:
        return None
    if combined_with_thematic:
        return minimums.combined
    return minimums.regular


def check_duration(
    kind: MeetingKind,
    minutes: int,
    *,
    combined_with_thematic: bool = False,
    minimums: DurationMinimums = DEFAULT_DURATION_MINIMUMS,
) -> DurationCheck:
    """R-P4 for a meeting that lasted `minutes` (the caller subtracts start from end)."""
    if minutes < 0:
        raise ValueError("a meeting cannot last a negative time")
    minimum = minimum_duration(
        kind, combined_with_thematic=combined_with_thematic, minimums=minimums
    )
    if minimum is None:
        return DurationCheck(
            minimum=None,
            minutes=minutes,
            met=True,
            rules=("R-P4",),
            explanation=f"Thời lượng (R-P4): {minutes} phút; không quy định tối thiểu.",
        )
    met = minutes >= minimum
    return DurationCheck(
        minimum=minimum,
        minutes=minutes,
        met=met,
        rules=("R-P4",),
        explanation=(
            f"Thời lượng sinh hoạt (R-P4): tối thiểu {minimum} phút, thực tế {minutes} phút: "
            f"{met_word(met)}."
        ),
    )


# ---------------------------------------------------------------- yearly compliance (R-M1, R-M3)


@dataclass(frozen=True, slots=True)
class Compliance:
    year: int
    missing_months: tuple[int, ...]  # 1..12, months without a regular meeting
    missing_quarters: tuple[int, ...]  # 1..4, quarters without a thematic meeting
    rules: tuple[str, ...]
    explanation: str

    @property
    def compliant(self) -> bool:
        return not self.missing_months and not self.missing_quarters


def quarter_of(month: int) -> int:
    return (month - 1) // 3 + 1


def yearly_compliance(
    year: int,
    held: Iterable[tuple[date, MeetingKind]],
    *,
    as_of: date | None = None,
) -> Compliance:
    """R-M1: a regular meeting every month; R-M3: a thematic meeting every quarter.

    A regular and a thematic meeting held in one session are two entries with the same date.
    With `as_of` (no clock is read here), only months and quarters that have ended by then are
    checked.
    """
    entries = [(day, kind) for day, kind in held if day.year == year]
    months_held = {day.month for day, kind in entries if kind == MeetingKind.REGULAR}
    quarters_held = {quarter_of(day.month) for day, kind in entries if kind == MeetingKind.THEMATIC}
    if as_of is None or as_of.year > year:
        months_ended = 12
    elif as_of.year < year:
        months_ended = 0
    else:
        months_ended = as_of.month - 1  # the current month is not over yet
    missing_months = tuple(m for m in range(1, months_ended + 1) if m not in months_held)
    missing_quarters = tuple(q for q in range(1, months_ended // 3 + 1) if q not in quarters_held)
    explanation = f"Năm {year} (R-M1, R-M3): "
    if not missing_months and not missing_quarters:
        explanation += "đủ sinh hoạt thường kỳ hằng tháng và sinh hoạt chuyên đề hằng quý"
    else:
        gaps = []
        if missing_months:
            gaps.append("thiếu sinh hoạt thường kỳ tháng " + ", ".join(map(str, missing_months)))
        if missing_quarters:
            gaps.append("thiếu sinh hoạt chuyên đề quý " + ", ".join(map(str, missing_quarters)))
        explanation += "; ".join(gaps)
    if months_ended < 12:
        explanation += f" (đã xét đến hết tháng {months_ended})"
    explanation += "."
    return Compliance(
        year=year,
        missing_months=missing_months,
        missing_quarters=missing_quarters,
        rules=("R-M1", "R-M3"),
        explanation=explanation,
    )


# ---------------------------------------------------------------- online meetings (R-O3, R-O4)

SECRET_CLASSIFICATIONS: frozenset[Classification] = frozenset(
    {Classification.MAT, Classification.TOI_MAT, Classification.TUYET_MAT}
)


@dataclass(frozen=True, slots=True)
class AgendaItem:
    kind: AgendaItemKind
    personnel: bool = False  # a personnel matter (nhân sự), whatever its kind
    classification: Classification = Classification.UNCLASSIFIED


@dataclass(frozen=True, slots=True)
class OnlinePolicy:
    """Which items an online or hybrid meeting may not carry (R-O4, a policy).

    State-secret items are never allowed anywhere (R-I1) and are not part of the policy.
    """

    blocked_kinds: frozenset[AgendaItemKind] = field(
        default_factory=lambda: frozenset({AgendaItemKind.DISCIPLINE, AgendaItemKind.ELECTION})
    )
    block_personnel: bool = True


DEFAULT_ONLINE_POLICY = OnlinePolicy()

_ONLINE_FORMATS: frozenset[MeetingFormat] = frozenset({MeetingFormat.ONLINE, MeetingFormat.HYBRID})


def may_store(classification: Classification) -> Verdict:
    """R-I1: an Internet-facing system holds no state-secret content (Mật, Tối mật, Tuyệt mật)."""
    if classification in SECRET_CLASSIFICATIONS:
        return Verdict(
            allowed=False,
            reason="state_secret",
            rules=("R-I1",),
            explanation=(
                "Nội dung thuộc bí mật nhà nước (Mật, Tối mật, Tuyệt mật) không được lưu trên hệ "
                "thống (R-I1)."
            ),
        )
    return Verdict(
        allowed=True,
        reason="unclassified",
        rules=("R-I1",),
        explanation="Nội dung không mật (R-I1).",
    )


def may_hold_online(meeting_format: MeetingFormat, approval_reference: str | None) -> Verdict:
    """R-O3: an online or hybrid meeting needs the superior committee's recorded approval."""
    if meeting_format not in _ONLINE_FORMATS:
        return Verdict(
            allowed=True,
            reason="in_person",
            rules=("R-O3",),
            explanation=(
                "Sinh hoạt trực tiếp: không cần văn bản cho phép sinh hoạt trực tuyến (R-O3)."
            ),
        )
    if approval_reference is None or not approval_reference.strip():
        return Verdict(
            allowed=False,
            reason="approval_reference_missing",
            rules=("R-O3",),
            explanation=(
                "Sinh hoạt trực tuyến hoặc kết hợp phải có văn bản cho phép của cấp ủy cấp trên "
                "(R-O3); chưa ghi số, ngày văn bản."
            ),
        )
    return Verdict(
        allowed=True,
        reason="approved",
        rules=("R-O3",),
        explanation=(
            f"Sinh hoạt trực tuyến hoặc kết hợp, căn cứ {approval_reference.strip()} (R-O3)."
        ),
    )


def may_handle_online(
    item: AgendaItem,
    meeting_format: MeetingFormat,
    policy: OnlinePolicy = DEFAULT_ONLINE_POLICY,
) -> Verdict:
    """R-O4: may this agenda item be handled in a meeting of this format?"""
    if meeting_format not in _ONLINE_FORMATS:
        return Verdict(
            allowed=True,
            reason="in_person",
            rules=("R-O4",),
            explanation=(
                "Sinh hoạt trực tiếp: không áp dụng hạn chế của sinh hoạt trực tuyến (R-O4)."
            ),
        )
    if item.classification in SECRET_CLASSIFICATIONS:
        return Verdict(
            allowed=False,
            reason="state_secret",
            rules=("R-O4", "R-I1"),
            explanation=(
                "Nội dung bí mật nhà nước không được xử lý trực tuyến và không được lưu trên hệ "
                "thống (R-O4, R-I1)."
            ),
        )
    if item.kind in policy.blocked_kinds:
        return Verdict(
            allowed=False,
            reason="kind_blocked_online",
            rules=("R-O4",),
            explanation=(
                f"Nội dung {AGENDA_KIND_LABELS[item.kind]} không được xử lý trong buổi sinh hoạt "
                "trực tuyến hoặc kết hợp (R-O4; chính sách của cấp ủy)."
            ),
        )
    if item.personnel and policy.block_personnel:
        return Verdict(
            allowed=False,
            reason="personnel_blocked_online",
            rules=("R-O4",),
            explanation=(
                "Nội dung về nhân sự không được xử lý trong buổi sinh hoạt trực tuyến hoặc kết "
                "hợp (R-O4; chính sách của cấp ủy)."
            ),
        )
    return Verdict(
        allowed=True,
        reason="allowed_online",
        rules=("R-O4",),
        explanation="Nội dung được phép xử lý trực tuyến (R-O4).",
    )
