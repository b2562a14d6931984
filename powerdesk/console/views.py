"""The console's landing page: what waits for the user, across the apps."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from powerdesk.core import clock
from powerdesk.knowledge.learning_selectors import open_learning
from powerdesk.org.requests import ConsoleRequest
from powerdesk.org.selectors import user_can_create_orders, user_sees_all
from powerdesk.sla.selectors import calendar_warnings
from powerdesk.workorders.filters import order_list
from powerdesk.workorders.queues import queue_counts


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
        "console/home.html",
        {
            "counts": counts,
            # The role's work queues (待派单, 待回访 …), oldest or soonest due first when opened.
            "work_queues": queue_counts(user),
            "recent": recent,
            # 以案普法: the cases assigned to the user and not yet confirmed, soonest due first.
            "learning": open_learning(user),
            "can_create": user_can_create_orders(user),
            # Staff and managers (who see every unit) are told when next year's holidays are not imported.
            "calendar_warnings": calendar_warnings() if user.is_staff or user_sees_all(user) else [],
            "now": clock.now(),
        },
    )
