"""The documents issued from archived minutes (extract, resolution, addendum), as their PDF
templates need them: frozen values, no Django, built from the minutes' own values
(minutes.document) by minutes.drafting."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from minutes.document import AgendaItem, Attendance, DocumentHeader, Integrity, Person
from minutes.document_votes import VoteRecord


@dataclass(frozen=True, slots=True)
class ExtractDocument:
    """Trích biên bản (R-F6): the header, the attendance and N, one item with its vote,
    certified "Trích đúng biên bản" and signed "T/M CHI BỘ / BÍ THƯ"."""

    header: DocumentHeader
    meeting_date: datetime.date
    subject: str
    attendance: Attendance
    item: AgendaItem
    secretary: Person
    integrity: Integrity
    certification: str = "Trích đúng biên bản"

    @property
    def title(self) -> str:
        return f"Sinh hoạt chi bộ ngày {self.meeting_date:%d/%m/%Y} (về việc {self.subject})"


@dataclass(frozen=True, slots=True)
class ResolutionDocument:
    """Nghị quyết (R-F6), signed "T/M CHI BỘ / BÍ THƯ" and sent to the committee above."""

    header: DocumentHeader
    subtitle: str
    grounds: tuple[str, ...]
    meeting_date: datetime.date
    cell_name: str
    present: int
    total: int
    vote_base: int
    resolutions: tuple[str, ...]
    adoption: VoteRecord
    recipients: tuple[str, ...]
    secretary: Person
    integrity: Integrity


@dataclass(frozen=True, slots=True)
class AddendumDocument:
    """A signed correction of archived minutes (biên bản đính chính): a signed PDF is never
    changed, so an error found later is corrected by this document, signed by the same chair
    and recorder, which names the corrected document by its id."""

    header: DocumentHeader
    meeting_date: datetime.date
    corrected_document_id: str
    paragraphs: tuple[str, ...]
    chair: Person
    recorder: Person
    integrity: Integrity

    @property
    def title(self) -> str:
        return f"Đính chính biên bản sinh hoạt chi bộ ngày {self.meeting_date:%d/%m/%Y}"
