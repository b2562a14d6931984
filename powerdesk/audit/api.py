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

from powerdesk.audit import kinds
from powerdesk.audit.filters import AuditFilterSet
from powerdesk.audit.models import AuditEntry
from powerdesk.audit.selectors import audit_entries
from powerdesk.core.api import Pagination, error_responses, request_user


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
