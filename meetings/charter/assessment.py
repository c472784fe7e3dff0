"""Everything the charter says about one meeting at once: N, quorum, attendance, composition and
an optional decision. The live room and the minutes show the same `Assessment`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from meetings.charter.attendance import AttendanceCriterion, attendance_criterion
from meetings.charter.composition import CellComposition, cell_composition
from meetings.charter.decisions import Vote, decide_on, voters_of
from meetings.charter.outcomes import Decision, WarningCode
from meetings.charter.quorum import Quorum, quorum
from meetings.charter.roster import DEFAULT_POLICY, Attendance, Policy, RosterEntry
from meetings.charter.vote_base import VoteBase, vote_base


@dataclass(frozen=True, slots=True)
class MeetingSnapshot:
    roster: tuple[RosterEntry, ...]
    attendance: Mapping[str, Attendance]  # a member with no entry is absent without reason
    policy: Policy = DEFAULT_POLICY
    vote: Vote | None = None

    def __post_init__(self) -> None:
        ids = [entry.member_id for entry in self.roster]
        if len(set(ids)) != len(ids):
            raise ValueError("a member appears twice on the roster")


@dataclass(frozen=True, slots=True)
class Assessment:
    vote_base: VoteBase
    quorum: Quorum
    attendance: AttendanceCriterion
    cell: CellComposition
    decision: Decision | None
    warnings: tuple[WarningCode, ...]
    rules: tuple[str, ...]
    explanation: str


def _unique(rule_groups: Iterable[tuple[str, ...]]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(rule for group in rule_groups for rule in group))


def assess(snapshot: MeetingSnapshot) -> Assessment:
    voted = None if snapshot.vote is None else voters_of(snapshot.vote)
    base = vote_base(snapshot.roster, snapshot.attendance, snapshot.policy, voted=voted)
    meeting_quorum = quorum(snapshot.policy.quorum, base.size, base.voters_present)
    criterion = attendance_criterion(snapshot.roster, snapshot.attendance)
    cell = cell_composition(snapshot.roster)
    decision = (
        None
        if snapshot.vote is None
        else decide_on(snapshot.vote, base=base, quorum=meeting_quorum, roster=snapshot.roster)
    )
    parts: list[tuple[tuple[str, ...], str]] = [
        (base.rules, base.explanation),
        (meeting_quorum.rules, meeting_quorum.explanation),
        (criterion.rules, criterion.explanation),
        (cell.rules, cell.explanation),
    ]
    if decision is not None:
        parts.append((decision.rules, decision.explanation))
    return Assessment(
        vote_base=base,
        quorum=meeting_quorum,
        attendance=criterion,
        cell=cell,
        decision=decision,
        warnings=() if decision is None else decision.warnings,
        rules=_unique(rules for rules, _ in parts),
        explanation="\n".join(text for _, text in parts),
    )
