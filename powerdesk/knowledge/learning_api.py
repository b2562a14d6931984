"""以案普法 through ``/api/v1/``: the caller's own assignments and confirming one.

- ``GET  /api/v1/learning/assignments/`` — the caller's assignments (``?state=open|confirmed``), open
  ones first, soonest due; each with the case version assigned and whether it is overdue;
- ``POST /api/v1/learning/assignments/{id}/confirm/`` — confirm having read it. Idempotent: confirming
  again answers the first confirmation (its time), so a retried request never records twice.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from powerdesk.core import clock
from powerdesk.core.api import Pagination, error_responses, request_user
from powerdesk.knowledge import learning, learning_selectors, rules
from powerdesk.knowledge.models import LearningRecipient

TAGS = ["learning"]


class AssignmentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="assignment_id", help_text="The assignment's id (confirm with it).")
    case = serializers.IntegerField(source="assignment.version.case_id")
    version = serializers.IntegerField(source="assignment.version.number")
    version_id = serializers.IntegerField(source="assignment.version_id")
    title = serializers.CharField(source="assignment.version.title")
    reason = serializers.CharField(source="assignment.reason")
    due_date = serializers.DateField(source="assignment.due_date")
    assigned_at = serializers.DateTimeField(source="assignment.created_at")
    assigned_by = serializers.CharField(source="assignment.created_by.username")
    confirmed_at = serializers.DateTimeField(allow_null=True)
    status = serializers.SerializerMethodField(help_text="confirmed, open or overdue.")

    class Meta:
        ref_name = "LearningAssignment"

    def get_status(self, row: LearningRecipient) -> str:
        today = self.context.get("today") or clock.local_date()
        return rules.learning_status(
            confirmed=row.confirmed_at is not None, due_date=row.assignment.due_date, today=today
        )


class AssignmentListApi(APIView):
    """The caller's learning assignments."""

    pagination_class = Pagination

    class FilterSerializer(serializers.Serializer):
        state = serializers.ChoiceField(choices=["open", "confirmed"], required=False)

        class Meta:
            ref_name = "LearningAssignmentFilter"

    @extend_schema(
        operation_id="learning_assignments_list",
        tags=TAGS,
        parameters=[FilterSerializer],
        responses={200: AssignmentOutputSerializer(many=True), **error_responses(400, 401)},
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        rows: Any = learning_selectors.my_assignments(request_user(request))
        state = filters.validated_data.get("state")
        if state:
            rows = rows.filter(confirmed_at__isnull=state == "open")
        paginator = self.pagination_class()
        page: list[Any] | None = paginator.paginate_queryset(rows, request, view=self)
        context = {"today": clock.local_date()}
        return paginator.get_paginated_response(
            AssignmentOutputSerializer(page, many=True, context=context).data
        )


class AssignmentConfirmApi(APIView):
    """Confirm having read an assignment's case version (idempotent)."""

    @extend_schema(
        operation_id="learning_assignments_confirm",
        tags=TAGS,
        request=None,
        responses={200: AssignmentOutputSerializer, **error_responses(401, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        row = learning.assignment_confirm(actor=request_user(request), assignment_id=pk)
        row = learning_selectors.my_assignments(request_user(request)).get(pk=row.pk)
        return Response(AssignmentOutputSerializer(row).data)
