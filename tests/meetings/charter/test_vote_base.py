from __future__ import annotations

from collections.abc import Mapping

import pytest

from meetings.charter import (
    DEFAULT_POLICY,
    Attendance,
    Exclusion,
    ExemptCountedWhen,
    Policy,
    RosterEntry,
    VoteBasePolicy,
    vote_base,
)

from .builders import EXCUSED, PRESENT, UNEXCUSED, official, probationary, temporary_in

pytestmark = pytest.mark.unit

STRICT = Policy(vote_base=VoteBasePolicy.STRICT)
VOTING = Policy(exempt_counted_when=ExemptCountedWhen.VOTING)
TWO = (official("o01"), official("o02"))


def row(
    rule: str,
    third: RosterEntry,
    status: Attendance | None,
    size: int,
    voters_present: int,
    *,
    policy: Policy = DEFAULT_POLICY,
    voted: frozenset[str] | None = None,
) -> pytest.ParameterSet:
    """Two official members present, and a third member `third` whose attendance is `status`
    (None: no attendance record)."""
    presence = {"o01": PRESENT, "o02": PRESENT}
    if status is not None:
        presence[third.member_id] = status
    return pytest.param((*TWO, third), presence, policy, voted, size, voters_present, id=rule)


O3 = official("o03")
SUSPENDED = official("o03", suspended=True)
EXEMPT = official("o03", exempt=True)
OUT = official("o03", temporarily_out=True)

CASES = [
    row("R-V1 every official home member present is in N", O3, PRESENT, 3, 3),
    row("R-V1 absent without reason stays in N", O3, UNEXCUSED, 3, 2),
    row("R-V1 missing attendance counts as absent without reason", O3, None, 3, 2),
    row("R-V1 approved absentee left out by default", O3, EXCUSED, 2, 2),
    row("R-V1 approved absentee kept in N under strict", O3, EXCUSED, 3, 2, policy=STRICT),
    row("R-R4 suspended never in N even when present", SUSPENDED, PRESENT, 2, 2),
    row("R-R4 suspended never in N even under strict", SUSPENDED, EXCUSED, 2, 2, policy=STRICT),
    row("R-R2 exempt and absent left out", EXEMPT, UNEXCUSED, 2, 2),
    row("R-R2 exempt and absent left out under strict too", EXEMPT, EXCUSED, 2, 2, policy=STRICT),
    row(
        "R-R2 exempt counted when present (default) even without voting",
        EXEMPT,
        PRESENT,
        3,
        3,
        voted=frozenset({"o01"}),
    ),
    row(
        "R-R2 exempt present but not voting left out under voting",
        EXEMPT,
        PRESENT,
        2,
        2,
        policy=VOTING,
        voted=frozenset({"o01", "o02"}),
    ),
    row(
        "R-R2 exempt present and voting counted under voting",
        EXEMPT,
        PRESENT,
        3,
        3,
        policy=VOTING,
        voted=frozenset({"o03"}),
    ),
    row(
        "R-R2 exempt present counted under voting when turnout unknown",
        EXEMPT,
        PRESENT,
        3,
        3,
        policy=VOTING,
    ),
    row("R-R3 temporarily-out and absent left out", OUT, UNEXCUSED, 2, 2),
    row("R-R3 temporarily-out absent with reason left out under strict", OUT, EXCUSED, 2, 2),
    row("R-R3 temporarily-out returning and attending counts", OUT, PRESENT, 3, 3),
    row("R-R3 temporary-in never in N even when present", temporary_in("t01"), PRESENT, 2, 2),
    row("R-R1 probationary never in N even when present", probationary("p01"), PRESENT, 2, 2),
    pytest.param((), {}, DEFAULT_POLICY, None, 0, 0, id="R-V1 empty roster gives N = 0"),
]


@pytest.mark.parametrize(("roster", "presence", "policy", "voted", "size", "voters_present"), CASES)
def test_vote_base_counts_per_r_v1(
    roster: tuple[RosterEntry, ...],
    presence: Mapping[str, Attendance],
    policy: Policy,
    voted: frozenset[str] | None,
    size: int,
    voters_present: int,
) -> None:
    base = vote_base(roster, presence, policy, voted=voted)

    assert (base.size, base.voters_present) == (size, voters_present)


def test_vote_base_records_why_each_member_is_left_out() -> None:
    roster = (
        official("o01"),
        official("o02", suspended=True),
        official("o03", exempt=True),
        official("o04", temporarily_out=True),
        official("o05"),
        probationary("p01"),
        temporary_in("t01"),
    )
    presence = {"o01": PRESENT, "o05": EXCUSED, "p01": PRESENT, "t01": PRESENT}

    base = vote_base(roster, presence)

    assert base.excluded == (
        ("o02", Exclusion.SUSPENDED),
        ("o03", Exclusion.EXEMPT_ABSENT),
        ("o04", Exclusion.TEMPORARILY_OUT_ABSENT),
        ("o05", Exclusion.APPROVED_ABSENCE),
        ("p01", Exclusion.PROBATIONARY),
        ("t01", Exclusion.TEMPORARY_IN),
    )
    assert base.members == frozenset({"o01"})
    assert base.home_official_count == 5
    assert base.rules == ("R-V1", "R-R1", "R-R2", "R-R3", "R-R4")
    assert base.explanation == (
        "Số thành viên làm căn cứ biểu quyết N = 1 (R-V1; cách tính: không tính đảng viên vắng "
        "mặt cả buổi có lý do được chấp thuận, đảng viên miễn sinh hoạt được tính khi có mặt): "
        "5 đảng viên chính thức sinh hoạt chính thức tại chi bộ, "
        "trừ 1 đang bị đình chỉ sinh hoạt đảng (R-R4), 1 được miễn công tác và sinh hoạt đảng, "
        "vắng mặt (R-R2), 1 sinh hoạt tạm thời nơi khác, vắng mặt (R-R3), 1 vắng mặt có lý do "
        "được chấp thuận (R-V1). Có mặt và có quyền biểu quyết: 1. Không thuộc N và không biểu "
        "quyết: 1 đảng viên dự bị (R-R1), 1 đảng viên sinh hoạt tạm thời tại chi bộ (R-R3)."
    )


def test_vote_base_explanation_without_exclusions_is_short() -> None:
    roster = (official("o01"), official("o02"))

    base = vote_base(roster, {"o01": PRESENT, "o02": PRESENT})

    assert base.rules == ("R-V1",)
    assert base.explanation.endswith("tại chi bộ. Có mặt và có quyền biểu quyết: 2.")


def test_vote_base_flags_unknown_turnout_only_under_voting_policy() -> None:
    roster = (official("o01", exempt=True), official("o02"))
    presence = {"o01": PRESENT, "o02": PRESENT}

    under_voting = vote_base(roster, presence, VOTING)
    under_present = vote_base(roster, presence)
    with_turnout = vote_base(roster, presence, VOTING, voted=frozenset({"o02"}))

    assert under_voting.exempt_votes_unknown is True
    assert under_present.exempt_votes_unknown is False
    assert with_turnout.exempt_votes_unknown is False
    assert with_turnout.excluded == (("o01", Exclusion.EXEMPT_NOT_VOTING),)


def test_may_vote_only_for_present_members_of_n() -> None:
    roster = (official("o01"), official("o02"), probationary("p01"))

    base = vote_base(roster, {"o01": PRESENT, "p01": PRESENT})

    assert [base.may_vote(m) for m in ("o01", "o02", "p01", "x")] == [True, False, False, False]


def test_plain_strings_from_the_orm_behave_like_the_enums() -> None:
    """Choice values read from the database are `str`; they must not silently miscount."""
    typed = (official("o01"), official("o02", exempt=True), probationary("p01"))
    plain = tuple(
        RosterEntry(
            member_id=entry.member_id,
            standing=str(entry.standing.value),  # type: ignore[arg-type]
            membership=str(entry.membership.value),  # type: ignore[arg-type]
            exempt=entry.exempt,
        )
        for entry in typed
    )
    presence = {"o01": "present", "o02": "absent_with_reason", "p01": "present"}

    from_strings = vote_base(plain, presence, VOTING)  # type: ignore[arg-type]
    from_enums = vote_base(typed, {"o01": PRESENT, "o02": EXCUSED, "p01": PRESENT}, VOTING)

    assert (from_strings.members, from_strings.present, from_strings.excluded) == (
        from_enums.members,
        from_enums.present,
        from_enums.excluded,
    )
