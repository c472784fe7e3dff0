"""The charter rules engine: pure Python, no Django, no I/O, no clock.

Frozen dataclasses in, results out. Every result carries stable reason codes, the rule ids it
applied (R-…, see docs/charter.md) and a Vietnamese explanation for the live room and the minutes.
"""

from meetings.charter.assessment import Assessment, MeetingSnapshot, assess
from meetings.charter.attendance import (
    AttendanceCriterion,
    YearlyAttendance,
    attendance_criterion,
    longest_excused_streaks,
    yearly_attendance,
)
from meetings.charter.citations import RULE_SOURCES, for_members, in_words, sources_of
from meetings.charter.composition import CellComposition, cell_composition
from meetings.charter.decisions import (
    Choice,
    Tally,
    Vote,
    YesNoVote,
    decide,
    decide_on,
)
from meetings.charter.discipline import DisciplineVote
from meetings.charter.elections import ElectionVote, allocate_seats
from meetings.charter.errors import CaseError, DocumentError
from meetings.charter.evaluate import evaluate_case, evaluate_document
from meetings.charter.meetings import (
    AgendaItem,
    AgendaItemKind,
    Classification,
    Compliance,
    DurationCheck,
    DurationMinimums,
    MeetingFormat,
    MeetingKind,
    OnlinePolicy,
    check_duration,
    may_handle_online,
    may_hold_online,
    may_store,
    minimum_duration,
    yearly_compliance,
)
from meetings.charter.outcomes import (
    Decision,
    DecisionReason,
    DecisionStatus,
    Verdict,
    WarningCode,
)
from meetings.charter.quorum import Quorum, quorum
from meetings.charter.roster import (
    DEFAULT_POLICY,
    Attendance,
    ExemptCountedWhen,
    Membership,
    Policy,
    QuorumRule,
    RosterEntry,
    Standing,
    VoteBasePolicy,
    attended,
)
from meetings.charter.thresholds import (
    DecisionKind,
    DisciplineForm,
    VotingMethod,
    more_than_half,
    required_yes,
    two_thirds,
)
from meetings.charter.vote_base import Exclusion, VoteBase, vote_base

__all__ = [
    "DEFAULT_POLICY",
    "RULE_SOURCES",
    "AgendaItem",
    "AgendaItemKind",
    "Assessment",
    "Attendance",
    "AttendanceCriterion",
    "CaseError",
    "CellComposition",
    "Choice",
    "Classification",
    "Compliance",
    "Decision",
    "DecisionKind",
    "DecisionReason",
    "DecisionStatus",
    "DisciplineForm",
    "DisciplineVote",
    "DocumentError",
    "DurationCheck",
    "DurationMinimums",
    "ElectionVote",
    "Exclusion",
    "ExemptCountedWhen",
    "MeetingFormat",
    "MeetingKind",
    "MeetingSnapshot",
    "Membership",
    "OnlinePolicy",
    "Policy",
    "Quorum",
    "QuorumRule",
    "RosterEntry",
    "Standing",
    "Tally",
    "Verdict",
    "Vote",
    "VoteBase",
    "VoteBasePolicy",
    "VotingMethod",
    "WarningCode",
    "YearlyAttendance",
    "YesNoVote",
    "allocate_seats",
    "assess",
    "attendance_criterion",
    "attended",
    "cell_composition",
    "check_duration",
    "decide",
    "decide_on",
    "evaluate_case",
    "evaluate_document",
    "for_members",
    "in_words",
    "longest_excused_streaks",
    "may_handle_online",
    "may_hold_online",
    "may_store",
    "minimum_duration",
    "more_than_half",
    "quorum",
    "required_yes",
    "sources_of",
    "two_thirds",
    "vote_base",
    "yearly_attendance",
    "yearly_compliance",
]
