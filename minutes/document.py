"""One minutes as the PDF template needs it: frozen values, no Django. Their votes are in
minutes.document_votes, the documents issued from them in minutes.issued_documents.

The live meeting fills these from its event log and the recorder's notes (issue 6); the sample in
`tests.minutes.samples` fills them by hand (the tests and benchmarks). `minutes.rendering` turns
them into PDF bytes. Everything printed comes from here, already decided: counts, thresholds and
outcomes are the charter engine's results, copied in, never recomputed by the template.

Times are local wall-clock times of the cell, in its zone (members.zones; the builder converts
with `timezone.localtime` under the cell's zone); `Setting.zone_label` names a zone abroad.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum

from minutes.document_votes import VoteRecord
from minutes.wording import clock, percent, sentence, vietnamese_date

# --- Shared parts -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DocumentHeader:
    """The two header blocks of every party document (Hướng dẫn 36-HD/VPTW).

    `superior_name` and `cell_name` are printed in capitals as given: "ĐẢNG BỘ PHƯỜNG BẾN
    NGHÉ", "CHI BỘ KHU PHỐ 3". `number` is the full "05-BB/CB" or empty (R-F2: minutes kept in
    the minute book are often not numbered).
    """

    superior_name: str
    cell_name: str
    place_name: str
    date: datetime.date
    number: str = ""

    @property
    def place_and_date(self) -> str:
        """ "Hà Nội, ngày 05 tháng 11 năm 2026"; without a place (none set up the tree), the
        date alone, capitalised as the line's first word."""
        date = vietnamese_date(self.date)
        place = self.place_name.strip()
        return f"{place}, {date}" if place else date[0].upper() + date[1:]


@dataclass(frozen=True, slots=True)
class Person:
    """A name with an optional title: "Nguyễn Thị Hằng", "Bí thư chi bộ"."""

    name: str
    title: str = ""


@dataclass(frozen=True, slots=True)
class Integrity:
    """What ties the printed paper to the archive: printed on every document.

    `document_id` identifies this document (a UUID); `event_chain_head` is the SHA-256 (hex) of
    the last event of the meeting's hash-chained event log; `verification_url` is the short
    link of the public verification page, also printed as a QR code. A PDF cannot contain its
    own SHA-256: that is archived and shown by the verification page.
    """

    document_id: str
    event_chain_head: str
    verification_url: str


# --- Section I: time, place, form ---------------------------------------------------------------


class MeetingMode(StrEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"
    HYBRID = "hybrid"


MODE_LABELS = {
    MeetingMode.IN_PERSON: "trực tiếp",
    MeetingMode.ONLINE: "trực tuyến",
    MeetingMode.HYBRID: "kết hợp trực tiếp và trực tuyến",
}


@dataclass(frozen=True, slots=True)
class Setting:
    """Section I. `online_approval` is the superior committee's document allowing an online
    meeting (R-O3), required unless the meeting is in person. `place` is empty when none was
    recorded: the minutes say so rather than invent one."""

    started_at: datetime.datetime
    place: str
    mode: MeetingMode
    content_summary: str
    online_approval: str = ""
    zone_label: str = ""  # "giờ Berlin" for a cell abroad; empty for Vietnam's time

    @property
    def mode_label(self) -> str:
        return MODE_LABELS[self.mode]

    @property
    def place_label(self) -> str:
        return self.place.strip() or "không ghi nhận"

    @property
    def content_line(self) -> str:
        """The content summary as template I ends it: with a full stop."""
        return sentence(self.content_summary)

    @property
    def is_in_person(self) -> bool:
        return self.mode == MeetingMode.IN_PERSON


# --- Section II: who was there -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Absence:
    """An absent member, or one who left early (`Attendance.left_early`); `reason` is empty for
    an absence without reason."""

    name: str
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Guest:
    """A guest, usually the superior committee member who follows the cell."""

    name: str
    title: str
    unit: str


@dataclass(frozen=True, slots=True)
class Attendance:
    """Section II (R-F5). Counts are the roster as of the meeting day.

    `total` = `official` + `probationary` (members on the cell's roll, exempt and temporarily
    out included); temporary-in members are not on the roll (R-R3) and are counted apart.
    `vote_base` is N (R-V1) under `vote_base_policy` (the policy code, kept for audit; the
    minutes print its label). The attendance rate (R-Q1) is `rate_present` / `rate_base`, both
    from the charter engine. `exempt_absent` names the exempt members (miễn công tác và sinh
    hoạt đảng) who did not attend: neither absent nor at fault, nor counted (issue 13), so they
    are in neither absence list.
    `suspended` names the members suspended from party activities (đình chỉ sinh hoạt) who did
    not attend: barred from the meeting, they are likewise in neither absence list (R-V1, R-Q1).
    `left_early` names the members who attended and left with the chair's approval (xin về
    sớm), with the reason recorded: counted in the present counts, the rate and N, in neither
    absence list, printed on a line of their own under "Có mặt" (docs/charter.md).
    """

    total: int
    official: int
    probationary: int
    exempt: int
    temporarily_out: int
    temporary_in: int
    present_official: int
    present_probationary: int
    present_temporary: int
    present_exempt: int
    absent_with_reason: tuple[Absence, ...]
    absent_without_reason: tuple[str, ...]
    rate_present: int
    rate_base: int
    vote_base: int
    vote_base_policy: str
    vote_base_policy_label: str
    chair: Person
    recorder: Person
    guests: tuple[Guest, ...] = ()
    documents: tuple[str, ...] = ()
    exempt_absent: tuple[str, ...] = ()
    suspended: tuple[str, ...] = ()
    left_early: tuple[Absence, ...] = ()

    @property
    def present(self) -> int:
        return (
            self.present_official
            + self.present_probationary
            + self.present_temporary
            + self.present_exempt
        )

    @property
    def absent(self) -> int:
        return len(self.absent_with_reason) + len(self.absent_without_reason)

    @property
    def attendance_rate(self) -> str:
        return percent(self.rate_present, self.rate_base)


# --- Section III: what happened ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Speech:
    """One speaking turn, in order, with the recorder's note (no comment by the recorder). Every
    turn the chair granted is one, noted or not: `opinion` is empty when nothing was noted.
    `started_at` is the local time the floor was given; a point of order (kiến nghị về thủ tục)
    is marked."""

    speaker: str
    opinion: str
    started_at: datetime.datetime | None = None
    point_of_order: bool = False

    @property
    def time_label(self) -> str:
        return clock(self.started_at) if self.started_at else ""


@dataclass(frozen=True, slots=True)
class ReservedOpinion:
    """A minority opinion the member asked to keep on record (ý kiến bảo lưu, R-P6)."""

    member: str
    opinion: str


@dataclass(frozen=True, slots=True)
class AgendaItem:
    """A numbered item of section III. `summary` holds paragraphs."""

    title: str
    presenter: str = ""
    summary: tuple[str, ...] = ()
    speeches: tuple[Speech, ...] = ()
    reserved_opinions: tuple[ReservedOpinion, ...] = ()
    votes: tuple[VoteRecord, ...] = ()


@dataclass(frozen=True, slots=True)
class Assignment:
    """Who – what – by when. `deadline` may be None for standing tasks ("thường xuyên")."""

    assignee: str
    task: str
    deadline: datetime.date | None = None

    @property
    def deadline_label(self) -> str:
        return self.deadline.strftime("%d/%m/%Y") if self.deadline else "thường xuyên"


@dataclass(frozen=True, slots=True)
class Conclusion:
    """The chair's conclusion (paragraphs), the assignments, and the vote adopting it (R-V3)."""

    paragraphs: tuple[str, ...]
    assignments: tuple[Assignment, ...] = ()
    vote: VoteRecord | None = None


@dataclass(frozen=True, slots=True)
class QualityAssessment:
    """The cell's self-assessment of the meeting (R-Q1; the point scale is local, R-Q2)."""

    grade: str
    score: int | None = None
    notes: tuple[str, ...] = ()


# --- Section IV: closing -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReadBack:
    """R-P5: the recorder read the minutes back. With counts, the cell approved them by vote;
    without (`approved_by_vote` False), chair and recorder approved the text."""

    yes: int | None = None
    of: int | None = None

    @property
    def approved_by_vote(self) -> bool:
        return self.yes is not None and self.of is not None


@dataclass(frozen=True, slots=True)
class Closing:
    ended_at: datetime.datetime
    minimum_minutes: int  # 0: none applies (an extraordinary meeting, R-P4): not printed
    read_back: ReadBack = field(default_factory=ReadBack)
    early_end_reason: str = ""  # why the chair ended before the minimum, in their words


# --- Documents -----------------------------------------------------------------------------------


class MinutesKind(StrEnum):
    REGULAR = "regular"  # thường kỳ
    THEMATIC = "thematic"  # chuyên đề
    COMMITTEE = "committee"  # họp chi ủy
    EXTRAORDINARY = "extraordinary"  # bất thường
    CONGRESS = "congress"  # đại hội chi bộ


# A meeting's title often starts with its kind ("Chuyên đề: …", "Sinh hoạt bất thường: …",
# "Đại hội chi bộ nhiệm kỳ …"): the kind's words and the separator after them, which the title
# line already prints, are left out of the subject.
_KIND_PREFIX = {
    "thematic": re.compile(r"^(?:sinh hoạt\s+)?(?:chi bộ\s+)?chuyên đề(?=$|[\s:–—-])[\s:–—-]*"),
    "extraordinary": re.compile(
        r"^(?:sinh hoạt\s+)?(?:chi bộ\s+)?bất thường(?=$|[\s:–—-])[\s:–—-]*"
    ),
    "congress": re.compile(r"^đại hội(?:\s+chi bộ)?(?=$|[\s:–—-])[\s:–—-]*"),
}


def _subject_without_kind(kind: MinutesKind, subject: str) -> str:
    subject = unicodedata.normalize("NFC", subject).strip()
    prefix = _KIND_PREFIX.get(str(kind))
    if prefix is None:
        return subject
    match = prefix.match(subject.lower())
    return subject[match.end() :] if match else subject


def minutes_title(kind: MinutesKind, day: datetime.date, subject: str = "") -> str:
    """The line under "BIÊN BẢN". `subject` is the theme (thematic), the term (congress,
    "NHIỆM KỲ 2025 – 2027") or an optional subject for an extraordinary meeting; the kind's
    own words at its start are not repeated ("Chuyên đề: …" → "SINH HOẠT CHI BỘ CHUYÊN ĐỀ …")."""
    month_year = f"THÁNG {day.month:02d} NĂM {day.year}"
    subject = _subject_without_kind(kind, subject).upper()
    if kind == MinutesKind.REGULAR:
        return f"SINH HOẠT CHI BỘ THƯỜNG KỲ {month_year}"
    if kind == MinutesKind.THEMATIC:
        return f"SINH HOẠT CHI BỘ CHUYÊN ĐỀ {subject}".strip()
    if kind == MinutesKind.COMMITTEE:
        return f"HỌP CHI ỦY {month_year}"
    if kind == MinutesKind.EXTRAORDINARY:
        return f"SINH HOẠT CHI BỘ BẤT THƯỜNG {subject}".strip()
    return f"ĐẠI HỘI CHI BỘ {subject}".strip()


@dataclass(frozen=True, slots=True)
class Section:
    """A numbered part of section III: an agenda item as it was held (its speeches and every
    vote taken on it), carrying the chair's conclusion or the quality assessment when the agenda
    has an item for them; or, when it has none, the conclusion or the assessment on its own.
    `conclusion_vote` is printed with the conclusion only when no agenda item holds it.
    `closing` marks the agenda's item for the read-back and the closing, printed in section IV:
    the item refers to it rather than print empty (minutes-template.md §IV)."""

    number: int
    title: str
    item: AgendaItem | None = None
    conclusion: Conclusion | None = None
    conclusion_vote: VoteRecord | None = None
    quality: QualityAssessment | None = None
    closing: bool = False


CONCLUSION_TITLE = "Kết luận của đồng chí chủ trì"
QUALITY_TITLE = "Đánh giá chất lượng buổi sinh hoạt"


@dataclass(frozen=True, slots=True)
class MinutesDocument:
    """A whole biên bản: header, sections I–IV, signatures (recorder left, chair right).

    `conclusion_at` and `quality_at` are the (0-based) agenda items under which the chair's
    conclusion and the quality assessment are printed; None prints each as a section of its own
    after the items (minutes-template.md §III.7 and §III.9). `closing_at` is the item for the
    read-back and the closing, which section IV records (§IV)."""

    header: DocumentHeader
    kind: MinutesKind
    title: str
    setting: Setting
    attendance: Attendance
    items: tuple[AgendaItem, ...]
    conclusion: Conclusion
    quality: QualityAssessment
    closing: Closing
    integrity: Integrity
    conclusion_at: int | None = None
    quality_at: int | None = None
    closing_at: int | None = None

    @property
    def sections(self) -> tuple[Section, ...]:
        """Section III in order: every agenda item once, each vote under the item it was held
        in, then the conclusion and the assessment if no item holds them."""
        held = {vote for item in self.items for vote in item.votes}
        apart = self.conclusion.vote if self.conclusion.vote not in held else None
        sections = [
            Section(
                number,
                item.title,
                item,
                conclusion=self.conclusion if index == self.conclusion_at else None,
                conclusion_vote=apart if index == self.conclusion_at else None,
                quality=self.quality if index == self.quality_at else None,
                closing=index == self.closing_at,
            )
            for index, (number, item) in enumerate(enumerate(self.items, start=1))
        ]
        if self.conclusion_at is None:
            sections.append(
                Section(
                    len(sections) + 1,
                    CONCLUSION_TITLE,
                    conclusion=self.conclusion,
                    conclusion_vote=apart,
                )
            )
        if self.quality_at is None:
            sections.append(Section(len(sections) + 1, QUALITY_TITLE, quality=self.quality))
        return tuple(sections)

    @property
    def duration_minutes(self) -> int:
        return int((self.closing.ended_at - self.setting.started_at).total_seconds() // 60)

    @property
    def duration_label(self) -> str:
        hours, minutes = divmod(self.duration_minutes, 60)
        return f"{hours} giờ {minutes:02d} phút" if hours else f"{minutes} phút"

    @property
    def meets_minimum_duration(self) -> bool:
        return self.duration_minutes >= self.closing.minimum_minutes

    @property
    def votes(self) -> tuple[VoteRecord, ...]:
        votes = tuple(vote for item in self.items for vote in item.votes)
        apart = self.conclusion.vote
        return votes + ((apart,) if apart is not None and apart not in votes else ())

    @property
    def speech_count(self) -> int:
        return sum(len(item.speeches) for item in self.items)
