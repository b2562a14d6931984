"""The manager's dashboard for integrations: ``GET /api/v1/analytics/dashboard/`` with the page's filters
(parsed by the same form, ``DashboardFilterForm``), answering the same figures the page shows — the KPIs
with their formulas, every breakdown, the hot spots and the seeded groups' trends — each with the order
list link that reproduces it — and the outage-notice lateness and reliability tables with their outage
list links. Read from the rollups like the page (on the replica when configured)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from powerdesk.analytics import dashboard, hot_spots
from powerdesk.analytics.forms import DashboardFilterForm
from powerdesk.analytics.measures import Scope
from powerdesk.analytics.outage_figures import OutageFigures, outage_figures
from powerdesk.analytics.selectors import period_of, quality_allowed
from powerdesk.core.api import error_responses, request_user
from powerdesk.core.errors import ValidationFailed
from powerdesk.customers.models import CustomerType
from powerdesk.workorders.choices import BusinessType, Channel


class DashboardKpiSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    definition = serializers.CharField(help_text="The formula, as the page shows it.")
    value = serializers.FloatField(
        allow_null=True, help_text="A count, or a rate in percent (null: no data)."
    )
    part = serializers.IntegerField(allow_null=True)
    whole = serializers.IntegerField()
    available = serializers.BooleanField()
    link = serializers.CharField(help_text="The console's order list with the same filters (the whole).")
    part_link = serializers.CharField(allow_blank=True, help_text="The order list of the part, if any.")

    class Meta:
        ref_name = "DashboardKpi"


class DashboardCellSerializer(serializers.Serializer):
    key = serializers.JSONField(help_text="The cell's id, code, hour or day (ISO date); null: not set.")
    name = serializers.CharField()
    value = serializers.FloatField(allow_null=True)
    part = serializers.IntegerField(allow_null=True)
    whole = serializers.IntegerField(allow_null=True)
    link = serializers.CharField(allow_blank=True)

    class Meta:
        ref_name = "DashboardCell"


class DashboardBreakdownSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    cells = DashboardCellSerializer(many=True)

    class Meta:
        ref_name = "DashboardBreakdown"


class DashboardHotSpotSerializer(serializers.Serializer):
    dimension = serializers.CharField()
    dimension_name = serializers.CharField()
    key = serializers.JSONField()
    name = serializers.CharField()
    count = serializers.IntegerField()
    expected = serializers.FloatField()
    ratio = serializers.FloatField()
    p = serializers.FloatField()
    adjusted_p = serializers.FloatField(help_text="Benjamini–Hochberg adjusted.")
    link = serializers.CharField()

    class Meta:
        ref_name = "DashboardHotSpot"


class DashboardGroupMonthSerializer(serializers.Serializer):
    month = serializers.CharField()
    orders = serializers.IntegerField()

    class Meta:
        ref_name = "DashboardGroupMonth"


class DashboardGroupSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    count = serializers.IntegerField()
    link = serializers.CharField()
    months = DashboardGroupMonthSerializer(many=True, help_text="13 months up to the period's last.")

    class Meta:
        ref_name = "DashboardGroup"


class DashboardOutageRowSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    value = serializers.FloatField(allow_null=True, help_text="null: no denominator (or no users in scope).")
    unit = serializers.CharField(allow_blank=True, help_text="The unit: %, 小时/户 …; blank: a count.")
    definition = serializers.CharField(help_text="The formula, as the page shows it.")
    worked = serializers.CharField(allow_blank=True, help_text="The formula with the period's numbers.")
    part = serializers.FloatField(allow_null=True)
    whole = serializers.FloatField(allow_null=True)
    link = serializers.CharField(help_text="The outage list or the reliability page, same selection.")

    class Meta:
        ref_name = "DashboardOutageRow"


class DashboardOutagesSerializer(serializers.Serializer):
    available = serializers.BooleanField(help_text="False: no outage recorded at all (source data absent).")
    absent = serializers.CharField(allow_blank=True, help_text="What the page says when it is absent.")
    notices = DashboardOutageRowSerializer(many=True)
    reliability = DashboardOutageRowSerializer(many=True)
    reliability_rules = serializers.CharField(allow_blank=True)

    class Meta:
        ref_name = "DashboardOutages"


class DashboardOutputSerializer(serializers.Serializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    unit = serializers.IntegerField(allow_null=True)
    customer_type = serializers.CharField(allow_blank=True)
    channel = serializers.CharField(allow_blank=True)
    business_type = serializers.CharField(allow_blank=True)
    kpis = DashboardKpiSerializer(many=True)
    breakdowns = DashboardBreakdownSerializer(many=True)
    hot_spots = DashboardHotSpotSerializer(many=True)
    hot_spot_definition = serializers.CharField()
    groups = DashboardGroupSerializer(many=True)
    outages = DashboardOutagesSerializer(help_text="Outage-notice lateness and reliability (outage_figures).")

    class Meta:
        ref_name = "Dashboard"


def _key(key: Any) -> Any:
    return key.isoformat() if isinstance(key, dt.date) else key


def dashboard_data(
    figures: dashboard.Figures,
    spots: list[hot_spots.HotSpot],
    groups: list[hot_spots.GroupTrend],
    *,
    unit: int | None,
    filters: dashboard.Filters,
    outages: OutageFigures,
) -> dict[str, Any]:
    return {
        "date_from": figures.period.first,
        "date_to": figures.period.last,
        "unit": unit,
        "customer_type": filters.customer_type,
        "channel": filters.channel,
        "business_type": filters.business_type,
        "kpis": [
            {**vars(k), "name": str(k.label), "definition": str(k.definition)} for k in figures.kpis.values()
        ],
        "breakdowns": [
            {
                "code": code,
                "title": str(figures.titles.get(code, code)),
                "cells": [{**vars(c), "key": _key(c.key), "name": c.label} for c in cells],
            }
            for code, cells in figures.breakdowns.items()
        ],
        "hot_spots": [
            {**vars(s), "key": _key(s.key), "name": s.label, "dimension_name": str(s.dimension_label)}
            for s in spots
        ],
        "hot_spot_definition": str(hot_spots.HOT_SPOT_DEFINITION),
        "groups": [{**vars(g), "months": [{"month": m, "orders": n} for m, n in g.months]} for g in groups],
        "outages": {
            **vars(outages),
            "notices": [{**vars(r), "name": r.label} for r in outages.notices],
            "reliability": [{**vars(r), "name": r.label} for r in outages.reliability],
        },
    }


def _day(name: str, text: str) -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.DATE, required=False, description=text)


def _choice(name: str, values: list[str]) -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.STR, enum=values, description="Default: all.")


class DashboardApi(APIView):
    """The dashboard's figures for a period (this month by default) in the caller's scope, with the
    manager's dashboard's filters. For service management roles (all units) and unit heads."""

    @extend_schema(
        operation_id="analytics_dashboard_retrieve",
        tags=["analytics"],
        parameters=[
            _day("date_from", "First day (YYYY-MM-DD, Asia/Shanghai). Default: the first of this month."),
            _day("date_to", "Last day, inclusive. Default: the end of date_from's month. At most 366 days."),
            OpenApiParameter("unit", OpenApiTypes.INT, description="A unit's id: it and the units below."),
            _choice("customer_type", list(CustomerType.values)),
            _choice("channel", list(Channel.values)),
            _choice("business_type", list(BusinessType.values)),
        ],
        responses={200: DashboardOutputSerializer, **error_responses(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        user = request_user(request)
        quality_allowed(user)
        form = DashboardFilterForm(request.query_params, user=user)
        if not form.is_valid():
            fields = {name: [str(m) for m in messages] for name, messages in form.errors.items()}
            raise ValidationFailed(_("筛选条件无效。"), fields=fields)
        data = form.cleaned_data
        period = period_of(data["date_from"], data["date_to"])
        unit = data.get("unit")
        scope = Scope(user, unit)
        filters = dashboard.Filters(
            customer_type=data.get("customer_type") or "",
            channel=data.get("channel") or "",
            business_type=data.get("business_type") or "",
        )
        answer = dashboard_data(
            dashboard.dashboard_figures(period, scope, filters),
            hot_spots.hot_spots(period, scope, filters),
            hot_spots.seeded_groups(period, scope, filters),
            unit=unit.pk if unit is not None else None,
            filters=filters,
            outages=outage_figures(period, scope),
        )
        return Response(DashboardOutputSerializer(answer).data)
