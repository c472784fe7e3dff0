"""Who acts in a meeting, and the prologue every live-room service starts with: lock the
meeting's row, find the actor's roles in it, check them and the meeting's status. The
secretary's services (agenda, documents, scheduling) start with `lock_meeting_for_management`.

The services of the room (room, attendance, speaking, voting, secret_ballot) and the media
services build on this module and on nothing of each other's for it, so none of them imports
another to check an actor (no import cycles: docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from meetings.access import ensure_may_manage, visible_meetings
from meetings.enums import MeetingStatus
from meetings.errors import RuleViolation
from meetings.models import AgendaItem, Meeting, Vote
from meetings.models.voting import VoteStatus
from meetings.queries import on_roll
from members import access as member_access
from members.models import Member, User


@dataclass(frozen=True)
class Participant:
    """Who the actor is in this meeting."""

    member: Member | None
    is_chair: bool
    is_recorder: bool
    on_roll: bool  # a member of the cell (home, or meeting here temporarily)

    @property
    def roles(self) -> list[str]:
        roles = ["chair"] if self.is_chair else []
        roles += ["recorder"] if self.is_recorder else []
        roles += ["member"] if self.on_roll else ["guest"]
        return roles


def lock_meeting(meeting_id: int) -> Meeting:
    meeting = Meeting.objects.select_for_update().filter(pk=meeting_id).first()
    if meeting is None:
        raise RuleViolation(_("Không tìm thấy buổi sinh hoạt."), reason="not_found")
    return meeting


def lock_meeting_for_management(
    actor: User,
    meeting_id: int,
    *,
    statuses: Collection[str] | None = None,
    refusal: str = "",
) -> Meeting:
    """The meeting's row (with its cell) locked for this transaction, once the actor may manage
    the cell's meetings (`PermissionDenied` if not) and, when `statuses` is given, the meeting
    is in one of them (`RuleViolation(refusal)` if not)."""
    meeting = (
        Meeting.objects.select_for_update(of=("self",)).select_related("cell").get(pk=meeting_id)
    )
    ensure_may_manage(actor, meeting.cell)
    if statuses is not None and meeting.status not in statuses:
        raise RuleViolation(refusal)
    return meeting


def participant(meeting: Meeting, actor: User) -> Participant:
    """The actor's roles; raises `forbidden` for someone who may not even see the meeting."""
    found = participants(meeting, [actor])[0]
    if isinstance(found, RuleViolation):
        raise found
    return found


def participants(meeting: Meeting, actors: list[User]) -> list[Participant | RuleViolation]:
    """`participant` of each actor (a batch of ballots), their members read in one query; a
    `forbidden` violation in the place of an actor who may not see the meeting."""
    # Without the cells' rows: every live-room command starts here, and what follows reads only
    # the member's own row (its cells' ids and dates).
    members = member_access.members_of(actors, cells=False)
    found: list[Participant | RuleViolation] = []
    for actor in actors:
        member = members.get(actor.pk)
        # A member of the cell sees its announced meetings (meetings.access); that is decided
        # from the member's own row. Anyone else (a reviewer above, a draft) goes through the
        # full rule.
        own_cell = (
            member is not None
            and meeting.status != MeetingStatus.DRAFT
            and meeting.cell_id in member_access.own_cell_ids(member)
        )
        if not own_cell and not visible_meetings(actor).filter(pk=meeting.pk).exists():
            found.append(
                RuleViolation(
                    _("Đồng chí không có quyền với buổi sinh hoạt này."), reason="forbidden"
                )
            )
            continue
        found.append(
            Participant(
                member=member,
                is_chair=member is not None and meeting.chair_id == member.pk,
                is_recorder=member is not None and meeting.recorder_id == member.pk,
                on_roll=member is not None and on_roll(member, meeting),
            )
        )
    return found


def require_chair(who: Participant) -> Member:
    if not who.is_chair or who.member is None:
        raise RuleViolation(_("Chỉ đồng chí chủ trì được làm việc này."), reason="forbidden")
    return who.member


def require_in_progress(meeting: Meeting) -> None:
    if meeting.status != MeetingStatus.IN_PROGRESS:
        raise RuleViolation(
            _("Buổi sinh hoạt chưa bắt đầu hoặc đã kết thúc."), reason="not_in_progress"
        )


def require_no_open_vote(meeting: Meeting) -> None:
    """A vote is closed before the meeting moves on: before another item is opened, its item
    closed, or the meeting ended (its question belongs to the item under discussion)."""
    if Vote.objects.filter(meeting=meeting, status=VoteStatus.OPEN).exists():
        raise RuleViolation(_("Hãy kết thúc biểu quyết đang mở trước."), reason="vote_open")


def current_item(meeting: Meeting) -> AgendaItem | None:
    return (
        AgendaItem.objects.filter(meeting=meeting, opened_at__isnull=False, closed_at__isnull=True)
        .order_by("-opened_at")
        .first()
    )


def iso_time(value: Any) -> str | None:
    return value.isoformat() if value else None
