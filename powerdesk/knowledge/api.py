"""The case library's API: ``GET /api/v1/cases/`` (the search page's ``CaseFilterSet``: words, area,
type, sub-type, tag, state; ranked when words are given) and ``GET /api/v1/cases/{id}/`` (the published
version, or ``?version=n``). Invalid parameters answer 400 with the stable error body."""

from __future__ import annotations

from typing import Any

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from powerdesk.core.api import Pagination, error_responses, request_user
from powerdesk.knowledge import selectors
from powerdesk.knowledge.filters import CaseFilterSet
from powerdesk.knowledge.models import CaseRule, CaseVersion
from powerdesk.knowledge.rendering import render_markdown

TAGS = ["cases"]


class CaseSummaryOutputSerializer(serializers.ModelSerializer):
    case = serializers.IntegerField(source="case_id")
    version = serializers.IntegerField(source="number")
    area: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="code", read_only=True)
    area_name = serializers.CharField(source="area.name", read_only=True)
    sub_type: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )

    class Meta:
        model = CaseVersion
        ref_name = "CaseSummary"
        fields = [
            "id", "case", "version", "state", "title", "area", "area_name", "business_type", "sub_type",
            "verdict", "tags", "published_at",
        ]  # fmt: skip


class CaseRuleOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaseRule
        ref_name = "CaseRule"
        fields = ["reference", "source", "valid_from", "valid_to"]


class CaseDetailOutputSerializer(CaseSummaryOutputSerializer):
    rules = CaseRuleOutputSerializer(many=True, read_only=True)
    html = serializers.SerializerMethodField(
        help_text="The Markdown fields rendered and cleaned (safe HTML)."
    )

    class Meta(CaseSummaryOutputSerializer.Meta):
        ref_name = "CaseDetail"
        fields = [
            *CaseSummaryOutputSerializer.Meta.fields,
            "situation", "findings", "criteria", "judgment", "should_have", "lessons", "rules", "html",
        ]  # fmt: skip

    def get_html(self, version: CaseVersion) -> dict[str, str]:
        names = ("situation", "findings", "judgment", "should_have", "lessons")
        return {name: str(render_markdown(getattr(version, name))) for name in names}


class CaseListApi(GenericAPIView):
    """Published cases (authors and reviewers: any state), newest first, or best first for ``q``."""

    queryset = CaseVersion.objects.all()
    filter_backends = [DjangoFilterBackend]
    filterset_class = CaseFilterSet
    pagination_class = Pagination
    serializer_class = CaseSummaryOutputSerializer

    @extend_schema(
        operation_id="cases_list",
        tags=TAGS,
        responses={200: CaseSummaryOutputSerializer(many=True), **error_responses(400, 401)},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class CaseDetailApi(GenericAPIView):
    """One case: its published version, or the version numbered ``version``."""

    serializer_class = CaseDetailOutputSerializer

    class FilterSerializer(serializers.Serializer):
        version = serializers.IntegerField(required=False, min_value=1, max_value=100000)

        class Meta:
            ref_name = "CaseDetailFilter"

    @extend_schema(
        operation_id="cases_detail",
        tags=TAGS,
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH), FilterSerializer],
        responses={200: CaseDetailOutputSerializer, **error_responses(400, 401, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        params = self.FilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        version = selectors.version_get(
            user=request_user(request), case_id=pk, number=params.validated_data.get("version")
        )
        return Response(CaseDetailOutputSerializer(version, context=self._context()).data)

    def _context(self) -> dict[str, Any]:
        return {"request": self.request}
