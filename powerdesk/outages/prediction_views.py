"""Console pages of the prediction from calls: reject a predicted outage (confirming is the outage
page's existing action), record energised proofs (客户确认有电 — also from the order page's panel — and
devices confirmed closed), and switch storm mode on and off. Reading is for every signed-in user;
rejecting, closed devices and storm mode for the roles that may dispatch; a customer's power for those
who take calls."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from powerdesk.core.decorators import domain_errors
from powerdesk.core.errors import NotPermitted, ValidationFailed
from powerdesk.core.forms import refusal_on
from powerdesk.customers.models import Customer
from powerdesk.grid.models import Device
from powerdesk.org.requests import ConsoleRequest
from powerdesk.org.selectors import user_can_create_orders, user_sees_unit
from powerdesk.outages import prediction, services
from powerdesk.outages.forms import ProofForm, RejectForm, StormForm
from powerdesk.outages.models import EnergisedProof, Outage, ProofKind, StormMode
from powerdesk.outages.views import _require_manager, may_manage
from powerdesk.workorders.models import WorkOrder

PROOFS_SHOWN = 50


def proof_record(user: Any, data: dict[str, Any], key: str | None = None) -> EnergisedProof:
    """The console and the API: check the role and the references, then call the service."""
    if data["kind"] == ProofKind.CUSTOMER_POWERED:
        if not (user_can_create_orders(user) or may_manage(user)):
            raise NotPermitted(_("您的角色不能登记客户有电确认。"))
        customer = (
            Customer.objects.select_related("area").filter(account_no=data.get("customer") or "").first()
        )
        if customer is None or not user_sees_unit(user, customer.area):
            raise ValidationFailed(_("找不到户号。"), fields={"customer": [_("找不到户号。")]})
        order = None
        if data.get("order"):
            order = WorkOrder.objects.filter(number=data["order"], customer=customer).first()
            if order is None:
                message = _("该工单不属于此客户。")
                raise ValidationFailed(message, fields={"order": [message]})
        return prediction.customer_powered_confirm(
            actor=user, customer=customer, order=order, note=data.get("note") or "", idempotency_key=key
        )
    if not may_manage(user):
        raise NotPermitted(_("您的角色不能登记设备合闸确认。"))
    device = Device.objects.filter(code=data.get("device") or "").first()
    if device is None:
        raise ValidationFailed(_("找不到设备。"), fields={"device": [_("找不到设备。")]})
    return prediction.device_closed_confirm(
        actor=user, device=device, note=data.get("note") or "", idempotency_key=key
    )


@login_required
@require_POST
@domain_errors
def outage_reject(request: ConsoleRequest, number: str) -> HttpResponse:
    _require_manager(request)
    outage = get_object_or_404(Outage, number=number)
    form = RejectForm(request.POST)
    if form.is_valid():
        with refusal_on(form):
            services.outage_reject(actor=request.user, outage=outage, note=form.cleaned_data["note"])
            messages.success(request, _("已排除该停电，来电工单按派单规则派发。"))
            return redirect("outages:detail", outage.number)
        messages.error(request, "；".join(form.non_field_errors()))
    return redirect("outages:detail", outage.number)


@login_required
@domain_errors
def proofs(request: ConsoleRequest) -> HttpResponse:
    form = ProofForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal_on(form):
            proof_record(request.user, form.cleaned_data)
            messages.success(request, _("确认已登记。"))
            back = request.POST.get("next", "")
            if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
                return redirect(back)
            return redirect("outages:proofs")
    rows = EnergisedProof.objects.select_related("customer", "device", "order", "by")[:PROOFS_SHOWN]
    return render(request, "outages/proofs.html", {"form": form, "proofs": list(rows)})


@login_required
@domain_errors
def storm(request: ConsoleRequest) -> HttpResponse:
    form = StormForm(request.POST or None)
    if request.method == "POST":
        _require_manager(request)
        if form.is_valid():
            with refusal_on(form):
                prediction.storm_mode_start(actor=request.user, **form.cleaned_data)
                messages.success(request, _("灾害模式已开启。"))
                return redirect("outages:storm")
    rows = StormMode.objects.select_related("unit", "started_by", "ended_by")[:50]
    return render(
        request,
        "outages/storm.html",
        {"form": form, "storms": list(rows), "may_manage": may_manage(request.user)},
    )


@login_required
@require_POST
@domain_errors
def storm_end(request: ConsoleRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    prediction.storm_mode_end(actor=request.user, storm=get_object_or_404(StormMode, pk=pk))
    messages.success(request, _("灾害模式已关闭。"))
    return redirect("outages:storm")
