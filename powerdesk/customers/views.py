"""Console pages for finding a customer and seeing everything about them on one page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from powerdesk.core.extensions import panels_for
from powerdesk.customers.extensions import customer_panels
from powerdesk.customers.models import Customer
from powerdesk.customers.selectors import customer_get, customer_search, customer_visible
from powerdesk.org.masking import policy_for
from powerdesk.org.requests import ConsoleRequest
from powerdesk.org.selectors import user_can_create_orders


@login_required
def customer_search_page(request: ConsoleRequest) -> HttpResponse:
    """Search by phone, account number, name or address fragment; htmx asks for the results only."""
    q = request.GET.get("q", "").strip()[:100]
    results = customer_search(user=request.user, q=q) if q else []
    context = {
        "q": q,
        "results": results,
        "can_create": user_can_create_orders(request.user),
        # The intake link carries the account number: not for a viewer who may not see it.
        "account_shown": policy_for(request.user).is_full("account_no"),
    }
    if request.htmx and request.htmx.target == "customer-results":
        return render(request, "customers/_results.html", context)
    return render(request, "customers/search.html", context)


@login_required
def customer_detail(request: ConsoleRequest, account_no: str) -> HttpResponse:
    return _render_detail(request, customer_get(user=request.user, account_no=account_no))


@login_required
def customer_detail_by_id(request: ConsoleRequest, pk: int) -> HttpResponse:
    """The same page for viewers whose links may not carry the account number (it is masked for them)."""
    return _render_detail(
        request, customer_visible(request.user).prefetch_related("phones").filter(pk=pk).first()
    )


def _render_detail(request: ConsoleRequest, customer: Customer | None) -> HttpResponse:
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
            "account_shown": policy_for(request.user).is_full("account_no"),
        },
    )
