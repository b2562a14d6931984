"""The customer page's 满意度 card (:mod:`powerdesk.customers.extensions`): whether the customer declined
surveys, and their latest answers — of orders the viewer may open, and of campaigns."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import HttpRequest

from powerdesk.core.extensions import Panel
from powerdesk.customers.extensions import customer_panels
from powerdesk.customers.models import Customer
from powerdesk.workorders.selectors import order_visible

from .models import SurveyOptOut, SurveyResponse

OWNER = "feedback"
LATEST = 5


def _panel(request: HttpRequest, customer: Customer) -> dict[str, Any] | None:
    opt_out = SurveyOptOut.objects.filter(customer=customer).first()
    orders = order_visible(request.user, customer.orders.all()).values("pk")  # type: ignore[arg-type]
    answers = list(
        SurveyResponse.objects.filter(
            Q(order__in=orders) | Q(order__isnull=True, invitation__customer=customer)
        )
        .select_related("order", "campaign")
        .order_by("-created_at", "-id")[:LATEST]
    )
    if opt_out is None and not answers:
        return None
    return {"opt_out": opt_out, "answers": answers}


def register() -> None:
    customer_panels.register(
        OWNER,
        "feedback.surveys",
        Panel(slot="main", template="feedback/_customer_surveys.html", context=_panel),
        position=40,
    )
