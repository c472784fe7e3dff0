from django.db import models
from django.utils.translation import gettext_lazy as _


class ElectionRatification(models.Model):
    """The superior committee's approval (chuẩn y) of an election's result. Until it exists the
    elected do not take up the post; with it, their CellRole rows start on `decided_on`."""

    vote = models.OneToOneField(
        "meetings.Vote", on_delete=models.PROTECT, related_name="ratification"
    )
    decision_number = models.CharField(_("số quyết định"), max_length=100)
    decided_on = models.DateField(_("ngày quyết định"))
    # Who ratified, and the committee whose seat they held (an organisation above the cell).
    ratified_by = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(
        "members.Organization", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()
    roles = models.ManyToManyField("members.CellRole", related_name="+", blank=True)

    class Meta:
        verbose_name = _("chuẩn y kết quả bầu cử")
        verbose_name_plural = _("chuẩn y kết quả bầu cử")

    def __str__(self) -> str:
        return f"{self.decision_number} ({self.decided_on:%d/%m/%Y})"
