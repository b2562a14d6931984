"""The service quality view for integrations and the monthly report: ``GET /api/v1/quality/`` with the
console page's filters (parsed by the same form), answering the same table."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from powerdesk.analytics.forms import QualityFilterForm
from powerdesk.analytics.measures import Mean, Ratio
from powerdesk.analytics.selectors import QualityTable, Row, quality_allowed, quality_table
from powerdesk.core.api import error_responses, request_user
from powerdesk.core.errors import ValidationFailed


class QualityFigureSerializer(serializers.Serializer):
    """One figure: ``value`` is the count, the rate in percent or the mean score (null: nothing to
    compute for this row, or the source has no data); ``part`` / ``whole`` are a rate's terms, ``count``
    a mean's number of responses."""

    value = serializers.FloatField(allow_null=True)
    part = serializers.IntegerField(allow_null=True)
    whole = serializers.IntegerField(allow_null=True)
    count = serializers.IntegerField(allow_null=True)

    class Meta:
        ref_name = "QualityFigure"


class QualityMeasureSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=["count", "ratio", "mean"])
    definition = serializers.CharField()
    available = serializers.BooleanField(help_text="False: the source has no data in the period and scope.")
    missing = serializers.CharField(help_text="What is missing, when not available.")

    class Meta:
        ref_name = "QualityMeasure"


class QualityRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True, help_text="The user's or unit's id; null for the totals.")
    name = serializers.CharField()
    unit = serializers.CharField(help_text="The staff member's unit, or the unit's parent.")
    figures = serializers.DictField(child=QualityFigureSerializer(), help_text="By measure code.")

    class Meta:
        ref_name = "QualityRow"


class QualityOutputSerializer(serializers.Serializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    basis = serializers.CharField(help_text="What the period counts by.")
    by = serializers.ChoiceField(choices=["staff", "unit"])
    unit = serializers.IntegerField(allow_null=True)
    kind = serializers.CharField(allow_blank=True)
    measures = QualityMeasureSerializer(many=True)
    rows = QualityRowSerializer(many=True)
    totals = QualityRowSerializer()

    class Meta:
        ref_name = "Quality"


def _figure(figure: Any) -> dict[str, Any]:
    if isinstance(figure, Ratio):
        return {"value": figure.percent, "part": figure.part, "whole": figure.whole, "count": None}
    if isinstance(figure, Mean):
        return {"value": figure.value, "part": None, "whole": None, "count": figure.count}
    return {"value": figure, "part": None, "whole": None, "count": None}


def _row(row: Row) -> dict[str, Any]:
    return {
        "id": row.key,
        "name": row.name,
        "unit": row.unit,
        "figures": {code: _figure(value) for code, value in row.figures.items()},
    }


def quality_data(table: QualityTable) -> dict[str, Any]:
    return {
        "date_from": table.period.first,
        "date_to": table.period.last,
        "basis": _("按工单受理时间（北京时间）；未完成整改按当前状态"),
        "by": table.by,
        "unit": table.unit.pk if table.unit else None,
        "kind": table.kind,
        "measures": [
            {
                "code": m.code,
                "name": str(m.label),
                "kind": m.kind,
                "definition": str(m.definition),
                "available": table.available[m.code],
                "missing": "" if table.available[m.code] else str(m.missing),
            }
            for m in table.measures
        ],
        "rows": [_row(r) for r in table.rows],
        "totals": _row(table.totals),
    }


def _day(name: str, text: str) -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.DATE, required=False, description=text)


class QualityApi(APIView):
    """The service quality figures per staff member or unit for a period (this month by default), in
    the caller's scope. For service management roles (scope: all units) and unit heads."""

    @extend_schema(
        operation_id="quality_retrieve",
        tags=["analytics"],
        parameters=[
            _day("date_from", "First day (YYYY-MM-DD, Asia/Shanghai). Default: the first of this month."),
            _day("date_to", "Last day, inclusive. Default: the end of date_from's month. At most 366 days."),
            OpenApiParameter("by", OpenApiTypes.STR, enum=["staff", "unit"], description="Default: staff."),
            OpenApiParameter("unit", OpenApiTypes.INT, description="A unit's id: it and the units below."),
            OpenApiParameter("kind", OpenApiTypes.STR, description="A clock kind for the on-time rate."),
        ],
        responses={200: QualityOutputSerializer, **error_responses(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        user = request_user(request)
        quality_allowed(user)
        form = QualityFilterForm(request.query_params, user=user)
        if not form.is_valid():
            fields = {name: [str(m) for m in messages] for name, messages in form.errors.items()}
            raise ValidationFailed(_("筛选条件无效。"), fields=fields)
        data = form.cleaned_data
        table = quality_table(
            user=user,
            first=data["date_from"],
            last=data["date_to"],
            by=data["by"],
            unit=data.get("unit"),
            kind=data.get("kind") or "",
        )
        return Response(QualityOutputSerializer(quality_data(table)).data)
