"""The superior committee ratifies (chuẩn y) an election; only then do the elected take the post.

Điều lệ Đảng, Điều 13 and Hướng dẫn 01-HD/TW: the result of electing a cell's committee,
secretary or deputy secretary is reported to the superior committee, which ratifies it; until
then the previous holders stay in office. A reviewer holding a current committee seat on an
organisation above the cell ratifies it here, citing the committee's decision.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings.errors import RuleViolation
from meetings.models import ElectionRatification, Vote
from meetings.models.voting import VoteKind, VoteStatus
from members import access as member_access
from members import queries as member_queries
from members import zones
from members.enums import CellRoleKind, Level
from members.models import CellRole, CommitteeSeat, Member, Organization, User

DECISION_NUMBER_MAX_LENGTH = 100
# One holder at a time: electing a new secretary or deputy ends the current holder's term the
# day before the new one starts. Committee members are added (a by-election fills a seat).
SINGLE_HOLDER_POSTS = (CellRoleKind.SECRETARY, CellRoleKind.DEPUTY_SECRETARY)


def seat_above(user: User, cell: Organization) -> CommitteeSeat | None:
    """The user's current committee seat on an organisation above `cell`, the nearest first."""
    seats = [
        seat
        for seat in member_access.review_seats(member_access.member_of(user))
        if seat.organization.level != Level.CELL
        and seat.organization_id != cell.pk
        and cell.path.startswith(seat.organization.path)
    ]
    return max(seats, key=lambda seat: len(seat.organization.path), default=None)


def elected_members(vote: Vote) -> list[int]:
    return list((vote.result.get("decision") or {}).get("elected", []))


def ratifiable_elections(user: User) -> QuerySet[Vote]:
    """Closed elections in cells below the user's committee seats (ratified or not)."""
    seats = member_access.review_seats(member_access.member_of(user))
    cells = Organization.objects.none()
    for seat in seats:
        cells = cells | Organization.objects.filter(
            level=Level.CELL, path__startswith=seat.organization.path
        )
    return (
        Vote.objects.filter(
            kind=VoteKind.ELECTION, status=VoteStatus.CLOSED, meeting__cell__in=cells
        )
        .select_related("meeting__cell", "ratification__ratified_by")
        .order_by("-closed_at", "-pk")
    )


def awaiting_ratification(user: User) -> list[Vote]:
    """Elections with someone elected and no ratification yet, below the user's seats."""
    return [
        vote
        for vote in ratifiable_elections(user).filter(ratification__isnull=True)
        if elected_members(vote)
    ]


@dataclass(frozen=True)
class RatificationDetails:
    decision_number: str
    decided_on: datetime.date


@transaction.atomic
def ratify_election(
    *, actor: User, vote_id: int, details: RatificationDetails
) -> ElectionRatification:
    """Records the superior committee's decision and gives the elected their post.

    Refusals: `not_found` (no such closed election below the actor's seats), `forbidden` (no
    seat above the cell), `nobody_elected`, `already_ratified`, `bad_decision` (number missing
    or too long), `bad_date` (before the vote or in the future).
    Effects: ElectionRatification; one CellRole per elected member from `decided_on` (a member
    already holding the post keeps the role they have); for a secretary or deputy the previous
    holder's role ends the day before.
    """
    vote = (
        Vote.objects.select_for_update(of=("self",))
        .select_related("meeting__cell")
        .filter(pk=vote_id, kind=VoteKind.ELECTION, status=VoteStatus.CLOSED)
        .first()
    )
    if vote is None:
        raise RuleViolation(_("Không có cuộc bầu cử này."), reason="not_found")
    cell = vote.meeting.cell
    seat = seat_above(actor, cell)
    if seat is None:
        raise RuleViolation(
            _("Chỉ cấp ủy viên cấp trên của chi bộ được chuẩn y kết quả bầu cử."),
            reason="forbidden",
        )
    elected = elected_members(vote)
    if not elected:
        raise RuleViolation(_("Cuộc bầu này không có người trúng cử."), reason="nobody_elected")
    if ElectionRatification.objects.filter(vote=vote).exists():
        raise RuleViolation(_("Kết quả bầu cử này đã được chuẩn y."), reason="already_ratified")
    number = details.decision_number.strip()
    if not number or len(number) > DECISION_NUMBER_MAX_LENGTH:
        raise RuleViolation(
            _("Hãy ghi số quyết định chuẩn y (tối đa 100 ký tự)."),
            reason="bad_decision",
            field="decision_number",
        )
    held_on = timezone.localtime(vote.closed_at, zones.of_cell(vote.meeting.cell)).date()
    if not held_on <= details.decided_on <= timezone.localdate():
        raise RuleViolation(
            _("Ngày quyết định phải từ ngày bầu (%(day)s) đến hôm nay.")
            % {"day": f"{held_on:%d/%m/%Y}"},
            reason="bad_date",
            field="decided_on",
        )
    post = vote.options.get("post", CellRoleKind.COMMITTEE_MEMBER)
    start = details.decided_on
    current = member_queries.current_roles(cell, start).filter(kind=post)
    if post in SINGLE_HOLDER_POSTS:
        for role in current.exclude(member_id__in=elected):
            role.ended_on = max(role.started_on, start - datetime.timedelta(days=1))
            role.save(update_fields=["ended_on"])
    holding = set(current.filter(member_id__in=elected).values_list("member_id", flat=True))
    roles = [
        CellRole.objects.create(member=member, cell=cell, kind=post, started_on=start)
        for member in Member.objects.filter(pk__in=elected).exclude(pk__in=holding)
    ]
    ratification = ElectionRatification.objects.create(
        vote=vote,
        decision_number=number,
        decided_on=start,
        ratified_by=seat.member,
        organization=seat.organization,
        recorded_at=timezone.now(),
    )
    ratification.roles.set(roles)
    return ratification


def election_results(vote_rows: QuerySet[Vote]) -> list[dict[str, object]]:
    """For a meeting's page: each election with its elected and whether it is ratified yet."""
    votes = [
        v
        for v in vote_rows.filter(kind=VoteKind.ELECTION, status=VoteStatus.CLOSED)
        .select_related("ratification__ratified_by", "ratification__organization")
        .order_by("closed_at", "pk")
        if elected_members(v)
    ]
    names = dict(
        Member.objects.filter(pk__in={m for v in votes for m in elected_members(v)}).values_list(
            "pk", "full_name"
        )
    )
    return [
        {
            "vote": v,
            "elected": [names.get(m, f"#{m}") for m in elected_members(v)],
            "ratification": getattr(v, "ratification", None),
        }
        for v in votes
    ]
