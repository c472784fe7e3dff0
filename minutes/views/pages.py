"""The minutes of a meeting: the draft (chair and recorder), approval, the documents issued
from it, their rendering progress, signing with a fresh one-time code and downloads."""

from __future__ import annotations

import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from meetings import access as meeting_access
from meetings.errors import RuleViolation
from members import access as member_access
from members.requests import VerifiedRequest
from members.views.flow import submit
from minutes import access, rendering
from minutes.drafting import Edits, draft_minutes
from minutes.forms import EditsForm, IssueForm, SignForm
from minutes.models import (
    DocumentKind,
    DocumentStatus,
    MinutesStatus,
    RenderState,
    SignedDocument,
)
from minutes.services import approval, drafting, issuing, signing
from minutes.services.meeting_status import HELD, WRITABLE_MEETING_STATUSES
from minutes.services.rendering import preview_integrity, retry_render, verification_url
from minutes.services.roles import expected_signer, next_role

EDITABLE_MEETING = WRITABLE_MEETING_STATUSES


def minutes_detail(request: VerifiedRequest, meeting_id: int) -> HttpResponse:
    meeting = meeting_access.access_meeting(request.user, meeting_id)
    minutes = access.minutes_of(meeting)
    may_draft = access.may_read_draft(request.user, meeting)
    roles = access.writer_roles(request.user, meeting)
    documents = list(
        SignedDocument.objects.filter(minutes=minutes)
        .prefetch_related("signatures")
        .order_by("created_at", "pk")
        if minutes
        else []
    )
    if not may_draft:
        documents = [d for d in documents if d.is_archived]
    vote = approval.read_back_vote(meeting) if meeting.status in HELD else None
    archived = any(d.kind == DocumentKind.MINUTES and d.is_archived for d in documents)
    return render(
        request,
        "minutes/detail.html",
        {
            "meeting": meeting,
            "minutes": minutes,
            "documents": documents,
            "may_draft": may_draft,
            "roles": roles,
            "may_edit": bool(roles)
            and meeting.status in EDITABLE_MEETING
            and (minutes is None or minutes.status == MinutesStatus.DRAFT),
            "may_approve": bool(roles)
            and meeting.status in HELD
            and minutes is not None
            and minutes.status == MinutesStatus.DRAFT
            and minutes.version > 0,
            "held": meeting.status in HELD,
            "read_back": vote,
            "read_back_passed": vote is not None and approval.read_back_passed(vote),
            "issue_form": IssueForm(items=meeting.agenda_items.order_by("position"))
            if archived and may_draft
            else None,
        },
    )


@require_http_methods(["GET", "POST"])
def minutes_edit(request: VerifiedRequest, meeting_id: int) -> HttpResponse:
    meeting = meeting_access.access_meeting(request.user, meeting_id)
    if not access.writer_roles(request.user, meeting):
        raise PermissionDenied
    try:
        minutes = drafting.open_minutes(actor=request.user, meeting=meeting)
    except RuleViolation as error:
        messages.error(request, error.message)
        return redirect("meetings:detail", meeting.pk)
    if not minutes.is_editable or meeting.status not in EDITABLE_MEETING:
        messages.info(request, _("Biên bản đã được thông qua, không sửa được nữa."))
        return redirect("minutes:detail", meeting.pk)
    items = list(meeting.agenda_items.order_by("position"))
    if request.method == "POST":
        form = EditsForm(request.POST, items=items)
        if response := submit(
            request,
            form,
            lambda: drafting.save_edits(
                actor=request.user,
                meeting=meeting,
                edits=form.edits(),
                based_on_version=form.cleaned_data["based_on_version"],
            ),
            redirect_to=reverse("minutes:edit", args=[meeting.pk]),
            message=lambda saved: _("Đã lưu phiên bản %(n)s của biên bản.") % {"n": saved.version},
        ):
            return response
    else:
        form = EditsForm(
            initial=EditsForm.initial_from(Edits.from_json(minutes.edits), minutes.version),
            items=items,
        )
    return render(
        request,
        "minutes/edit.html",
        {
            "meeting": meeting,
            "minutes": minutes,
            "form": form,
            "versions": minutes.versions.select_related("author").order_by("-number")[:20],
        },
    )


@require_GET
def minutes_preview(request: VerifiedRequest, meeting_id: int) -> HttpResponse:
    """The PDF's HTML with the words saved so far (the last version), shown in the page."""
    meeting = access.access_meeting_for_draft(request.user, meeting_id)
    minutes = access.minutes_of(meeting)
    if minutes is None or meeting.status not in EDITABLE_MEETING:
        raise Http404
    value = draft_minutes(meeting, Edits.from_json(minutes.edits), preview_integrity())
    html = rendering.minutes_html(value)
    body = re.search(r"<body[^>]*>(.*)</body>", html, re.DOTALL)
    return render(
        request,
        "minutes/preview.html",
        {
            "meeting": meeting,
            "minutes": minutes,
            # Our own template's output, every value escaped by it.
            "preview": mark_safe(body.group(1) if body else ""),  # noqa: S308
        },
    )


@require_POST
def minutes_approve(request: VerifiedRequest, meeting_id: int) -> HttpResponse:
    meeting = meeting_access.access_meeting(request.user, meeting_id)
    if not access.writer_roles(request.user, meeting):
        raise PermissionDenied
    try:
        minutes = approval.approve(actor=request.user, meeting=meeting)
    except RuleViolation as error:
        messages.error(request, error.message)
        return redirect("minutes:detail", meeting.pk)
    if minutes.status == MinutesStatus.APPROVED:
        messages.success(request, _("Biên bản đã được thông qua; đang tạo tệp PDF để ký."))
        document = minutes.documents.get(kind=DocumentKind.MINUTES)
        return redirect("minutes:document", document.pk)
    other = meeting.recorder if minutes.recorder_approved_by_id is None else meeting.chair
    messages.success(
        request,
        _("Đồng chí đã thông qua biên bản; chờ đồng chí %(other)s thông qua.")
        % {"other": other.full_name if other is not None else "—"},
    )
    return redirect("minutes:detail", meeting.pk)


@require_POST
def document_issue(request: VerifiedRequest, meeting_id: int) -> HttpResponse:
    meeting = access.access_meeting_for_draft(request.user, meeting_id)
    form = IssueForm(request.POST, items=meeting.agenda_items.order_by("position"))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))  # an ErrorList gives its messages as text
        return redirect("minutes:detail", meeting.pk)
    data = form.cleaned_data
    try:
        if data["kind"] == DocumentKind.EXTRACT:
            document = issuing.issue_extract(actor=request.user, meeting=meeting, item=data["item"])
        elif data["kind"] == DocumentKind.RESOLUTION:
            document = issuing.issue_resolution(
                actor=request.user,
                meeting=meeting,
                resolutions=data["resolutions"].splitlines(),
                number=data["number"],
            )
        else:
            document = issuing.issue_addendum(
                actor=request.user, meeting=meeting, text=data["text"]
            )
    except RuleViolation as error:
        messages.error(request, error.message)
        return redirect("minutes:detail", meeting.pk)
    messages.success(request, _("Đang tạo tệp PDF của văn bản."))
    return redirect("minutes:document", document.pk)


def _progress(document: SignedDocument) -> dict[str, object]:
    return {
        "state": document.render_state,
        "status": document.status,
        "label": document.get_render_state_display(),
        "error": document.render_error if document.render_state == RenderState.FAILED else "",
        "done": document.render_state in (RenderState.SUCCEEDED, RenderState.FAILED),
    }


def document_detail(request: VerifiedRequest, document_id: int) -> HttpResponse:
    document = access.access_document(request.user, document_id)
    meeting = document.minutes.meeting
    may_draft = access.may_read_draft(request.user, meeting)
    if not document.is_archived and not may_draft:
        raise PermissionDenied
    role = next_role(document) if document.status == DocumentStatus.AWAITING_SIGNATURES else None
    signer = expected_signer(document, role) if role else None
    member = member_access.member_of(request.user)
    return render(
        request,
        "minutes/document.html",
        {
            "meeting": meeting,
            "document": document,
            "signatures": document.signatures.select_related("signer").order_by("signed_at"),
            "next_role": role,
            "next_signer": signer,
            "my_turn": signer is not None and member is not None and signer.pk == member.pk,
            "sign_form": SignForm(),
            "progress": _progress(document),
            "may_retry": may_draft and document.render_state == RenderState.FAILED,
            "verification_url": verification_url(document),
            "addenda": document.addenda.filter(status=DocumentStatus.ARCHIVED),
        },
    )


@require_GET
def document_progress(request: VerifiedRequest, document_id: int) -> JsonResponse:
    """Polled by the document page while the PDF is being made."""
    document = access.access_document(request.user, document_id)
    if not document.is_archived and not access.may_read_draft(
        request.user, document.minutes.meeting
    ):
        raise PermissionDenied
    return JsonResponse(_progress(document))


@require_POST
def document_sign(request: VerifiedRequest, document_id: int) -> HttpResponse:
    document = access.access_document(request.user, document_id)
    if not access.may_read_draft(request.user, document.minutes.meeting):
        raise PermissionDenied
    form = SignForm(request.POST)
    if form.is_valid():
        try:
            document = signing.sign_document(
                actor=request.user, document=document, code=form.cleaned_data["code"]
            )
        except RuleViolation as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("Đã ký số. Văn bản đã đủ chữ ký và được lưu trữ.")
                if document.is_archived
                else _("Đã ký số; chờ người ký tiếp theo."),
            )
    else:
        messages.error(request, _("Nhập mã xác thực 6 chữ số."))
    return redirect("minutes:document", document.pk)


@require_POST
def document_retry(request: VerifiedRequest, document_id: int) -> HttpResponse:
    document = access.access_document(request.user, document_id)
    if not access.may_read_draft(request.user, document.minutes.meeting):
        raise PermissionDenied
    try:
        retry_render(actor=request.user, document=document)
    except RuleViolation as error:
        messages.error(request, error.message)
    return redirect("minutes:document", document.pk)


@require_GET
def document_download(request: VerifiedRequest, document_id: int) -> HttpResponse:
    """The signed file once archived; the unsigned or partly signed one to its signers."""
    document = access.access_document(request.user, document_id)
    if not access.may_download(request.user, document):
        raise PermissionDenied
    content = document.signed_pdf or document.rendered_pdf
    if content is None:
        raise Http404
    response = HttpResponse(bytes(content), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=download_name(document)
    )
    response["Cache-Control"] = "private, no-store"
    return response


def download_name(document: SignedDocument) -> str:
    meeting = document.minutes.meeting
    kind = {
        DocumentKind.MINUTES: "bien-ban",
        DocumentKind.EXTRACT: "trich-bien-ban",
        DocumentKind.RESOLUTION: "nghi-quyet",
        DocumentKind.ADDENDUM: "dinh-chinh",
    }[DocumentKind(document.kind)]
    state = "" if document.is_archived else "-chua-ky-du"
    return f"{kind}-{meeting.local_day:%Y-%m-%d}-{document.verification_code}{state}.pdf"
