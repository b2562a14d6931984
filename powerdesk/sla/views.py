"""Console pages of time limits: the about-to-breach queue per unit and the on-time dashboard.

Both read through :mod:`powerdesk.sla.selectors`, which scope every clock to the units the user may see.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from powerdesk.core import clock
from powerdesk.org.models import Unit, User
from powerdesk.org.requests import ConsoleRequest
from powerdesk.sla.models import ClockKind, ClockState
from powerdesk.sla.selectors import (
    PERIODS,
    Rate,
    about_to_breach,
    calendar_warnings,
    clock_list,
    on_time_rates,
)
from powerdesk.workorders.forms import UnitChoiceField, visible_units

PAGE_SIZE = 50
PERIOD_LABELS = {"today": _("今日"), "7d": _("近 7 天"), "30d": _("近 30 天")}
DEFAULT_PERIOD = "7d"


class AtRiskFilterForm(forms.Form):
    unit = UnitChoiceField(
        label=_("处理单位"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("全部单位"),
        widget=forms.Select(attrs={"data-autosubmit": "1"}),
        error_messages={"invalid_choice": _("请选择有效的处理单位。")},
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = visible_units(user)  # type: ignore[attr-defined]


@login_required
def at_risk(request: ConsoleRequest) -> HttpResponse:
    """即将超时: running clocks past their warning point, soonest deadline first, per handling unit."""
    user = request.user
    form = AtRiskFilterForm(request.GET or None, user=user)
    unit = form.cleaned_data.get("unit") if form.is_bound and form.is_valid() else None
    clocks = about_to_breach(user=user, unit=unit.pk if unit else None).select_related(
        "order__assignee", "order__sub_type"
    )
    page = Paginator(clocks, PAGE_SIZE).get_page(request.GET.get("page"))
    per_unit = (
        about_to_breach(user=user)
        .order_by()
        .values("order__unit_id", "order__unit__name")
        .annotate(n=Count("id"))
        .order_by("-n", "order__unit__name")
    )
    return render(
        request,
        "sla/at_risk.html",
        {
            "form": form,
            "unit": unit,
            "page": page,
            "per_unit": list(per_unit),
            "filter_errors": [e for errors in form.errors.values() for e in errors] if form.is_bound else [],
            "now": clock.now(),
        },
    )


def _rows(rates: list[Rate]) -> list[dict[str, Any]]:
    return [{"rate": r, "late": r.decided - r.on_time} for r in rates]


def _in_kind_order(rates: list[Rate]) -> list[Rate]:
    """Clock kinds in the order an order lives through them (contact, dispatch, … callback)."""
    order = {kind: i for i, kind in enumerate(ClockKind.values)}
    return sorted(rates, key=lambda r: order.get(r.key, len(order)))


def _total(rates: list[Rate]) -> Rate:
    return Rate(
        key="",
        label=str(_("合计")),
        decided=sum(r.decided for r in rates),
        on_time=sum(r.on_time for r in rates),
        running=sum(r.running for r in rates),
    )


@login_required
def dashboard(request: ConsoleRequest) -> HttpResponse:
    """On-time rate per clock kind and per unit for one period, the three periods' totals, live counts."""
    user = request.user
    period = request.GET.get("period", DEFAULT_PERIOD)
    if period not in PERIODS:
        period = DEFAULT_PERIOD
    by_kind = {p: _in_kind_order(on_time_rates(user=user, period=p, by="kind")) for p in PERIODS}
    return render(
        request,
        "sla/dashboard.html",
        {
            "period": period,
            "periods": [(p, PERIOD_LABELS[p]) for p in PERIODS],
            "period_label": PERIOD_LABELS[period],
            "totals": [(p, PERIOD_LABELS[p], _total(by_kind[p])) for p in PERIODS],
            "by_kind": _rows(by_kind[period]),
            "by_unit": _rows(on_time_rates(user=user, period=period, by="unit")),
            "total": _rows([_total(by_kind[period])])[0],
            "running": clock_list(user=user, state=ClockState.RUNNING).count(),
            "breached": clock_list(user=user, state=ClockState.BREACHED).count(),
            "at_risk": about_to_breach(user=user).count(),
            "calendar_warnings": calendar_warnings(),
        },
    )
