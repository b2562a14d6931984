"""Console pages for finding a customer and seeing everything about them on one page."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from powerdesk.core import clock
from powerdesk.core.views import ConsoleRequest
from powerdesk.customers.selectors import customer_get, customer_search
from powerdesk.org.selectors import user_can_create_orders
from powerdesk.workorders.choices import CLOSED_STATUSES
from powerdesk.workorders.models import Contact
from powerdesk.workorders.selectors import order_visible

CONTACT_DAYS = 90


@login_required
def customer_search_page(request: ConsoleRequest) -> HttpResponse:
    """Search by phone, account number, name or address fragment; htmx asks for the results only."""
    q = request.GET.get("q", "").strip()[:100]
    results = customer_search(user=request.user, q=q) if q else []
    context = {"q": q, "results": results, "can_create": user_can_create_orders(request.user)}
    if request.htmx and request.htmx.target == "customer-results":
        return render(request, "customers/_results.html", context)
    return render(request, "customers/search.html", context)


@login_required
def customer_detail(request: ConsoleRequest, account_no: str) -> HttpResponse:
    customer = customer_get(user=request.user, account_no=account_no)
    if customer is None:
        raise Http404(_("找不到该客户。"))
    open_orders = (
        order_visible(request.user)
        .filter(customer=customer)
        .exclude(status__in=CLOSED_STATUSES)
        .select_related("topic", "unit", "assignee")
        .order_by("-created_at")
    )
    contacts = (
        Contact.objects.filter(customer=customer, at__gte=clock.now() - timedelta(days=CONTACT_DAYS))
        .select_related("order", "agent")
        .order_by("-at", "-id")
    )
    return render(
        request,
        "customers/detail.html",
        {
            "customer": customer,
            "phones": list(customer.phones.all()),
            "station": customer.area.parent if customer.area_id else None,
            "open_orders": list(open_orders),
            "contacts": list(contacts[:200]),
            "contact_days": CONTACT_DAYS,
            "can_create": user_can_create_orders(request.user),
        },
    )
