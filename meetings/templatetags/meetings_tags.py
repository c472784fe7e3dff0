from django import template
from django.conf import settings
from django.utils import translation

from config.catalog import catalog_url
from meetings import access, charter, queries
from members import access as member_access
from members.models import User

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notification_count(context: template.Context) -> int:
    """For the header: unread notifications of the signed-in, verified user."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_verified():
        return 0
    return queries.unread_count(user)


@register.simple_tag
def script_texts_url() -> str:
    """The room scripts' words in the active language, at an address the browser may keep."""
    return catalog_url(translation.get_language() or settings.LANGUAGE_CODE)


@register.filter
def in_words(text: str) -> str:
    """The charter's explanation as members read it: rule ids become the Party's texts."""
    return charter.in_words(str(text))


@register.inclusion_tag("meetings/_in_progress.html", takes_context=True)
def meetings_in_progress(context: template.Context) -> dict[str, object]:
    """For home and notifications: the meetings under way that the signed-in member is called
    to, each with the way into its room."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_verified():
        return {"meetings": []}
    member = member_access.member_of(user)
    if member is None:
        return {"meetings": []}
    visible = set(access.visible_meetings(user).values_list("pk", flat=True))
    return {"meetings": [m for m in queries.meetings_in_progress_for(member) if m.pk in visible]}
