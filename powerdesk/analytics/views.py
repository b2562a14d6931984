"""The service quality view (服务质量统计): the page a service manager takes to the monthly meeting, and
its CSV download with the same filters. Thin: the form parses, ``selectors.quality_table`` computes."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from powerdesk.analytics import presenting
from powerdesk.analytics.forms import QualityFilterForm
from powerdesk.analytics.selectors import (
    QualityTable,
    default_days,
    month_bounds,
    quality_allowed,
    quality_table,
)
from powerdesk.core.decorators import domain_errors
from powerdesk.org.requests import ConsoleRequest


def _table(request: ConsoleRequest) -> tuple[QualityFilterForm, QualityTable, list[str]]:
    """The form and the table; invalid filters are reported and left out (the dates: this month)."""
    user = request.user
    quality_allowed(user)
    query = request.GET.copy()
    if not query.get("date_from") and not query.get("date_to"):
        # The form shows the period it computes: this month unless the URL says otherwise.
        first, last = default_days()
        query["date_from"], query["date_to"] = first.isoformat(), last.isoformat()
    form = QualityFilterForm(query, user=user)
    errors: list[str] = []
    if not form.is_valid():
        errors = [
            f"{form.fields[name].label if name in form.fields else ''}：{' '.join(map(str, messages))}"
            for name, messages in form.errors.items()
        ]
    first, last = default_days()
    data: dict[str, Any] = {"date_from": first, "date_to": last, "by": "staff", "unit": None, "kind": ""}
    if "date_from" in form.cleaned_data and "date_to" in form.cleaned_data:
        data.update(date_from=form.cleaned_data["date_from"], date_to=form.cleaned_data["date_to"])
    data.update({k: form.cleaned_data[k] for k in ("by", "unit", "kind") if k in form.cleaned_data})
    table = quality_table(
        user=user,
        first=data["date_from"],
        last=data["date_to"],
        by=data["by"] or "staff",
        unit=data["unit"],
        kind=data["kind"] or "",
    )
    return form, table, errors


def _month_link(request: ConsoleRequest, day: dt.date) -> str:
    """The page for the month of ``day``, the other filters kept."""
    first, last = month_bounds(day)
    query = request.GET.copy()
    query["date_from"], query["date_to"] = first.isoformat(), last.isoformat()
    return f"?{query.urlencode()}"


@login_required
@domain_errors
def quality(request: ConsoleRequest) -> HttpResponse:
    form, table, errors = _table(request)
    rows = [{"row": row, "cells": presenting.cells(table, row)} for row in table.rows]
    missing = [m for m in table.measures if not table.available[m.code]]
    return render(
        request,
        "analytics/quality.html",
        {
            "form": form,
            "table": table,
            "rows": rows,
            "totals": presenting.cells(table, table.totals),
            "missing": missing,
            "filter_errors": errors,
            "query": request.GET.urlencode(),
            "previous_month": _month_link(request, table.period.first - dt.timedelta(days=1)),
            "next_month": _month_link(request, table.period.last + dt.timedelta(days=1)),
        },
    )


@login_required
@domain_errors
def quality_export(request: ConsoleRequest) -> HttpResponse:
    """The same table as CSV: ``format=excel`` (the default) is UTF-8 with a byte-order mark, which
    spreadsheet programs need to read Chinese; ``format=csv`` is plain UTF-8."""
    _form, table, errors = _table(request)
    if errors:
        return HttpResponse("；".join(errors), status=400, content_type="text/plain; charset=utf-8")
    excel = request.GET.get("format", "excel") != "csv"
    buffer = io.StringIO()
    if excel:
        buffer.write("\ufeff")
    writer = csv.writer(buffer)
    for line in presenting.csv_rows(table):
        writer.writerow(line)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    name = f"quality-{table.period.first:%Y%m%d}-{table.period.last:%Y%m%d}{'-excel' if excel else ''}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response
