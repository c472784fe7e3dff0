from django import template

from meetings import charter, queries

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notification_count(context: template.Context) -> int:
    """For the header: unread notifications of the signed-in, verified user."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_verified():
        return 0
    return queries.unread_count(user)


@register.filter
def in_words(text: str) -> str:
    """The charter's explanation as members read it: rule ids become the Party's texts."""
    return charter.in_words(str(text))
