"""Models of the meetings app, one module per aggregate."""

from meetings.models.agenda import AgendaItem
from meetings.models.attendance import (
    Attendance,
    PresenceLease,
    PresenceSpan,
    WaitingConnection,
)
from meetings.models.documents import Document
from meetings.models.events import MeetingEvent
from meetings.models.invitations import Delivery, Invitation
from meetings.models.meeting import Meeting, MeetingChange
from meetings.models.notifications import Notification
from meetings.models.ratification import ElectionRatification
from meetings.models.speaking import FloorRequest, SpeakingTurn
from meetings.models.summary import AttendanceSummary
from meetings.models.voting import (
    Ballot,
    BallotBoard,
    BallotReceipt,
    BoardChoice,
    BoardPhase,
    EncryptedBallot,
    SecretBallot,
    Vote,
)

__all__ = [
    "AgendaItem",
    "Attendance",
    "AttendanceSummary",
    "Ballot",
    "BallotBoard",
    "BallotReceipt",
    "BoardChoice",
    "BoardPhase",
    "Delivery",
    "Document",
    "ElectionRatification",
    "EncryptedBallot",
    "FloorRequest",
    "Invitation",
    "Meeting",
    "MeetingChange",
    "MeetingEvent",
    "Notification",
    "PresenceLease",
    "PresenceSpan",
    "SecretBallot",
    "SpeakingTurn",
    "Vote",
    "WaitingConnection",
]
