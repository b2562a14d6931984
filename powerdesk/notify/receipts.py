"""Delivery receipts: what the gateway reports of a message after it left (sent, delivered, failed).

Two sources, one service: the HTTP gateway's status callback (``notify.api.DeliveryReceiptApi``) and
the outbox's simulated receipt, recorded right after the send (``Transport.receipt``). Steps of
:func:`delivery_receipts_record`:

1. lock the notifications named, in id order (two callbacks about the same messages never deadlock);
2. for each receipt, the next delivery state by ``rules.delivery_next``: forward only, so a repeated or
   out-of-order callback changes nothing (the callback is idempotent without an Idempotency-Key);
3. write the changed rows in one statement, then hand them to the ``delivery_reported`` hooks in the
   same transaction (the outages app updates the notices that point at them).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from powerdesk.core import clock
from powerdesk.notify import extensions, rules
from powerdesk.notify.models import Notification
from powerdesk.notify.transports import Receipt

RECORDED, UNCHANGED, UNKNOWN = "recorded", "unchanged", "unknown"
DELIVERY_CODE_MAX = Notification._meta.get_field("delivery_code").max_length or 32


def delivery_receipts_record(*, receipts: Sequence[Receipt]) -> dict[int, str]:
    """Record ``receipts``; answers, per notification id: ``recorded``, ``unchanged`` (a repeat or a
    stale report) or ``unknown`` (no such notification)."""
    now = clock.now()
    outcome: dict[int, str] = {}
    with transaction.atomic():
        ids = sorted({r.notification_id for r in receipts})
        rows = {
            n.pk: n
            for n in Notification.objects.select_for_update()
            .filter(pk__in=ids)
            .only("pk", "delivery_state", "delivery_at", "delivery_code", "sent_at", "customer_id")
            .order_by("pk")
        }
        changed: dict[int, Notification] = {}
        for receipt in receipts:
            row = rows.get(receipt.notification_id)
            if row is None:
                outcome[receipt.notification_id] = UNKNOWN
                continue
            state = rules.delivery_next(row.delivery_state, receipt.state)
            if state is None:
                outcome.setdefault(receipt.notification_id, UNCHANGED)
                continue
            row.delivery_state = state
            row.delivery_at = receipt.at or now
            row.delivery_code = receipt.code[:DELIVERY_CODE_MAX]
            changed[row.pk] = row
            outcome[receipt.notification_id] = RECORDED
        if changed:
            Notification.objects.bulk_update(
                list(changed.values()), ["delivery_state", "delivery_at", "delivery_code"]
            )
            for hook in extensions.delivery_reported:
                hook(list(changed.values()))
    return outcome
