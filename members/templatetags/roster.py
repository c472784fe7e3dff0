import datetime

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from members.models import Member

register = template.Library()


@register.simple_tag
def member_status_badges(member: Member, day: datetime.date) -> SafeString:
    """Badges for a member's standing on `day`: exempt, suspended, meeting elsewhere."""
    badges = []
    if member.is_exempt_on(day):
        badges.append(("exempt", _("Miễn sinh hoạt")))
    if member.is_suspended_on(day):
        badges.append(("suspended", _("Đình chỉ sinh hoạt")))
    if member.temporary_cell_on(day) and member.temporary_cell is not None:
        badges.append(
            (
                "temporary",
                _("Sinh hoạt tạm thời tại %(cell)s") % {"cell": member.temporary_cell.name},
            )
        )
    return format_html_join(" ", '<span class="badge {}">{}</span>', badges)
