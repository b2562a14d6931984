"""One order: ``GET /api/v1/workorders/{number}/`` with its timeline, and evidence uploads."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from powerdesk.core.api import (
    IDEMPOTENCY_KEY_PARAMETER,
    error_responses,
    idempotency_key,
    request_user,
)
from powerdesk.core.errors import NotPermitted
from powerdesk.org.selectors import user_may
from powerdesk.workorders.api.common import NUMBER_PARAMETER, TAGS, visible_order
from powerdesk.workorders.api.output import (
    AttachmentOutputSerializer,
    WorkOrderDetailOutputSerializer,
    detail_response,
    serializer_context,
)
from powerdesk.workorders.attachments import attachment_add
from powerdesk.workorders.choices import AttachmentKind
from powerdesk.workorders.routing import dispatch_suggestion


class WorkOrderDetailApi(APIView):
    """One order: its data, the customer (masked per role), the timeline, evidence and the transitions
    the caller may fire now."""

    OutputSerializer = WorkOrderDetailOutputSerializer

    @extend_schema(
        operation_id="workorders_retrieve",
        tags=TAGS,
        parameters=[NUMBER_PARAMETER],
        responses={200: WorkOrderDetailOutputSerializer, **error_responses(401, 404)},
    )
    def get(self, request: Request, number: str) -> Response:
        return detail_response(request, visible_order(request, number))


class WorkOrderAttachmentAddApi(APIView):
    """Add an evidence file (recording, photo, document); type and size are checked against the rules."""

    parser_classes = [MultiPartParser, FormParser]

    class InputSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(choices=AttachmentKind.choices)
        file = serializers.FileField(max_length=200)

        class Meta:
            ref_name = "WorkOrderAttachmentInput"

    OutputSerializer = AttachmentOutputSerializer

    @extend_schema(
        operation_id="workorders_attachments_add",
        tags=TAGS,
        request={"multipart/form-data": InputSerializer},
        parameters=[NUMBER_PARAMETER, IDEMPOTENCY_KEY_PARAMETER],
        responses={201: AttachmentOutputSerializer, **error_responses(400, 401, 403, 404, 413, 415, 507)},
    )
    def post(self, request: Request, number: str) -> Response:
        order = visible_order(request, number)
        # The role before the input, as the transitions do: a role that may not gets 403 whatever it sent.
        if not user_may(request_user(request), "note"):
            raise NotPermitted(_("您的角色不能上传附件。"))
        key = idempotency_key(request)
        serializer = WorkOrderAttachmentAddApi.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        attachment = attachment_add(
            order=order,
            actor=request_user(request),
            kind=serializer.validated_data["kind"],
            upload=serializer.validated_data["file"],
            request_id=key or "",
        )
        return Response(
            self.OutputSerializer(attachment, context=serializer_context(request)).data,
            status=status.HTTP_201_CREATED,
        )


class DispatchCandidateSerializer(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField(source="display_name")
    unit = serializers.CharField(source="unit.code")
    open_load = serializers.IntegerField()

    class Meta:
        ref_name = "DispatchCandidate"


class WorkOrderDispatchSuggestionApi(APIView):
    """Where the routing rules send the order (派单建议): the target unit, the suggested handler and the
    unit's field staff with their open orders, fewest first. ``unit`` is null when no rule matches;
    dispatch with ``POST …/dispatch/``."""

    class OutputSerializer(serializers.Serializer):
        unit = serializers.CharField(allow_null=True, help_text="Code of the target unit.")
        unit_name = serializers.CharField(allow_null=True)
        unit_id = serializers.IntegerField(allow_null=True, help_text="The id the dispatch endpoint takes.")
        assignee = serializers.CharField(allow_null=True, help_text="Username of the suggested handler.")
        assignee_id = serializers.IntegerField(allow_null=True)
        auto_dispatch = serializers.BooleanField()
        staff = serializers.ListField(child=DispatchCandidateSerializer())

        class Meta:
            ref_name = "DispatchSuggestion"

    @extend_schema(
        operation_id="workorders_dispatch_suggestion",
        tags=TAGS,
        parameters=[NUMBER_PARAMETER],
        responses={200: OutputSerializer, **error_responses(401, 404)},
    )
    def get(self, request: Request, number: str) -> Response:
        suggestion = dispatch_suggestion(visible_order(request, number))
        assignee = suggestion.assignee if suggestion else None
        data = {
            "unit": suggestion.unit.code if suggestion else None,
            "unit_name": suggestion.unit.name if suggestion else None,
            "unit_id": suggestion.unit.pk if suggestion else None,
            "assignee": assignee.username if assignee else None,
            "assignee_id": assignee.pk if assignee else None,
            "auto_dispatch": bool(suggestion and suggestion.auto_dispatch),
            "staff": suggestion.staff if suggestion else [],
        }
        return Response(self.OutputSerializer(data).data)
