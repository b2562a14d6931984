"""The dashboards' selection from a query string, one reading for the pages and their Excel exports: the
period (the default month when no dates are given), the unit subtree (the unit head's page opens on the
unit the user heads, else their own unit), customer type, channel and business type, parsed by
``DashboardFilterForm``; invalid values are reported and left out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.http import QueryDict

from powerdesk.analytics import dashboard
from powerdesk.analytics.forms import DashboardFilterForm
from powerdesk.analytics.measures import Period, Scope
from powerdesk.analytics.selectors import default_days, period_of, quality_allowed
from powerdesk.org.models import UnitHead, User


@dataclass
class Selection:
    form: DashboardFilterForm
    period: Period
    scope: Scope
    filters: dashboard.Filters
    errors: list[str]


def as_query(params: Mapping[str, Any]) -> QueryDict:
    if isinstance(params, QueryDict):
        return params.copy()
    query = QueryDict(mutable=True)
    for name, value in params.items():
        query[name] = value
    return query


def dashboard_selection(user: User, params: Mapping[str, Any], *, own_unit: bool) -> Selection:
    """The period, scope and filters a dashboard shows for ``params`` (its URL's query)."""
    quality_allowed(user)
    query = as_query(params)
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
    return Selection(
        form=form,
        period=period_of(data["date_from"], data["date_to"]),
        scope=Scope(user, data.get("unit")),
        filters=dashboard.Filters(
            customer_type=data.get("customer_type") or "",
            channel=data.get("channel") or "",
            business_type=data.get("business_type") or "",
        ),
        errors=errors,
    )
