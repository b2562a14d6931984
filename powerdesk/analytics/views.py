"""The service quality view (服务质量统计): the page a service manager takes to the monthly meeting, and
its CSV download with the same filters. Thin: the form parses, ``selectors.quality_table`` computes."""

from __future__ import annotations

import csv
import io

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from powerdesk.analytics import presenting
from powerdesk.analytics.forms import QualityFilterForm
from powerdesk.analytics.selectors import QualityTable, default_days, quality_allowed, quality_table
from powerdesk.core.decorators import domain_errors
from powerdesk.org.requests import ConsoleRequest


def _table(request: ConsoleRequest) -> tuple[QualityFilterForm, QualityTable, list[str]]:
    """The form and the table; invalid filters are reported and the defaults used instead."""
    user = request.user
    quality_allowed(user)
    form = QualityFilterForm(request.GET, user=user)
    errors: list[str] = []
    if form.is_valid():
        data = form.cleaned_data
    else:
        errors = [
            f"{form.fields[name].label if name in form.fields else ''}：{' '.join(map(str, messages))}"
            for name, messages in form.errors.items()
        ]
        first, last = default_days()
        data = {"date_from": first, "date_to": last, "by": "staff", "unit": None, "kind": ""}
    table = quality_table(
        user=user,
        first=data["date_from"],
        last=data["date_to"],
        by=data["by"],
        unit=data.get("unit"),
        kind=data.get("kind") or "",
    )
    return form, table, errors


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
