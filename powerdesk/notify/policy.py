"""What the customer's wishes and the hour do to a message being enqueued: the one place both are applied,
called by :func:`powerdesk.notify.services.notification_enqueue_many` (so every customer message, whoever
builds it, obeys them).

A *customer's message* is one not addressed to a staff member (no ``recipient_user``). Of those, a
message whose template's category is exempt (restoration, safety, legal outage notices, one-time codes)
goes out at once whatever the customer or the clock say. For the others:

- the customer opted out of the channel → the row is written as ``suppressed`` (``opted_out``), no job;
- the moment falls in the quiet hours → the row gets ``send_after`` (their end) and its job is
  scheduled for then.

A request may also arrive already suppressed (``suppress="no_number"``: the caller withheld the number),
so the order page can say what the customer was not told.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from powerdesk.core import refcache
from powerdesk.core.sql import CompiledRead
from powerdesk.notify import rules
from powerdesk.notify.models import CustomerOptOut, NotificationTemplate, QuietHours, SuppressedReason
from powerdesk.workorders.models import WorkOrder


@dataclass(frozen=True)
class Decision:
    customer_id: int | None
    send_after: dt.datetime | None = None
    suppressed: str = ""  # a SuppressedReason, or "" to send


def quiet_windows() -> list[QuietHours]:
    return refcache.get("notify.quiet_hours", lambda: list(QuietHours.objects.filter(is_active=True)))


def decide(
    requests: Sequence[Mapping[str, Any]],
    templates: Mapping[str, NotificationTemplate],
    *,
    now: dt.datetime,
) -> list[Decision]:
    """One decision per request, in order, with at most three queries (orders' customers, opt-outs,
    the cached quiet hours) and none when no request is a customer's non-exempt message."""
    customer_ids = _customers(requests)
    held = [
        i
        for i, r in enumerate(requests)
        if not _id(r, "recipient_user") and not templates[r["template_code"]].category.exempt
    ]
    opted_out: set[tuple[int | None, str]] = set()
    pairs = {(customer_ids[i], requests[i]["channel"]) for i in held if customer_ids[i] is not None}
    if len(pairs) == 1:  # one customer's message (every intake and step): the compiled read
        [(customer, channel)] = pairs
        opted_out = {(customer, channel)} if _OPTED_OUT.rows(customer=customer, channel=channel) else set()
    elif pairs:
        opted_out = set(
            CustomerOptOut.objects.filter(
                customer_id__in={c for c, _ in pairs}, channel__in={ch for _, ch in pairs}
            )
            .order_by()
            .values_list("customer_id", "channel")
        )
    until = rules.quiet_until(now, quiet_windows()) if held else None
    decisions = []
    for i, request in enumerate(requests):
        customer_id = customer_ids[i]
        if request.get("suppress"):
            decisions.append(Decision(customer_id, suppressed=SuppressedReason(request["suppress"])))
        elif i not in held:
            decisions.append(Decision(customer_id))
        elif (customer_id, request["channel"]) in opted_out:
            decisions.append(Decision(customer_id, suppressed=SuppressedReason.OPTED_OUT))
        else:
            decisions.append(Decision(customer_id, send_after=until))
    return decisions


def _opt_out(*, customer: int, channel: str) -> QuerySet[Any]:
    # No ordering: the model's default (by the customer's account number) would join the customers
    # table to answer a yes-or-no question.
    return (
        CustomerOptOut.objects.filter(customer_id=customer, channel=channel)
        .order_by()
        .values_list("pk", flat=True)
    )


_OPTED_OUT = CompiledRead(_opt_out, customer=-9_500_001, channel="\x01sample-channel")


def _id(request: Mapping[str, Any], name: str) -> Any:
    obj = request.get(name)
    return obj.pk if obj is not None else request.get(f"{name}_id")


def _customers(requests: Sequence[Mapping[str, Any]]) -> list[int | None]:
    """Each request's customer: named, or else (for a message to no staff member) its order's customer,
    read for all such orders in one query."""
    named = [_id(r, "customer") for r in requests]
    missing = {
        _id(r, "order")
        for r, c in zip(requests, named, strict=True)
        if c is None and not _id(r, "recipient_user") and _id(r, "order") is not None
    }
    of_order: dict[int, int | None] = {}
    if missing:
        of_order = dict(WorkOrder.objects.filter(pk__in=missing).values_list("pk", "customer_id"))
    return [
        c if c is not None or _id(r, "recipient_user") else of_order.get(_id(r, "order"))
        for r, c in zip(requests, named, strict=True)
    ]
