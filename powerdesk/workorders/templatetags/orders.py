"""Console helpers of the work order: status and priority badges, and the order's due time as a live
countdown."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils.html import format_html

from powerdesk.core import clock as clock_mod
from powerdesk.core.labels import label
from powerdesk.core.templatetags.countdown import countdown_text, iso
from powerdesk.workorders.choices import CLOSED_STATUSES, STATUS_COLOURS, Priority, Status

register = template.Library()

PRIORITY_COLOURS = {Priority.NORMAL: "grey", Priority.HIGH: "orange", Priority.URGENT: "red"}


# Labels through core.labels, translated once per language: a list page shows 100 badges.
_STATUSES = frozenset(Status.values)


@register.simple_tag
def status_badge(status: str) -> str:
    if status not in _STATUSES:
        return format_html('<span class="badge">{}</span>', status)
    return format_html(
        '<span class="badge badge-{}">{}</span>',
        STATUS_COLOURS.get(Status(status), "grey"),
        label(Status, status),
    )


@register.simple_tag
def priority_badge(priority: int) -> str:
    try:
        value = Priority(int(priority))
    except (TypeError, ValueError):
        return ""
    return format_html(
        '<span class="prio prio-{}">{}</span>', PRIORITY_COLOURS[value], label(Priority, value)
    )


@register.inclusion_tag("core/_countdown.html")
def due_badge(order: Any, now: dt.datetime | None = None) -> dict[str, Any]:
    """The order's earliest due time as a live countdown while the order is open: neutral before the
    deadline (the order does not know its clocks' warning points), red after it."""
    now = now or clock_mod.now()
    if order.due_at is None or order.status in CLOSED_STATUSES:
        return {"text": "", "due": None}
    late = order.due_at <= now
    return {
        "tone": "late" if late else "due",
        "text": countdown_text(order.due_at, now),
        "due": iso(order.due_at),
        "warn": None,
        "title": "",
        "small": True,
    }
