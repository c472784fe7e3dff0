"""Cell composition: the minimum size and when a chi ủy is required (R-S1, R-S2)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from meetings.charter.roster import RosterEntry

MINIMUM_OFFICIAL_MEMBERS = 3  # R-S1
COMMITTEE_THRESHOLD = 9  # R-S2: 9 or more official members elect a chi ủy
MAXIMUM_COMMITTEE_SIZE = 7  # R-S2
MAXIMUM_DEPUTIES = 1  # R-S2: below 9, a secretary and at most one deputy


@dataclass(frozen=True, slots=True)
class CellComposition:
    official_count: int
    below_minimum: bool
    requires_committee: bool
    rules: tuple[str, ...]
    explanation: str


def cell_composition(roster: Sequence[RosterEntry]) -> CellComposition:
    """Count the official members on the cell's own roll.

    Exempt, temporarily-out and suspended members stay on the roll and count; probationary and
    temporary-in members do not.
    """
    official_count = sum(1 for entry in roster if entry.is_home_official)
    below_minimum = official_count < MINIMUM_OFFICIAL_MEMBERS
    requires_committee = official_count >= COMMITTEE_THRESHOLD
    explanation = f"Chi bộ có {official_count} đảng viên chính thức (R-S1, R-S2)"
    if below_minimum:
        explanation += (
            f", dưới mức tối thiểu {MINIMUM_OFFICIAL_MEMBERS}: báo cáo cấp ủy cấp trên xem xét"
        )
    if requires_committee:
        explanation += f"; bầu chi ủy (tối đa {MAXIMUM_COMMITTEE_SIZE} đồng chí)."
    else:
        explanation += f"; bầu bí thư và tối đa {MAXIMUM_DEPUTIES} phó bí thư, không bầu chi ủy."
    return CellComposition(
        official_count=official_count,
        below_minimum=below_minimum,
        requires_committee=requires_committee,
        rules=("R-S1", "R-S2"),
        explanation=explanation,
    )
