"""Decision kinds, their thresholds and their voting methods, as tables (R-V2, R-V3, R-V5, R-A1,
R-A3, R-D2, R-E1).

Every threshold is measured against N, never against votes cast or members present (R-V2).
Integer arithmetic only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import StrEnum


class DecisionKind(StrEnum):
    RESOLUTION = "resolution"  # nghị quyết, kết luận
    ADMISSION = "admission"  # kết nạp
    RECOGNITION = "recognition"  # công nhận đảng viên chính thức
    DISCIPLINE = "discipline"  # kỷ luật
    ELECTION = "election"  # bầu cử
    BOARD = "board"  # bầu ban kiểm phiếu (a procedural vote)


class VotingMethod(StrEnum):
    SHOW_OF_HANDS = "show_of_hands"  # biểu quyết giơ tay
    SECRET_BALLOT = "secret_ballot"  # noqa: S105 -- bỏ phiếu kín, not a password


class DisciplineForm(StrEnum):
    """Mildest to most severe; NONE ("không kỷ luật") is never added up (R-D3)."""

    NONE = "none"
    KHIEN_TRACH = "khien_trach"  # khiển trách, reprimand
    CANH_CAO = "canh_cao"  # cảnh cáo, warning
    CACH_CHUC = "cach_chuc"  # cách chức, removal from post
    KHAI_TRU = "khai_tru"  # khai trừ, expulsion


class Threshold(StrEnum):
    MORE_THAN_HALF = "more_than_half"
    TWO_THIRDS = "two_thirds"


def more_than_half(base: int) -> int:
    """yes > N/2, i.e. yes >= floor(N/2) + 1: a tie never passes."""
    return base // 2 + 1


def two_thirds(base: int) -> int:
    """yes >= ceil(2N/3), i.e. 3 * yes >= 2 * N."""
    return -(-2 * base // 3)


THRESHOLD_FUNCTIONS: Mapping[Threshold, Callable[[int], int]] = {
    Threshold.MORE_THAN_HALF: more_than_half,
    Threshold.TWO_THIRDS: two_thirds,
}

THRESHOLD_LABELS: Mapping[Threshold, str] = {
    Threshold.MORE_THAN_HALF: "quá nửa N",
    Threshold.TWO_THIRDS: "ít nhất hai phần ba N",
}

# Discipline has one threshold per form (see discipline.py); the others have one each.
THRESHOLDS: Mapping[DecisionKind, Threshold] = {
    DecisionKind.RESOLUTION: Threshold.MORE_THAN_HALF,  # R-V3
    DecisionKind.ADMISSION: Threshold.TWO_THIRDS,  # R-A1
    DecisionKind.RECOGNITION: Threshold.TWO_THIRDS,  # R-A3
    DecisionKind.ELECTION: Threshold.MORE_THAN_HALF,  # R-E1
    # The domain reference gives no threshold for procedural votes (R-V5 names only their form):
    # the board is adopted as an ordinary resolution is, more than half of N (R-V3, R-V2).
    DecisionKind.BOARD: Threshold.MORE_THAN_HALF,
}

ALLOWED_METHODS: Mapping[DecisionKind, frozenset[VotingMethod]] = {
    DecisionKind.RESOLUTION: frozenset(VotingMethod),
    DecisionKind.ADMISSION: frozenset(VotingMethod),
    DecisionKind.RECOGNITION: frozenset(VotingMethod),
    DecisionKind.DISCIPLINE: frozenset({VotingMethod.SECRET_BALLOT}),
    DecisionKind.ELECTION: frozenset({VotingMethod.SECRET_BALLOT}),
    # R-V5: procedural items, the vote-counting board among them, by show of hands.
    DecisionKind.BOARD: frozenset({VotingMethod.SHOW_OF_HANDS}),
}

# R-D3: votes accumulate from the most severe form downward.
SEVERITY_ORDER: tuple[DisciplineForm, ...] = (
    DisciplineForm.KHAI_TRU,
    DisciplineForm.CACH_CHUC,
    DisciplineForm.CANH_CAO,
    DisciplineForm.KHIEN_TRACH,
)

# R-D2: expulsion needs two thirds of N, every other form more than half.
FORM_THRESHOLDS: Mapping[DisciplineForm, Threshold] = {
    DisciplineForm.KHAI_TRU: Threshold.TWO_THIRDS,
    DisciplineForm.CACH_CHUC: Threshold.MORE_THAN_HALF,
    DisciplineForm.CANH_CAO: Threshold.MORE_THAN_HALF,
    DisciplineForm.KHIEN_TRACH: Threshold.MORE_THAN_HALF,
}

# R-D1: a probationary member can only be reprimanded or warned.
PROBATIONARY_FORMS: frozenset[DisciplineForm] = frozenset(
    {DisciplineForm.NONE, DisciplineForm.KHIEN_TRACH, DisciplineForm.CANH_CAO}
)

# R-D1: the cell decides reprimands and warnings itself; removal and expulsion are proposals
# that a higher body approves.
PROPOSED_FORMS: frozenset[DisciplineForm] = frozenset(
    {DisciplineForm.CACH_CHUC, DisciplineForm.KHAI_TRU}
)

FORM_LABELS: Mapping[DisciplineForm, str] = {
    DisciplineForm.NONE: "không kỷ luật",
    DisciplineForm.KHIEN_TRACH: "khiển trách",
    DisciplineForm.CANH_CAO: "cảnh cáo",
    DisciplineForm.CACH_CHUC: "cách chức",
    DisciplineForm.KHAI_TRU: "khai trừ",
}

KIND_RULES: Mapping[DecisionKind, tuple[str, ...]] = {
    DecisionKind.RESOLUTION: ("R-V3", "R-V2"),
    DecisionKind.ADMISSION: ("R-A1", "R-V2"),
    DecisionKind.RECOGNITION: ("R-A3", "R-V2"),
    DecisionKind.DISCIPLINE: ("R-D2", "R-D3"),
    DecisionKind.ELECTION: ("R-E1", "R-V2"),
    DecisionKind.BOARD: ("R-V5", "R-V3", "R-V2"),
}

KIND_LABELS: Mapping[DecisionKind, str] = {
    DecisionKind.RESOLUTION: "Biểu quyết nghị quyết, kết luận",
    DecisionKind.ADMISSION: "Biểu quyết đề nghị kết nạp đảng viên",
    DecisionKind.RECOGNITION: "Biểu quyết công nhận đảng viên chính thức",
    DecisionKind.DISCIPLINE: "Bỏ phiếu kỷ luật",
    DecisionKind.ELECTION: "Bầu cử",
    DecisionKind.BOARD: "Biểu quyết thông qua ban kiểm phiếu",
}

METHOD_LABELS: Mapping[VotingMethod, str] = {
    VotingMethod.SHOW_OF_HANDS: "biểu quyết giơ tay",
    VotingMethod.SECRET_BALLOT: "bỏ phiếu kín",
}

# Recognition failing its 3rd vote, and a single-seat election failing its 3rd round, go to the
# superior committee (R-A3, R-E3).
ESCALATION_ATTEMPT = 3


def required_yes(kind: DecisionKind, base: int) -> int:
    """The yes votes `kind` needs with vote base `base` (not for discipline: see discipline.py)."""
    return THRESHOLD_FUNCTIONS[THRESHOLDS[kind]](base)


def may_use_method(kind: DecisionKind, method: VotingMethod) -> bool:
    """R-V5: discipline and elections are by secret ballot only, the vote-counting board by show
    of hands."""
    return method in ALLOWED_METHODS[kind]
