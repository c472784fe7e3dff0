"""What a vote offers and what a ballot may choose: the options the chair gives a discipline
vote, an election (its round) or a resolution, cleaned before the vote opens, and each choice
checked against them."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from meetings import charter
from meetings.charter.thresholds import PROBATIONARY_FORMS, SEVERITY_ORDER
from meetings.errors import RuleViolation
from meetings.models import Meeting, Vote
from meetings.models.voting import VoteKind, VoteStatus
from meetings.services.deciding import YES_NO
from meetings.services.secret_ballot import ceremony
from members import queries as member_queries
from members.enums import CellRoleKind
from members.models import Member


def allowed_forms(standing: str, holds_post: bool) -> list[str]:
    """The forms a discipline ballot offers by default, most severe first: a probationary
    member only khiển trách or cảnh cáo (R-D1), cách chức only for someone holding a post."""
    forms = [f for f in SEVERITY_ORDER if f != charter.DisciplineForm.CACH_CHUC or holds_post]
    if standing == charter.Standing.PROBATIONARY:
        forms = [f for f in forms if f in PROBATIONARY_FORMS]
    return [f.value for f in forms]


def _clean_discipline(
    meeting: Meeting, options: dict[str, Any], roll: dict[int, Member]
) -> dict[str, Any]:
    subject_id = as_id(options.get("subject"))
    subject = roll.get(subject_id) if subject_id is not None else None
    if subject is None:
        raise RuleViolation(_("Hãy chọn đảng viên được xem xét kỷ luật."), reason="bad_message")
    holds_post = options.get("subject_holds_post")
    if not isinstance(holds_post, bool):
        holds_post = (
            member_queries.current_roles(meeting.cell, meeting.local_day)
            .filter(member=subject)
            .exists()
        )
    forms = options.get("forms") or allowed_forms(subject.standing, holds_post)
    if not isinstance(forms, list) or not set(forms) <= set(charter.DisciplineForm) - {"none"}:
        raise RuleViolation(_("Hình thức kỷ luật không hợp lệ."), reason="bad_message")
    return {
        "subject": subject.pk,
        "subject_standing": subject.standing,
        # The ballot lists the forms as the charter adds them up: most severe first (R-D3).
        "forms": [f.value for f in SEVERITY_ORDER if f in forms],
        "subject_holds_post": holds_post,
    }


def _clean_election(
    meeting: Meeting, options: dict[str, Any], roll: dict[int, Member]
) -> tuple[dict[str, Any], int]:
    """(options, attempt). A new election is round 1; `follows` names the round before (closed,
    for the same post, not all seats filled): the runoff among those tied on the last seat
    (R-E7), or another round for the seats still empty; its round number counts on, so the
    charter sees a single seat failing its 3rd round (R-E3)."""
    attempt, seats, candidates = 1, as_id(options.get("seats")), options.get("candidates")
    follows = options.get("follows")
    previous = None
    if follows is not None and (follows_id := as_id(follows)) is not None:
        previous = Vote.objects.filter(
            meeting=meeting, pk=follows_id, kind=VoteKind.ELECTION, status=VoteStatus.CLOSED
        ).first()
    default_post = previous.options.get("post") if previous else CellRoleKind.COMMITTEE_MEMBER
    post = options.get("post", default_post)
    if post not in CellRoleKind.values:
        raise RuleViolation(_("Chức danh bầu không hợp lệ."), reason="bad_message", field="post")
    if follows is not None:
        decision = (previous.result.get("decision") or {}) if previous else {}
        if previous is None or previous.options.get("post", post) != post:
            raise RuleViolation(
                _("Không có vòng bầu trước này."), reason="not_found", field="follows"
            )
        if decision.get("status") in ("passed", "escalated", "blocked"):
            raise RuleViolation(
                _("Vòng bầu này đã có kết quả cuối cùng; không bầu tiếp."),
                reason="conflict",
                field="follows",
            )
        elected = decision.get("elected", [])
        runoff = decision.get("runoff", [])
        remaining = [c for c in previous.options["candidates"] if c not in elected]
        candidates = candidates or runoff or remaining
        seats = seats or previous.options["seats"] - len(elected)
        if runoff and not {as_id(c) for c in candidates} <= set(runoff):
            raise RuleViolation(
                _("Bầu lại chỉ giữa những người bằng phiếu nhau ở chỗ cuối cùng."),
                reason="bad_message",
                field="candidates",
            )
        attempt = previous.attempt + 1
    if not isinstance(candidates, list) or not candidates or seats is None or seats < 1:
        raise RuleViolation(
            _("Hãy ghi danh sách ứng cử viên và số lượng cần bầu."), reason="bad_message"
        )
    ids = [as_id(c) for c in candidates]
    if None in ids or len(set(ids)) != len(ids) or not set(ids) <= set(roll):
        raise RuleViolation(_("Ứng cử viên phải là đảng viên của chi bộ."), reason="bad_message")
    cleaned = {"candidates": ids, "seats": seats, "post": post}
    return cleaned | ({"follows": previous.pk} if previous is not None else {}), attempt


def _clean_resolution(options: dict[str, Any]) -> dict[str, Any]:
    """`conclusion`: the chair puts the conclusion (kết luận) to the vote (R-V3); the minutes
    and the resolution take this vote as its adoption, whatever item it is held on."""
    conclusion = options.get("conclusion", False)
    if not isinstance(conclusion, bool):
        raise RuleViolation(
            _("Hãy cho biết đây có phải biểu quyết thông qua kết luận không."),
            reason="bad_message",
            field="conclusion",
        )
    return {"conclusion": True} if conclusion else {}


def _clean_board(
    meeting: Meeting, options: dict[str, Any], roll: dict[int, Member], eligible: list[int]
) -> dict[str, Any]:
    """`members`: the vote-counting board the chair proposes to the meeting (by show of hands,
    R-V5), by default the board the rule would name (the chair and the first two present). The
    same members as `board.change` takes: official members present who may vote (`eligible`,
    the vote's base as it opens, so never a probationary or temporary member, R-R1), distinct,
    three while three or more may serve, fewer only when fewer may."""
    members = options.get("members")
    if members is None:
        members = ceremony.default_members(meeting.chair_id, eligible)
    ids = [as_id(m) for m in members] if isinstance(members, list) else [None]
    checked = ceremony.check_members(
        None if None in ids else [i for i in ids if i is not None],
        eligible,
        lambda member_id: roll[member_id].full_name if member_id in roll else str(member_id),
    )
    return {"members": checked}


def as_id(value: Any) -> int | None:
    """A member or vote id given as a number or a string of ASCII digits; None otherwise.
    ("²".isdigit() is true, and int("²") raises: a whole batch of ballots failed on one.)"""
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if type(value) is not int or not 0 < value < 2**63:
        return None
    return value


def clean(
    meeting: Meeting,
    kind: str,
    options: dict[str, Any],
    roll: dict[int, Member],
    attempt: int,
    eligible: list[int],
) -> tuple[dict[str, Any], int]:
    """The options of a vote of `kind` as stored, and its attempt (an election's round counts
    on from the round it follows). `eligible`: who may vote in it (the board's members must)."""
    if kind == VoteKind.DISCIPLINE:
        return _clean_discipline(meeting, options, roll), attempt
    if kind == VoteKind.ELECTION:
        return _clean_election(meeting, options, roll)
    if kind == VoteKind.RESOLUTION:
        return _clean_resolution(options), attempt
    if kind == VoteKind.BOARD:
        return _clean_board(meeting, options, roll, eligible), attempt
    return {}, attempt


def valid_choice(vote: Vote, choice: Any) -> Any:
    if vote.kind == VoteKind.DISCIPLINE:
        if choice in [*vote.options["forms"], "none"]:
            return choice
    elif vote.kind == VoteKind.ELECTION:
        ids = [as_id(c) for c in choice] if isinstance(choice, list) else [None]
        distinct = None not in ids and len(set(ids)) == len(ids)
        if (
            distinct
            and len(ids) <= vote.options["seats"]
            and set(ids) <= set(vote.options["candidates"])
        ):
            return sorted(ids)
    elif choice in YES_NO:
        return choice
    raise RuleViolation(_("Lựa chọn không hợp lệ với phiếu biểu quyết này."), reason="bad_choice")
