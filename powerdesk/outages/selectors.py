"""Reads: the outages and known events on a customer's supply path (intake, the customer page), the
outages marked on the tree, and address placement of a caller who is not a known customer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.html import format_html_join

from powerdesk.core import clock
from powerdesk.customers.models import Customer
from powerdesk.customers.supply import devices_above
from powerdesk.outages.models import (
    CLOSED_STATES,
    Interruption,
    KnownEvent,
    Outage,
    OutageDevice,
    OutageState,
)

# How many candidates address placement offers (the agent picks one; the API answers them).
PLACEMENT_LIMIT = 5


def active_outages() -> QuerySet[Outage]:
    return Outage.objects.filter(actual_end__isnull=True).exclude(state__in=CLOSED_STATES)


def outages_for_customer(customer: Customer) -> list[Outage]:
    """Active outages the customer is out in (their interruption is open), most certain first."""
    ids = Interruption.objects.filter(customer=customer, end__isnull=True).values("outage_id")
    outages = list(active_outages().filter(pk__in=ids).select_related("known_event", "order"))
    order: dict[str, int] = {OutageState.CONFIRMED: 0, OutageState.PROBABLE: 1, OutageState.PREDICTED: 2}
    return sorted(outages, key=lambda o: (order.get(o.state, 3), -o.pk))


def known_events_for_customer(customer: Customer) -> list[KnownEvent]:
    """Known events (报备) in force whose area covers a device on the customer's supply path."""
    now = clock.now()
    above = devices_above(customer).values("pk")
    return list(
        KnownEvent.objects.filter(devices__in=above, starts_at__lte=now)
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
        .distinct()
    )


def place_by_address(address: str, *, limit: int = PLACEMENT_LIMIT) -> list[Customer]:
    """Customers whose address contains what the caller said (spaces ignored), closest lengths first:
    the agent confirms one; nothing is linked on a guess."""
    needle = "".join((address or "").split())
    if len(needle) < 3:  # two characters match half the county
        return []
    rows = Customer.objects.filter(address__icontains=needle).select_related("area")[: limit * 4]
    return sorted(rows, key=lambda c: (len(c.address) - len(needle), c.pk))[:limit]


def outage_marks(devices: Sequence[Any]) -> dict[int, str]:
    """For the tree page: each device an active outage is traced from, with the outage's state, marked
    so that a prediction (predicted, probable) reads apart from a confirmed outage (its own class)."""
    rows = OutageDevice.objects.filter(
        device_id__in=[d.pk for d in devices], restored_at__isnull=True, outage__actual_end__isnull=True
    ).exclude(outage__state__in=CLOSED_STATES)
    marks: dict[int, list[tuple[str, str]]] = {}
    for device_id, number, state, kind in rows.values_list(
        "device_id", "outage__number", "outage__state", "outage__kind"
    ):
        label = f"{Outage(kind=kind).get_kind_display()}·{Outage(state=state).get_state_display()} {number}"
        marks.setdefault(device_id, []).append((state, label))
    span = '<span class="outage-mark outage-mark-{}">{}</span>'
    return {device_id: format_html_join(" ", span, items) for device_id, items in marks.items()}
