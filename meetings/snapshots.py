"""ORM rows → the charter engine's input values. The only place that converts between them."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from meetings import charter
from meetings.enums import AttendanceStatus, Reply
from meetings.models import Invitation, Meeting
from members import queries as member_queries
from members.models import Member, Organization


def member_key(member_id: int) -> str:
    return str(member_id)


def meeting_kind(kind: str) -> charter.MeetingKind:
    return charter.MeetingKind(kind)


def meeting_format(mode: str) -> charter.MeetingFormat:
    return charter.MeetingFormat(mode)


def agenda_item(*, kind: str, personnel: bool, classification: str) -> charter.AgendaItem:
    return charter.AgendaItem(
        kind=charter.AgendaItemKind(kind),
        personnel=personnel,
        classification=charter.Classification(classification),
    )


def classification(value: str) -> charter.Classification:
    return charter.Classification(value)


def policy_for(cell: Organization) -> charter.Policy:
    effective = member_queries.effective_policy(cell)
    return charter.Policy(
        vote_base=charter.VoteBasePolicy(effective.vote_base_policy),
        quorum=charter.QuorumRule(effective.quorum_policy),
        exempt_counted_when=charter.ExemptCountedWhen(effective.exempt_counted_when),
    )


def online_policy_for(cell: Organization) -> charter.OnlinePolicy:
    if member_queries.effective_policy(cell).block_sensitive_items_online:
        return charter.OnlinePolicy()
    return charter.OnlinePolicy(blocked_kinds=frozenset(), block_personnel=False)


def duration_minimums_for(cell: Organization) -> charter.DurationMinimums:
    regular = member_queries.effective_policy(cell).minimum_regular_minutes
    defaults = charter.DurationMinimums()
    # A cell that sets a longer regular meeting keeps the combined session at least as long.
    return charter.DurationMinimums(regular=regular, combined=max(defaults.combined, regular))


def roster_entry(member: Member, cell: Organization, day: datetime.date) -> charter.RosterEntry:
    if member.home_cell_id != cell.pk:
        return charter.RosterEntry(
            member_id=member_key(member.pk),
            standing=charter.Standing(member.standing),
            membership=charter.Membership.TEMPORARY_IN,
            suspended=member.is_suspended_on(day),
        )
    return charter.RosterEntry(
        member_id=member_key(member.pk),
        standing=charter.Standing(member.standing),
        membership=charter.Membership.HOME,
        exempt=member.is_exempt_on(day),
        temporarily_out=member.temporary_cell_on(day) is not None,
        suspended=member.is_suspended_on(day),
    )


def roster_for(cell: Organization, day: datetime.date) -> tuple[charter.RosterEntry, ...]:
    """The cell's roll on `day`: home members, then members meeting here temporarily."""
    home = list(member_queries.home_members(cell).order_by("pk"))
    temporary = list(member_queries.temporary_members(cell, day).order_by("pk"))
    return tuple(roster_entry(member, cell, day) for member in [*home, *temporary])


def roll_attendance(status: str, first_joined_at: datetime.datetime | None) -> charter.Attendance:
    """A line of the roll (`meetings.models.Attendance`: its status and when the member first
    joined) as the charter reads it. The only place that maps one to the other.

    A member the chair marks absent with a reason after they joined the meeting left early with
    the chair's approval ("xin về sớm"): they attended, and 24-QĐ/TW 9.3.2 (R-V1) leaves out of N
    only members absent for the whole meeting, so the charter gets LEFT_WITH_REASON (in N, no
    longer a voter present, present for the attendance rate; docs/charter.md)."""
    if status == AttendanceStatus.ABSENT_WITH_REASON and first_joined_at is not None:
        return charter.Attendance.LEFT_WITH_REASON
    return charter.Attendance(status)


def expected_attendance(invitations: Iterable[Invitation]) -> dict[str, charter.Attendance]:
    """Before the meeting: who said they will come, and whose absence the convener approved.

    A member who has not answered, or whose reason was not approved, has no entry: the charter
    counts them absent without reason, which keeps them in N.
    """
    attendance: dict[str, charter.Attendance] = {}
    for invitation in invitations:
        key = member_key(invitation.member_id)
        if invitation.is_approved_absence:
            attendance[key] = charter.Attendance.ABSENT_WITH_REASON
        elif invitation.reply == Reply.ATTEND:
            attendance[key] = charter.Attendance.PRESENT
    return attendance


def held_meetings(meetings: Iterable[Meeting]) -> list[tuple[datetime.date, charter.MeetingKind]]:
    """(day, kind) pairs for the yearly compliance check; committee meetings do not count."""
    return [
        (meeting.local_day, meeting_kind(meeting.kind))
        for meeting in meetings
        if meeting.kind in charter.MeetingKind.__members__.values()
    ]
