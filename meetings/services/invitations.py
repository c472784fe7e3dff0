"""Invitations, answers, absences and the notices sent about a meeting (e-mail with an .ics
attachment, plus an in-app notification)."""

from __future__ import annotations

import datetime
import logging
import smtplib
from email.mime.text import MIMEText
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from meetings import ics, notices, queries
from meetings.access import ensure_may_manage
from meetings.enums import (
    AbsenceDecision,
    DeliveryKind,
    MeetingChangeAction,
    MeetingStatus,
    NotificationKind,
    Reply,
)
from meetings.errors import RuleViolation
from meetings.models import Delivery, Invitation, Meeting, MeetingChange
from meetings.services.notifications import notify
from members import access as member_access
from members import queries as member_queries
from members import zones
from members.enums import CellRoleKind
from members.models import CommitteeSeat, Member, User

logger = logging.getLogger(__name__)


# ---------------------------------------------------------------- who is invited


def ensure_invitations(meeting: Meeting) -> int:
    """Invites everyone on the cell's roll that day (home members, members meeting here
    temporarily; not the suspended; only the cell committee for a committee meeting) and, as
    guests, the superior committee members following the cell. Idempotent; returns how many
    invitations were added."""
    day = meeting.local_day
    members = set(queries.participants_of(meeting).values_list("pk", flat=True))
    followers = set(
        CommitteeSeat.objects.filter(
            Q(ended_on__isnull=True) | Q(ended_on__gte=day),
            follows_cell=meeting.cell,
            started_on__lte=day,
        ).values_list("member_id", flat=True)
    )
    existing = set(meeting.invitations.values_list("member_id", flat=True))
    new = [Invitation(meeting=meeting, member_id=pk) for pk in members - existing]
    new += [
        Invitation(meeting=meeting, member_id=pk, is_guest=True)
        for pk in followers - members - existing
    ]
    Invitation.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def managers_of(meeting: Meeting) -> list[User]:
    roles = member_queries.current_roles(meeting.cell, timezone.localdate()).filter(
        kind__in=(CellRoleKind.SECRETARY, CellRoleKind.DEPUTY_SECRETARY),
        member__user__isnull=False,
    )
    return [
        role.member.user
        for role in roles.select_related("member__user")
        if role.member.user is not None
    ]


def _detail_url(meeting: Meeting) -> str:
    return reverse("meetings:detail", args=[meeting.pk])


# ---------------------------------------------------------------- answers and absences


def reply_to_invitation(
    *, actor: User, invitation: Invitation, reply: str, reason: str = ""
) -> Invitation:
    """A member answers for themselves: attend, or absent with a reason (then pending approval).

    Effects: the invitation row; on an absence, a notification to the secretary and deputy.
    """
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("meeting__cell", "member")
            .get(pk=invitation.pk)
        )
        member = member_access.member_of(actor)
        if member is None or invitation.member_id != member.pk:
            raise PermissionDenied
        meeting = invitation.meeting
        if not meeting.accepts_replies:
            raise RuleViolation(_("Buổi sinh hoạt này không còn nhận trả lời."))
        reason = reason.strip()
        if reply == Reply.ABSENT and not reason:
            raise RuleViolation(_("Xin vắng mặt cần ghi rõ lý do."), field="absence_reason")
        if reply not in (Reply.ATTEND, Reply.ABSENT):
            raise RuleViolation(_("Hãy chọn dự họp hoặc xin vắng mặt."), field="reply")
        unchanged = reply == invitation.reply and reason == invitation.absence_reason
        invitation.reply = reply
        invitation.replied_at = timezone.now()
        if reply == Reply.ABSENT:
            invitation.absence_reason = reason
            if not unchanged:
                invitation.absence_decision = AbsenceDecision.PENDING
                invitation.decision_note = ""
                invitation.decided_by = None
                invitation.decided_at = None
        else:
            invitation.absence_reason = ""
            invitation.absence_decision = ""
            invitation.decision_note = ""
            invitation.decided_by = None
            invitation.decided_at = None
        invitation.save()
        if reply == Reply.ABSENT and not unchanged:
            for user in managers_of(meeting):
                notify(
                    user=user,
                    kind=NotificationKind.ABSENCE_REQUESTED,
                    message=notices.ABSENCE_REQUESTED,
                    params={"name": invitation.member.full_name, "text": reason},
                    url=_detail_url(meeting) + "#vang-mat",
                    meeting=meeting,
                )
    return invitation


def decide_absence(
    *, actor: User, invitation: Invitation, approve: bool, note: str = ""
) -> Invitation:
    """The secretary (or deputy) approves or rejects a reason for absence. An approved absence
    leaves the member out of the vote base (charter R-V1, policy exclude_approved_absentees).

    Effects: the invitation row, a history entry, a notification to the member.
    """
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("meeting__cell", "member__user")
            .get(pk=invitation.pk)
        )
        meeting = invitation.meeting
        ensure_may_manage(actor, meeting.cell)
        if invitation.reply != Reply.ABSENT:
            raise RuleViolation(_("Đồng chí này không xin vắng mặt."))
        if not meeting.accepts_absence_decisions:
            raise RuleViolation(_("Không còn xét lý do vắng mặt cho buổi sinh hoạt này."))
        decision = AbsenceDecision.APPROVED if approve else AbsenceDecision.REJECTED
        invitation.absence_decision = decision
        invitation.decision_note = note.strip()[:300]
        invitation.decided_by = actor
        invitation.decided_at = timezone.now()
        invitation.save()
        MeetingChange.objects.create(
            meeting=meeting,
            action=MeetingChangeAction.ABSENCE_DECIDED,
            actor=actor,
            reason=invitation.decision_note,
            details={"member": invitation.member.full_name, "decision": decision.value},
        )
        if invitation.member.user is not None:
            notify(
                user=invitation.member.user,
                kind=NotificationKind.ABSENCE_DECIDED,
                message=notices.ABSENCE_APPROVED if approve else notices.ABSENCE_REJECTED,
                params={"text": invitation.decision_note},
                url=_detail_url(meeting),
                meeting=meeting,
            )
    return invitation


# ---------------------------------------------------------------- notices


def due_reminder_offset(starts_at: datetime.datetime, now: datetime.datetime) -> int | None:
    """The reminder due now: the shortest configured offset whose window has begun."""
    if now >= starts_at:
        return None
    for offset in sorted(settings.MEETINGS_REMINDER_OFFSETS_MINUTES):
        if now >= starts_at - datetime.timedelta(minutes=offset):
            return offset
    return None


def invitations_are_due(meeting: Meeting, now: datetime.datetime) -> bool:
    lead = datetime.timedelta(days=settings.MEETINGS_INVITATION_LEAD_DAYS)
    return meeting.status == MeetingStatus.SCHEDULED and meeting.starts_at - lead <= now < (
        meeting.starts_at
    )


def send_due_notices(*, now: datetime.datetime | None = None) -> int:
    """The periodic job: every invitation and reminder now due, each sent once. Returns the
    number of notices sent."""
    now = now or timezone.now()
    lead = datetime.timedelta(days=settings.MEETINGS_INVITATION_LEAD_DAYS)
    meetings = Meeting.objects.filter(
        status=MeetingStatus.SCHEDULED, starts_at__gt=now, starts_at__lte=now + lead
    ).order_by("starts_at", "pk")
    return sum(send_meeting_notices(meeting=meeting, now=now) for meeting in meetings)


def send_meeting_notices(*, meeting: Meeting, now: datetime.datetime | None = None) -> int:
    """The invitation (once per calendar version) and the reminder due now, for one meeting.

    Effects per recipient: a Delivery row, an e-mail with an .ics attachment when the member
    has an address, an in-app notification (pushed after commit). Safe to run concurrently and
    repeatedly: the Delivery row's unique key lets exactly one run send each notice.
    """
    now = now or timezone.now()
    meeting = Meeting.objects.select_related("cell").get(pk=meeting.pk)
    if not invitations_are_due(meeting, now):
        return 0
    ensure_invitations(meeting)
    invitations = list(queries.invitations_for(meeting).select_related("member__user"))
    agenda = list(queries.agenda_for(meeting))
    version = f"seq{meeting.sequence}"
    sent = 0
    for invitation in invitations:
        sent += _deliver(meeting, invitation, agenda, kind=DeliveryKind.INVITATION, key=version)

    offset = due_reminder_offset(meeting.starts_at, now)
    if offset is None:
        return sent
    window_start = meeting.starts_at - datetime.timedelta(minutes=offset)
    # An invitation sent inside the reminder's window already served as the reminder.
    fresh = set(
        Delivery.objects.filter(
            meeting=meeting, kind=DeliveryKind.INVITATION, key=version, sent_at__gte=window_start
        ).values_list("member_id", flat=True)
    )
    key = f"{offset}m@{meeting.starts_at.astimezone(datetime.UTC):%Y%m%dT%H%M%SZ}"
    for invitation in invitations:
        excused = invitation.reply == Reply.ABSENT and invitation.absence_decision in (
            AbsenceDecision.PENDING,
            AbsenceDecision.APPROVED,
        )
        if excused or invitation.member_id in fresh:
            continue
        sent += _deliver(
            meeting, invitation, agenda, kind=DeliveryKind.REMINDER, key=key, offset=offset
        )
    return sent


def send_status_notice(*, meeting: Meeting, kind: str) -> int:
    """Tells everyone who received an invitation that the meeting is postponed or cancelled
    (the .ics removes it from their calendar). Once per calendar version."""
    meeting = Meeting.objects.select_related("cell").get(pk=meeting.pk)
    expected = {
        DeliveryKind.POSTPONED: MeetingStatus.POSTPONED,
        DeliveryKind.CANCELLED: MeetingStatus.CANCELLED,
    }[DeliveryKind(kind)]
    if meeting.status != expected:
        return 0
    invited = Delivery.objects.filter(meeting=meeting, kind=DeliveryKind.INVITATION).values(
        "member_id"
    )
    invitations = queries.invitations_for(meeting).filter(member_id__in=invited)
    agenda = list(queries.agenda_for(meeting))
    return sum(
        _deliver(meeting, invitation, agenda, kind=kind, key=f"seq{meeting.sequence}")
        for invitation in invitations.select_related("member__user")
    )


NOTIFICATION_KINDS = {
    DeliveryKind.INVITATION: NotificationKind.INVITATION,
    DeliveryKind.REMINDER: NotificationKind.REMINDER,
    DeliveryKind.POSTPONED: NotificationKind.POSTPONED,
    DeliveryKind.CANCELLED: NotificationKind.CANCELLED,
}


def _deliver(
    meeting: Meeting,
    invitation: Invitation,
    agenda: list,
    *,
    kind: str,
    key: str,
    offset: int = 0,
) -> int:
    member = invitation.member
    if Delivery.objects.filter(meeting=meeting, member=member, kind=kind, key=key).exists():
        return 0
    address = member.email or (member.user.email if member.user else "")
    is_update = (
        kind == DeliveryKind.INVITATION
        and Delivery.objects.filter(meeting=meeting, member=member, kind=kind).exists()
    )
    message, params = _notice(meeting, kind, offset, is_update, zones.of_member(member))
    with translation.override(settings.LANGUAGE_CODE):
        subject, _text = message.render(meeting, params)
        body = render_to_string(
            "meetings/email/notice.txt",
            {
                "meeting": meeting,
                "member": member,
                "invitation": invitation,
                "agenda": agenda,
                "kind": kind,
                "offset_hours": offset // 60,
                "offset_minutes": offset,
                "is_update": is_update,
                "url": ics.meeting_url(meeting),
                "when": zones.describe(
                    meeting.starts_at, zones.of_cell(meeting.cell), zones.of_member(member)
                ),
            },
        )
    try:
        with transaction.atomic():
            Delivery.objects.create(
                meeting=meeting, member=member, kind=kind, key=key, email=address
            )
            if member.user is not None:
                notify(
                    user=member.user,
                    kind=NOTIFICATION_KINDS[DeliveryKind(kind)],
                    message=message,
                    params=params,
                    url=_detail_url(meeting),
                    meeting=meeting,
                )
            if address:
                _email(meeting, agenda, member, address, subject, body, kind).send()
    except IntegrityError:
        return 0  # another worker sent it first
    except (smtplib.SMTPException, OSError):
        # Rolled back: the next run of the periodic job tries again.
        logger.warning(
            "could not send %s for meeting %s to %s", kind, meeting.pk, address, exc_info=True
        )
        return 0
    return 1


def _notice(
    meeting: Meeting, kind: str, offset: int, is_update: bool, own: ZoneInfo | None
) -> tuple[notices.Message, dict[str, object]]:
    """The notice's message and parameters: its notification, and in Vietnamese its e-mail's
    subject. The moment is kept, not its text: the reader's language writes it out."""
    params: dict[str, object] = {
        "cell": meeting.cell.name,
        "starts_at": meeting.starts_at.isoformat(),
        "own_zone": own.key if own is not None else "",
    }
    if kind == DeliveryKind.INVITATION:
        return (notices.INVITATION_UPDATE if is_update else notices.INVITATION), params
    if kind == DeliveryKind.REMINDER and offset >= 60:
        return notices.REMINDER_HOURS, {**params, "hours": offset // 60}
    if kind == DeliveryKind.REMINDER:
        return notices.REMINDER_MINUTES, {**params, "minutes": offset}
    if kind == DeliveryKind.POSTPONED:
        return notices.POSTPONED, params
    return notices.CANCELLED, params


def _email(
    meeting: Meeting,
    agenda: list,
    member: Member,
    address: str,
    subject: str,
    body: str,
    kind: str,
) -> EmailMessage:
    cancel = kind in (DeliveryKind.POSTPONED, DeliveryKind.CANCELLED)
    calendar = ics.calendar_for(
        meeting, agenda, attendee_email=address, attendee_name=member.full_name, cancel=cancel
    )
    message = EmailMessage(subject=subject, body=body, to=[address])
    # Built by hand: Django's attach() would put the method parameter inside the subtype.
    part = MIMEText(calendar.decode(), "calendar", "utf-8")
    part.set_param("method", "CANCEL" if cancel else "REQUEST")
    part.add_header("Content-Disposition", "attachment", filename="lich-sinh-hoat.ics")
    message.attach(part)
    return message
