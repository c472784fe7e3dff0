"""Who is on the cell's roll, who came, and the cell's vote-counting policy (R-V1, R-V4)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class Standing(StrEnum):
    OFFICIAL = "official"  # đảng viên chính thức
    PROBATIONARY = "probationary"  # đảng viên dự bị: never votes or stands (R-R1)


class Membership(StrEnum):
    HOME = "home"  # sinh hoạt chính thức tại chi bộ
    TEMPORARY_IN = "temporary_in"  # sinh hoạt tạm thời tại chi bộ: never votes here (R-R3)


class Attendance(StrEnum):
    PRESENT = "present"
    # Away for the whole meeting, with a reason approved by the convener.
    ABSENT_WITH_REASON = "absent_with_reason"
    ABSENT_WITHOUT_REASON = "absent_without_reason"
    # Attended, then left with the chair's approval ("xin về sớm"). The reference is silent on the
    # leaver beyond "the WHOLE meeting" (24-QĐ/TW 9.3.2, R-V1); the engine's reading: they
    # attended, so they stay in N (never easier for a threshold) and count as present for R-Q1,
    # but they are gone, so they are no voter present (no vote, no quorum). docs/charter.md.
    LEFT_WITH_REASON = "left_with_reason"


class VoteBasePolicy(StrEnum):
    # Quy định 24-QĐ/TW 9.3.2 leaves approved absentees out of N.
    EXCLUDE_APPROVED_ABSENTEES = "exclude_approved_absentees"
    # Older practice measured against all official members.
    STRICT = "strict"


class QuorumRule(StrEnum):
    NONE = "none"
    HALF = "half"  # present voters >= floor(N/2) + 1
    TWO_THIRDS = "two_thirds"  # present voters >= ceil(2N/3)


class ExemptCountedWhen(StrEnum):
    PRESENT = "present"  # an exempt member who attends is in N
    VOTING = "voting"  # only if they also vote


# The policies in words, for sentences members read (the codes stay in results, for audit).
VOTE_BASE_WORDS: Mapping[VoteBasePolicy, str] = {
    VoteBasePolicy.EXCLUDE_APPROVED_ABSENTEES: (
        "không tính đảng viên vắng mặt cả buổi có lý do được chấp thuận"
    ),
    VoteBasePolicy.STRICT: "tính cả đảng viên vắng mặt có lý do",
}
EXEMPT_WORDS: Mapping[ExemptCountedWhen, str] = {
    ExemptCountedWhen.PRESENT: "đảng viên miễn sinh hoạt được tính khi có mặt",
    ExemptCountedWhen.VOTING: "đảng viên miễn sinh hoạt chỉ được tính khi có biểu quyết",
}


@dataclass(frozen=True, slots=True)
class RosterEntry:
    member_id: str
    standing: Standing
    membership: Membership = Membership.HOME
    exempt: bool = False  # miễn công tác và sinh hoạt đảng
    temporarily_out: bool = False  # giới thiệu sinh hoạt tạm thời nơi khác
    suspended: bool = False  # đình chỉ sinh hoạt đảng

    @property
    def is_home_official(self) -> bool:
        return self.standing == Standing.OFFICIAL and self.membership == Membership.HOME

    @property
    def may_stand(self) -> bool:
        """R-E6: only official home members who are not suspended may stand for election."""
        return self.is_home_official and not self.suspended


@dataclass(frozen=True, slots=True)
class Policy:
    """The settings of the party organisation that the charter leaves open (*policy* rules)."""

    vote_base: VoteBasePolicy = VoteBasePolicy.EXCLUDE_APPROVED_ABSENTEES
    quorum: QuorumRule = QuorumRule.TWO_THIRDS
    exempt_counted_when: ExemptCountedWhen = ExemptCountedWhen.PRESENT


DEFAULT_POLICY = Policy()


def attended(status: Attendance) -> bool:
    """Took part in the meeting ("dự sinh hoạt"), for all of it or until leaving with approval."""
    return status in (Attendance.PRESENT, Attendance.LEFT_WITH_REASON)


def attendance_of(attendance: Mapping[str, Attendance], member_id: str) -> Attendance:
    """A member with no attendance record counts as absent without reason."""
    return attendance.get(member_id, Attendance.ABSENT_WITHOUT_REASON)
