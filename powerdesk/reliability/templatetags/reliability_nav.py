from django import template

from powerdesk.reliability.selectors import user_sees_reliability

register = template.Library()


@register.simple_tag(takes_context=True)
def sees_reliability(context: template.Context) -> bool:
    """Whether the navigation links the reliability view (service management and dispatchers)."""
    user = context.get("user")
    return bool(user is not None and user_sees_reliability(user))
