"""``GET /api/v1/audit/``: the audit trail for the auditor, with the console's filters
(``AuditFilterSet``; invalid values are a 400), newest first, paginated. Other roles: 403."""

from __future__ import annotations

from typing import Any

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from powerdesk.audit import kinds
from powerdesk.audit.filters import AuditFilterSet
from powerdesk.audit.models import AuditEntry
from powerdesk.audit.reveal import REASON_MIN, reveal
from powerdesk.audit.selectors import audit_entries
from powerdesk.core.api import Pagination, error_responses, request_user
from powerdesk.org.models import PersonalField


class AuditEntryOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    kind = serializers.CharField(help_text="Stable code, e.g. login_failed.")
    kind_label = serializers.SerializerMethodField(help_text="The kind in the request's language.")
    actor = serializers.CharField(source="actor_name", help_text="Login name of who acted.")
    target = serializers.CharField(help_text="What: app_label.model:pk, a field, or a list.")
    subject = serializers.CharField(help_text="Whose: a login name or an account number.")
    reason = serializers.CharField()
    address = serializers.IPAddressField(allow_null=True)
    details = serializers.SerializerMethodField(help_text="The data, in the request's language.")
    data = serializers.DictField(help_text="The stored codes and values.")  # type: ignore[assignment]

    class Meta:
        ref_name = "AuditEntry"

    def get_kind_label(self, entry: AuditEntry) -> str:
        return kinds.label(entry.kind)

    def get_details(self, entry: AuditEntry) -> str:
        return kinds.describe(entry.kind, entry.data)


class AuditListApi(GenericAPIView):
    """The audit trail, newest first: for roles that may read it (the auditor)."""

    filter_backends = [DjangoFilterBackend]
    filterset_class = AuditFilterSet
    pagination_class = Pagination
    serializer_class = AuditEntryOutputSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # the schema generator: no user
            return AuditEntry.objects.none()
        return audit_entries(user=request_user(self.request))

    @extend_schema(
        operation_id="audit_list",
        tags=["audit"],
        responses={200: AuditEntryOutputSerializer(many=True), **error_responses(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        """The audit trail, newest first, with the console's filters."""
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class RevealApi(APIView):
    """``POST /api/v1/reveal/``: the full value of a masked field, for a role the policy lets reveal it,
    with a reason; recorded in the audit trail like the console's 显示 (``audit.reveal``)."""

    class InputSerializer(serializers.Serializer):
        target = serializers.ChoiceField(
            choices=["customer", "order", "contact"],
            help_text="customer (ref: the customer's id), order (ref: its number) or contact (ref: its id).",
        )
        ref = serializers.CharField(max_length=64)
        field = serializers.ChoiceField(choices=PersonalField.choices)
        reason = serializers.CharField(max_length=500, min_length=REASON_MIN, help_text="Why: recorded.")

        class Meta:
            ref_name = "RevealInput"

    class OutputSerializer(serializers.Serializer):
        target = serializers.CharField()
        ref = serializers.CharField()
        field = serializers.CharField()
        value = serializers.CharField()

        class Meta:
            ref_name = "RevealOutput"

    @extend_schema(
        operation_id="reveal",
        tags=["audit"],
        request=InputSerializer,
        responses={200: OutputSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = reveal(actor=request_user(request), **data.validated_data)
        return Response(self.OutputSerializer(result).data)
