from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from meetings.enums import (
    DOCUMENT_STATUSES,
    ONLINE_MODES,
    PREPARATION_STATUSES,
    MeetingChangeAction,
    MeetingKind,
    MeetingMode,
    MeetingStatus,
)
from members import zones
from members.enums import Level


class Meeting(models.Model):
    """One meeting of a cell (buổi sinh hoạt chi bộ), from the secretary's draft to the archive."""

    # Not a column: minutes.review.kept notes before a save the cell the meeting was held in,
    # and reads it after the save.
    _held_in_cell: int | None

    cell = models.ForeignKey(
        "members.Organization",
        verbose_name=_("chi bộ"),
        on_delete=models.PROTECT,
        related_name="meetings",
        limit_choices_to={"level": Level.CELL},
    )
    kind = models.CharField(_("loại buổi sinh hoạt"), max_length=20, choices=MeetingKind.choices)
    mode = models.CharField(
        _("hình thức"), max_length=20, choices=MeetingMode.choices, default=MeetingMode.IN_PERSON
    )
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.DRAFT
    )
    title = models.CharField(
        _("chủ đề"),
        max_length=200,
        blank=True,
        help_text=_("Ví dụ: chủ đề sinh hoạt chuyên đề. Để trống: tên theo loại và ngày."),
    )
    starts_at = models.DateTimeField(_("thời gian bắt đầu"))
    planned_minutes = models.PositiveSmallIntegerField(_("thời lượng dự kiến (phút)"), default=90)
    place = models.CharField(_("địa điểm"), max_length=200, blank=True)
    online_room = models.CharField(
        _("phòng họp trực tuyến"),
        max_length=300,
        blank=True,
        help_text=_("Tên hoặc địa chỉ phòng họp trực tuyến."),
    )
    approval_number = models.CharField(
        _("số văn bản cho phép của cấp ủy cấp trên"), max_length=60, blank=True
    )
    approval_date = models.DateField(_("ngày văn bản cho phép"), null=True, blank=True)
    chair = models.ForeignKey(
        "members.Member",
        verbose_name=_("chủ trì"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorder = models.ForeignKey(
        "members.Member",
        verbose_name=_("thư ký"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Có thể cử khi khai mạc."),
    )
    status_reason = models.CharField(_("lý do hoãn, hủy"), max_length=500, blank=True)
    # The live room: when the chair actually opened and closed the meeting, and the length of
    # a speaking turn shown as a countdown.
    started_at = models.DateTimeField(_("bắt đầu lúc"), null=True, blank=True, editable=False)
    ended_at = models.DateTimeField(_("kết thúc lúc"), null=True, blank=True, editable=False)
    # Why the chair ended before the charter's minimum duration (empty when it was reached).
    early_end_reason = models.CharField(_("lý do kết thúc sớm"), max_length=500, blank=True)
    turn_seconds = models.PositiveSmallIntegerField(
        _("thời gian mỗi lượt phát biểu (giây)"), default=300
    )
    # iCalendar SEQUENCE: bumped whenever members' calendars must be updated.
    sequence = models.PositiveIntegerField(default=0, editable=False)
    scheduled_at = models.DateTimeField(_("công bố lúc"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("buổi sinh hoạt")
        verbose_name_plural = _("buổi sinh hoạt")
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(fields=["cell", "starts_at"], name="meeting_cell_start_idx"),
            models.Index(fields=["status", "starts_at"], name="meeting_status_start_idx"),
            # The first meetings of a period in order, without sorting all of them (the
            # dashboard's list of online meetings).
            models.Index(fields=["starts_at"], name="meeting_start_idx"),
        ]

    def __str__(self) -> str:
        return self.display_title

    @property
    def display_title(self) -> str:
        if self.title:
            return self.title
        day = formats.date_format(self.local_day, "SHORT_DATE_FORMAT")
        return f"{self.get_kind_display()} {day}"

    @property
    def ends_at(self) -> datetime.datetime:
        return self.starts_at + datetime.timedelta(minutes=self.planned_minutes)

    @property
    def local_day(self) -> datetime.date:
        """The meeting's day in the cell's time zone: the day it was held once it has started,
        until then the day it is called for (its minutes, roll and roles belong to that day)."""
        return timezone.localtime(self.started_at or self.starts_at, self.zone).date()

    @property
    def zone(self) -> datetime.tzinfo:
        """The cell's time zone (members.zones), without loading the cell when it is known."""
        if Meeting.cell.is_cached(self):
            return zones.of_cell(self.cell)
        return zones.of_cell_id(self.cell_id)

    @property
    def is_in_preparation(self) -> bool:
        return self.status in PREPARATION_STATUSES

    @property
    def accepts_documents(self) -> bool:
        return self.status in DOCUMENT_STATUSES

    @property
    def accepts_replies(self) -> bool:
        return self.status in (MeetingStatus.SCHEDULED, MeetingStatus.POSTPONED)

    @property
    def accepts_absence_decisions(self) -> bool:
        return self.status in (
            MeetingStatus.SCHEDULED,
            MeetingStatus.POSTPONED,
            MeetingStatus.IN_PROGRESS,
        )

    @property
    def is_online(self) -> bool:
        return self.mode in ONLINE_MODES

    @property
    def approval_reference(self) -> str:
        """The superior committee's approval as the charter and the minutes cite it."""
        if not self.approval_number.strip():
            return ""
        reference = _("văn bản số %(number)s") % {"number": self.approval_number.strip()}
        if self.approval_date:
            day = formats.date_format(self.approval_date, "SHORT_DATE_FORMAT")
            reference += " " + _("ngày %(day)s") % {"day": day}
        return str(reference)


class MeetingChange(models.Model):
    """The meeting's history: every state change and edit, who made it and why. Append-only."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="changes")
    action = models.CharField(max_length=30, choices=MeetingChangeAction.choices)
    from_status = models.CharField(max_length=20, choices=MeetingStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=MeetingStatus.choices, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    details = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("lịch sử buổi sinh hoạt")
        verbose_name_plural = _("lịch sử buổi sinh hoạt")
        ordering = ["recorded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.meeting}: {self.get_action_display()}"
