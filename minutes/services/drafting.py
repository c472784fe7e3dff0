"""The draft: opened by chair or recorder once the meeting has started, edited until approval,
every save a new version."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings.errors import RuleViolation
from meetings.models import Meeting
from members.models import User
from minutes.drafting import Edits
from minutes.models import Minutes, MinutesStatus, MinutesVersion
from minutes.services.meeting_status import WRITABLE_MEETING_STATUSES
from minutes.services.roles import require_writer


def lock_minutes(meeting: Meeting) -> Minutes:
    Minutes.objects.get_or_create(meeting=meeting)
    return (
        Minutes.objects.select_for_update(of=("self",))
        .select_related("meeting__cell", "meeting__chair", "meeting__recorder")
        .get(meeting=meeting)
    )


@transaction.atomic
def open_minutes(*, actor: User, meeting: Meeting) -> Minutes:
    """The draft of a meeting that has started; created on the first visit of chair or recorder."""
    require_writer(actor, meeting)
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
    author = require_writer(actor, meeting)
    minutes = lock_minutes(meeting)
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
