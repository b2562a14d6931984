"""The customer's opt-outs: the one write (a service) and the read the pages and the API share."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from powerdesk.core import clock
from powerdesk.customers.models import Customer
from powerdesk.notify.models import CustomerOptOut, NotifyChannel

# The channels a customer can be sent messages on (the console outbox is no channel of theirs).
CUSTOMER_CHANNELS = [c for c in NotifyChannel if c != NotifyChannel.CONSOLE]


def customer_opt_outs(customer: Customer) -> list[CustomerOptOut]:
    return list(CustomerOptOut.objects.filter(customer=customer).order_by("channel"))


@transaction.atomic
def customer_opt_outs_set(*, customer: Customer, channels: Iterable[str], note: str = "") -> list[str]:
    """Make the customer's opt-outs exactly ``channels``: a channel newly named is added (with ``note``
    and the time), one no longer named is removed, one kept keeps its time. Returns the channels now
    opted out, sorted."""
    wanted = set(channels) & {c.value for c in CUSTOMER_CHANNELS}
    existing = set(
        CustomerOptOut.objects.select_for_update().filter(customer=customer).values_list("channel", flat=True)
    )
    CustomerOptOut.objects.filter(customer=customer, channel__in=existing - wanted).delete()
    now = clock.now()
    CustomerOptOut.objects.bulk_create(
        [
            CustomerOptOut(customer=customer, channel=c, note=note, created_at=now)
            for c in sorted(wanted - existing)
        ],
        ignore_conflicts=True,  # a second agent saving the same wish at the same moment
    )
    return sorted(wanted)
