"""Small builders for charter tests: rosters and attendance in one line."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from meetings.charter import Attendance, Membership, RosterEntry, Standing

PRESENT = Attendance.PRESENT
EXCUSED = Attendance.ABSENT_WITH_REASON
UNEXCUSED = Attendance.ABSENT_WITHOUT_REASON
LEFT = Attendance.LEFT_WITH_REASON  # attended, then left with the chair's approval


def official(member_id: str, **flags: bool) -> RosterEntry:
    return RosterEntry(member_id=member_id, standing=Standing.OFFICIAL, **flags)


def probationary(member_id: str, **flags: bool) -> RosterEntry:
    return RosterEntry(member_id=member_id, standing=Standing.PROBATIONARY, **flags)


def temporary_in(member_id: str) -> RosterEntry:
    return RosterEntry(
        member_id=member_id, standing=Standing.OFFICIAL, membership=Membership.TEMPORARY_IN
    )


def officials(count: int, prefix: str = "o") -> tuple[RosterEntry, ...]:
    return tuple(official(f"{prefix}{number:02d}") for number in range(1, count + 1))


def all_present(roster: Iterable[RosterEntry]) -> dict[str, Attendance]:
    return {entry.member_id: PRESENT for entry in roster}


def attendance(roster: Iterable[RosterEntry], **overrides: Attendance) -> Mapping[str, Attendance]:
    """Everyone present except the members named in `overrides`."""
    return {**all_present(roster), **overrides}


def case(
    roster: Iterable[RosterEntry],
    presence: Mapping[str, Attendance],
    *,
    decision: dict[str, object] | None = None,
    policy: dict[str, str] | None = None,
    case_id: str = "T",
) -> dict[str, object]:
    """A case in the evaluator's JSON shape."""
    document: dict[str, object] = {
        "id": case_id,
        "policy": policy or {},
        "roster": [
            {
                "id": entry.member_id,
                "standing": entry.standing.value,
                "membership": entry.membership.value,
                **{
                    name: True
                    for name in ("exempt", "temporarily_out", "suspended")
                    if getattr(entry, name)
                },
            }
            for entry in roster
        ],
        "attendance": {member: status.value for member, status in presence.items()},
    }
    if decision is not None:
        document["decision"] = decision
    return document
