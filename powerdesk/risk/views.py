"""The console's at-risk list (投诉风险预警): open orders ranked by their risk score, per unit, in the
user's scope (:mod:`powerdesk.risk.selectors`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from powerdesk.org.models import Unit, User
from powerdesk.org.requests import ConsoleRequest
from powerdesk.risk import presenting
from powerdesk.risk.selectors import risk_counts_per_unit, risk_orders, threshold
from powerdesk.workorders.forms import UnitChoiceField, visible_units

PAGE_SIZE = 50


class RiskFilterForm(forms.Form):
    unit = UnitChoiceField(
        label=_("处理单位"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("全部单位"),
        widget=forms.Select(attrs={"data-autosubmit": "1"}),
        error_messages={"invalid_choice": _("请选择有效的处理单位。")},
    )
    min_score = forms.IntegerField(
        label=_("最低风险分"),
        required=False,
        min_value=1,
        max_value=100000,
        error_messages={
            "invalid": _("请输入整数。"),
            "min_value": _("最低风险分至少为 1。"),
            "max_value": _("最低风险分过大。"),
        },
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = visible_units(user)  # type: ignore[attr-defined]


@login_required
def orders(request: ConsoleRequest) -> HttpResponse:
    """投诉风险预警: the open orders most likely to become complaints first, with their reasons."""
    user = request.user
    form = RiskFilterForm(request.GET or None, user=user)
    valid = form.is_bound and form.is_valid()
    unit = form.cleaned_data.get("unit") if valid else None
    min_score = form.cleaned_data.get("min_score") if valid else None
    page = Paginator(risk_orders(user=user, unit=unit, min_score=min_score), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    level = threshold()
    rows = [
        {
            "risk": r,
            "order": r.order,
            "reasons": presenting.reasons_text(r.reasons),
            "above": bool(level) and r.score >= level,
        }
        for r in page.object_list
    ]
    return render(
        request,
        "risk/orders.html",
        {
            "form": form,
            "unit": unit,
            "page": page,
            "rows": rows,
            "threshold": level,
            "per_unit": risk_counts_per_unit(user=user),
            "filter_errors": [e for errors in form.errors.values() for e in errors] if form.is_bound else [],
        },
    )
