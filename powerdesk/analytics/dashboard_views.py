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

from powerdesk.analytics import dashboard, hot_spots, services
from powerdesk.analytics.dashboard_query import dashboard_selection
from powerdesk.analytics.outage_figures import outage_figures
from powerdesk.analytics.selectors import month_bounds, period_of
from powerdesk.core.decorators import domain_errors
from powerdesk.org.requests import ConsoleRequest
from powerdesk.workorders.selectors import order_get


def _page(request: ConsoleRequest, *, own_unit: bool) -> HttpResponse:
    selection = dashboard_selection(request.user, request.GET, own_unit=own_unit)
    form, errors = selection.form, selection.errors
    period, scope, filters = selection.period, selection.scope, selection.filters
    figures = dashboard.dashboard_figures(period, scope, filters)
    spots = hot_spots.hot_spots(period, scope, filters)
    groups = hot_spots.seeded_groups(period, scope, filters)
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
            "spot_definition": hot_spots.HOT_SPOT_DEFINITION,
            "rule": hot_spots.hot_spot_rule(),
            "groups": groups,
            "outage": outage_figures(period, scope),
            "export_query": _export_query(request, own_unit=own_unit),
            "previous": _with_days(request, previous.first, previous.last),
            "next": _with_days(request, following.first, following.last),
        },
    )


def _export_query(request: ConsoleRequest, *, own_unit: bool) -> str:
    """The page's query for its tables' 导出 Excel buttons (each adds ``table``); the unit head's page
    says so with ``page=unit`` (it opens on the head's unit)."""
    query = request.GET.copy()
    for name in ("table", "page"):
        query.pop(name, None)
    if own_unit:
        query["page"] = "unit"
    return query.urlencode()


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
