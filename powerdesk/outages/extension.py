"""How the outages app plugs into the pages and answers of the apps below it: the customer page and the
new-order form (a panel of the active outages and known events on the customer's supply path, with the
script and the ETR), the customer's API answer, the order page and answer of an outage's order, and the
marks on the topology tree."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from powerdesk.core.extensions import DetailField, Panel
from powerdesk.customers.models import Customer
from powerdesk.outages import selectors
from powerdesk.outages.intake import outage_summary
from powerdesk.outages.models import Outage

OWNER = "outages"


def _customer_panel(request: Any, customer: Customer) -> dict[str, Any] | None:
    outages = selectors.outages_for_customer(customer)
    events = selectors.known_events_for_customer(customer)
    # An outage registered under a known event brings its script even where the event's area is drawn
    # elsewhere.
    for outage in outages:
        if outage.known_event is not None and outage.known_event not in events:
            events.append(outage.known_event)
    if not outages and not events:
        return None
    return {"outages": outages, "events": events}


def _customer_field() -> serializers.Field:
    return serializers.ListField(
        child=serializers.DictField(),
        read_only=True,
        help_text="Active outages on the customer's supply path (number, kind, state, ETR, script).",
    )


def _order_outage(order: Any) -> Outage | None:
    return Outage.objects.select_related("known_event").filter(order_id=order.pk).first()


def _order_panel(request: Any, order: Any) -> dict[str, Any] | None:
    outage = _order_outage(order)
    if outage is None:
        return None
    return {"outages": [outage], "events": [outage.known_event] if outage.known_event_id else []}


def _powered_panel(request: Any, order: Any) -> dict[str, Any] | None:
    """客户确认有电 on a fault call's order: for those who take calls or dispatch."""
    from powerdesk.org.selectors import user_can_create_orders
    from powerdesk.outages.views import may_manage
    from powerdesk.workorders.choices import BusinessType

    if order.business_type != BusinessType.REPAIR or order.customer_id is None:
        return None
    if not (user_can_create_orders(request.user) or may_manage(request.user)):
        return None
    return {"order": order, "customer": order.customer}


def _order_field() -> serializers.Field:
    return serializers.DictField(
        read_only=True, allow_null=True, help_text="The outage this order gathers the calls of, if any."
    )


def register() -> None:
    from powerdesk.customers.extensions import customer_detail_fields, customer_panels
    from powerdesk.grid.extensions import TreeColumn, tree_columns
    from powerdesk.notify.extensions import delivery_reported
    from powerdesk.outages.delivery import notices_delivery_reported
    from powerdesk.workorders.extensions import detail_fields, order_panels

    for slot in ("main", "intake"):
        customer_panels.register(
            OWNER,
            f"outages.{slot}",
            Panel(slot=slot, template="outages/_customer_outages.html", context=_customer_panel),
            position=1,  # first: the agent must see at once that the supply is known to be off
        )
    customer_detail_fields.register(
        OWNER,
        "outages",
        DetailField(
            field=_customer_field,
            load=lambda customer, request: [
                outage_summary(o) for o in selectors.outages_for_customer(customer)
            ],
        ),
    )
    order_panels.register(
        OWNER,
        "outages.outage",
        Panel(slot="aside", template="outages/_customer_outages.html", context=_order_panel),
        position=5,
    )
    order_panels.register(
        OWNER,
        "outages.customer_powered",
        Panel(slot="aside", template="outages/_order_powered.html", context=_powered_panel),
        position=6,
    )
    detail_fields.register(
        OWNER,
        "outage",
        DetailField(
            field=_order_field,
            load=lambda order, request: (lambda o: outage_summary(o) if o else None)(_order_outage(order)),
        ),
    )
    tree_columns.register(OWNER, "outages.marks", TreeColumn(_("停电"), selectors.outage_marks))
    delivery_reported.register(OWNER, "outages.notices", notices_delivery_reported)
