"""The console's landing page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_htmx.middleware import HtmxDetails

from powerdesk.core import clock
from powerdesk.org.models import User
from powerdesk.org.selectors import user_can_create_orders, user_sees_all
from powerdesk.sla.selectors import calendar_warnings
from powerdesk.workorders.filters import order_list


class ConsoleRequest(HttpRequest):
    """The request of a console view: ``login_required`` guarantees a user, django-htmx adds ``htmx``."""

    user: User
    htmx: HtmxDetails


@login_required
def home(request: ConsoleRequest) -> HttpResponse:
    user = request.user
    counts = {
        "mine": order_list(user=user, queue="mine").count(),
        "unit": order_list(user=user, queue="unit").count(),
        "flagged": order_list(user=user, flagged=True, open=True).count(),
        "overdue": order_list(user=user, overdue=True).count(),
    }
    recent = list(order_list(user=user)[:10])
    return render(
        request,
        "core/home.html",
        {
            "counts": counts,
            "recent": recent,
            "can_create": user_can_create_orders(user),
            # Staff and managers (who see every unit) are told when next year's holidays are not loaded.
            "missing_years": calendar_warnings() if user.is_staff or user_sees_all(user) else [],
            "now": clock.now(),
        },
    )
