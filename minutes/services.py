"""The minutes' life: drafted and edited (every save a version), approved by the meeting's
read-back vote or by chair and recorder, rendered once by a Celery task, signed by chair then
recorder with a fresh one-time code, archived (immutable) with the meeting; extracts,
resolutions and signed corrections (addenda) follow the same render-and-sign path.

One function per state change, each in a transaction and permission-checked; refusals are
`RuleViolation`s in Vietnamese.
"""

from __future__ import annotations

import hashlib
import logging
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from meetings import events
from meetings.enums import MeetingStatus, NotificationKind
from meetings.errors import RuleViolation
from meetings.models import AgendaItem, Meeting, Notification, Vote
from meetings.models.voting import VoteKind, VoteStatus
from meetings.services.notifications import notify
from members import access as member_access
from members import queries as member_queries
from members.models import Member, User
from members.otp import consume_code
from minutes import document as doc
from minutes import rendering
from minutes.drafting import (
    Edits,
    draft_addendum,
    draft_extract,
    draft_minutes,
    draft_resolution,
)
from minutes.models import (
    ApprovalKind,
    DocumentKind,
    DocumentSignature,
    DocumentStatus,
    Minutes,
    MinutesStatus,
    MinutesVersion,
    RenderState,
    SignedDocument,
    SignerRole,
)
from minutes.signing import LocalAuthoritySigner, SignatureStep, sign_in_order

logger = logging.getLogger(__name__)

# The recorder writes while the meeting runs (in the room) and after it ends, until approval.
AFTER_APPROVAL = frozenset({MeetingStatus.MINUTES_APPROVED, MeetingStatus.ARCHIVED})
# A held meeting; "minutes approved" and "archived" are included because the meeting page lets
# the secretary set those states by hand: the minutes' own state decides what may still happen.
HELD = frozenset({MeetingStatus.ENDED, *AFTER_APPROVAL})
WRITABLE_MEETING_STATUSES = frozenset({MeetingStatus.IN_PROGRESS, *HELD})
DEFAULT_GROUNDS = (
    "Căn cứ Điều lệ Đảng Cộng sản Việt Nam;",
    "Căn cứ Quy định thi hành Điều lệ Đảng và hướng dẫn của cấp ủy cấp trên;",
)
DEFAULT_RECIPIENTS = ("Đảng ủy cấp trên (để b/c)", "Đảng viên trong chi bộ", "Lưu chi bộ")


# --- Who ------------------------------------------------------------------------------------------


def writer_roles(user: User, meeting: Meeting) -> set[str]:
    """ "chair" and/or "recorder" when the user holds that seat in this meeting."""
    member = member_access.member_of(user)
    if member is None:
        return set()
    roles: set[str] = set()
    if meeting.chair_id == member.pk:
        roles.add(SignerRole.CHAIR)
    if meeting.recorder_id == member.pk:
        roles.add(SignerRole.RECORDER)
    return roles


def _require_writer(user: User, meeting: Meeting) -> Member:
    if not writer_roles(user, meeting):
        raise RuleViolation(
            _("Chỉ đồng chí chủ trì và thư ký của buổi sinh hoạt được làm việc này."),
            reason="forbidden",
        )
    member = member_access.member_of(user)
    assert member is not None  # noqa: S101 -- writer_roles found one
    return member


def expected_signer(document: SignedDocument, role: str) -> Member | None:
    """Chair and recorder sign minutes and addenda; the cell's secretary signs extracts and
    resolutions "T/M CHI BỘ" (R-F6). Without a secretary on the meeting day the chair signs:
    the charter reference is silent; the deputy secretary who chaired acts for the secretary
    (Hướng dẫn 12-HD/BTCTW on who chairs in the secretary's absence)."""
    meeting = document.minutes.meeting
    if role == SignerRole.CHAIR:
        return meeting.chair
    if role == SignerRole.RECORDER:
        return meeting.recorder
    return member_queries.secretary_of(meeting.cell, meeting.local_day) or meeting.chair


def next_role(document: SignedDocument) -> str | None:
    signed = set(document.signatures.values_list("role", flat=True))
    return next((role for role in document.signer_roles if role not in signed), None)


def _sign_url(document: SignedDocument) -> str:
    """The document's page at its signing form (the form posts to `minutes:sign`)."""
    return reverse("minutes:document", args=[document.pk]) + "#sign-heading"


def _ask_next_signer(document: SignedDocument) -> None:
    """The member whose turn it is to sign is told so, in the caller's transaction (pushed live
    after commit). A document waits for each signer in turn, so this is said once per signer."""
    role = next_role(document)
    signer = expected_signer(document, role) if role else None
    if role is None or signer is None or signer.user is None:
        return
    meeting = document.minutes.meeting
    notify(
        user=signer.user,
        kind=NotificationKind.SIGNATURE_AWAITED,
        title=_("Đến lượt đồng chí ký: %(document)s, %(meeting)s")
        % {"document": document.get_kind_display(), "meeting": meeting.display_title},
        body=_("Ký với tư cách %(role)s bằng mã xác thực trên ứng dụng.")
        % {"role": SignerRole(role).label.lower()},
        url=_sign_url(document),
        meeting=meeting,
    )


def _signed_by(user: User, document: SignedDocument) -> None:
    """The signer's notice that the document awaited them is read: they have signed."""
    Notification.objects.filter(
        user=user, kind=NotificationKind.SIGNATURE_AWAITED, url=_sign_url(document), read_at=None
    ).update(read_at=timezone.now())


# --- Drafting and approval ------------------------------------------------------------------------


def _lock_minutes(meeting: Meeting) -> Minutes:
    Minutes.objects.get_or_create(meeting=meeting)
    return (
        Minutes.objects.select_for_update(of=("self",))
        .select_related("meeting__cell", "meeting__chair", "meeting__recorder")
        .get(meeting=meeting)
    )


@transaction.atomic
def open_minutes(*, actor: User, meeting: Meeting) -> Minutes:
    """The draft of a meeting that has started; created on the first visit of chair or recorder."""
    _require_writer(actor, meeting)
    if meeting.status not in WRITABLE_MEETING_STATUSES:
        raise RuleViolation(_("Buổi sinh hoạt chưa bắt đầu: chưa có biên bản."), reason="too_early")
    minutes, _created = Minutes.objects.get_or_create(meeting=meeting)
    return minutes


@transaction.atomic
def save_edits(
    *, actor: User, meeting: Meeting, edits: Edits, based_on_version: int | None = None
) -> Minutes:
    """Saves the recorder's words as a new version. `based_on_version` is the version the form
    was loaded from: if someone saved in between, nothing is overwritten and the writer is told.
    A new version withdraws an approval given by only one of chair and recorder."""
    author = _require_writer(actor, meeting)
    minutes = _lock_minutes(meeting)
    meeting = minutes.meeting  # as stored now, not as the caller loaded it
    if minutes.status != MinutesStatus.DRAFT:
        raise RuleViolation(
            _(
                "Biên bản đã được thông qua, không sửa được nữa; sai sót sửa bằng biên bản "
                "đính chính."
            ),
            reason="not_editable",
        )
    if meeting.status not in WRITABLE_MEETING_STATUSES:
        raise RuleViolation(_("Buổi sinh hoạt chưa bắt đầu: chưa có biên bản."), reason="too_early")
    if based_on_version is not None and based_on_version != minutes.version:
        last = minutes.versions.order_by("-number").select_related("author").first()
        raise RuleViolation(
            _(
                "Đồng chí %(name)s vừa lưu phiên bản %(version)s. Nội dung đồng chí nhập vẫn ở "
                "dưới đây; mở lại trang để xem bản mới rồi sửa tiếp."
            )
            % {
                "name": last.author.full_name if last and last.author else "",
                "version": minutes.version,
            },
            reason="stale_version",
        )
    data = edits.to_json()
    minutes.version += 1
    minutes.edits = data
    minutes.chair_approved_by = minutes.recorder_approved_by = None
    minutes.chair_approved_at = minutes.recorder_approved_at = None
    minutes.save()
    MinutesVersion.objects.create(
        minutes=minutes,
        number=minutes.version,
        edits=data,
        author=author,
        created_at=timezone.now(),
    )
    return minutes


def read_back_vote(meeting: Meeting) -> Vote | None:
    """The meeting's last closed vote approving the minutes read back (R-P5), if any."""
    return (
        Vote.objects.filter(
            meeting=meeting, kind=VoteKind.MINUTES_APPROVAL, status=VoteStatus.CLOSED
        )
        .order_by("-closed_at", "-pk")
        .first()
    )


def read_back_passed(vote: Vote) -> bool:
    """Approving the minutes is counted, not gated by N (charter-rules.md). The reference is
    silent on the threshold: we require more yes votes than half of the votes cast, the
    ordinary majority of a meeting's procedural decisions (Điều lệ Đảng, Điều 10)."""
    yes = vote.result.get("tally", {}).get("yes", 0)
    return yes * 2 > vote.result.get("cast", 0)


@transaction.atomic
def approve(*, actor: User, meeting: Meeting) -> Minutes:
    """Approves the minutes once the meeting has ended.

    With a closed read-back vote the meeting approved the text: chair or recorder records it.
    Without one, both chair and recorder approve (each once; the same person holding both seats
    approves for both) and the minutes say so. Approval moves the meeting to "minutes approved"
    and queues the PDF.
    """
    member = _require_writer(actor, meeting)
    roles = writer_roles(actor, meeting)
    minutes = _lock_minutes(meeting)
    meeting = minutes.meeting
    if minutes.status != MinutesStatus.DRAFT:
        raise RuleViolation(_("Biên bản đã được thông qua."), reason="already_approved")
    if meeting.status not in HELD:
        raise RuleViolation(
            _("Chỉ thông qua biên bản sau khi buổi sinh hoạt kết thúc."), reason="not_ended"
        )
    if meeting.chair_id is None or meeting.recorder_id is None:
        raise RuleViolation(
            _("Buổi sinh hoạt chưa ghi tên chủ trì hoặc thư ký: chưa thông qua và ký được."),
            reason="no_signer",
        )
    if minutes.version == 0:
        raise RuleViolation(
            _("Biên bản chưa có nội dung: thư ký lưu dự thảo trước khi thông qua."),
            reason="empty",
        )
    now = timezone.now()
    vote = read_back_vote(meeting)
    if vote is not None:
        if not read_back_passed(vote):
            raise RuleViolation(
                _(
                    "Chi bộ biểu quyết không thông qua biên bản (%(yes)s/%(cast)s tán thành): "
                    "biên bản cần được sửa và thông qua lại."
                )
                % {"yes": vote.result.get("tally", {}).get("yes", 0), "cast": vote.result["cast"]},
                reason="read_back_failed",
            )
        minutes.approval_kind = ApprovalKind.READ_BACK_VOTE
        minutes.approval_vote = vote
    else:
        if SignerRole.CHAIR in roles and minutes.chair_approved_by_id is None:
            minutes.chair_approved_by, minutes.chair_approved_at = member, now
        if SignerRole.RECORDER in roles and minutes.recorder_approved_by_id is None:
            minutes.recorder_approved_by, minutes.recorder_approved_at = member, now
        minutes.approval_kind = ApprovalKind.CHAIR_AND_RECORDER
        if minutes.chair_approved_by_id is None or minutes.recorder_approved_by_id is None:
            minutes.save()
            return minutes
    minutes.status = MinutesStatus.APPROVED
    minutes.approved_at = now
    minutes.save()
    _move_meeting(meeting, MeetingStatus.MINUTES_APPROVED, actor)
    _issue(minutes, DocumentKind.MINUTES, created_by=member)
    return minutes


def _move_meeting(meeting: Meeting, to_status: str, actor: User) -> None:
    """Only the cell's managers move a meeting's state; the chair (who must manage the cell to
    have run the meeting) stands in when the recorder completes a step."""
    from meetings.enums import TRANSITIONS
    from meetings.services.scheduling import change_status

    meeting.refresh_from_db(fields=["status"])
    if to_status not in TRANSITIONS.get(meeting.status, frozenset()):
        return  # already there (set by hand on the meeting page) or past it
    if not member_access.may_manage_cell(actor, meeting.cell) and meeting.chair is not None:
        actor = meeting.chair.user or actor
    change_status(actor=actor, meeting=meeting, to_status=to_status)


# --- Issuing and rendering ------------------------------------------------------------------------


def _issue(
    minutes: Minutes,
    kind: str,
    *,
    created_by: Member,
    agenda_item: AgendaItem | None = None,
    corrects: SignedDocument | None = None,
    details: dict[str, Any] | None = None,
) -> SignedDocument:
    document = SignedDocument.objects.create(
        minutes=minutes,
        kind=kind,
        agenda_item=agenda_item,
        corrects=corrects,
        details=details or {},
        created_by=created_by,
    )
    transaction.on_commit(partial(enqueue_render, document.pk))
    return document


def enqueue_render(document_id: int) -> None:
    from minutes import tasks

    tasks.render_document.delay(document_id=document_id)


def _archived_minutes_document(meeting: Meeting) -> SignedDocument:
    document = SignedDocument.objects.filter(
        minutes__meeting=meeting, kind=DocumentKind.MINUTES, status=DocumentStatus.ARCHIVED
    ).first()
    if document is None:
        raise RuleViolation(
            _("Biên bản chưa được ký và lưu trữ: chưa trích hoặc đính chính được."),
            reason="not_archived",
        )
    return document


def _require_issuer(actor: User, meeting: Meeting) -> Member:
    """Chair, recorder, or the cell's secretary and deputy secretary issue documents."""
    member = member_access.member_of(actor)
    if member is None or not (
        writer_roles(actor, meeting) or member_access.may_manage_cell(actor, meeting.cell)
    ):
        raise RuleViolation(
            _("Chỉ chủ trì, thư ký hoặc bí thư chi bộ được làm việc này."), reason="forbidden"
        )
    return member


@transaction.atomic
def issue_extract(*, actor: User, meeting: Meeting, item: AgendaItem) -> SignedDocument:
    member = _require_issuer(actor, meeting)
    minutes_document = _archived_minutes_document(meeting)
    if item.meeting_id != meeting.pk:
        raise RuleViolation(_("Nội dung này không thuộc buổi sinh hoạt."), field="item")
    return _issue(
        minutes_document.minutes, DocumentKind.EXTRACT, created_by=member, agenda_item=item
    )


@transaction.atomic
def issue_resolution(
    *,
    actor: User,
    meeting: Meeting,
    resolutions: list[str],
    number: str = "",
) -> SignedDocument:
    member = _require_issuer(actor, meeting)
    minutes_document = _archived_minutes_document(meeting)
    points = [line.strip() for line in resolutions if line.strip()]
    if not points:
        raise RuleViolation(_("Ghi ít nhất một điểm quyết nghị."), field="resolutions")
    built = _minutes_value(minutes_document.minutes, preview_integrity())
    if built.conclusion.vote is None or not built.conclusion.vote.passed:
        raise RuleViolation(
            _("Chi bộ chưa biểu quyết thông qua nghị quyết, kết luận tại buổi sinh hoạt."),
            reason="no_resolution_vote",
        )
    return _issue(
        minutes_document.minutes,
        DocumentKind.RESOLUTION,
        created_by=member,
        details={"resolutions": points, "number": number.strip()},
    )


@transaction.atomic
def issue_addendum(*, actor: User, meeting: Meeting, text: str) -> SignedDocument:
    member = _require_writer(actor, meeting)
    minutes_document = _archived_minutes_document(meeting)
    if not text.strip():
        raise RuleViolation(_("Ghi nội dung đính chính."), field="text")
    return _issue(
        minutes_document.minutes,
        DocumentKind.ADDENDUM,
        created_by=member,
        corrects=minutes_document,
        details={"text": text.strip()},
    )


def verification_url(document: SignedDocument) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(
        "minutes:verify_code", args=[document.verification_code]
    )


def preview_integrity() -> doc.Integrity:
    """Printed on previews only: no document id, chain head or link yet."""
    return doc.Integrity("00000000-0000-0000-0000-000000000000", "0" * 64, settings.SITE_URL)


def _minutes_value(minutes: Minutes, integrity: doc.Integrity) -> doc.MinutesDocument:
    return draft_minutes(minutes.meeting, Edits.from_json(minutes.edits), integrity)


def _person(member: Member | None, meeting: Meeting) -> doc.Person:
    if member is None:
        return doc.Person("—")
    roles = member_queries.current_roles(meeting.cell, meeting.local_day)
    title = next((str(r.get_kind_display()) for r in roles if r.member_id == member.pk), "")
    return doc.Person(member.full_name, f"{title} chi bộ" if title else "")


def build_document(document: SignedDocument, chain_head: str) -> rendering.AnyDocument:
    """The value the PDF prints, built from the record and the approved words."""
    minutes = document.minutes
    meeting = minutes.meeting
    integrity = doc.Integrity(str(document.document_id), chain_head, verification_url(document))
    built = _minutes_value(minutes, integrity)
    if document.kind == DocumentKind.MINUTES:
        return built
    if document.kind == DocumentKind.EXTRACT:
        assert document.agenda_item is not None  # noqa: S101 -- issue_extract sets it
        positions = list(meeting.agenda_items.order_by("position").values_list("pk", flat=True))
        return draft_extract(
            built,
            meeting,
            positions.index(document.agenda_item.pk) + 1,
            _person(expected_signer(document, SignerRole.SECRETARY), meeting),
            integrity,
        )
    if document.kind == DocumentKind.RESOLUTION:
        return draft_resolution(
            built,
            meeting,
            number=document.details.get("number", ""),
            resolutions=tuple(document.details["resolutions"]),
            grounds=(
                *DEFAULT_GROUNDS,
                f"Căn cứ biên bản sinh hoạt chi bộ ngày {meeting.local_day:%d/%m/%Y},",
            ),
            recipients=DEFAULT_RECIPIENTS,
            secretary=_person(expected_signer(document, SignerRole.SECRETARY), meeting),
            integrity=integrity,
        )
    assert document.corrects is not None  # noqa: S101 -- issue_addendum sets it
    return draft_addendum(
        built,
        meeting,
        corrected_document_id=str(document.corrects.document_id),
        text=document.details["text"],
        integrity=integrity,
    )


class ChainBrokenError(Exception):
    """The meeting's event log does not verify: the PDF must not print a head hash."""


def render_document(*, document_id: int) -> SignedDocument | None:
    """The Celery task's body: renders the document once. A second run (a retry after the
    PDF was stored, a duplicate message) finds it rendered and does nothing."""
    with transaction.atomic():
        document = SignedDocument.objects.select_for_update().filter(pk=document_id).first()
        if document is None or document.render_state == RenderState.SUCCEEDED:
            return document
        document.render_state = RenderState.RUNNING
        document.status = DocumentStatus.RENDERING
        document.render_attempts += 1
        document.save(update_fields=["render_state", "status", "render_attempts"])
    document = SignedDocument.objects.select_related(
        "minutes__meeting__cell__parent", "agenda_item", "corrects"
    ).get(pk=document_id)
    head = events.verify_chain(document.minutes.meeting)
    if head is None:
        raise ChainBrokenError(f"event chain of meeting {document.minutes.meeting_id} is broken")
    value = build_document(document, head)
    rendered = rendering.render_document(value)
    with transaction.atomic():
        document = SignedDocument.objects.select_for_update().get(pk=document_id)
        if document.render_state == RenderState.SUCCEEDED:
            return document
        document.rendered_pdf = rendered.pdf
        document.page_count = rendered.page_count
        document.signature_boxes = {
            role: {"page": slot.page, "box": list(slot.box)}
            for role, slot in rendered.signature_boxes.items()
        }
        document.event_chain_head = head
        document.content_text = rendering.document_text(value)
        document.rendered_at = timezone.now()
        document.render_state = RenderState.SUCCEEDED
        document.render_error = ""
        document.status = DocumentStatus.AWAITING_SIGNATURES
        document.save()
        _ask_next_signer(document)
    return document


def note_render_failure(*, document_id: int, error: BaseException, final: bool) -> None:
    """Records a failed attempt; after the last retry the user sees a plain message."""
    logger.exception("rendering document %s failed", document_id, exc_info=error)
    document = SignedDocument.objects.filter(pk=document_id).first()
    if document is None or document.render_state == RenderState.SUCCEEDED:
        return
    if isinstance(error, ChainBrokenError):
        message = _(
            "Không tạo được tệp PDF: nhật ký sự kiện của buổi sinh hoạt không toàn vẹn (mã băm "
            "không khớp). Báo quản trị hệ thống để kiểm tra trước khi ký."
        )
    else:
        message = _(
            "Không tạo được tệp PDF (đã thử %(attempts)s lần). Bấm “Tạo lại tệp PDF” để thử "
            "lại; nếu vẫn không được, báo quản trị hệ thống."
        ) % {"attempts": document.render_attempts}
    document.render_error = message
    document.render_state = RenderState.FAILED if final else RenderState.QUEUED
    document.status = DocumentStatus.RENDER_FAILED if final else DocumentStatus.RENDERING
    document.save(update_fields=["render_error", "render_state", "status"])


@transaction.atomic
def retry_render(*, actor: User, document: SignedDocument) -> SignedDocument:
    _require_issuer(actor, document.minutes.meeting)
    document = SignedDocument.objects.select_for_update().get(pk=document.pk)
    if document.render_state != RenderState.FAILED:
        return document
    document.render_state = RenderState.QUEUED
    document.status = DocumentStatus.RENDERING
    document.render_error = ""
    document.save(update_fields=["render_state", "status", "render_error"])
    transaction.on_commit(partial(enqueue_render, document.pk))
    return document


# --- Signing --------------------------------------------------------------------------------------


def check_fresh_code(user: User, code: str) -> bool:
    """A code of the user's authenticator (TOTP) that has not been used before: django-otp
    accepts only a time step later than the last one verified, so a code used to sign in or to
    sign earlier is refused. Backup codes do not sign. Committed even if signing then fails,
    so a refused code counts towards the device's throttling."""
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6):
        return False
    devices = TOTPDevice.objects.filter(user=user, confirmed=True)
    return any(consume_code(device, code) for device in devices)


def sign_document(*, actor: User, document: SignedDocument, code: str) -> SignedDocument:
    """Puts the next signature (chair, then recorder; or the secretary) on the document after
    a fresh one-time code. The last signature archives it; archiving the minutes archives the
    meeting."""
    document = SignedDocument.objects.select_related("minutes__meeting").get(pk=document.pk)
    role = _check_turn(actor, document)
    if not check_fresh_code(actor, code):
        raise RuleViolation(
            _(
                "Mã xác thực không đúng, đã hết hạn hoặc đã được dùng. Chờ ứng dụng xác thực "
                "hiện mã mới (30 giây một mã) rồi nhập lại."
            ),
            field="code",
        )
    with transaction.atomic():
        document = (
            SignedDocument.objects.select_for_update()
            .select_related("minutes__meeting__cell")
            .get(pk=document.pk)
        )
        if _check_turn(actor, document) != role:
            raise RuleViolation(_("Văn bản vừa được ký; mở lại trang."), reason="stale")
        member = member_access.member_of(actor)
        assert member is not None  # noqa: S101 -- _check_turn found the member
        signer = LocalAuthoritySigner(member)
        current = bytes(document.signed_pdf or document.rendered_bytes())
        boxes = {
            name: rendering.SignatureBox(page=slot["page"], box=tuple(slot["box"]))
            for name, slot in document.signature_boxes.items()
        }
        signed = sign_in_order(
            rendering.RenderedPdf(current, document.page_count or 0, boxes),
            [SignatureStep(role, signer, member.full_name)],
        )
        from minutes.authority import signing_credential_for

        DocumentSignature.objects.create(
            document=document,
            role=role,
            signer=member,
            signer_name=member.full_name,
            credential=signing_credential_for(member),
            signed_at=timezone.now(),
        )
        document.signed_pdf = signed
        if next_role(document) is None:
            document.sha256 = hashlib.sha256(signed).hexdigest()
            document.archived_at = timezone.now()
            document.status = DocumentStatus.ARCHIVED
        document.save()
        _signed_by(actor, document)
        if not document.is_archived:
            _ask_next_signer(document)
        if document.is_archived and document.kind == DocumentKind.MINUTES:
            minutes = Minutes.objects.select_for_update().get(pk=document.minutes_id)
            minutes.status = MinutesStatus.ARCHIVED
            minutes.save(update_fields=["status", "updated_at"])
            _move_meeting(minutes.meeting, MeetingStatus.ARCHIVED, actor)
    return document


def _check_turn(actor: User, document: SignedDocument) -> str:
    if document.status != DocumentStatus.AWAITING_SIGNATURES:
        raise RuleViolation(
            _("Văn bản đã được ký đủ.")
            if document.is_archived
            else _("Tệp PDF chưa tạo xong: chưa ký được."),
            reason="not_signable",
        )
    role = next_role(document)
    assert role is not None  # noqa: S101 -- awaiting signatures
    expected = expected_signer(document, role)
    member = member_access.member_of(actor)
    if expected is None or member is None or member.pk != expected.pk:
        raise RuleViolation(
            _("Đến lượt đồng chí %(name)s (%(role)s) ký.")
            % {
                "name": expected.full_name if expected else "—",
                "role": SignerRole(role).label.lower(),
            },
            reason="not_your_turn",
        )
    return role
