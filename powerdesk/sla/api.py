"""Clocks for integrations and wallboards: ``GET /api/v1/clocks/?state=…&due_before=…``."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from powerdesk.core.api import Pagination, error_responses, request_user
from powerdesk.sla.models import ClockKind, ClockState
from powerdesk.sla.selectors import clock_list


class ClockOutputSerializer(serializers.Serializer):
    """One time limit running on an order, and the policy row it came from."""

    id = serializers.IntegerField()
    order = serializers.CharField(source="order.number")
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    state = serializers.CharField()
    state_label = serializers.CharField(source="get_state_display")
    started_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    met_at = serializers.DateTimeField(allow_null=True)
    breached_at = serializers.DateTimeField(allow_null=True)
    paused_seconds = serializers.IntegerField()
    escalation_step = serializers.IntegerField(source="level")
    policy = serializers.CharField(source="policy.name")
    policy_limit = serializers.CharField(source="policy.limit_display")
    policy_source_grade = serializers.CharField(source="policy.source_grade")

    class Meta:
        ref_name = "Clock"


class ClockListApi(APIView):
    """Clocks of the orders the caller may see, soonest due first."""

    pagination_class = Pagination  # also tells the schema generator the list is paginated

    class FilterSerializer(serializers.Serializer):
        state = serializers.ChoiceField(choices=ClockState.choices, required=False)
        kind = serializers.ChoiceField(choices=ClockKind.choices, required=False)
        due_before = serializers.DateTimeField(
            required=False, help_text="ISO 8601, e.g. 2026-11-23T18:00:00+08:00"
        )
        unit = serializers.IntegerField(required=False, min_value=1, max_value=2**62)
        order = serializers.RegexField(
            r"^[0-9A-Za-z-]{1,20}$",
            required=False,
            help_text="An order number (工单编号): that order's clocks only.",
        )

        class Meta:
            ref_name = "ClockFilter"

    @extend_schema(
        operation_id="clocks_list",
        tags=["clocks"],
        parameters=[FilterSerializer],
        responses={200: ClockOutputSerializer(many=True), **error_responses(400, 401)},
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        clocks = clock_list(
            user=request_user(request),
            state=data.get("state", ""),
            kind=data.get("kind", ""),
            due_before=data.get("due_before"),
            unit=data.get("unit"),
            order=data.get("order", ""),
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(clocks, request, view=self)
        return paginator.get_paginated_response(ClockOutputSerializer(page, many=True).data)
