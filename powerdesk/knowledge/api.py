"""The case library's API: ``GET /api/v1/cases/`` (the search page's ``CaseFilterSet``: words, area,
type, sub-type, tag, state; ranked when words are given) and ``GET /api/v1/cases/{id}/`` (the published
version, or ``?version=n``); the scripts: ``GET /api/v1/scripts/`` and ``GET /api/v1/scripts/{id}/``
(``?order=<number>`` fills it from that order). Invalid parameters answer 400 with the stable error body."""

from __future__ import annotations

from typing import Any

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from powerdesk.core.api import Pagination, error_responses, request_user
from powerdesk.core.errors import NotFound
from powerdesk.knowledge import selectors
from powerdesk.knowledge.filters import CaseFilterSet, ScriptFilterSet
from powerdesk.knowledge.models import CaseRule, CaseVersion, ScriptVersion
from powerdesk.knowledge.rendering import render_markdown
from powerdesk.workorders.models import WorkOrder
from powerdesk.workorders.selectors import order_get, order_visible

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


# --- scripts (话术) -------------------------------------------------------------------------------------

SCRIPT_TAGS = ["scripts"]


class ScriptSummaryOutputSerializer(serializers.ModelSerializer):
    script = serializers.IntegerField(source="script_id")
    version = serializers.IntegerField(source="number")
    topic: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    sub_type: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )

    class Meta:
        model = ScriptVersion
        ref_name = "ScriptSummary"
        fields = ["id", "script", "version", "state", "title", "kind", "business_type", "topic", "sub_type",
                  "position", "published_at"]  # fmt: skip


class ScriptPartSerializer(serializers.Serializer):
    text = serializers.CharField()
    placeholder = serializers.CharField(source="code", help_text="The placeholder filled here ('' for text).")
    missing = serializers.BooleanField(help_text="True when the value is not known (text is the mark).")

    class Meta:
        ref_name = "ScriptPart"


class ScriptDetailOutputSerializer(ScriptSummaryOutputSerializer):
    body = serializers.CharField(help_text="The template, with {placeholders}.")
    text = serializers.SerializerMethodField(help_text="The template filled for the reader (and the order).")
    parts = serializers.SerializerMethodField()
    missing = serializers.SerializerMethodField(help_text="The placeholders whose values are not known.")

    class Meta(ScriptSummaryOutputSerializer.Meta):
        ref_name = "ScriptDetail"
        fields = [*ScriptSummaryOutputSerializer.Meta.fields, "body", "text", "parts", "missing"]

    def _filled(self, version: ScriptVersion) -> selectors.FilledScript:
        filled: selectors.FilledScript = self.context["filled"]
        return filled

    def get_text(self, version: ScriptVersion) -> str:
        return self._filled(version).text

    @extend_schema_field(ScriptPartSerializer(many=True))
    def get_parts(self, version: ScriptVersion) -> list[dict[str, Any]]:
        return ScriptPartSerializer(self._filled(version).parts, many=True).data  # type: ignore[return-value]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_missing(self, version: ScriptVersion) -> list[str]:
        return self._filled(version).missing


def _order(user: Any, value: str) -> WorkOrder:
    """The order named by its number (as everywhere in the API) or by its id, if the user may see it."""
    try:
        return order_get(user=user, number=value)
    except NotFound:
        # an id: at most 18 digits, so it fits the column and never fails the query
        found = (
            order_visible(user).filter(pk=int(value)).first()
            if value.isdigit() and len(value) <= 18
            else None
        )
        if found is None:
            raise
        return found


class ScriptListApi(GenericAPIView):
    """Published scripts (authors and reviewers: any state), by situation and position."""

    queryset = ScriptVersion.objects.all()
    filter_backends = [DjangoFilterBackend]
    filterset_class = ScriptFilterSet
    pagination_class = Pagination
    serializer_class = ScriptSummaryOutputSerializer

    @extend_schema(
        operation_id="scripts_list",
        tags=SCRIPT_TAGS,
        responses={200: ScriptSummaryOutputSerializer(many=True), **error_responses(400, 401)},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class ScriptDetailApi(GenericAPIView):
    """One script (its published version, or ``version``) filled for the caller: with ``order`` (the
    order's number) from that order, its customer and their outage; the customer's name as the caller's
    masking policy shows it. An order the caller may not see is not found (404)."""

    serializer_class = ScriptDetailOutputSerializer

    class FilterSerializer(serializers.Serializer):
        version = serializers.IntegerField(required=False, min_value=1, max_value=100000)
        order = serializers.CharField(
            required=False, max_length=20, help_text="An order's number (or its id) to fill the script from."
        )

        class Meta:
            ref_name = "ScriptDetailFilter"

    @extend_schema(
        operation_id="scripts_detail",
        tags=SCRIPT_TAGS,
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH), FilterSerializer],
        responses={200: ScriptDetailOutputSerializer, **error_responses(400, 401, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        params = self.FilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        user = request_user(request)
        version = selectors.script_get(user=user, script_id=pk, number=params.validated_data.get("version"))
        number = params.validated_data.get("order")
        order = _order(user, number.strip()) if number else None
        filled = selectors.filled([version], selectors.script_context(user=user, order=order))[0]
        return Response(ScriptDetailOutputSerializer(version, context={"filled": filled}).data)
