"""A year of held meetings with known gaps, written as rows (the meeting services are tested
elsewhere; the dashboard reads what they leave behind, including the attendance summary the
end of a meeting writes: `write_summary`, the function the service calls)."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from django.utils import timezone

from meetings.attendance_summary import write_summary
from meetings.models import AgendaItem, Attendance, Meeting, Vote
from minutes.models import DocumentKind, DocumentStatus, Minutes, MinutesStatus, SignedDocument
from tests.factories import MemberFactory

YEAR = 2025
ZONE = timezone.get_fixed_timezone(7 * 60)


def at(month: int, day: int, hour: int = 19, minute: int = 30) -> datetime.datetime:
    return datetime.datetime(YEAR, month, day, hour, minute, tzinfo=ZONE)


def held_meeting(cell, kind: str, start: datetime.datetime, minutes: int = 100, **extra) -> Meeting:
    meeting = Meeting.objects.create(
        cell=cell,
        kind=kind,
        status="ended",
        starts_at=start,
        started_at=start,
        ended_at=start + datetime.timedelta(minutes=minutes),
        planned_minutes=90,
        **extra,
    )
    write_summary(meeting)  # no roll yet: `roll` writes it again
    return meeting


def roll(meeting: Meeting, members, absent_with_reason=(), absent_without_reason=()) -> None:
    for member in members:
        status = "present"
        if member in absent_with_reason:
            status = "absent_with_reason"
        elif member in absent_without_reason:
            status = "absent_without_reason"
        Attendance.objects.create(meeting=meeting, member=member, status=status)
    write_summary(meeting)


def sign(
    meeting: Meeting,
    when: datetime.datetime,
    text: str = "",
    status: str = DocumentStatus.ARCHIVED,
) -> SignedDocument:
    minutes = Minutes.objects.create(meeting=meeting, status=MinutesStatus.ARCHIVED)
    return SignedDocument.objects.create(
        minutes=minutes,
        kind=DocumentKind.MINUTES,
        status=status,
        archived_at=when if status == DocumentStatus.ARCHIVED else None,
        signed_pdf=b"%PDF-1.7 signed",
        sha256="0" * 64,
        content_text=text,
    )


def blocked_vote(meeting: Meeting, position: int) -> Vote:
    """A resolution put to the vote at the meeting's start + 30 min, blocked for want of quorum."""
    item = AgendaItem.objects.create(
        meeting=meeting, position=position, kind="resolution", title="Nghị quyết"
    )
    return Vote.objects.create(
        meeting=meeting,
        item=item,
        kind="resolution",
        method="show_of_hands",
        question="Thông qua nghị quyết",
        status="closed",
        opened_at=meeting.starts_at + datetime.timedelta(minutes=30),
        result={"decision": {"status": "blocked", "reason": "quorum_not_met"}, "cast": 0},
    )


def seed_year(tree: SimpleNamespace) -> SimpleNamespace:
    """Chi bộ A1: regular meetings every month but June, thematic ones in Q1, Q2 and Q4; a
    meeting of 60 minutes (March), one online with its approval (April) and one hybrid without
    (May); low attendance in February (6 of 10), one member absent without reason in January;
    a vote blocked for want of quorum (July); minutes signed the next day, except August's
    (10 days late, the grassroots sets 5 days) and December's (not signed).
    Chi bộ A2: a regular meeting every month, no thematic one, no roll, no minutes signed.
    Chi bộ B1 (the sibling's): one meeting, never seen from Đảng bộ A."""
    tree.grassroots.minutes_signing_days = 5
    tree.grassroots.save()
    a1 = [tree.secretary, tree.member] + [MemberFactory(home_cell=tree.cell) for _ in range(8)]
    seen = SimpleNamespace(a1_members=a1, meetings=[])
    for month in range(1, 13):
        if month == 6:
            continue
        minutes = 60 if month == 3 else 100
        extra = {}
        if month == 4:
            extra = {
                "mode": "online",
                "approval_number": "15-CV/ĐU",
                "approval_date": at(3, 20).date(),
            }
        if month == 5:
            extra = {"mode": "hybrid"}
        meeting = held_meeting(tree.cell, "regular", at(month, 5), minutes, **extra)
        seen.meetings.append(meeting)
        if month == 2:
            roll(meeting, a1, absent_with_reason=a1[6:])
        elif month == 1:
            roll(meeting, a1, absent_without_reason=a1[9:])
        else:
            roll(meeting, a1)
        if month == 7:
            blocked_vote(meeting, position=1)
        if month == 8:
            sign(meeting, at(8, 5) + datetime.timedelta(days=10))
        elif month != 12:
            sign(meeting, at(month, 5) + datetime.timedelta(days=1))
    for month in (2, 5, 11):
        meeting = held_meeting(tree.cell, "thematic", at(month, 20))
        roll(meeting, a1)
        sign(meeting, at(month, 21))
    for month in range(1, 13):
        held_meeting(tree.neighbour_cell, "regular", at(month, 10))
    held_meeting(tree.far_cell, "regular", at(1, 10), minutes=30)
    # Not counted: a cancelled meeting, next year's meeting, and a committee meeting (its roll
    # is the committee's: one of three absent without reason would sink the criterion).
    committee = held_meeting(tree.cell, "committee", at(6, 15), minutes=30)
    roll(committee, a1[:3], absent_without_reason=a1[2:3])
    Meeting.objects.create(cell=tree.cell, kind="regular", status="cancelled", starts_at=at(6, 5))
    held_meeting(tree.cell, "regular", datetime.datetime(YEAR + 1, 1, 5, 19, tzinfo=ZONE))
    return seen


def signed_sample(chair, recorder) -> bytes:
    """The sample minutes (rendered once per test process) signed by `chair` and `recorder`.

    pyHanko runs its own event loop: where one is already running (a browser test), the
    signing happens in a thread of its own.
    """
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    from minutes.signing import LocalAuthoritySigner, sign_minutes
    from tests.minutes.conftest import rendered_sample

    def run() -> bytes:
        return sign_minutes(
            rendered_sample(),
            chair=LocalAuthoritySigner(chair),
            chair_name=chair.full_name,
            recorder=LocalAuthoritySigner(recorder),
            recorder_name=recorder.full_name,
        )

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return run()

    def in_thread() -> bytes:
        try:
            return run()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(in_thread).result()


def really_signed(
    meeting: Meeting,
    chair,
    recorder,
    text: str = "BIÊN BẢN\nSINH HOẠT CHI BỘ THƯỜNG KỲ\nĐồng chí Bí thư chủ trì.",
) -> SignedDocument:
    """Minutes of `meeting` with a real signed PDF, as the minutes app archives them; `text`:
    their words as archived (`content_text`)."""
    import hashlib

    from minutes.models import DocumentSignature

    pdf = signed_sample(chair, recorder)
    minutes = Minutes.objects.create(meeting=meeting, status=MinutesStatus.ARCHIVED)
    document = SignedDocument.objects.create(
        minutes=minutes,
        kind=DocumentKind.MINUTES,
        status=DocumentStatus.ARCHIVED,
        archived_at=meeting.ended_at,
        signed_pdf=pdf,
        sha256=hashlib.sha256(pdf).hexdigest(),
        content_text=text,
    )
    for role, member in (("chair", chair), ("recorder", recorder)):
        DocumentSignature.objects.create(
            document=document,
            role=role,
            signer=member,
            signer_name=member.full_name,
            signed_at=meeting.ended_at,
        )
    return document
