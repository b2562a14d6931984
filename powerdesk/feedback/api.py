"""Follow-up tasks and survey results through the API: ``GET /api/v1/follow-ups/``,
``POST /api/v1/follow-ups/{id}/close/``, ``GET /api/v1/surveys/``. The callback itself is the order's
``callback`` transition (``POST /api/v1/workorders/{number}/callback/``); its attempts, survey and
follow-ups are in the order's detail."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from powerdesk.core.api import Pagination, error_responses, request_user
from powerdesk.core.errors import NotFound

from . import selectors, services
from .models import FollowUpTask

TAGS = ["feedback"]


class FollowUpOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    order = serializers.CharField(source="order.number")
    reason = serializers.CharField()
    reason_label = serializers.CharField(source="get_reason_display")
    unit = serializers.CharField(source="unit.code")
    owner = serializers.CharField(source="owner.username", allow_null=True, default=None)
    state = serializers.CharField()
    due_at = serializers.DateTimeField()
    created_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)
    closing_note = serializers.CharField()

    class Meta:
        ref_name = "FollowUpTask"


class FollowUpListApi(APIView):
    """Follow-up tasks: the caller's (``scope=mine``), their unit's (``unit``) or all they may see."""

    pagination_class = Pagination

    class FilterSerializer(serializers.Serializer):
        scope = serializers.ChoiceField(choices=["mine", "unit", "all"], required=False, default="mine")
        state = serializers.ChoiceField(choices=FollowUpTask.State.choices, required=False, default="open")

        class Meta:
            ref_name = "FollowUpFilter"

    @extend_schema(
        operation_id="follow_ups_list",
        tags=TAGS,
        parameters=[FilterSerializer],
        responses={200: FollowUpOutputSerializer(many=True), **error_responses(400, 401)},
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        tasks = selectors.follow_ups(user=request_user(request), **filters.validated_data)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(tasks, request, view=self)
        return paginator.get_paginated_response(FollowUpOutputSerializer(page, many=True).data)


class FollowUpCloseApi(APIView):
    """Close a follow-up task with what was done. Sending the same close again answers the closed task."""

    class InputSerializer(serializers.Serializer):
        note = serializers.CharField(max_length=2000)

        class Meta:
            ref_name = "FollowUpCloseInput"

    @extend_schema(
        operation_id="follow_ups_close",
        tags=TAGS,
        request=InputSerializer,
        responses={200: FollowUpOutputSerializer, **error_responses(400, 401, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        user = request_user(request)
        if selectors.follow_up_get(user=user, pk=pk) is None:
            raise NotFound(_("找不到该跟进任务。"))
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        task = services.follow_up_close(task_id=pk, actor=user, note=serializer.validated_data["note"])
        return Response(FollowUpOutputSerializer(task).data)


class SurveyResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    order = serializers.CharField(source="order.number", allow_null=True, default=None)
    campaign = serializers.CharField(source="campaign.name", allow_null=True, default=None)
    score = serializers.IntegerField(allow_null=True)
    resolved = serializers.BooleanField(allow_null=True)
    restoration_right = serializers.BooleanField(allow_null=True)
    comment = serializers.CharField()
    created_at = serializers.DateTimeField()

    class Meta:
        ref_name = "SurveyResult"


class SurveyListApi(APIView):
    """Survey results of the orders the caller may see, newest first (campaign answers for roles that
    see every unit)."""

    pagination_class = Pagination

    class FilterSerializer(serializers.Serializer):
        max_score = serializers.IntegerField(required=False, min_value=1, max_value=5)

        class Meta:
            ref_name = "SurveyFilter"

    @extend_schema(
        operation_id="surveys_list",
        tags=TAGS,
        parameters=[FilterSerializer],
        responses={200: SurveyResultSerializer(many=True), **error_responses(400, 401)},
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        results = selectors.survey_results(user=request_user(request)).order_by("-created_at", "-id")
        if "max_score" in filters.validated_data:
            results = results.filter(score__lte=filters.validated_data["max_score"])
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(results, request, view=self)
        return paginator.get_paginated_response(SurveyResultSerializer(page, many=True).data)
