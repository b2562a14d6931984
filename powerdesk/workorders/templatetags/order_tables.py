"""The rows of an order table (the order list, the home page), rendered in Python.

A list page shows 50 orders of 12 cells; through template nodes (a variable lookup, localisation and
escaping per value, an inclusion tag per countdown) that took ~27 ms of the page's ~70 ms on the bench
machine, here ~6 ms. The markup is the one ``workorders/_order_rows.html`` had; the cells use the same
helpers as the rest of the console (badges, phone masking by role, the live countdown's template).
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable, Iterable
from typing import Any

from django import template
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from powerdesk.core import clock as clock_mod
from powerdesk.org.templatetags import people
from powerdesk.workorders.models import WorkOrder
from powerdesk.workorders.templatetags import orders as order_tags

register = template.Library()

ROW = (
    '<tr>\n  <td class="nowrap"><a class="mono" href="{}">{}</a>{}</td>\n'
    '  <td class="nowrap">{}{}</td>\n  <td>{}</td>\n  <td>{}</td>\n'
    '  <td class="nowrap mono">{}</td>\n  <td>{}</td>\n  <td>{}</td>\n'
    '  <td class="nowrap">{}</td>\n  <td class="nowrap">{}</td>\n  <td class="nowrap">{}</td>\n'
    '  <td class="nowrap">{}</td>\n  <td class="num">{}</td>\n</tr>\n'
)


@register.simple_tag(takes_context=True)
def order_rows(context: template.Context, orders: Iterable[WorkOrder], now: dt.datetime | None = None) -> str:
    """``<tr>`` rows of the orders for the columns of ``workorders/_order_head.html``."""
    now = now or clock_mod.now()
    cells = _Cells(context, now)
    return format_html_join("", "{}", ((cells.row(order),) for order in orders))


class _Cells:
    """What every row shares: the translated words, the viewer's masking, the countdown template."""

    def __init__(self, context: template.Context, now: dt.datetime):
        self.context = context
        self.now = now
        self.flag = format_html(' <span class="flag" title="{}">⚑</span>', _("重点关注"))
        self.no_account = format_html('<span class="muted">{}</span>', _("无户号"))
        self.countdown = get_template("core/_countdown.html")
        # URL prefixes resolved once per table instead of twice per row (reverse() walks the URLconf).
        self.order_url = _url_prefix("workorders:detail")
        self.customer_url = _url_prefix("customers:detail")

    def row(self, order: WorkOrder) -> SafeString:
        sub_type = format_html("<br><small>{}</small>", order.sub_type.name) if order.sub_type else ""
        customer = (
            format_html(
                '<a href="{}">{}</a>',
                self.customer_url(order.customer.account_no),
                order.customer.name,
            )
            if order.customer
            else self.no_account
        )
        # format_html's escaping goes through Django's lazy-aware wrappers for each of the ~25 values of a
        # row; _esc does what it does (conditional_escape) without them.
        return mark_safe(
            ROW.format(
                *map(
                    _esc,
                    (
                        self.order_url(order.number),
                        order.number,
                        self.flag if order.is_flagged else "",
                        order.get_business_type_display(),
                        sub_type,
                        order.topic.name,
                        customer,
                        people.phone(self.context, order.caller_phone),
                        order_tags.status_badge(order.status),
                        order_tags.priority_badge(order.priority),
                        order.unit.name,
                        order.assignee.display_name if order.assignee else "—",
                        _local(order.created_at, "%Y-%m-%d %H:%M"),
                        self.due(order),
                        order.contact_count,
                    ),
                )
            )
        )

    def due(self, order: WorkOrder) -> Any:
        if not order.due_at:
            return "—"
        badge = self.countdown.render(order_tags.due_badge(order, self.now))
        return format_html("{}<br>{}", _local(order.due_at, "%m-%d %H:%M"), mark_safe(badge))


_MARK = "0PLACEHOLDER0"


def _url_prefix(name: str) -> Callable[[str], str]:
    """``reverse(name, args=[code])`` for codes made of URL-safe characters (order and account numbers:
    digits, letters, '-'), as prefix + code + suffix; anything else goes through reverse() itself."""
    before, after = reverse(name, args=[_MARK]).split(_MARK)

    def url(code: str) -> str:
        return f"{before}{code}{after}" if _SAFE.fullmatch(code) else reverse(name, args=[code])

    return url


_SAFE = re.compile(r"[0-9A-Za-z-]+")


def _esc(value: Any) -> str:
    """django.utils.html.conditional_escape for plain values: safe text as it is, the rest escaped."""
    return value.__html__() if hasattr(value, "__html__") else html.escape(str(value))


def _local(value: dt.datetime, fmt: str) -> str:
    """In the current time zone, as the template's ``date`` filter shows it (digits only: no l10n)."""
    return timezone.localtime(value).strftime(fmt)
