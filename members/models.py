from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from members import names, zones
from members.enums import (
    CellRoleKind,
    ExemptCountedWhen,
    Level,
    QuorumPolicy,
    ReadKind,
    RosterChangeKind,
    RosterImportState,
    Standing,
    VoteBasePolicy,
)

PATH_STEP = 8  # digits per level in Organization.path: 99,999,999 organisations


class User(AbstractUser):
    """A login account. The party record is `Member`; an account may exist without one (staff)."""

    if TYPE_CHECKING:
        # django_otp's OTPMiddleware installs this on the user of every request.
        def is_verified(self) -> bool: ...

    # Not a column: members.signals notes before a save whether the password or activity
    # changed, and rechecks open sockets after it.
    _sessions_may_end: bool

    class Meta:
        verbose_name = _("tài khoản")
        verbose_name_plural = _("tài khoản")


class Organization(models.Model):
    """A node of the party tree. `path` is a materialized path: a subtree is one prefix query.

    Policy fields left empty inherit from the nearest ancestor that sets them (see
    `members.queries.effective_policy`), and finally from the charter defaults.
    """

    name = models.CharField(_("tên"), max_length=200)
    level = models.CharField(_("cấp"), max_length=20, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("tổ chức cấp trên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=255, unique=True, editable=False, db_index=True)
    place_name = models.CharField(
        _("địa danh (ghi trên văn bản)"),
        max_length=100,
        blank=True,
        help_text=_("Ví dụ: Hà Nội. Để trống để dùng địa danh của tổ chức cấp trên."),
    )

    vote_base_policy = models.CharField(
        _("cách tính số đảng viên làm căn cứ biểu quyết"),
        max_length=40,
        choices=VoteBasePolicy.choices,
        blank=True,
    )
    quorum_policy = models.CharField(
        _("điều kiện số lượng có mặt"), max_length=20, choices=QuorumPolicy.choices, blank=True
    )
    exempt_counted_when = models.CharField(
        _("tính đảng viên miễn sinh hoạt"),
        max_length=20,
        choices=ExemptCountedWhen.choices,
        blank=True,
    )
    block_sensitive_items_online = models.BooleanField(
        _("không xử lý kỷ luật, bầu cử, nhân sự khi họp trực tuyến"),
        null=True,
        blank=True,
    )
    minimum_regular_minutes = models.PositiveSmallIntegerField(
        _("thời lượng tối thiểu buổi sinh hoạt thường kỳ (phút)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(30), MaxValueValidator(600)],
    )
    # Off unless an organisation sets it: a member who opened the room online counts as present
    # only once their voice and picture are connected (meetings/media; docs/media.md).
    media_required_for_presence = models.BooleanField(
        _("chỉ tính có mặt trực tuyến khi đã kết nối âm thanh và hình ảnh"),
        null=True,
        blank=True,
    )
    # The charter reference sets no deadline for signing the minutes. Default 7 days (see
    # members.queries.PolicySettings): the next regular meeting follows within a month and
    # reviews the previous one's resolution, so its minutes must be signed well before; a week
    # leaves the chair and recorder time to sign while a superior committee can still see late
    # minutes in the same month. Organisations may set another value for their subtree.
    minutes_signing_days = models.PositiveSmallIntegerField(
        _("thời hạn ký biên bản (ngày sau buổi sinh hoạt)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )

    # Blank inherits the parent's zone; the root's default is Vietnam's (members.zones).
    time_zone = models.CharField(
        _("múi giờ"),
        max_length=64,
        blank=True,
        validators=[zones.validate_zone],
        help_text=_(
            "Ví dụ: Europe/Berlin cho chi bộ ở nước ngoài. Để trống để dùng múi giờ của tổ chức "
            "cấp trên (mặc định giờ Việt Nam)."
        ),
    )

    class Meta:
        verbose_name = _("tổ chức đảng")
        verbose_name_plural = _("tổ chức đảng")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        # The path needs our own id, so it is written right after the first insert.
        expected = (self.parent.path if self.parent else "") + f"{self.pk:0{PATH_STEP}d}"
        if self.path != expected:
            self.path = expected
            Organization.objects.filter(pk=self.pk).update(path=expected)

    @property
    def is_cell(self) -> bool:
        return self.level == Level.CELL

    @property
    def depth(self) -> int:
        return len(self.path) // PATH_STEP

    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to this organisation, read off the path without a query."""
        return [int(self.path[i : i + PATH_STEP]) for i in range(0, len(self.path), PATH_STEP)]


class Member(models.Model):
    """A person's party record (hồ sơ đảng viên) as the cell keeps it."""

    # Not a column: meetings.signals notes before a save the cells the member met in, and
    # puts the member out of their media rooms after it if those changed.
    _cells_before: set[int]

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="member",
        verbose_name=_("tài khoản"),
    )
    full_name = models.CharField(_("họ và tên"), max_length=120)
    date_of_birth = models.DateField(_("ngày sinh"), null=True, blank=True)
    party_card_number = models.CharField(
        _("số thẻ đảng viên"),
        max_length=20,
        null=True,
        blank=True,
        unique=True,
        help_text=_("Đảng viên dự bị chưa có thẻ đảng: để trống."),
    )
    admission_date = models.DateField(_("ngày vào Đảng"))
    recognition_date = models.DateField(_("ngày chính thức"), null=True, blank=True)
    standing = models.CharField(_("loại đảng viên"), max_length=20, choices=Standing.choices)
    email = models.EmailField(_("thư điện tử"), blank=True)
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)

    home_cell = models.ForeignKey(
        Organization,
        verbose_name=_("chi bộ sinh hoạt chính thức"),
        on_delete=models.PROTECT,
        related_name="home_members",
        limit_choices_to={"level": Level.CELL},
    )
    temporary_cell = models.ForeignKey(
        Organization,
        verbose_name=_("chi bộ sinh hoạt tạm thời"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="temporary_members",
        limit_choices_to={"level": Level.CELL},
    )
    temporary_from = models.DateField(_("sinh hoạt tạm thời từ ngày"), null=True, blank=True)
    temporary_until = models.DateField(_("sinh hoạt tạm thời đến ngày"), null=True, blank=True)

    exempt_from = models.DateField(_("miễn sinh hoạt từ ngày"), null=True, blank=True)
    exempt_until = models.DateField(_("miễn sinh hoạt đến ngày"), null=True, blank=True)
    exempt_reason = models.CharField(_("lý do miễn sinh hoạt"), max_length=300, blank=True)

    suspended_from = models.DateField(_("đình chỉ sinh hoạt từ ngày"), null=True, blank=True)
    suspended_until = models.DateField(_("đình chỉ sinh hoạt đến ngày"), null=True, blank=True)
    suspension_reason = models.CharField(_("lý do đình chỉ"), max_length=300, blank=True)

    # The member's own zone (abroad, on a shift elsewhere): times are also shown in it.
    time_zone = models.CharField(
        _("múi giờ của đồng chí"),
        max_length=64,
        blank=True,
        validators=[zones.validate_zone],
    )

    class Meta:
        verbose_name = _("đảng viên")
        verbose_name_plural = _("đảng viên")
        ordering = names.by_name()  # Vietnamese alphabetical order, by given name
        constraints = [
            models.CheckConstraint(
                condition=Q(temporary_cell__isnull=True) | ~Q(temporary_cell=models.F("home_cell")),
                name="member_temporary_cell_differs_from_home",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    def is_exempt_on(self, day: datetime.date) -> bool:
        return _within(day, self.exempt_from, self.exempt_until)

    def is_suspended_on(self, day: datetime.date) -> bool:
        return _within(day, self.suspended_from, self.suspended_until)

    def temporary_cell_on(self, day: datetime.date) -> int | None:
        """The cell this member meets in temporarily on `day`, if any."""
        if self.temporary_cell_id and _within(day, self.temporary_from, self.temporary_until):
            return self.temporary_cell_id
        return None


def _within(day: datetime.date, start: datetime.date | None, end: datetime.date | None) -> bool:
    return start is not None and start <= day and (end is None or day <= end)


class CellRole(models.Model):
    """Secretary, deputy secretary or committee member of a cell, for a period."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="cell_roles")
    cell = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="cell_roles",
        limit_choices_to={"level": Level.CELL},
    )
    kind = models.CharField(_("chức vụ"), max_length=30, choices=CellRoleKind.choices)
    started_on = models.DateField(_("từ ngày"))
    ended_on = models.DateField(_("đến ngày"), null=True, blank=True)

    class Meta:
        verbose_name = _("chức vụ trong chi bộ")
        verbose_name_plural = _("chức vụ trong chi bộ")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.cell}: {self.member}"


class CommitteeSeat(models.Model):
    """A seat on the committee of an organisation above cells: its holder reviews the subtree.

    `is_administrator` marks the organisation's office staff who also see the audit log.
    """

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="committee_seats")
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="committee_seats"
    )
    title = models.CharField(_("chức danh"), max_length=120)
    follows_cell = models.ForeignKey(
        Organization,
        verbose_name=_("chi bộ được phân công theo dõi"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="followed_by",
        limit_choices_to={"level": Level.CELL},
    )
    is_administrator = models.BooleanField(_("quản trị tổ chức"), default=False)
    started_on = models.DateField(_("từ ngày"))
    ended_on = models.DateField(_("đến ngày"), null=True, blank=True)

    class Meta:
        verbose_name = _("ủy viên cấp ủy cấp trên")
        verbose_name_plural = _("ủy viên cấp ủy cấp trên")

    def __str__(self) -> str:
        return f"{self.title} {self.organization}: {self.member}"


class RosterChange(models.Model):
    """History of a cell's roster: every add, edit, exemption, temporary move and transfer."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="roster_changes")
    cell = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="roster_changes")
    kind = models.CharField(max_length=30, choices=RosterChangeKind.choices)
    details = models.JSONField(default=dict, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    effective_on = models.DateField()

    class Meta:
        ordering = ["-recorded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.member}"


class RosterImport(models.Model):
    """A roster file handed to the worker (members.tasks.run_roster_import) and its outcome;
    the page polls it. The file is dropped once it has been read."""

    cell = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="roster_imports")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    file_name = models.CharField(max_length=255, blank=True)
    data = models.BinaryField(blank=True)
    state = models.CharField(
        max_length=20, choices=RosterImportState.choices, default=RosterImportState.QUEUED
    )
    rows_read = models.PositiveIntegerField(default=0)
    imported = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)  # [[row, column, message], ...]
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.file_name} → {self.cell} ({self.state})"

    @property
    def is_finished(self) -> bool:
        return self.state in (RosterImportState.SUCCEEDED, RosterImportState.FAILED)


class ReadAudit(models.Model):
    """One read of a cell's records by someone outside the cell (members.audit.record_read).

    Append-only; the cell's secretary sees their cell's rows, an organisation's administrators
    see their subtree's.
    """

    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người xem"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cell = models.ForeignKey(
        Organization, verbose_name=_("chi bộ"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("loại hồ sơ"), max_length=20, choices=ReadKind.choices)
    object_id = models.PositiveBigIntegerField(_("mã hồ sơ"))
    read_at = models.DateTimeField(_("thời điểm"))

    class Meta:
        verbose_name = _("nhật ký truy cập hồ sơ")
        verbose_name_plural = _("nhật ký truy cập hồ sơ")
        ordering = ["-read_at", "-pk"]
        indexes = [models.Index(fields=["cell", "-read_at"], name="read_audit_cell_time_idx")]

    def __str__(self) -> str:
        return f"{self.reader_id}: {self.get_kind_display()} {self.object_id}"
