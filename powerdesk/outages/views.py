"""Console pages: the outage list, registering an outage, its page (affected customers, notices, ETR
log, calls, timeline) with the ETR change and restore forms, known events (报备), and placing a caller
by address. Reading is for every signed-in user (an outage is a fact of the network, and the agents must
see it); registering and changing is for the roles that may dispatch."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from powerdesk.core import clock
from powerdesk.core.decorators import domain_errors
from powerdesk.core.forms import refusal_on
from powerdesk.org.requests import ConsoleRequest
from powerdesk.org.selectors import user_may
from powerdesk.outages import known_events, presenting, selectors, services
from powerdesk.outages.forms import (
    EtrForm,
    KnownEventForm,
    OutageForm,
    OutageListFilterForm,
    PlaceForm,
    RejectForm,
    RestoreForm,
)
from powerdesk.outages.models import KnownEvent, Outage, Prediction

LIST_SHOWN = 200
CUSTOMERS_SHOWN = 500


def may_manage(user: Any) -> bool:
    return bool(user.is_superuser or user_may(user, "dispatch"))


def _require_manager(request: ConsoleRequest) -> None:
    if not may_manage(request.user):
        raise PermissionDenied(_("您的角色不能登记或变更停电。"))


@login_required
def outage_list(request: ConsoleRequest) -> HttpResponse:
    """Outages not over, or all (``all=1``); the filters of ``OutageListFilterForm`` (invalid ones
    reported and left out) select among all."""
    form = OutageListFilterForm(request.GET)
    form.is_valid()
    active = request.GET.get("all") != "1" and not form.filtering()
    outages = selectors.active_outages() if active else Outage.objects.all()
    outages = selectors.outages_selected(outages, **form.selection())
    return render(
        request,
        "outages/list.html",
        {
            "form": form,
            "filter_errors": [
                f"{form.fields[name].label if name in form.fields else ''}：{' '.join(map(str, msgs))}"
                for name, msgs in form.errors.items()
            ],
            "total": outages.count(),
            "outages": list(outages.order_by("-created_at")[:LIST_SHOWN]),
            "active": active,
            "may_manage": may_manage(request.user),
            "events": list(KnownEvent.objects.all()[:20]),
        },
    )


@login_required
@domain_errors
def outage_new(request: ConsoleRequest) -> HttpResponse:
    _require_manager(request)
    form = OutageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusal_on(form):
            outage = services.outage_create(
                actor=request.user,
                kind=data["kind"],
                title=data["title"],
                reason=data["reason"],
                cause=data["cause"],
                devices=data["devices"],
                customers=data["customers"],
                planned_start=data["planned_start"],
                planned_end=data["planned_end"],
                crew_etr=data["crew_etr"],
                known_event=data["known_event"],
                short_notice_reason=data["short_notice_reason"],
            )
            return redirect("outages:detail", outage.number)
    return render(request, "outages/new.html", {"form": form})


def _detail(request: ConsoleRequest, outage: Outage, **forms: Any) -> HttpResponse:
    services.notices_flag(outage=outage, now=clock.now())
    return render(
        request,
        "outages/detail.html",
        {
            "outage": outage,
            "devices": list(outage.devices.select_related("device")),
            "interruptions": list(
                outage.interruptions.select_related("customer", "device")[:CUSTOMERS_SHOWN]
            ),
            "important": list(outage.interruptions.filter(important=True).select_related("customer")),
            "notices": selectors.notices_with_receipts(outage, limit=CUSTOMERS_SHOWN),
            "etr_changes": list(outage.etr_changes.select_related("by")),
            "calls": list(outage.calls.select_related("customer", "open_order")),
            "events": presenting.present(list(outage.events.select_related("actor"))),
            "may_manage": may_manage(request.user) and outage.is_active,
            "etr_form": forms.get("etr_form") or EtrForm(),
            "restore_form": forms.get("restore_form") or RestoreForm(),
            "reject_form": RejectForm(),
            "prediction": Prediction.objects.select_related("device", "merged_into")
            .filter(outage=outage)
            .first(),
            "merged": list(Prediction.objects.filter(merged_into=outage).select_related("outage")),
        },
    )


@login_required
def outage_detail(request: ConsoleRequest, number: str) -> HttpResponse:
    return _detail(request, get_object_or_404(Outage, number=number))


@login_required
@require_POST
@domain_errors
def outage_etr(request: ConsoleRequest, number: str) -> HttpResponse:
    _require_manager(request)
    outage = get_object_or_404(Outage, number=number)
    form = EtrForm(request.POST)
    if form.is_valid():
        with refusal_on(form):
            services.outage_etr_change(actor=request.user, outage=outage, **form.cleaned_data)
            messages.success(request, _("预计复电时间已更新。"))
            return redirect("outages:detail", outage.number)
    return _detail(request, outage, etr_form=form)


@login_required
@require_POST
@domain_errors
def outage_restore(request: ConsoleRequest, number: str) -> HttpResponse:
    _require_manager(request)
    outage = get_object_or_404(Outage, number=number)
    form = RestoreForm(request.POST)
    if form.is_valid():
        with refusal_on(form):
            devices = form.cleaned_data["devices"] or None
            services.outage_restore(actor=request.user, outage=outage, devices=devices)
            messages.success(request, _("已登记复电。"))
            return redirect("outages:detail", outage.number)
    return _detail(request, outage, restore_form=form)


@login_required
@require_POST
@domain_errors
def outage_confirm(request: ConsoleRequest, number: str) -> HttpResponse:
    _require_manager(request)
    outage = get_object_or_404(Outage, number=number)
    services.outage_confirm(actor=request.user, outage=outage)
    return redirect("outages:detail", outage.number)


@login_required
@domain_errors
def known_event_new(request: ConsoleRequest) -> HttpResponse:
    _require_manager(request)
    form = KnownEventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal_on(form):
            known_events.known_event_create(actor=request.user, **form.cleaned_data)
            messages.success(request, _("报备已登记。"))
            return redirect("outages:list")
    return render(request, "outages/event_new.html", {"form": form})


@login_required
@require_POST
@domain_errors
def known_event_close(request: ConsoleRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    event = get_object_or_404(KnownEvent, pk=pk if 0 < pk < 2**63 else 0)
    known_events.known_event_close(event=event, actor=request.user)
    messages.success(request, _("报备已结束。"))
    return redirect("outages:list")


@login_required
def place(request: ConsoleRequest) -> HttpResponse:
    """The caller gave an address, not an account: the customers it matches, each with its active
    outages; the agent confirms one and takes the call for that customer."""
    form = PlaceForm(request.GET or None)
    candidates: list[dict[str, Any]] = []
    if form.is_valid():
        candidates = [
            {"customer": c, "outages": selectors.outages_for_customer(c)}
            for c in selectors.place_by_address(form.cleaned_data["address"])
        ]
    template = "outages/_place_results.html" if request.htmx else "outages/place.html"
    return render(request, template, {"form": form, "candidates": candidates, "searched": form.is_bound})
