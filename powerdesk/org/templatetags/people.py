"""What the console shows of people, by the viewer's role: personal data through the masking policy
(``org.masking``: full, masked 138****5678 or hidden, per role and field), the 显示 control where the role
may reveal a value, and whether the viewer may take calls.

    {% masked "address" customer.address %}                 the text as the viewer may see it
    <dd class="pd">… {% reveal "address" "customer" customer.pk %}</dd>
                                                            a 显示 link when the role may reveal it; the
                                                            reveal form replaces the enclosing ``.pd``
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from powerdesk.org.masking import Policy, policy_for
from powerdesk.org.selectors import user_can_create_orders, user_may_read_audit

register = template.Library()


def viewer_policy(context: template.Context) -> Policy:
    """The request's user's masking policy (decided once per request)."""
    request = context.get("request")
    cached = getattr(request, "_pd_masking", None)
    if cached is None:
        cached = policy_for(getattr(request, "user", None))
        if request is not None:
            request._pd_masking = cached
    return cached


@register.simple_tag(takes_context=True)
def masked(context: template.Context, field: str, value: Any) -> str:
    """``value``, a personal field of the kind ``field``, as the viewer may see it ("" when hidden)."""
    return viewer_policy(context).text(field, value)


@register.simple_tag(takes_context=True)
def reveal(context: template.Context, field: str, target: str, ref: Any) -> SafeString | str:
    """A 显示 link beside a value kept back from a role that may reveal it (else nothing). It asks for a
    reason (``audit:reveal``, a form that replaces the enclosing ``.pd`` element: htmx, or a page of its
    own without JavaScript)."""
    if ref in (None, "") or not viewer_policy(context).may_reveal(field):
        return ""
    # A list page has one link per row: the URL and the label are made once per request.
    request = context.get("request")
    base = getattr(request, "_pd_reveal", None)
    if base is None:
        base = (reverse("audit:reveal"), _("显示"))
        if request is not None:
            request._pd_reveal = base
    url = escape(f"{base[0]}?{urlencode({'target': target, 'ref': ref, 'field': field})}")
    # Safe: the URL and the label are escaped here.
    return mark_safe(
        f'<a class="reveal" href="{url}" hx-get="{url}" hx-target="closest .pd" hx-swap="innerHTML">'
        f"{escape(base[1])}</a>"
    )


@register.simple_tag(takes_context=True)
def shows_in_full(context: template.Context, field: str) -> bool:
    """Whether the viewer sees ``field`` in full (for a list that decides once, not per row)."""
    return viewer_policy(context).is_full(field)


@register.simple_tag(takes_context=True)
def customer_url(context: template.Context, customer: Any) -> str:
    """The customer's page: by account number, or by id for a viewer who may not see the account number
    in full (a link must not print what the page masks)."""
    if viewer_policy(context).is_full("account_no"):
        return reverse("customers:detail", args=[customer.account_no])
    return reverse("customers:detail_id", args=[customer.pk])


@register.simple_tag(takes_context=True)
def phone(context: template.Context, value: Any) -> str:
    """A customer's phone number as the viewer may see it (138****5678 when masked)."""
    return viewer_policy(context).text("phone", value)


@register.simple_tag(takes_context=True)
def id_number(context: template.Context, value: Any) -> str:
    return viewer_policy(context).text("id_number", value)


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
