"""Console pages for finding a customer and seeing everything about them on one page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from powerdesk.core.extensions import panels_for
from powerdesk.customers.extensions import customer_panels
from powerdesk.customers.selectors import customer_get, customer_search
from powerdesk.org.requests import ConsoleRequest
from powerdesk.org.selectors import user_can_create_orders


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
    return render(
        request,
        "customers/detail.html",
        {
            "customer": customer,
            "phones": list(customer.phones.all()),
            "station": customer.area.parent if customer.area_id else None,
            # what the apps above add: the open orders, the recent contacts …
            "panels": panels_for(customer_panels, request, customer),
            "can_create": user_can_create_orders(request.user),
        },
    )
