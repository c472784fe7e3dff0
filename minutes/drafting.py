"""The minutes drafted from the record: the meeting's roll, speaking turns and votes, plus what the
recorder wrote (summaries, the chair's conclusion, assignments, the quality self-assessment).

Everything counted comes from the record and the charter engine; the recorder's `Edits` add only
words. `draft_minutes` returns a `MinutesDocument` for `minutes.rendering`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field, replace
from typing import Any

from django.conf import settings
from django.utils import timezone, translation

from meetings import charter
from meetings.enums import AgendaItemKind, Reply
from meetings.models import Attendance as RollLine
from meetings.models import Document, Invitation, Meeting, SpeakingTurn, Vote
from meetings.models.speaking import FloorRequestKind
from meetings.models.voting import VoteKind, VoteStatus
from meetings.room import roster_entries, roster_members
from meetings.snapshots import (
    duration_minimums_for,
    meeting_kind,
    member_key,
    policy_for,
    roll_attendance,
)
from members import queries as member_queries
from members import zones
from members.enums import VoteBasePolicy
from members.models import CommitteeSeat
from minutes import document as doc
from minutes import issued_documents, wording
from minutes.vote_records import put_again_counts, vote_record


@dataclass(frozen=True)
class Edits:
    """What the recorder writes; everything else is taken from the record."""

    number: str = ""
    content_summary: str = ""
    item_summaries: dict[int, str] = field(default_factory=dict)  # agenda item id → paragraphs
    conclusion: str = ""
    assignments: tuple[doc.Assignment, ...] = ()
    quality_grade: str = ""
    quality_score: int | None = None
    quality_notes: str = ""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Edits:
        return cls(
            number=data.get("number", ""),
            content_summary=data.get("content_summary", ""),
            item_summaries={int(k): v for k, v in data.get("item_summaries", {}).items()},
            conclusion=data.get("conclusion", ""),
            assignments=tuple(
                doc.Assignment(
                    assignee=a["assignee"],
                    task=a["task"],
                    deadline=datetime.date.fromisoformat(a["deadline"])
                    if a.get("deadline")
                    else None,
                )
                for a in data.get("assignments", [])
            ),
            quality_grade=data.get("quality_grade", ""),
            quality_score=data.get("quality_score"),
            quality_notes=data.get("quality_notes", ""),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "content_summary": self.content_summary,
            "item_summaries": {str(k): v for k, v in self.item_summaries.items() if v},
            "conclusion": self.conclusion,
            "assignments": [
                {
                    "assignee": a.assignee,
                    "task": a.task,
                    "deadline": a.deadline.isoformat() if a.deadline else "",
                }
                for a in self.assignments
            ],
            "quality_grade": self.quality_grade,
            "quality_score": self.quality_score,
            "quality_notes": self.quality_notes,
        }


def _paragraphs(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in text.split("\n") if p.strip())


def _local(moment: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(moment).replace(tzinfo=None)


def _person_title(meeting: Meeting, member_id: int | None) -> str:
    roles: dict[int | None, str] = {
        role.member_id: role.get_kind_display()
        for role in member_queries.current_roles(meeting.cell, meeting.local_day)
    }
    title = roles.get(member_id, "")
    return f"{title} chi bộ" if title else "Đảng viên"


def _attendance(meeting: Meeting) -> doc.Attendance:
    day = meeting.local_day
    members = roster_members(meeting)
    entries = {int(e.member_id): e for e in roster_entries(meeting)}
    roll = {line.member_id: line for line in RollLine.objects.filter(meeting=meeting)}
    # Each member's line as the charter reads it: a member marked absent with a reason after
    # joining left early (xin về sớm), attended, and is counted present and in N (R-V1).
    status = {
        m.pk: roll_attendance(roll[m.pk].status, roll[m.pk].first_joined_at)
        if m.pk in roll
        else charter.Attendance.ABSENT_WITHOUT_REASON
        for m in members
    }
    attended = {m.pk: charter.attended(status[m.pk]) for m in members}
    home = [m for m in members if m.home_cell_id == meeting.cell_id]
    temporary = [m for m in members if m.home_cell_id != meeting.cell_id]
    present = [m for m in members if attended[m.pk]]
    attendance = {member_key(m): s for m, s in status.items()}
    policy = policy_for(meeting.cell)
    base = charter.vote_base(tuple(entries.values()), attendance, policy)
    criterion = charter.attendance_criterion(tuple(entries.values()), attendance)
    is_exempt = {m.pk: entries[m.pk].exempt for m in members}
    is_suspended = {m.pk: entries[m.pk].suspended for m in members}
    # Exempt or suspended members who stay away are neither absent nor at fault (R-R2, R-Q1).
    excused = {m.pk for m in members if is_exempt[m.pk] or is_suspended[m.pk]}
    chair, recorder = meeting.chair, meeting.recorder
    return doc.Attendance(
        total=len(home),
        official=sum(1 for m in home if m.standing == "official"),
        probationary=sum(1 for m in home if m.standing == "probationary"),
        exempt=sum(1 for m in home if is_exempt[m.pk]),
        temporarily_out=sum(1 for m in home if m.temporary_cell_on(day) is not None),
        temporary_in=len(temporary),
        present_official=sum(
            1 for m in present if m in home and m.standing == "official" and not is_exempt[m.pk]
        ),
        present_probationary=sum(1 for m in present if m in home and m.standing == "probationary"),
        present_temporary=sum(1 for m in present if m in temporary),
        present_exempt=sum(1 for m in present if m in home and is_exempt[m.pk]),
        absent_with_reason=tuple(
            doc.Absence(m.full_name, roll[m.pk].reason)
            for m in home
            if status[m.pk] == charter.Attendance.ABSENT_WITH_REASON and m.pk not in excused
        ),
        absent_without_reason=tuple(
            m.full_name
            for m in home
            if status[m.pk] == charter.Attendance.ABSENT_WITHOUT_REASON and m.pk not in excused
        ),
        # Counted in "Có mặt" and named apart, with the reason the chair recorded.
        left_early=tuple(
            doc.Absence(m.full_name, roll[m.pk].reason)
            for m in members
            if status[m.pk] == charter.Attendance.LEFT_WITH_REASON
        ),
        # An exempt member who stays away is neither absent nor at fault (R-R2, R-Q1).
        exempt_absent=tuple(m.full_name for m in home if is_exempt[m.pk] and not attended[m.pk]),
        suspended=tuple(
            m.full_name
            for m in home
            if is_suspended[m.pk] and not is_exempt[m.pk] and not attended[m.pk]
        ),
        rate_present=criterion.present,
        rate_base=criterion.denominator,
        vote_base=base.size,
        vote_base_policy=str(policy.vote_base),
        vote_base_policy_label=wording.in_sentence(str(VoteBasePolicy(policy.vote_base).label)),
        chair=doc.Person(chair.full_name, _person_title(meeting, chair.pk))
        if chair
        else doc.Person("—"),
        recorder=doc.Person(recorder.full_name, _person_title(meeting, recorder.pk))
        if recorder
        else doc.Person("—"),
        documents=tuple(_document_used(d) for d in meeting.documents.all()),
        guests=_guests(meeting),
    )


def _document_used(document: Document) -> str:
    """Template II, "Tài liệu sử dụng: <danh sách; nơi đăng tải …, ngày>" (R-P1): the title and
    the day members could first read it here (the meeting's own system is where it was posted)."""
    if document.published_at is None:
        return document.title
    day = timezone.localtime(document.published_at).strftime("%d/%m/%Y")
    return f"{document.title} (đăng tải trên hệ thống cho đảng viên ngày {day})"


def _guests(meeting: Meeting) -> tuple[doc.Guest, ...]:
    """The superior committee's members invited as guests who said they would attend: the live
    room records no presence for guests (they are not on the roll), so their own answer to the
    invitation is what the minutes can cite."""
    guests = []
    invited = Invitation.objects.filter(
        meeting=meeting, is_guest=True, reply=Reply.ATTEND
    ).select_related("member")
    for invitation in invited:
        seats = CommitteeSeat.objects.filter(
            member=invitation.member, started_on__lte=meeting.local_day
        ).exclude(ended_on__lt=meeting.local_day)
        seat = next(
            (
                seat
                for seat in seats.select_related("organization")
                if meeting.cell.path.startswith(seat.organization.path)
            ),
            None,
        )
        guests.append(
            doc.Guest(
                name=invitation.member.full_name,
                title=seat.title if seat else "",
                unit=seat.organization.name if seat else "",
            )
        )
    return tuple(guests)


def _speech(turn: SpeakingTurn, names: dict[int, str]) -> doc.Speech:
    return doc.Speech(
        names.get(turn.member_id, ""),
        turn.note,
        started_at=_local(turn.started_at),
        point_of_order=turn.kind == FloorRequestKind.POINT_OF_ORDER,
    )


def conclusion_vote_of(votes: list[Vote]) -> Vote | None:
    """The vote the chair opened as the vote on the conclusion (the last, if put again)."""
    return next((v for v in reversed(votes) if v.is_conclusion), None)


def draft_minutes(meeting: Meeting, edits: Edits, integrity: doc.Integrity) -> doc.MinutesDocument:
    """Section III follows the agenda: each item with every speaking turn on it (noted or not)
    and every vote taken on it, the conclusion vote included; the read-back vote is section
    IV's. The chair's conclusion and the assessment go under the agenda's items for them.

    Every time is the cell's wall-clock time; a cell abroad has its zone named ("giờ Berlin")."""
    zone = zones.of_cell(meeting.cell)
    with timezone.override(zone), translation.override(settings.LANGUAGE_CODE):
        label = zones.label(zone) if zone.key != zones.DEFAULT_ZONE else ""
        return _draft_minutes(meeting, edits, integrity, label)


def _votes_of(meeting: Meeting) -> list[Vote]:
    """The meeting's votes as taken: decided ones and those a board could not count (void)."""
    return list(
        Vote.objects.filter(
            meeting=meeting, status__in=[VoteStatus.CLOSED, VoteStatus.VOID]
        ).order_by("opened_at", "pk")
    )


def _draft_minutes(
    meeting: Meeting, edits: Edits, integrity: doc.Integrity, zone_label: str
) -> doc.MinutesDocument:
    names = {m.pk: m.full_name for m in roster_members(meeting)}
    votes = _votes_of(meeting)
    turns = list(SpeakingTurn.objects.filter(meeting=meeting).order_by("started_at", "pk"))
    # A void vote (not counted) is printed where it was taken, but adopts nothing.
    decided = [v for v in votes if v.status == VoteStatus.CLOSED]
    conclusion_vote = conclusion_vote_of(decided)
    read_back = next((v for v in reversed(decided) if v.kind == VoteKind.MINUTES_APPROVAL), None)
    again = put_again_counts(votes)
    records = {
        v.pk: vote_record(v, names, again[v.pk])
        for v in votes
        if v.kind != VoteKind.MINUTES_APPROVAL
    }
    agenda = list(meeting.agenda_items.select_related("presenter").order_by("position"))
    items = []
    for item in agenda:
        item_turns = [t for t in turns if t.item_id == item.pk]
        items.append(
            doc.AgendaItem(
                title=item.title,
                presenter=item.presenter.full_name if item.presenter else "",
                summary=_paragraphs(edits.item_summaries.get(item.pk, "")),
                speeches=tuple(_speech(t, names) for t in item_turns),
                reserved_opinions=tuple(
                    doc.ReservedOpinion(names.get(t.member_id, ""), t.note)
                    for t in item_turns
                    if t.is_reserved_opinion and t.note
                ),
                votes=tuple(
                    records[v.pk] for v in votes if v.item_id == item.pk and v.pk in records
                ),
            )
        )
    kinds = [item.kind for item in agenda]
    day = meeting.local_day
    kind = doc.MinutesKind(meeting.kind)
    minimum = charter.minimum_duration(
        meeting_kind(meeting.kind), minimums=duration_minimums_for(meeting.cell)
    )
    return doc.MinutesDocument(
        header=_header(meeting, edits.number),
        kind=kind,
        title=doc.minutes_title(kind, day, meeting.title),
        setting=doc.Setting(
            started_at=_local(meeting.started_at or meeting.starts_at),
            place=_place(meeting),
            mode=doc.MeetingMode(meeting.mode),
            content_summary=edits.content_summary
            or "; ".join(i.title for i in meeting.agenda_items.order_by("position")),
            online_approval=meeting.approval_reference,
            zone_label=zone_label,
        ),
        attendance=_attendance(meeting),
        items=tuple(items),
        conclusion=doc.Conclusion(
            paragraphs=_paragraphs(edits.conclusion),
            assignments=edits.assignments,
            vote=records[conclusion_vote.pk] if conclusion_vote else None,
        ),
        quality=doc.QualityAssessment(
            grade=edits.quality_grade,
            score=edits.quality_score,
            notes=_paragraphs(edits.quality_notes),
        ),
        closing=doc.Closing(
            ended_at=_local(meeting.ended_at or timezone.now()),
            minimum_minutes=minimum or 0,
            early_end_reason=meeting.early_end_reason,
            read_back=doc.ReadBack(
                read_back.result.get("tally", {}).get("yes"), read_back.result.get("cast")
            )
            if read_back
            else doc.ReadBack(),
        ),
        integrity=integrity,
        conclusion_at=_index_of(kinds, AgendaItemKind.CONCLUSION),
        quality_at=_index_of(kinds, AgendaItemKind.ASSESSMENT),
        closing_at=_index_of(kinds, AgendaItemKind.CLOSING),
    )


def _place(meeting: Meeting) -> str:
    """Where the meeting was held: the place set, else (met online) the online room, else for an
    online meeting the cell's own room; for an in-person meeting with no place set, nothing (the
    minutes print "không ghi nhận"), never an online room it did not meet in."""
    if meeting.place or meeting.mode == doc.MeetingMode.IN_PERSON:
        return meeting.place
    if meeting.online_room or meeting.mode == doc.MeetingMode.HYBRID:
        return meeting.online_room
    return "phòng họp trực tuyến của chi bộ"


def _index_of(kinds: list[str], kind: str) -> int | None:
    return kinds.index(kind) if kind in kinds else None


# --- Documents issued from archived minutes -----------------------------------------------------


def _header(meeting: Meeting, number: str = "") -> doc.DocumentHeader:
    superior = meeting.cell.parent
    return doc.DocumentHeader(
        superior_name=superior.name.upper() if superior else "",
        cell_name=meeting.cell.name.upper(),
        place_name=member_queries.effective_policy(meeting.cell).place_name or "",
        date=meeting.local_day,
        number=number,
    )


def draft_extract(
    minutes: doc.MinutesDocument,
    meeting: Meeting,
    item_position: int,
    secretary: doc.Person,
    integrity: doc.Integrity,
) -> issued_documents.ExtractDocument:
    """Trích biên bản: the attendance and one item (1-based position) of the same minutes."""
    item = minutes.items[item_position - 1]
    return issued_documents.ExtractDocument(
        header=replace(minutes.header, number=""),  # the minutes' number is not the extract's
        meeting_date=meeting.local_day,
        subject=item.title[0].lower() + item.title[1:],
        attendance=minutes.attendance,
        item=item,
        secretary=secretary,
        integrity=integrity,
    )


def draft_resolution(
    minutes: doc.MinutesDocument,
    meeting: Meeting,
    *,
    number: str,
    resolutions: tuple[str, ...],
    grounds: tuple[str, ...],
    recipients: tuple[str, ...],
    secretary: doc.Person,
    integrity: doc.Integrity,
) -> issued_documents.ResolutionDocument:
    """Nghị quyết: adopted by the meeting's conclusion vote (R-V3), which must have passed."""
    adoption = minutes.conclusion.vote
    if adoption is None or not adoption.passed:
        raise ValueError("the meeting adopted no resolution")
    day = meeting.local_day
    attendance = minutes.attendance
    return issued_documents.ResolutionDocument(
        header=_header(meeting, number),
        subtitle=f"Sinh hoạt chi bộ tháng {day.month:02d} năm {day.year}",
        grounds=grounds,
        meeting_date=day,
        cell_name=meeting.cell.name,
        present=attendance.present - attendance.present_temporary,
        total=attendance.total,
        vote_base=attendance.vote_base,
        resolutions=resolutions,
        adoption=adoption,
        recipients=recipients,
        secretary=secretary,
        integrity=integrity,
    )


def draft_addendum(
    minutes: doc.MinutesDocument,
    meeting: Meeting,
    *,
    corrected_document_id: str,
    text: str,
    integrity: doc.Integrity,
) -> issued_documents.AddendumDocument:
    return issued_documents.AddendumDocument(
        header=replace(minutes.header, number=""),
        meeting_date=meeting.local_day,
        corrected_document_id=corrected_document_id,
        paragraphs=_paragraphs(text),
        chair=minutes.attendance.chair,
        recorder=minutes.attendance.recorder,
        integrity=integrity,
    )
