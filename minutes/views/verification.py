"""The public verification page: anyone holding the paper (its QR code or short code) or a PDF
file may check it without signing in.

What an anonymous visitor sees: the document's identity (kind, cell, meeting date, document
id), its signatures (signer, time, intact, trusted), the archived file's SHA-256 and whether an
uploaded file matches it. Never the content: the archived file itself is downloadable only by
those who see the cell (minutes.access).
"""

from __future__ import annotations

import hashlib
import io
import uuid

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from pyhanko.pdf_utils.reader import PdfFileReader

from members.models import User
from minutes import access
from minutes.authority import trusted_authorities
from minutes.forms import CodeForm, UploadForm
from minutes.models import SignedDocument
from minutes.verification import VerificationReport, verify_pdf

# Every uploaded file is read and its signatures validated, which takes the server's time: a
# visitor (the signed-in account, else the address) may have CHECKS_PER_WINDOW files checked in
# CHECK_WINDOW seconds. Counted in the shared cache (Redis when configured: every daphne).
CHECKS_PER_WINDOW = 20
CHECK_WINDOW = 10 * 60
TOO_MANY = 429


def _may_open(request: HttpRequest, document: SignedDocument) -> bool:
    """A public page: its visitor may be anonymous, or signed in with the password but not yet
    the second factor. Only a verified member who sees the cell's documents is offered them."""
    user = request.user
    return isinstance(user, User) and user.is_verified() and access.may_open_archive(user, document)


def _may_check_another(request: HttpRequest) -> bool:
    who = (
        f"user-{request.user.pk}"
        if request.user.is_authenticated
        else f"address-{request.META.get('REMOTE_ADDR', '')}"
    )
    key = f"verification-checks:{who}"
    cache.add(key, 0, CHECK_WINDOW)
    try:
        checks = cache.incr(key)
    except ValueError:  # the window ended between add and incr
        cache.set(key, 1, CHECK_WINDOW)
        checks = 1
    return checks <= CHECKS_PER_WINDOW


def _uploaded(request: HttpRequest, form: UploadForm) -> tuple[bytes | None, int]:
    """The uploaded file to check (None when there is none or it may not be checked) and the
    page's status: 400 for a bad file, 429 for one too many, with the reason on the form."""
    if request.method != "POST":
        return None, 200
    if not form.is_valid():
        return None, 400
    if not _may_check_another(request):
        form.add_error(
            "file",
            _(
                "Đồng chí đã gửi nhiều tệp để kiểm tra trong một thời gian ngắn. "
                "Xin thử lại sau ít phút."
            ),
        )
        return None, TOO_MANY
    return form.cleaned_data["file"], 200


def identify(pdf: bytes) -> SignedDocument | None:
    """The archived document a file claims to be: same SHA-256, else the document id that the
    renderer writes as the file's /ID (kept through incremental updates)."""
    sha256 = hashlib.sha256(pdf).hexdigest()
    archived = SignedDocument.objects.archived()
    match = archived.filter(sha256=sha256).first()
    if match is not None:
        return match
    try:
        identifier = PdfFileReader(io.BytesIO(pdf), strict=False).trailer_view["/ID"][0]
        text = identifier if isinstance(identifier, str) else bytes(identifier).decode("ascii")
    except Exception:  # any unreadable trailer just means "not a document of ours"
        return None
    return archived.filter(document_id=text).first() if _is_uuid(text) else None


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def _report_for(pdf: bytes, document: SignedDocument | None) -> VerificationReport:
    return verify_pdf(
        pdf,
        trusted=trusted_authorities(),
        archived_sha256=document.sha256 if document is not None else None,
    )


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Look up a short code, or upload a PDF and check its signatures against the archive."""
    code_form = CodeForm(request.GET or None)
    lookup_status = 200
    if request.GET and code_form.is_valid():
        code = code_form.cleaned_data["code"].strip().upper()
        if SignedDocument.objects.filter(verification_code=code).exists():
            return redirect("minutes:verify_code", code)
        # A mistyped code: said here, with the form, not by the site's "page not found".
        code_form.add_error(
            "code",
            _("Không có văn bản nào mang mã tra cứu %(code)s; đối chiếu lại mã in dưới mã QR.")
            % {"code": code},
        )
        lookup_status = 404
    upload_form = UploadForm(request.POST or None, request.FILES or None)
    report = document = None
    pdf, status = _uploaded(request, upload_form)
    status = lookup_status if request.method == "GET" else status
    if pdf is not None:
        document = identify(pdf)
        report = _report_for(pdf, document)
    return render(
        request,
        "minutes/verify.html",
        {
            "code_form": code_form,
            "upload_form": upload_form,
            "report": report,
            "document": document,
            "may_open": document is not None and _may_open(request, document),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def verify_code(request: HttpRequest, code: str) -> HttpResponse:
    """The QR code's link: the archive's record of one document; a file may be compared to it."""
    document = access.document_by_code(code)
    upload_form = UploadForm(request.POST or None, request.FILES or None)
    uploaded = None
    pdf, status = _uploaded(request, upload_form)
    if pdf is not None:
        uploaded = _report_for(pdf, document)
    report = (
        _report_for(bytes(document.signed_pdf), document)
        if document.is_archived and document.signed_pdf
        else None
    )
    return render(
        request,
        "minutes/verify_code.html",
        {
            "document": document,
            "meeting": document.minutes.meeting,
            "report": report,
            "uploaded": uploaded,
            "upload_form": upload_form,
            "may_open": _may_open(request, document),
        },
        status=status,
    )
