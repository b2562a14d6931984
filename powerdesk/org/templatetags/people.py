"""What the console shows of people, by the viewer's role: personal data masked for roles that may not see
it (138****5678), and whether the viewer may take calls."""

from __future__ import annotations

from typing import Any

from django import template

from powerdesk.core.masking import mask_id_number, mask_phone
from powerdesk.org.selectors import user_can_create_orders, user_may_read_audit, user_sees_personal_data

register = template.Library()


def sees_personal_data(context: template.Context) -> bool:
    """Whether the request's user may see personal data (decided once per request)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    cached = getattr(request, "_pd_sees_personal_data", None)
    if cached is None:
        cached = user_sees_personal_data(user)
        request._pd_sees_personal_data = cached  # type: ignore[union-attr]
    return cached


@register.simple_tag(takes_context=True)
def phone(context: template.Context, value: Any) -> str:
    """A phone number, masked (138****5678) for roles that may not see personal data."""
    value = str(value or "")
    return value if sees_personal_data(context) else mask_phone(value)


@register.simple_tag(takes_context=True)
def id_number(context: template.Context, value: Any) -> str:
    value = str(value or "")
    return value if sees_personal_data(context) else mask_id_number(value)


@register.simple_tag(takes_context=True)
def can_create_orders(context: template.Context) -> bool:
    """Whether the current user's role may take calls (shows the 受理 entries)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user_can_create_orders(user))


@register.simple_tag(takes_context=True)
def may_read_audit(context: template.Context) -> bool:
    """Whether the current user may read the audit trail (shows the 审计记录 entry)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user_may_read_audit(user))
