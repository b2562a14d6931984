"""Automatic dispatch (自动派单) of a new fault repair, when its routing rule says so.

Called by the intake in its transaction, right after the order is written: the order goes to the rule's
unit (and its least-loaded field staff) through the ordinary dispatch transition, by the system account
(``org.system``), so the timeline shows a 派单 event by 系统 and the clocks move as for any dispatch.
"""

from __future__ import annotations

from powerdesk.org.system import system_user
from powerdesk.workorders.choices import BusinessType
from powerdesk.workorders.models import WorkOrder
from powerdesk.workorders.routing import dispatch_suggestion, routing_rule
from powerdesk.workorders.services.handling import workorder_dispatch

# Only fault repairs are dispatched without a dispatcher (RoutingRule.clean refuses the flag on others).
AUTO_DISPATCH_TYPES = frozenset({BusinessType.REPAIR})


def workorder_auto_dispatch(*, order: WorkOrder) -> WorkOrder | None:
    """Dispatch ``order`` as its routing rule says, by the system account; None (nothing written) when
    its type is not dispatched automatically, no rule matches, the rule does not ask for it, or the rule
    finds no unit."""
    if order.business_type not in AUTO_DISPATCH_TYPES:
        return None
    rule = routing_rule(order)
    if rule is None or not rule.auto_dispatch:
        return None  # decided without a query: the unit and its staff's load are read only when needed
    suggestion = dispatch_suggestion(order)
    if suggestion is None or not suggestion.auto_dispatch:
        return None
    return workorder_dispatch(
        order=order,
        actor=system_user(),
        unit=suggestion.unit,
        assignee=suggestion.assignee,
        expected_version=order.version,
    )
