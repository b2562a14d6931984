"""``GET /api/v1/workorders/``: the order list with the console's filters; ``/workorders/`` itself."""

from __future__ import annotations

from typing import Any

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from powerdesk.core.api import Pagination, error_responses, request_user
from powerdesk.org.masking import serializer_masking
from powerdesk.workorders.api.common import TAGS
from powerdesk.workorders.api.intake import WorkOrderIntakeApi
from powerdesk.workorders.api.output import WorkOrderSummaryOutputSerializer
from powerdesk.workorders.filters import OrderFilterSet
from powerdesk.workorders.models import WorkOrder


class WorkOrderListApi(GenericAPIView):
    """Orders the caller may see, newest first, with the console's filters (``OrderFilterSet``; queue
    "all" by default): invalid values are a 400 with the stable error body."""

    queryset = WorkOrder.objects.all()
    filter_backends = [DjangoFilterBackend]
    filterset_class = OrderFilterSet
    pagination_class = Pagination
    serializer_class = WorkOrderSummaryOutputSerializer

    @extend_schema(
        operation_id="workorders_list",
        tags=TAGS,
        responses={200: WorkOrderSummaryOutputSerializer(many=True), **error_responses(400, 401, 404)},
    )
    def get(self, request: Request) -> Response:
        """Orders the caller may see, newest first, with the console's filters."""
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), **serializer_masking(request_user(self.request))}


class WorkOrderCollectionApi(WorkOrderListApi, WorkOrderIntakeApi):  # type: ignore[misc]
    """``/workorders/``: GET lists (WorkOrderListApi), POST takes a contact (WorkOrderIntakeApi)."""
