"""The opt-out form of a customer (reached from the panel on the customer page), and the failed messages
with their resend button."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from powerdesk.core.decorators import domain_errors
from powerdesk.core.pagination import ListPaginator
from powerdesk.customers.selectors import customer_visible
from powerdesk.notify.failures import failed_notifications, may_resend, notification_resend
from powerdesk.notify.forms import OptOutForm
from powerdesk.notify.opt_outs import customer_opt_outs, customer_opt_outs_set
from powerdesk.org.requests import ConsoleRequest
from powerdesk.org.selectors import user_can_create_orders


@login_required
@require_http_methods(["GET", "POST"])
def customer_opt_outs_edit(request: ConsoleRequest, pk: int) -> HttpResponse:
    # Those who take the customer's calls record their wishes: the role first, then the customer.
    if not user_can_create_orders(request.user):
        raise PermissionDenied(_("您的角色不能修改客户的通知设置。"))
    customer = customer_visible(request.user).filter(pk=pk).first()
    if customer is None:
        raise Http404(_("找不到该客户。"))
    current = customer_opt_outs(customer)
    if request.method == "POST":
        form = OptOutForm(request.POST)
        if form.is_valid():
            customer_opt_outs_set(
                customer=customer, channels=form.cleaned_data["channels"], note=form.cleaned_data["note"]
            )
            return redirect(reverse("customers:detail_id", args=[customer.pk]))
    else:
        form = OptOutForm(initial={"channels": [o.channel for o in current]})
    return render(request, "notify/opt_outs.html", {"customer": customer, "form": form, "opt_outs": current})


FAILED_PAGE_SIZE = 50


@login_required
def failed_list(request: ConsoleRequest) -> HttpResponse:
    """Messages given up after the retry policy's last attempt (or refused for good), of the orders the
    user sees, newest first; each with a resend button."""
    if not may_resend(request.user):
        raise PermissionDenied(_("您的角色不能重发通知。"))
    paginator = ListPaginator(failed_notifications(request.user), FAILED_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "notify/failed.html", {"page": page})


@login_required
@require_POST
@domain_errors(back=lambda request, pk: reverse("notify:failed"))
def resend(request: ConsoleRequest, pk: int) -> HttpResponse:
    notification = notification_resend(notification_id=pk, actor=request.user)
    messages.success(request, _("已重新发送通知 #%(id)s。") % {"id": notification.pk})
    return redirect(reverse("notify:failed"))
