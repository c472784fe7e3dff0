"""The review side: reviewers' notes on archived documents, and each cell's records version and
yearly compliance figures kept for the dashboard (minutes.review.kept)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from minutes.enums import (
    ReviewKind,
)
from minutes.models.documents import SignedDocument


class MinutesReview(models.Model):
    """The superior committee's comment on, or acknowledgement of, an archived document."""

    document = models.ForeignKey(
        SignedDocument, verbose_name=_("văn bản"), on_delete=models.PROTECT, related_name="reviews"
    )
    reviewer = models.ForeignKey(
        "members.Member",
        verbose_name=_("người xem xét"),
        on_delete=models.PROTECT,
        related_name="minutes_reviews",
    )
    kind = models.CharField(_("loại"), max_length=20, choices=ReviewKind.choices)
    text = models.TextField(_("nội dung"), blank=True)
    created_at = models.DateTimeField(_("lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("ý kiến của cấp trên về biên bản")
        verbose_name_plural = _("ý kiến của cấp trên về biên bản")
        ordering = ["document", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.reviewer}"


class CellRecordsVersion(models.Model):
    """How many times the records the compliance dashboard counts changed for a cell: a held
    meeting (saved or deleted), its attendance summary, its votes, its archived minutes. Bumped
    by `minutes.review.kept` in the writer's transaction; a row of `CellYearFigures` computed
    at another version is computed again."""

    cell = models.OneToOneField(
        "members.Organization",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="records_version",
    )
    version = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("phiên bản hồ sơ của chi bộ")
        verbose_name_plural = _("phiên bản hồ sơ của chi bộ")

    def __str__(self) -> str:
        return f"{self.cell_id}: {self.version}"


class CellYearFigures(models.Model):
    """A cell's figures for one year on the compliance dashboard (minutes.review.dashboard),
    kept between requests. Valid for the cell's records at `records_version` and its signing
    deadline and minimum duration at the time: the dashboard computes the row again when any of
    them differs. Derived data only: deleting every row loses nothing."""

    cell = models.ForeignKey(
        "members.Organization", on_delete=models.CASCADE, related_name="year_figures"
    )
    year = models.PositiveSmallIntegerField()
    records_version = models.PositiveBigIntegerField()
    signing_days = models.PositiveSmallIntegerField()
    regular_minimum = models.PositiveSmallIntegerField()
    held = models.PositiveIntegerField()
    present = models.PositiveIntegerField()
    counted = models.PositiveIntegerField()
    rated = models.PositiveIntegerField()
    criterion_met = models.PositiveIntegerField()
    blocked_votes = models.PositiveIntegerField()
    short = models.PositiveIntegerField()
    online = models.PositiveIntegerField()
    online_without_approval = models.PositiveIntegerField()
    unsigned = models.PositiveIntegerField()
    # The local days ("YYYY-MM-DD") on which the meetings with unsigned minutes ended: which are
    # overdue depends on the day the dashboard is looked at.
    unsigned_ended_on = models.JSONField(default=list)
    signed_late = models.PositiveIntegerField()
    months_held = models.PositiveIntegerField()  # a bit per kind and month (figures.month_bit)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("số liệu năm của chi bộ")
        verbose_name_plural = _("số liệu năm của chi bộ")
        constraints = [
            models.UniqueConstraint(fields=["cell", "year"], name="one_figures_row_per_cell_year")
        ]

    def __str__(self) -> str:
        return f"{self.cell_id} {self.year}"
