"""Models of the minutes app, one module per aggregate; the choices (minutes.enums) are
re-exported here as the app has always offered them."""

from minutes.enums import (
    ApprovalKind,
    DocumentKind,
    DocumentStatus,
    MinutesStatus,
    RenderState,
    ReviewKind,
    SignerRole,
)
from minutes.models.documents import (
    CODE_ALPHABET,
    CODE_LENGTH,
    DocumentSignature,
    SignedDocument,
    SignedDocumentQuerySet,
    new_verification_code,
)
from minutes.models.minutes import (
    ArchivedDocumentError,
    Minutes,
    MinutesVersion,
)
from minutes.models.review import (
    CellRecordsVersion,
    CellYearFigures,
    MinutesReview,
)
from minutes.models.signing import (
    SigningAuthority,
    SigningCredential,
)

__all__ = [
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "ApprovalKind",
    "ArchivedDocumentError",
    "CellRecordsVersion",
    "CellYearFigures",
    "DocumentKind",
    "DocumentSignature",
    "DocumentStatus",
    "Minutes",
    "MinutesReview",
    "MinutesStatus",
    "MinutesVersion",
    "RenderState",
    "ReviewKind",
    "SignedDocument",
    "SignedDocumentQuerySet",
    "SignerRole",
    "SigningAuthority",
    "SigningCredential",
    "new_verification_code",
]
