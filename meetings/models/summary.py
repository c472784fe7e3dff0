from django.db import models
from django.utils.translation import gettext_lazy as _


class AttendanceSummary(models.Model):
    """The charter's attendance figures (R-Q1) of one meeting, written when the meeting ends.

    The roll no longer changes then (the room's join and mark need a meeting in progress), so
    the compliance dashboard reads these figures instead of every line of the year's rolls.
    Written by `meetings.attendance_summary.write_summary`, from the charter engine's
    `attendance_criterion` on the roll as the meeting ended.
    """

    meeting = models.OneToOneField(
        "meetings.Meeting",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="attendance_summary",
    )
    roll = models.PositiveIntegerField(_("số người trong danh sách"))  # 0: no roll was taken
    denominator = models.PositiveIntegerField(_("số đảng viên tính tỷ lệ"))
    present = models.PositiveIntegerField(_("có mặt trong số tính tỷ lệ"))
    absent_with_reason = models.PositiveIntegerField(_("vắng có lý do trong số tính tỷ lệ"))
    absent_without_reason = models.PositiveIntegerField(_("vắng không lý do trong số tính tỷ lệ"))
    rate_tenths = models.PositiveIntegerField(_("tỷ lệ (phần nghìn)"), null=True)
    criterion_met = models.BooleanField(_("đạt tiêu chí dự sinh hoạt"))
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("tổng hợp dự sinh hoạt")
        verbose_name_plural = _("tổng hợp dự sinh hoạt")

    def __str__(self) -> str:
        return f"{self.meeting_id}: {self.present}/{self.denominator}"
