"""Where an order should go (派单建议): the routing rule's target unit and the least-loaded of its field
staff. Read by the dispatch form, the order page, the API and the automatic dispatch at intake
(``services.routing``); the rule itself is :func:`powerdesk.workorders.rules.routing_rule_for`, the rule
rows are ``RoutingRule`` (admin, seeded by workorders 0016).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

from django.db.models import Count, Q, QuerySet

from powerdesk.org.models import Unit, UnitKind, User
from powerdesk.workorders import reference, rules
from powerdesk.workorders.choices import OPEN_STATUSES
from powerdesk.workorders.models import RoutingRule, RoutingTarget, WorkOrder

OPEN_STATUS_LIST = sorted(OPEN_STATUSES)


@dataclass(frozen=True)
class Suggestion:
    """A routing rule's answer for one order: the unit, the staff who may handle it there (each with
    ``open_load``, their open orders, fewest first) and the one suggested."""

    rule: RoutingRule
    unit: Unit
    staff: list[User] = field(default_factory=list)

    @property
    def assignee(self) -> User | None:
        return self.staff[0] if self.staff else None

    @property
    def auto_dispatch(self) -> bool:
        return self.rule.auto_dispatch


def station_of(area: Unit | None) -> Unit | None:
    """The active 供电所 above (or at) ``area``: the nearest station on its path, one query."""
    if area is None or not area.path:
        return None
    ids = [int(part) for part in area.path.strip("/").split("/") if part]
    stations = Unit.objects.filter(pk__in=ids, kind=UnitKind.STATION, is_active=True)
    return max(stations, key=lambda unit: len(unit.path), default=None)


def rule_target(rule: RoutingRule, order: WorkOrder) -> Unit | None:
    """The unit a rule sends ``order`` to, or None (no 台区, or the named unit is gone)."""
    if rule.target == RoutingTarget.UNIT:
        return Unit.objects.dispatch_targets().filter(code=rule.target_unit_code, is_active=True).first()
    customer = order.customer if order.customer_id else None
    area = order.area if order.area_id else (customer.area if customer is not None else None)
    return station_of(area)


def field_staff(unit: Unit | None) -> QuerySet[User]:
    """The active staff of ``unit`` and the units below it whose role is field staff
    (``Role.is_field_staff``), each with ``open_load`` (their open orders), fewest first. One query:
    the load is a grouped count over the assignee index of the order table."""
    if unit is None:
        return User.objects.none()
    return (
        User.objects.filter(
            is_active=True, role__is_field_staff=True, unit__path__startswith=unit.path or "-"
        )
        .select_related("unit")
        .annotate(
            # The open statuses as one IN: a range of the (assignee, status) index, not every order the
            # person ever handled.
            open_load=Count("assigned_orders", filter=Q(assigned_orders__status__in=OPEN_STATUS_LIST))
        )
        .order_by("open_load", "unit__code", "full_name", "username")
    )


def routing_rule(order: WorkOrder) -> RoutingRule | None:
    """The routing rule of ``order``, the first that matches (the rule rows are cached per process: no
    query, so the intake asks it of every order before it looks for a unit or staff)."""
    return rules.routing_rule_for(
        business_type=order.business_type,
        sub_type_id=order.sub_type_id,
        topic_id=order.topic_id,
        customer=order.customer if order.customer_id else None,
        rules=reference.routing_rules(),
    )


def dispatch_suggestion(order: WorkOrder) -> Suggestion | None:
    """The routing rule's unit and staff for ``order``, or None when no rule matches or its unit cannot
    be found. Computed once per order object (the order page's panel and its dispatch form share it)."""
    if hasattr(order, "_dispatch_suggestion"):
        return cast(Suggestion | None, order._dispatch_suggestion)
    suggestion = None
    rule = routing_rule(order)
    if rule is not None:
        unit = rule_target(rule, order)
        if unit is not None:
            suggestion = Suggestion(rule=rule, unit=unit, staff=list(field_staff(unit)))
    order._dispatch_suggestion = suggestion  # type: ignore[attr-defined]
    return suggestion
