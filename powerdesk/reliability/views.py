"""The reliability page (供电可靠性指标): both standards' figures for a period, unit and feeder, each with
its formula worked with the period's numbers, and a table per month. Thin: the form parses,
``selectors.reliability_report`` reads and ``rules`` computes."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from powerdesk.core.decorators import domain_errors
from powerdesk.org.requests import ConsoleRequest
from powerdesk.reliability import presenting
from powerdesk.reliability.forms import ReliabilityFilterForm, default_days
from powerdesk.reliability.selectors import reliability_allowed, reliability_report


@login_required
@domain_errors
def reliability(request: ConsoleRequest) -> HttpResponse:
    """Invalid filters are reported and left out (the dates: this year to date)."""
    user = request.user
    reliability_allowed(user)
    query = request.GET.copy()
    if not query.get("date_from") and not query.get("date_to"):
        # The form shows the period it computes.
        first, last = default_days()
        query["date_from"], query["date_to"] = first.isoformat(), last.isoformat()
    form = ReliabilityFilterForm(query, user=user)
    errors: list[str] = []
    if not form.is_valid():
        errors = [
            f"{form.fields[name].label if name in form.fields else ''}：{' '.join(map(str, messages))}"
            for name, messages in form.errors.items()
        ]
    first, last = default_days()
    data: dict[str, Any] = {
        "date_from": first,
        "date_to": last,
        "unit": None,
        "feeder": None,
        "user_unit": "",
    }
    if "date_from" in form.cleaned_data and "date_to" in form.cleaned_data:
        data.update(date_from=form.cleaned_data["date_from"], date_to=form.cleaned_data["date_to"])
    data.update({k: form.cleaned_data[k] for k in ("unit", "feeder", "user_unit") if k in form.cleaned_data})
    report = reliability_report(
        user=user,
        first=data["date_from"],
        last=data["date_to"],
        unit=data["unit"],
        feeder=data["feeder"],
        user_unit=data["user_unit"] or "lv",
    )
    months = [
        {
            "row": m,
            "dlt": presenting.dlt836_figures(m.dlt),
            "ieee": presenting.ieee1366_figures(m.ieee),
        }
        for m in report.months
    ]
    return render(
        request,
        "reliability/report.html",
        {
            "form": form,
            "report": report,
            "filter_errors": errors,
            "dlt": presenting.dlt836_figures(report.dlt),
            "ieee": presenting.ieee1366_figures(report.ieee),
            "dlt_rules": presenting.dlt836_rules(report.settings, report.user_unit),
            "ieee_rules": presenting.ieee1366_rules(report.settings),
            "med_text": presenting.med_text(report.med, report.history_first, report.first),
            "months": months,
        },
    )
