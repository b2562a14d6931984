"""What the apps above ``notify`` add to the messages it sends customers.

``customer_message_context``
    Variables for the template of a step of an order (:mod:`powerdesk.notify.customer_messages`): each
    entry is called with the order and the step (``accepted``, ``dispatched``, ``replied``, ``closed``)
    inside the transaction that enqueues the message, and returns a dict merged into the template's
    context (JSON-serialisable values), or ``{}``. The feedback app adds ``survey_url`` to ``closed``.

``delivery_reported``
    What the gateway reported of messages after they left (delivered, failed): see below.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from powerdesk.core.extensions import Registry

if TYPE_CHECKING:
    from powerdesk.notify.models import Notification
    from powerdesk.workorders.models import WorkOrder

ContextHook = Callable[["WorkOrder", str], Mapping[str, Any]]
customer_message_context: Registry[ContextHook] = Registry("customer_message_context")

DeliveryHook = Callable[[Sequence["Notification"]], None]
delivery_reported: Registry[DeliveryHook] = Registry("delivery_reported")
"""Called in the transaction that records delivery receipts (:mod:`powerdesk.notify.receipts`), with the
notifications whose delivery state changed (``delivery_state``, ``delivery_at``, ``delivery_code`` set):
the outages app takes them onto the outage notices that point at them."""
