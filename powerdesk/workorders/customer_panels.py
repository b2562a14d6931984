"""What the work-order app adds to a customer's page and API answer (:mod:`powerdesk.customers.extensions`):
the customer's open orders and the contacts of the last days, each read through the caller's scope
(``order_visible``: a contact is visible only if its order is)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from rest_framework import serializers

from powerdesk.core import clock
from powerdesk.core.extensions import DetailField, Panel
from powerdesk.customers.extensions import customer_detail_fields, customer_panels
from powerdesk.customers.models import Customer
from powerdesk.org.masking import PersonalDataField
from powerdesk.org.models import PersonalField, User
from powerdesk.org.selectors import user_can_create_orders
from powerdesk.workorders import reference
from powerdesk.workorders.choices import CLOSED_STATUSES, RepeatAction, Status
from powerdesk.workorders.forms import QuickContactForm, new_request_id
from powerdesk.workorders.models import Contact, RepeatCallRule, WorkOrder
from powerdesk.workorders.selectors import order_visible
from powerdesk.workorders.services.repeats import repeat_suggestion

OWNER = "workorders"
CONTACT_DAYS = 90
CONTACTS_SHOWN = 200
OPEN_ORDERS_SHOWN = 50


def customer_open_orders(user: User, customer: Customer) -> list[WorkOrder]:
    """The customer's orders not archived or merged that ``user`` may see, newest first."""
    return list(
        order_visible(user)
        .filter(customer=customer)
        .exclude(status__in=CLOSED_STATUSES)
        .select_related("topic", "unit", "assignee")
        .order_by("-created_at", "-id")[:OPEN_ORDERS_SHOWN]
    )


@dataclass(frozen=True)
class IntakeOrder:
    """An order of the customer on the intake panel, with what the repeat-call rule suggests for a new
    contact about it ("" : archived outside the rule's window, a new contact is a new order)."""

    order: WorkOrder
    suggested: str

    @property
    def suggested_label(self) -> str:
        return str(RepeatAction(self.suggested).label) if self.suggested else ""

    @property
    def may_add(self) -> bool:
        """One click adds the contact: the rule itself counts it on this order."""
        return self.suggested == RepeatAction.LINK


def customer_intake_orders(user: User, customer: Customer) -> list[IntakeOrder]:
    """The customer's open orders and those archived within the widest repeat-call window, that ``user``
    may see, newest first, each with the rule's suggestion (the intake form's and the customer page's
    panel, shown as soon as the customer is identified)."""
    now = clock.now()
    rules = reference.repeat_rules()
    widest = max((r.window_days for r in rules), default=0)
    orders = (
        order_visible(user)
        .filter(customer=customer)
        .filter(
            ~Q(status__in=CLOSED_STATUSES)
            | Q(status=Status.ARCHIVED, closed_at__gte=now - timedelta(days=widest))
        )
        .select_related("topic", "unit")
        .order_by("-created_at", "-id")[:OPEN_ORDERS_SHOWN]
    )
    shown = []
    for order in orders:
        rule: RepeatCallRule | None = reference.repeat_rule_for(order.topic)
        in_window = order.is_open or (
            rule is not None
            and order.closed_at is not None
            and order.closed_at >= now - timedelta(days=rule.window_days)
        )
        shown.append(
            IntakeOrder(order=order, suggested=repeat_suggestion(order, order.topic) if in_window else "")
        )
    return shown


def customer_recent_contacts(user: User, customer: Customer) -> list[Contact]:
    """The customer's contacts of the last days that ``user`` may see: a contact belongs to an order and
    is visible only if its order is (``order_visible``), as on the order page: a contact passed on to a
    county-level order must not show its number and summary to a station's crew."""
    return list(
        Contact.objects.filter(
            customer=customer,
            at__gte=clock.now() - timedelta(days=CONTACT_DAYS),
            order__in=order_visible(user).filter(customer=customer).values("id"),
        )
        .select_related("order", "agent")
        .order_by("-at", "-id")[:CONTACTS_SHOWN]
    )


def _intake_orders_panel(request: HttpRequest, customer: Customer) -> dict[str, Any]:
    can_add = user_can_create_orders(request.user)  # type: ignore[arg-type]
    return {
        "customer": customer,
        "items": customer_intake_orders(request.user, customer),  # type: ignore[arg-type]
        "can_add": can_add,
        "form_id": "quick-contact",
        "quick_form": QuickContactForm(initial={"idempotency_key": new_request_id()}) if can_add else None,
    }


def _contacts_panel(request: HttpRequest, customer: Customer) -> dict[str, Any]:
    return {"contacts": customer_recent_contacts(request.user, customer), "days": CONTACT_DAYS}  # type: ignore[arg-type]


class CustomerOpenOrderOutputSerializer(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    business_type = serializers.CharField()
    topic = serializers.CharField(source="topic.code")
    topic_name = serializers.CharField(source="topic.name")
    priority = serializers.IntegerField()
    is_flagged = serializers.BooleanField()
    contact_count = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField(allow_null=True)

    class Meta:
        ref_name = "CustomerOpenOrder"


class CustomerContactOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    channel = serializers.CharField()
    phone = PersonalDataField(field=PersonalField.CONTACT_PHONE)
    summary = PersonalDataField(field=PersonalField.DESCRIPTION)
    order = serializers.CharField(source="order.number")
    is_repeat = serializers.BooleanField()

    class Meta:
        ref_name = "CustomerContact"


def register() -> None:
    customer_panels.register(
        OWNER,
        "workorders.intake_orders",
        Panel(slot="main", template="workorders/_customer_intake_panel.html", context=_intake_orders_panel),
        position=5,
    )
    customer_panels.register(
        OWNER,
        "workorders.contacts",
        Panel(slot="main", template="workorders/_customer_contacts.html", context=_contacts_panel),
        position=20,
    )
    customer_detail_fields.register(
        OWNER,
        "open_orders",
        DetailField(
            field=lambda: CustomerOpenOrderOutputSerializer(many=True, read_only=True),
            load=lambda customer, request: customer_open_orders(request.user, customer),
        ),
    )
    customer_detail_fields.register(
        OWNER,
        "recent_contacts",
        DetailField(
            field=lambda: CustomerContactOutputSerializer(many=True, read_only=True),
            load=lambda customer, request: customer_recent_contacts(request.user, customer),
        ),
    )
