from django import template

from powerdesk.analytics.selectors import user_sees_quality

register = template.Library()


@register.simple_tag(takes_context=True)
def sees_quality(context: template.Context) -> bool:
    """Whether the navigation links the quality view (the roles and heads it is for)."""
    user = context.get("user")
    return bool(user is not None and user_sees_quality(user))
