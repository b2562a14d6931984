"""The dashboards (统计看板): the manager's (``/analytics/``: every unit in the user's scope) and the unit
head's (``/analytics/unit/``: the head's own unit subtree by default, its 台区 and hours). Thin: the form
parses the URL's filters, :mod:`powerdesk.analytics.dashboard` computes, the template renders every
chart also as a table; ``static/analytics/dashboard.js`` draws the charts from a ``json_script`` block.
Also the malicious-demand flag's POST from the order page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from powerdesk.analytics import dashboard, services
from powerdesk.analytics.forms import DashboardFilterForm
from powerdesk.analytics.measures import Scope
from powerdesk.analytics.selectors import default_days, month_bounds, period_of, quality_allowed
from powerdesk.core.decorators import domain_errors
from powerdesk.org.models import UnitHead
from powerdesk.org.requests import ConsoleRequest
from powerdesk.workorders.selectors import order_get


def _parse(
    request: ConsoleRequest, *, own_unit: bool
) -> tuple[DashboardFilterForm, dict[str, Any], list[str]]:
    user = request.user
    quality_allowed(user)
    query = request.GET.copy()
    if not query.get("date_from") and not query.get("date_to"):
        first, last = default_days()
        query["date_from"], query["date_to"] = first.isoformat(), last.isoformat()
    if own_unit and "unit" not in query:
        # The unit a head heads (else their own unit): the unit head's dashboard opens on it.
        headed = UnitHead.objects.filter(user=user).values_list("unit_id", flat=True).first()
        if headed or user.unit_id:
            query["unit"] = str(headed or user.unit_id)
    form = DashboardFilterForm(query, user=user)
    errors: list[str] = []
    if not form.is_valid():
        errors = [
            f"{form.fields[name].label if name in form.fields else ''}：{' '.join(map(str, msgs))}"
            for name, msgs in form.errors.items()
        ]
    first, last = default_days()
    data: dict[str, Any] = {"date_from": first, "date_to": last, "unit": None}
    data.update({k: v for k, v in form.cleaned_data.items() if k not in form.errors})
    return form, data, errors


def _page(request: ConsoleRequest, *, own_unit: bool) -> HttpResponse:
    form, data, errors = _parse(request, own_unit=own_unit)
    period = period_of(data["date_from"], data["date_to"])
    scope = Scope(request.user, data.get("unit"))
    filters = dashboard.Filters(
        customer_type=data.get("customer_type") or "",
        channel=data.get("channel") or "",
        business_type=data.get("business_type") or "",
    )
    figures = dashboard.dashboard_figures(period, scope, filters)
    spots = dashboard.hot_spots(period, scope, filters)
    groups = dashboard.seeded_groups(period, scope, filters)
    order = (
        ["area_id", "hour", "sub_type_id", "customer_type", "day", "verdict", "on_time"]
        if own_unit
        else ["unit_id", "business_type", "topic_id", "channel", "day", "hour", "verdict", "on_time"]
    )
    order += [k for k in figures.breakdowns if k not in order]
    charts: list[dict[str, Any]] = [
        {"id": k, "title": str(figures.titles.get(k, k)), "cells": figures.breakdowns[k]} for k in order
    ]
    chart_data = {
        "charts": [
            {
                "id": c["id"],
                "title": c["title"],
                "kind": "line" if c["id"] in ("day", "hour") else "bar",
                "labels": [cell.label for cell in c["cells"]],
                "values": [cell.value for cell in c["cells"]],
            }
            for c in charts
        ],
        "groups": [
            {"name": g.name, "months": [m for m, _n in g.months], "values": [n for _m, n in g.months]}
            for g in groups
        ],
    }
    previous = period_of(*_shift(period.first, -1))
    following = period_of(*_shift(period.first, 1))
    return render(
        request,
        "analytics/dashboard.html",
        {
            "form": form,
            "filter_errors": errors,
            "own_unit": own_unit,
            "figures": figures,
            "kpis": list(figures.kpis.values()),
            "charts": charts,
            "chart_data": chart_data,
            "spots": spots,
            "spot_definition": dashboard.HOT_SPOT_DEFINITION,
            "rule": dashboard.hot_spot_rule(),
            "groups": groups,
            "previous": _with_days(request, previous.first, previous.last),
            "next": _with_days(request, following.first, following.last),
        },
    )


def _shift(first: dt.date, months: int) -> tuple[dt.date, dt.date]:
    """The calendar month before (``-1``) or after (``1``) the one ``first`` is in."""
    anchor = first.replace(day=1)
    anchor = (anchor - dt.timedelta(days=1) if months < 0 else anchor + dt.timedelta(days=32)).replace(day=1)
    return month_bounds(anchor)


def _with_days(request: ConsoleRequest, first: dt.date, last: dt.date) -> str:
    query = request.GET.copy()
    query["date_from"], query["date_to"] = first.isoformat(), last.isoformat()
    return f"?{query.urlencode()}"


@login_required
@domain_errors
def manager(request: ConsoleRequest) -> HttpResponse:
    return _page(request, own_unit=False)


@login_required
@domain_errors
def unit_head(request: ConsoleRequest) -> HttpResponse:
    return _page(request, own_unit=True)


def _order_page(request: Any, number: str) -> str:
    return reverse("workorders:detail", args=[number])


@login_required
@require_POST
@domain_errors(back=_order_page)
def malicious(request: ConsoleRequest, number: str) -> HttpResponse:
    """Set (``action=set`` with a ``reason``) or clear the order's malicious-demand flag."""
    order = order_get(user=request.user, number=number)
    if request.POST.get("action") == "clear":
        services.malicious_flag_clear(order=order, actor=request.user)
        messages.success(request, _("已取消恶意诉求标记。"))
    else:
        services.malicious_flag_set(
            order=order, reason=request.POST.get("reason", "")[:200], actor=request.user
        )
        messages.success(request, _("已标记为恶意诉求。"))
    return redirect("workorders:detail", number=order.number)
