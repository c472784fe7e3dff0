"""Signing: chair then recorder (or the cell's secretary) each put their signature on the
rendered PDF after a fresh one-time code; the last signature archives the document, and
archiving the minutes archives the meeting."""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from meetings.enums import MeetingStatus
from meetings.errors import RuleViolation
from members import access as member_access
from members.models import User
from members.otp import consume_code
from minutes import rendering
from minutes.authority import signing_credential_for
from minutes.models import (
    DocumentKind,
    DocumentSignature,
    DocumentStatus,
    Minutes,
    MinutesStatus,
    SignedDocument,
    SignerRole,
)
from minutes.services.meeting_status import move_meeting
from minutes.services.roles import ask_next_signer, expected_signer, next_role, signed_by
from minutes.signing import LocalAuthoritySigner, SignatureStep, sign_in_order


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
        _add_signature(actor, document, role)
        signed_by(actor, document)
        if not document.is_archived:
            ask_next_signer(document)
        if document.is_archived and document.kind == DocumentKind.MINUTES:
            minutes = Minutes.objects.select_for_update().get(pk=document.minutes_id)
            minutes.status = MinutesStatus.ARCHIVED
            minutes.save(update_fields=["status", "updated_at"])
            move_meeting(minutes.meeting, MeetingStatus.ARCHIVED, actor)
    return document


def _add_signature(actor: User, document: SignedDocument, role: str) -> None:
    """The signature in the PDF and its record; the last one archives the document."""
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
