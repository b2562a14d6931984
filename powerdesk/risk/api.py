"""The at-risk list for integrations and wallboards: ``GET /api/v1/risk/orders/?unit=…&min_score=…``,
ranked as the console's page (:func:`powerdesk.risk.selectors.risk_orders`)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from powerdesk.core.api import Pagination, error_responses, request_user
from powerdesk.core.errors import ValidationFailed
from powerdesk.org.models import Unit
from powerdesk.risk import presenting
from powerdesk.risk.models import OrderRisk
from powerdesk.risk.selectors import risk_orders, threshold
from powerdesk.workorders.forms import visible_units


class RiskReasonSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="repeat_call, chase, clock_breached, clock_near, sensitive, …")
    count = serializers.IntegerField()
    points = serializers.IntegerField()
    terms = serializers.ListField(child=serializers.CharField(), required=False, help_text="Matched words.")

    class Meta:
        ref_name = "RiskReason"


class RiskUnitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()

    class Meta:
        ref_name = "RiskUnit"


class RiskOrderOutputSerializer(serializers.Serializer):
    """One open order of the at-risk list: its score, why, and whether it reached the threshold."""

    order = serializers.CharField(source="order.number")
    business_type = serializers.CharField(source="order.business_type")
    business_type_label = serializers.CharField(source="order.get_business_type_display")
    status = serializers.CharField(source="order.status")
    unit = RiskUnitSerializer(source="order.unit")
    score = serializers.IntegerField()
    reasons = RiskReasonSerializer(many=True)
    reason_texts = serializers.SerializerMethodField()
    above_threshold = serializers.SerializerMethodField()
    computed_at = serializers.DateTimeField()
    alerted_at = serializers.DateTimeField(allow_null=True)

    class Meta:
        ref_name = "RiskOrder"

    def get_reason_texts(self, risk: OrderRisk) -> list[str]:
        return presenting.reasons_text(risk.reasons)

    def get_above_threshold(self, risk: OrderRisk) -> bool:
        level = self.context.get("threshold", 0)
        return bool(level) and risk.score >= level


class RiskOrderListApi(APIView):
    """Open orders the caller may see that carry a complaint risk, highest score first."""

    pagination_class = Pagination

    class FilterSerializer(serializers.Serializer):
        unit = serializers.IntegerField(
            required=False,
            min_value=1,
            max_value=2**62,
            help_text="A unit's id: its orders and those below it.",
        )
        min_score = serializers.IntegerField(required=False, min_value=1, max_value=100000)

        class Meta:
            ref_name = "RiskOrderFilter"

    @extend_schema(
        operation_id="risk_orders_list",
        tags=["risk"],
        parameters=[FilterSerializer],
        responses={200: RiskOrderOutputSerializer(many=True), **error_responses(400, 401)},
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data: dict[str, Any] = filters.validated_data
        user = request_user(request)
        unit: Unit | None = None
        if data.get("unit") is not None:
            unit = visible_units(user).filter(pk=data["unit"]).first()
            if unit is None:
                message = _("请选择有效的处理单位。")
                raise ValidationFailed(message, fields={"unit": [message]})
        rows = risk_orders(user=user, unit=unit, min_score=data.get("min_score"))
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(rows, request, view=self)
        context = {"threshold": threshold()}
        return paginator.get_paginated_response(
            RiskOrderOutputSerializer(page, many=True, context=context).data
        )
