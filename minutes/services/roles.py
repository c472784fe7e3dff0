"""Who writes, issues and signs a meeting's documents, and whose turn it is to sign."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings.enums import NotificationKind
from meetings.errors import RuleViolation
from meetings.models import Meeting, Notification
from meetings.services.notifications import notify
from members import access as member_access
from members import queries as member_queries
from members.models import Member, User
from minutes.access import writer_roles
from minutes.models import SignedDocument, SignerRole
from minutes.notices import SIGNATURE_AWAITED


def require_writer(user: User, meeting: Meeting) -> Member:
    if not writer_roles(user, meeting):
        raise RuleViolation(
            _("Chỉ đồng chí chủ trì và thư ký của buổi sinh hoạt được làm việc này."),
            reason="forbidden",
        )
    member = member_access.member_of(user)
    assert member is not None  # noqa: S101 -- writer_roles found one
    return member


def require_issuer(actor: User, meeting: Meeting) -> Member:
    """Chair, recorder, or the cell's secretary and deputy secretary issue documents."""
    member = member_access.member_of(actor)
    if member is None or not (
        writer_roles(actor, meeting) or member_access.may_manage_cell(actor, meeting.cell)
    ):
        raise RuleViolation(
            _("Chỉ chủ trì, thư ký hoặc bí thư chi bộ được làm việc này."), reason="forbidden"
        )
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


def ask_next_signer(document: SignedDocument) -> None:
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
        message=SIGNATURE_AWAITED,
        params={"document": document.kind, "role": role},
        url=_sign_url(document),
        meeting=meeting,
    )


def signed_by(user: User, document: SignedDocument) -> None:
    """The signer's notice that the document awaited them is read: they have signed."""
    Notification.objects.filter(
        user=user, kind=NotificationKind.SIGNATURE_AWAITED, url=_sign_url(document), read_at=None
    ).update(read_at=timezone.now())
