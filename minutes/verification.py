"""Checks a signed PDF: every signature, the file as a whole, and the archived SHA-256.

A document is valid only if every signature is intact, cryptographically valid, chains to a
trusted authority and allows the changes made after it (pyHanko's difference analysis: later
signatures are fine, edited pages are not), **and** the last signature covers the entire file:
nothing at all may follow it. The verdict is one plain Vietnamese sentence for the public page.

`averify_pdf` is for async code (pyHanko's sync validation calls `asyncio.run` itself);
`verify_pdf` is the sync wrapper for views and tasks.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace

from asgiref.sync import async_to_sync
from cryptography import x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from minutes.signing import to_asn1

logger = logging.getLogger(__name__)

# Whatever pyHanko's reader or validator raises on a damaged file means "cannot read this file":
# PdfError and friends, but also zlib.error from a broken stream, AttributeError and
# AssertionError from an object of the wrong kind where the reader expects another (a fuzz of
# signed files found all of these: tests/minutes/test_verification_fuzz.py). An unreadable file
# is never called valid.

COVERAGE_LABELS = {
    SignatureCoverageLevel.ENTIRE_FILE: "toàn bộ tệp",
    SignatureCoverageLevel.ENTIRE_REVISION: "toàn bộ phiên bản khi ký",
    SignatureCoverageLevel.CONTIGUOUS_BLOCK_FROM_START: "một phần tệp",
    SignatureCoverageLevel.UNCLEAR: "không rõ",
}
MODIFICATION_LABELS = {
    ModificationLevel.NONE: "không có thay đổi",
    ModificationLevel.LTA_UPDATES: "chỉ cập nhật dữ liệu kiểm tra chữ ký",
    ModificationLevel.FORM_FILLING: "chỉ thêm chữ ký, điền biểu mẫu",
    ModificationLevel.ANNOTATIONS: "thêm ghi chú",
    ModificationLevel.OTHER: "nội dung bị thay đổi",
}


@dataclass(frozen=True, slots=True)
class SignatureReport:
    field_name: str
    signer_name: str
    signing_time: datetime.datetime | None
    intact: bool  # the signed bytes are unchanged
    valid: bool  # the cryptographic signature checks out
    trusted: bool  # the certificate chains to a trusted authority
    coverage: str  # SignatureCoverageLevel name
    modification_level: str  # ModificationLevel name, "" if unknown
    # What was added after this signature is allowed; never for a broken signature, whose
    # signed content itself was changed (pyHanko leaves the difference analysis out then).
    changes_allowed: bool
    covers_entire_file: bool
    is_last: bool = False  # the last signature made: nothing at all may follow it

    @property
    def followed_by_additions(self) -> bool:
        """Something was added after the last signature (our rule, stricter than pyHanko's)."""
        return self.is_last and not self.covers_entire_file

    @property
    def untouched(self) -> bool:
        """The signed content is as it was signed: the signature checks out over it."""
        return self.intact and self.valid

    @property
    def is_valid(self) -> bool:
        return self.untouched and self.trusted and self.changes_allowed

    @property
    def coverage_label(self) -> str:
        return COVERAGE_LABELS.get(SignatureCoverageLevel[self.coverage], self.coverage)

    @property
    def modification_label(self) -> str:
        if not self.modification_level:
            return "không xác định"
        return MODIFICATION_LABELS[ModificationLevel[self.modification_level]]


@dataclass(frozen=True, slots=True)
class VerificationReport:
    sha256: str
    signatures: tuple[SignatureReport, ...]
    readable: bool
    nothing_after_last_signature: bool
    matches_archive: bool | None  # None: no archived hash was given
    verdict: str

    @property
    def is_valid(self) -> bool:
        return (
            self.readable
            and bool(self.signatures)
            and all(signature.is_valid for signature in self.signatures)
            and self.nothing_after_last_signature
            and self.matches_archive is not False
        )


async def averify_pdf(
    pdf_bytes: bytes,
    *,
    trusted: Sequence[x509.Certificate],
    archived_sha256: str | None = None,
) -> VerificationReport:
    sha256 = hashlib.sha256(pdf_bytes).hexdigest()
    matches = None if archived_sha256 is None else archived_sha256.lower() == sha256
    try:
        reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
        embedded = list(reader.embedded_regular_signatures)
        context = ValidationContext(
            trust_roots=[to_asn1(certificate) for certificate in trusted],
            allow_fetching=False,
        )
        reports = [
            _report(
                embedded_signature, await async_validate_pdf_signature(embedded_signature, context)
            )
            for embedded_signature in embedded
        ]
    except Exception as error:  # any of them: see the comment at the top
        logger.info("unreadable PDF submitted for verification: %r", error)
        return VerificationReport(
            sha256=sha256,
            signatures=(),
            readable=False,
            nothing_after_last_signature=False,
            matches_archive=matches,
            verdict="Không hợp lệ: không đọc được tệp PDF.",
        )
    last = max(
        zip(embedded, reports, strict=True),
        key=lambda pair: pair[0].signed_revision,
        default=None,
    )
    nothing_after = last is not None and last[1].covers_entire_file
    if last is not None:
        reports = [replace(r, is_last=True) if r is last[1] else r for r in reports]
    return VerificationReport(
        sha256=sha256,
        signatures=tuple(reports),
        readable=True,
        nothing_after_last_signature=nothing_after,
        matches_archive=matches,
        verdict=_verdict(reports, nothing_after=nothing_after, matches_archive=matches),
    )


def verify_pdf(
    pdf_bytes: bytes,
    *,
    trusted: Sequence[x509.Certificate],
    archived_sha256: str | None = None,
) -> VerificationReport:
    return async_to_sync(averify_pdf)(pdf_bytes, trusted=trusted, archived_sha256=archived_sha256)


def _report(
    embedded_signature: EmbeddedPdfSignature, status: PdfSignatureStatus
) -> SignatureReport:
    names = status.signing_cert.subject.native
    level = status.modification_level
    return SignatureReport(
        field_name=embedded_signature.field_name,
        signer_name=names.get("common_name", status.signing_cert.subject.human_friendly),
        signing_time=status.signer_reported_dt,
        intact=status.intact,
        valid=status.valid,
        trusted=status.trusted,
        coverage=(status.coverage or SignatureCoverageLevel.UNCLEAR).name,
        modification_level=level.name if level is not None else "",
        changes_allowed=status.intact
        and status.valid
        and (bool(status.docmdp_ok) or level is None),
        covers_entire_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
    )


def _verdict(
    reports: Sequence[SignatureReport],
    *,
    nothing_after: bool,
    matches_archive: bool | None,
) -> str:
    if not reports:
        return "Không hợp lệ: tệp PDF không có chữ ký số nào."
    problems: list[str] = []
    for report in reports:
        if not report.untouched:
            problems.append(
                f"chữ ký của {report.signer_name} không còn nguyên vẹn "
                "(nội dung đã bị thay đổi sau khi ký)"
            )
        elif not report.trusted:
            problems.append(
                f"chứng thư số của {report.signer_name} không do tổ chức được tin cậy cấp"
            )
        elif not report.changes_allowed:
            problems.append(f"văn bản bị sửa đổi sau khi {report.signer_name} ký")
    if not nothing_after and not problems:
        problems.append("tệp có nội dung được thêm vào sau chữ ký cuối cùng")
    if matches_archive is False:
        problems.append("tệp không khớp với bản lưu trữ (mã SHA-256 khác)")
    if problems:
        return "Không hợp lệ: " + "; ".join(problems) + "."
    names = ", ".join(report.signer_name for report in reports)
    verdict = (
        f"Hợp lệ: văn bản có {len(reports)} chữ ký số hợp lệ ({names}), chứng thư do tổ chức "
        "được tin cậy cấp; văn bản không bị sửa đổi sau khi ký"
    )
    if matches_archive:
        verdict += "; khớp với bản lưu trữ"
    return verdict + "."
