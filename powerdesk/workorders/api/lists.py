"""``GET /api/v1/workorders/``: the order list with the console's filters; ``/workorders/`` itself."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from powerdesk.core.api import (
    Pagination,
    error_responses,
    request_user,
)
from powerdesk.org.models import Unit
from powerdesk.org.selectors import user_sees_personal_data
from powerdesk.workorders import reference
from powerdesk.workorders.api.common import MAX_ID, TAGS, refuse
from powerdesk.workorders.api.intake import WorkOrderIntakeApi
from powerdesk.workorders.api.output import WorkOrderSummaryOutputSerializer, order_summary
from powerdesk.workorders.choices import BusinessType, Channel, Status
from powerdesk.workorders.selectors import (
    OrderFilter,
    order_list,
)


class CommaSeparatedListField(serializers.ListField):
    """A list from repeated query parameters (``status=a&status=b``) or one comma-separated value."""

    def to_internal_value(self, data: Any) -> list[Any]:
        if isinstance(data, str):
            data = [data]
        if isinstance(data, list | tuple):
            data = [part.strip() for item in data for part in str(item).split(",") if part.strip()]
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if isinstance(exc.detail, dict):  # per-item errors: report them on the parameter itself
                raise serializers.ValidationError([m for msgs in exc.detail.values() for m in msgs]) from exc
            raise


def _business_date(**kwargs: Any) -> serializers.DateField:
    return serializers.DateField(
        input_formats=["%Y-%m-%d"],
        required=False,
        validators=[_date_in_range],
        help_text="YYYY-MM-DD, business time zone (Asia/Shanghai).",
        **kwargs,
    )


def _date_in_range(value: Any) -> None:
    if not (1900 <= value.year <= 2999):
        raise serializers.ValidationError(_("日期超出范围。"))


class WorkOrderListApi(APIView):
    """Orders the caller may see, newest first, with the console's filters."""

    pagination_class = Pagination

    class FilterSerializer(serializers.Serializer):
        queue = serializers.ChoiceField(
            choices=[("mine", "mine"), ("unit", "unit"), ("all", "all")],
            default="all",
            help_text="mine: assigned to me or taken by me and unassigned; unit: my unit's open orders; all.",
        )
        status = CommaSeparatedListField(
            child=serializers.ChoiceField(choices=Status.choices),
            required=False,
            max_length=len(Status.choices),
            help_text="One or more statuses, repeated or comma separated.",
        )
        business_type = serializers.ChoiceField(
            choices=BusinessType.choices, required=False, allow_blank=True
        )
        topic = serializers.CharField(
            max_length=32, required=False, allow_blank=True, help_text="Topic code."
        )
        unit = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, help_text="Unit id.")
        channel = serializers.ChoiceField(choices=Channel.choices, required=False, allow_blank=True)
        date_from = _business_date()
        date_to = _business_date()
        overdue = serializers.BooleanField(default=False)
        open = serializers.BooleanField(default=False, help_text="Only orders not archived or merged.")
        flagged = serializers.BooleanField(default=False)
        q = serializers.CharField(
            max_length=100,
            required=False,
            allow_blank=True,
            help_text="An order number, or a fragment of the description.",
        )

        class Meta:
            ref_name = "WorkOrderListFilter"

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            if attrs.get("date_from") and attrs.get("date_to") and attrs["date_from"] > attrs["date_to"]:
                raise serializers.ValidationError({"date_to": [_("结束日期不能早于开始日期。")]})
            return attrs

    OutputSerializer = WorkOrderSummaryOutputSerializer

    @extend_schema(
        operation_id="workorders_list",
        tags=TAGS,
        parameters=[FilterSerializer],
        responses={200: WorkOrderSummaryOutputSerializer(many=True), **error_responses(400, 401, 404)},
    )
    def get(self, request: Request) -> Response:
        """Orders the caller may see, newest first, with the console's filters."""
        serializer = WorkOrderListApi.FilterSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        errors: dict[str, list[str]] = {}
        if data.get("topic") and reference.topic_any(data["topic"]) is None:
            errors["topic"] = [_("找不到该业务分类。")]
        if data.get("unit") and not Unit.objects.filter(pk=data["unit"]).exists():
            errors["unit"] = [_("找不到该单位。")]
        refuse(errors)
        f = OrderFilter(
            queue=data["queue"],
            status=data.get("status") or None,
            business_type=data.get("business_type", ""),
            topic=data.get("topic", ""),
            unit=data.get("unit"),
            channel=data.get("channel", ""),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            overdue=data["overdue"],
            open_only=data["open"],
            flagged=data["flagged"],
            q=data.get("q", ""),
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(order_list(user=request_user(request), f=f), request, view=self)
        assert page is not None
        # OutputSerializer's shape (the schema), written without DRF's per-field cost: 50 rows a page.
        unmasked = user_sees_personal_data(request_user(request))
        data_out = [order_summary(order, unmasked=unmasked) for order in page]
        return paginator.get_paginated_response(data_out)


class WorkOrderCollectionApi(WorkOrderListApi, WorkOrderIntakeApi):  # type: ignore[misc]
    """``/workorders/``: GET lists (WorkOrderListApi), POST takes a contact (WorkOrderIntakeApi)."""
