"""The vote base N: who counts when a threshold is measured (R-V1, R-R1..R-R4)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass
from enum import StrEnum

from meetings.charter.roster import (
    DEFAULT_POLICY,
    EXEMPT_WORDS,
    VOTE_BASE_WORDS,
    Attendance,
    ExemptCountedWhen,
    Membership,
    Policy,
    RosterEntry,
    Standing,
    VoteBasePolicy,
    attendance_of,
    attended,
)
from meetings.charter.texts import count_list


class Exclusion(StrEnum):
    """Why a roster entry is not in N. Stable reason codes."""

    TEMPORARY_IN = "temporary_in"
    PROBATIONARY = "probationary"
    SUSPENDED = "suspended"
    EXEMPT_ABSENT = "exempt_absent"
    EXEMPT_NOT_VOTING = "exempt_not_voting"
    TEMPORARILY_OUT_ABSENT = "temporarily_out_absent"
    APPROVED_ABSENCE = "approved_absence"


# Rule ids cited for each exclusion, and how the explanation names the group.
EXCLUSION_RULES: Mapping[Exclusion, str] = {
    Exclusion.TEMPORARY_IN: "R-R3",
    Exclusion.PROBATIONARY: "R-R1",
    Exclusion.SUSPENDED: "R-R4",
    Exclusion.EXEMPT_ABSENT: "R-R2",
    Exclusion.EXEMPT_NOT_VOTING: "R-R2",
    Exclusion.TEMPORARILY_OUT_ABSENT: "R-R3",
    Exclusion.APPROVED_ABSENCE: "R-V1",
}

_EXCLUSION_LABELS: Mapping[Exclusion, str] = {
    Exclusion.SUSPENDED: "đang bị đình chỉ sinh hoạt đảng",
    Exclusion.EXEMPT_ABSENT: "được miễn công tác và sinh hoạt đảng, vắng mặt",
    Exclusion.EXEMPT_NOT_VOTING: "được miễn sinh hoạt, có mặt nhưng không biểu quyết",
    Exclusion.TEMPORARILY_OUT_ABSENT: "sinh hoạt tạm thời nơi khác, vắng mặt",
    Exclusion.APPROVED_ABSENCE: "vắng mặt có lý do được chấp thuận",
}


@dataclass(frozen=True, slots=True)
class VoteBase:
    members: frozenset[str]  # everyone in N
    present: frozenset[str]  # members of N who are present: the only valid voters
    excluded: tuple[tuple[str, Exclusion], ...]  # sorted by member id
    home_official_count: int
    policy: Policy
    # exempt_counted_when = voting without knowing who voted: exempt members present were counted.
    exempt_votes_unknown: bool
    rules: tuple[str, ...]
    explanation: str

    @property
    def size(self) -> int:
        return len(self.members)

    @property
    def voters_present(self) -> int:
        return len(self.present)

    def may_vote(self, member_id: str) -> bool:
        return member_id in self.present


def exclusion_of(
    entry: RosterEntry,
    status: Attendance,
    policy: Policy,
    voted: Set[str] | None,
) -> Exclusion | None:
    """R-V1: the reason `entry` is not in N, or None when it is."""
    if entry.membership == Membership.TEMPORARY_IN:
        return Exclusion.TEMPORARY_IN
    if entry.standing == Standing.PROBATIONARY:
        return Exclusion.PROBATIONARY
    if entry.suspended:
        return Exclusion.SUSPENDED
    if attended(status):
        # A member who attended and left early with the chair's approval (LEFT_WITH_REASON) is
        # not "absent for the WHOLE meeting" (24-QĐ/TW 9.3.2): in N like one who stayed, whatever
        # the exempt and temporarily-out flags (they attended); keeping them never makes a
        # threshold easier. Under `exempt_counted_when = voting` an exempt leaver who did not
        # vote is left out as an exempt member present who did not vote.
        # When nobody knows who voted (a tally without a turnout list), an exempt member who
        # attends is counted, as under the default; this never makes a threshold easier.
        if (
            entry.exempt
            and policy.exempt_counted_when == ExemptCountedWhen.VOTING
            and voted is not None
            and entry.member_id not in voted
        ):
            return Exclusion.EXEMPT_NOT_VOTING
        # A temporarily-out member who comes back and attends counts and votes.
        return None
    if entry.exempt:
        return Exclusion.EXEMPT_ABSENT
    if entry.temporarily_out:
        return Exclusion.TEMPORARILY_OUT_ABSENT
    if (
        status == Attendance.ABSENT_WITH_REASON
        and policy.vote_base == VoteBasePolicy.EXCLUDE_APPROVED_ABSENTEES
    ):
        return Exclusion.APPROVED_ABSENCE
    return None


def vote_base(
    roster: Sequence[RosterEntry],
    attendance: Mapping[str, Attendance],
    policy: Policy = DEFAULT_POLICY,
    *,
    voted: Set[str] | None = None,
) -> VoteBase:
    """R-V1: N and the voters present.

    `voted` is the set of members who cast a ballot, when known; it matters only under
    `exempt_counted_when = voting`.
    """
    members: set[str] = set()
    present: set[str] = set()
    excluded: list[tuple[str, Exclusion]] = []
    exempt_votes_unknown = False
    left = 0  # members of N who left early with the chair's approval
    for entry in roster:
        status = attendance_of(attendance, entry.member_id)
        reason = exclusion_of(entry, status, policy, voted)
        if reason is not None:
            excluded.append((entry.member_id, reason))
            continue
        members.add(entry.member_id)
        # Only those present now may vote: a member who left early is in N but votes no more.
        if status == Attendance.PRESENT:
            present.add(entry.member_id)
        elif status == Attendance.LEFT_WITH_REASON:
            left += 1
        if entry.exempt and voted is None:
            exempt_votes_unknown |= policy.exempt_counted_when == ExemptCountedWhen.VOTING
    excluded.sort()
    home_official_count = sum(1 for entry in roster if entry.is_home_official)
    counts = Counter(reason for _, reason in excluded)
    rules = ("R-V1", *sorted({EXCLUSION_RULES[reason] for reason in counts} - {"R-V1"}))
    return VoteBase(
        members=frozenset(members),
        present=frozenset(present),
        excluded=tuple(excluded),
        home_official_count=home_official_count,
        policy=policy,
        exempt_votes_unknown=exempt_votes_unknown,
        rules=rules,
        explanation=_explain(len(members), len(present), left, home_official_count, counts, policy),
    )


def _explain(
    size: int,
    voters_present: int,
    left: int,
    home_official_count: int,
    counts: Mapping[Exclusion, int],
    policy: Policy,
) -> str:
    text = (
        f"Số thành viên làm căn cứ biểu quyết N = {size} (R-V1; cách tính: "
        f"{VOTE_BASE_WORDS[policy.vote_base]}, {EXEMPT_WORDS[policy.exempt_counted_when]}): "
        f"{home_official_count} đảng viên "
        "chính thức sinh hoạt chính thức tại chi bộ"
    )
    subtracted = [
        (counts[reason], f"{label} ({EXCLUSION_RULES[reason]})")
        for reason, label in _EXCLUSION_LABELS.items()
        if counts[reason]
    ]
    if subtracted:
        text += ", trừ " + count_list(subtracted)
    text += f". Có mặt và có quyền biểu quyết: {voters_present}."
    if left:
        text += (
            f" Vẫn tính vào N nhưng không còn biểu quyết: {left} đảng viên đã dự rồi xin về sớm "
            "có lý do (R-V1: chỉ không tính đảng viên vắng mặt cả buổi có lý do)."
        )
    not_voting = [
        (counts[Exclusion.PROBATIONARY], "đảng viên dự bị (R-R1)"),
        (counts[Exclusion.TEMPORARY_IN], "đảng viên sinh hoạt tạm thời tại chi bộ (R-R3)"),
    ]
    not_voting = [(count, label) for count, label in not_voting if count]
    if not_voting:
        text += " Không thuộc N và không biểu quyết: " + count_list(not_voting) + "."
    return text
