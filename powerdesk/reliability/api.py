"""The reliability indices for integrations: ``GET /api/v1/reliability/`` with the console page's filters
(parsed by the same form), answering both standards' figures for the period and for each month."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from powerdesk.core.api import error_responses, request_user
from powerdesk.core.errors import ValidationFailed
from powerdesk.reliability import presenting, rules
from powerdesk.reliability.forms import ReliabilityFilterForm
from powerdesk.reliability.selectors import Report, reliability_allowed, reliability_report

USER_UNITS = [rules.LV, rules.MV]


class ReliabilityFigureSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField(help_text="Hours per user, %, times per user, minutes …")
    value = serializers.FloatField(
        allow_null=True, help_text="Null: no users in scope, or nothing to divide."
    )
    formula = serializers.CharField()
    worked = serializers.CharField(help_text="The formula with this period's numbers.")

    class Meta:
        ref_name = "ReliabilityFigure"


class Dlt836Serializer(serializers.Serializer):
    rules = serializers.CharField(help_text="What is counted: cut-off, planned outages, the user unit.")
    user_unit = serializers.ChoiceField(choices=USER_UNITS)
    users = serializers.IntegerField()
    user_hours = serializers.FloatField(help_text="Σ(duration h × users interrupted).")
    user_hours_rs3 = serializers.FloatField(help_text="The same without rationing for lack of generation.")
    interrupted_users = serializers.IntegerField()
    period_hours = serializers.FloatField()
    figures = ReliabilityFigureSerializer(many=True)

    class Meta:
        ref_name = "ReliabilityDlt836"


class Ieee1366Serializer(serializers.Serializer):
    rules = serializers.CharField()
    customers = serializers.IntegerField()
    customer_minutes = serializers.FloatField(help_text="Σ(minutes × customers interrupted).")
    customers_interrupted = serializers.IntegerField()
    period_hours = serializers.FloatField()
    major_event_days = serializers.ListField(child=serializers.DateField(), help_text="Excluded days.")
    figures = ReliabilityFigureSerializer(many=True)

    class Meta:
        ref_name = "ReliabilityIeee1366"


class MedSerializer(serializers.Serializer):
    threshold = serializers.FloatField(
        allow_null=True, help_text="T_MED in minutes; null: too little history."
    )
    alpha = serializers.FloatField(allow_null=True)
    beta = serializers.FloatField(allow_null=True)
    multiplier = serializers.FloatField()
    days = serializers.IntegerField(help_text="Non-zero days of history fitted.")
    history_from = serializers.DateField()
    history_to = serializers.DateField()
    explanation = serializers.CharField()

    class Meta:
        ref_name = "ReliabilityMed"


class ReliabilityMonthSerializer(serializers.Serializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    dlt836 = Dlt836Serializer()
    ieee1366 = Ieee1366Serializer()

    class Meta:
        ref_name = "ReliabilityMonth"


class ReliabilityOutputSerializer(serializers.Serializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    unit = serializers.IntegerField(
        allow_null=True, help_text="The unit whose subtree is counted; null: all."
    )
    feeder = serializers.CharField(allow_null=True, help_text="The feeder's device code; null: every feeder.")
    dlt836 = Dlt836Serializer()
    ieee1366 = Ieee1366Serializer()
    med = MedSerializer()
    months = ReliabilityMonthSerializer(many=True)

    class Meta:
        ref_name = "Reliability"


def _figures(figures: list[presenting.Figure]) -> list[dict[str, Any]]:
    return [
        {
            "code": f.code,
            "name": f.label,
            "unit": f.unit,
            "value": f.value,
            "formula": f.formula,
            "worked": f.worked,
        }
        for f in figures
    ]


def _dlt(f: rules.Dlt836, report: Report) -> dict[str, Any]:
    return {
        "rules": presenting.dlt836_rules(report.settings, f.user_unit),
        "user_unit": f.user_unit,
        "users": f.users,
        "user_hours": f.user_hours,
        "user_hours_rs3": f.user_hours_rs3,
        "interrupted_users": f.interrupted_users,
        "period_hours": f.period_hours,
        "figures": _figures(presenting.dlt836_figures(f)),
    }


def _ieee(f: rules.Ieee1366, report: Report) -> dict[str, Any]:
    return {
        "rules": presenting.ieee1366_rules(report.settings),
        "customers": f.customers,
        "customer_minutes": f.customer_minutes,
        "customers_interrupted": f.customers_interrupted,
        "period_hours": f.period_hours,
        "major_event_days": list(f.major_event_days),
        "figures": _figures(presenting.ieee1366_figures(f)),
    }


def reliability_data(report: Report) -> dict[str, Any]:
    med = report.med
    return {
        "date_from": report.first,
        "date_to": report.last,
        "unit": report.scope.unit.pk if report.scope.unit else None,
        "feeder": report.scope.feeder.code if report.scope.feeder else None,
        "dlt836": _dlt(report.dlt, report),
        "ieee1366": _ieee(report.ieee, report),
        "med": {
            "threshold": med.value,
            "alpha": med.alpha,
            "beta": med.beta,
            "multiplier": med.multiplier,
            "days": med.days,
            "history_from": report.history_first,
            "history_to": report.first - rules.ONE_DAY,
            "explanation": presenting.med_text(med, report.history_first, report.first),
        },
        "months": [
            {
                "date_from": m.first,
                "date_to": m.last,
                "dlt836": _dlt(m.dlt, report),
                "ieee1366": _ieee(m.ieee, report),
            }
            for m in report.months
        ],
    }


class ReliabilityApi(APIView):
    """Reliability indices for a period (this year to date by default) in the caller's scope: DL/T 836
    (AIHC-1, RS-1, RS-3, AITC-1; 3-minute cut-off, planned outages included, the user unit stated) and
    IEEE 1366 (SAIDI, SAIFI, CAIDI, ASAI; 5-minute cut-off, planned outages and Major Event Days by the
    2.5 β method excluded), for the whole period and each month. For service management roles (every
    unit) and dispatchers (their unit's subtree)."""

    @extend_schema(
        operation_id="reliability_retrieve",
        tags=["reliability"],
        parameters=[
            OpenApiParameter(
                "date_from", OpenApiTypes.DATE, description="First day (YYYY-MM-DD). Default: 1 January."
            ),
            OpenApiParameter(
                "date_to",
                OpenApiTypes.DATE,
                description="Last day, inclusive. Default: today, or the end of date_from's month.",
            ),
            OpenApiParameter("unit", OpenApiTypes.INT, description="A unit's id: customers of it and below."),
            OpenApiParameter("feeder", OpenApiTypes.INT, description="A 10 kV feeder's device id."),
            OpenApiParameter(
                "user_unit",
                OpenApiTypes.STR,
                enum=USER_UNITS,
                description="DL/T 836 user: lv (each meter, default) or 10kv (public transformers and "
                "dedicated customers).",
            ),
        ],
        responses={200: ReliabilityOutputSerializer, **error_responses(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        user = request_user(request)
        reliability_allowed(user)
        form = ReliabilityFilterForm(request.query_params, user=user)
        if not form.is_valid():
            fields = {name: [str(m) for m in messages] for name, messages in form.errors.items()}
            raise ValidationFailed(_("筛选条件无效。"), fields=fields)
        data = form.cleaned_data
        report = reliability_report(
            user=user,
            first=data["date_from"],
            last=data["date_to"],
            unit=data.get("unit"),
            feeder=data.get("feeder"),
            user_unit=data["user_unit"],
        )
        return Response(ReliabilityOutputSerializer(reliability_data(report)).data)
