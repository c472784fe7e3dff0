"""Meeting documents: upload (secretary), download (the cell's members and reviewers above)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from meetings import access, queries
from meetings.errors import RuleViolation
from meetings.forms import DocumentForm
from meetings.services import documents as document_services
from members.requests import VerifiedRequest
from members.views.flow import show_error


@require_http_methods(["GET", "POST"])
def document_upload(request: VerifiedRequest, meeting_id: int) -> HttpResponse:
    meeting = access.access_meeting_for_management(request.user, meeting_id)
    agenda = queries.agenda_for(meeting)
    if request.method == "POST":
        form = DocumentForm(request.POST, request.FILES, agenda=agenda)
        if form.is_valid():
            try:
                document = document_services.add_document(
                    actor=request.user,
                    meeting=meeting,
                    upload=form.cleaned_data["file"],
                    title=form.cleaned_data["title"],
                    classification=form.cleaned_data["classification"],
                    agenda_item=form.cleaned_data["agenda_item"],
                )
            except RuleViolation as error:
                show_error(form, error)
            else:
                messages.success(
                    request, _("Đã thêm tài liệu “%(title)s”.") % {"title": document.title}
                )
                if queries.is_published_late(document, meeting):
                    messages.warning(
                        request,
                        _("Lưu ý: tài liệu đến đảng viên chưa đủ 1 ngày trước buổi sinh hoạt."),
                    )
                return redirect("meetings:detail", meeting.pk)
    else:
        form = DocumentForm(agenda=agenda)
    return render(request, "meetings/document_form.html", {"meeting": meeting, "form": form})


def document_download(request: VerifiedRequest, meeting_id: int, document_id: int) -> HttpResponse:
    """Served through here only, after the access check; never a public media URL.

    The bytes are read whole (at most MEETINGS_DOCUMENT_MAX_BYTES): under ASGI Django buffers a
    FileResponse's synchronous iterator anyway, and warns while doing it.
    """
    document = access.access_document(request.user, meeting_id, document_id)
    try:
        with document_services.open_document(document) as handle:
            content = handle.read()
    except FileNotFoundError as error:
        raise Http404 from error
    response = HttpResponse(content, content_type=document.content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=document.download_name
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def document_remove(request: VerifiedRequest, meeting_id: int, document_id: int) -> HttpResponse:
    meeting = access.access_meeting_for_management(request.user, meeting_id)
    document = access.access_document(request.user, meeting.pk, document_id)
    try:
        document_services.remove_document(actor=request.user, document=document)
    except RuleViolation as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Đã gỡ tài liệu “%(title)s”.") % {"title": document.title})
    return redirect("meetings:detail", meeting.pk)
