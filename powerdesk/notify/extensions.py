"""What the apps above ``notify`` add to the messages it sends customers.

``customer_message_context``
    Variables for the template of a step of an order (:mod:`powerdesk.notify.customer_messages`): each
    entry is called with the order and the step (``accepted``, ``dispatched``, ``replied``, ``closed``)
    inside the transaction that enqueues the message, and returns a dict merged into the template's
    context (JSON-serialisable values), or ``{}``. The feedback app adds ``survey_url`` to ``closed``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from powerdesk.core.extensions import Registry

if TYPE_CHECKING:
    from powerdesk.workorders.models import WorkOrder

ContextHook = Callable[["WorkOrder", str], Mapping[str, Any]]
customer_message_context: Registry[ContextHook] = Registry("customer_message_context")
