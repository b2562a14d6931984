"""Complaint judgment and rectifications through ``/api/v1/``, with the API's one error body:

- ``GET  /api/v1/complaints/{number}/judgment/``: the checklist for the complaint, each criterion with
  what the system pre-fills, and the latest judgment;
- ``POST /api/v1/complaints/{number}/judgment/``: judge (answers → verdict; 不成立 downgrades, 成立
  names responsibility and may open a rectification); ``Idempotency-Key`` makes a retry answer the first;
- ``GET``/``POST /api/v1/complaints/{number}/``: the complaint record, and changing it;
- ``GET  /api/v1/rectifications/`` and ``POST /api/v1/rectifications/{id}/close/``.

The complaint record is also a field of the order's detail (``complaint``, ``praise``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from powerdesk.complaints import rules, selectors, services
from powerdesk.complaints.models import RectificationState, Severity, Verdict
from powerdesk.core import idempotency
from powerdesk.core.api import (
    IDEMPOTENCY_KEY_PARAMETER,
    IF_MATCH_PARAMETER,
    CodeField,
    Pagination,
    error_responses,
    idempotency_key,
    if_match_version,
    request_user,
)
from powerdesk.core.errors import NotFound, NotPermitted, ValidationFailed
from powerdesk.org.models import ServiceHall, Unit, User
from powerdesk.org.selectors import user_may
from powerdesk.workorders.api.common import NUMBER_PARAMETER, visible_order
from powerdesk.workorders.choices import BusinessType
from powerdesk.workorders.models import Topic
from powerdesk.workorders.selectors import order_visible

TAGS = ["complaints"]


class JudgmentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    checklist = serializers.CharField(source="checklist.code")
    verdict = serializers.ChoiceField(choices=Verdict.choices)
    reasons = serializers.ListField(child=serializers.DictField(), help_text="[{criterion, effect}]")
    answers = serializers.DictField(child=serializers.CharField())
    note = serializers.CharField()
    downgraded_to = serializers.CharField()
    responsible_unit = serializers.CharField(source="responsible_unit.code", allow_null=True, default=None)
    responsible_staff = serializers.CharField(
        source="responsible_staff.username", allow_null=True, default=None
    )
    actor = serializers.CharField(source="actor.username")
    at = serializers.DateTimeField()

    class Meta:
        ref_name = "ComplaintJudgment"


class ComplaintOutputSerializer(serializers.Serializer):
    severity = serializers.CharField(source="severity.code", allow_null=True, default=None)
    related_orders = serializers.SerializerMethodField()
    staff = serializers.CharField(source="staff.username", allow_null=True, default=None)
    staff_name = serializers.CharField()
    outsourced = serializers.BooleanField()
    team = serializers.CharField(source="team.code", allow_null=True, default=None)
    hall = serializers.CharField(source="hall.name", allow_null=True, default=None)
    event_at = serializers.DateTimeField(allow_null=True)
    original_business_type = serializers.CharField()
    original_sub_type = serializers.CharField(source="original_sub_type.code", allow_null=True, default=None)
    verdict = serializers.CharField()
    repeat_of = serializers.CharField(source="repeat_of.number", allow_null=True, default=None)
    leadership_notified_at = serializers.DateTimeField(allow_null=True)

    class Meta:
        ref_name = "ComplaintRecord"

    def get_related_orders(self, record: Any) -> list[str]:
        return [o.number for o in record.related_orders.order_by("created_at")]


class PraiseOutputSerializer(serializers.Serializer):
    staff = serializers.CharField(source="staff.username", allow_null=True, default=None)
    unit = serializers.CharField(source="unit.code", allow_null=True, default=None)

    class Meta:
        ref_name = "PraiseCredit"


class CriterionOutputSerializer(serializers.Serializer):
    code = serializers.CharField(source="criterion.code")
    text = serializers.CharField(source="criterion.text")
    established_by = serializers.CharField(source="criterion.established_by")
    failing_means = serializers.CharField(source="criterion.failing_means")
    only_if_repeated = serializers.BooleanField(source="criterion.only_if_repeated")
    source = serializers.CharField(source="criterion.source")  # type: ignore[assignment]
    source_grade = serializers.CharField(source="criterion.source_grade")
    case_book_only = serializers.BooleanField(source="criterion.case_book_only")
    valid_from = serializers.DateField(source="criterion.valid_from")
    prefilled = serializers.CharField(source="answer", help_text="yes / no / unknown")
    prefilled_from = serializers.CharField(source="basis")
    prefilled_note = serializers.CharField(
        source="note", help_text="what was found, e.g. the notices owed and when each was sent"
    )

    class Meta:
        ref_name = "ComplaintCriterion"


class ChecklistOutputSerializer(serializers.Serializer):
    checklist = serializers.CharField(allow_null=True)
    name = serializers.CharField(allow_null=True)
    single_event_suffices = serializers.BooleanField(allow_null=True)
    criteria = CriterionOutputSerializer(many=True)
    judgment = JudgmentOutputSerializer(allow_null=True)

    class Meta:
        ref_name = "ComplaintChecklist"


def _record_order(request: Request, number: str) -> Any:
    order = visible_order(request, number)
    if services.ComplaintRecord.objects.filter(order=order).first() is None:
        raise NotFound(_("该工单没有投诉信息。"))
    return order


class ComplaintJudgmentApi(APIView):
    """The complaint's checklist (pre-filled), and judging it."""

    class InputSerializer(serializers.Serializer):
        answers = serializers.DictField(
            child=serializers.ChoiceField(choices=rules.ANSWERS), help_text="criterion code → yes/no/unknown"
        )
        note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
        downgrade_to = serializers.ChoiceField(
            choices=[BusinessType.OPINION, BusinessType.CONSULTATION], required=False, allow_blank=True
        )
        downgrade_topic = CodeField(
            slug_field="code", queryset=Topic.objects.filter(is_active=True), required=False, allow_null=True
        )
        responsible_unit = CodeField(
            slug_field="code", queryset=Unit.objects.all(), required=False, allow_null=True
        )
        responsible_staff = CodeField(
            slug_field="username",
            queryset=User.objects.filter(is_active=True),
            required=False,
            allow_null=True,
        )
        rectification_task = serializers.CharField(required=False, allow_blank=True, max_length=2000)
        rectification_owner = CodeField(
            slug_field="username",
            queryset=User.objects.filter(is_active=True),
            required=False,
            allow_null=True,
        )
        rectification_due = serializers.DateField(required=False, allow_null=True)
        rectification_learning = serializers.BooleanField(
            required=False,
            default=False,
            help_text="The rectification requires a learning assignment (以案普法) before it may close.",
        )
        version = serializers.IntegerField(
            required=False, help_text="The order's version as read (or If-Match): 409 if it changed since."
        )

        class Meta:
            ref_name = "ComplaintJudgmentInput"

    @extend_schema(
        operation_id="complaints_judgment_retrieve",
        tags=TAGS,
        parameters=[NUMBER_PARAMETER],
        responses={200: ChecklistOutputSerializer, **error_responses(401, 404)},
    )
    def get(self, request: Request, number: str) -> Response:
        order = _record_order(request, number)
        record, checklist, criteria = selectors.judgment_form_data(order)
        body = {
            "checklist": checklist.code if checklist else None,
            "name": checklist.name if checklist else None,
            "single_event_suffices": checklist.single_event_suffices if checklist else None,
            "criteria": criteria,
            "judgment": selectors.latest_judgment(record),
        }
        return Response(ChecklistOutputSerializer(body).data)

    @extend_schema(
        operation_id="complaints_judgment_create",
        tags=TAGS,
        parameters=[NUMBER_PARAMETER, IDEMPOTENCY_KEY_PARAMETER, IF_MATCH_PARAMETER],
        request=InputSerializer,
        responses={201: JudgmentOutputSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    def post(self, request: Request, number: str) -> Response:
        order = _record_order(request, number)
        user = request_user(request)
        if not user_may(user, services.JUDGE_RIGHT):  # the role before the input
            raise NotPermitted(_("您的角色不能判定投诉。"))
        key = idempotency_key(request)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        judgment = services.complaint_judge(
            order=order,
            actor=user,
            expected_version=_expected_version(data.pop("version", None), request),
            answers=data.pop("answers"),
            note=data.pop("note", ""),
            downgrade_to=data.pop("downgrade_to", "") or "",
            request_id=key or "",
            request_fingerprint=idempotency.fingerprint(request.data) if key else "",
            **data,
        )
        return Response(JudgmentOutputSerializer(judgment).data, status=status.HTTP_201_CREATED)


def _expected_version(body: int | None, request: Request) -> int | None:
    """The order version the caller read: the body's ``version`` or the ``If-Match`` header (as for a
    transition); they must agree when both are sent."""
    header = if_match_version(request)
    if body is not None and header is not None and body != header:
        message = _("请求体中的版本与 If-Match 不一致。")
        raise ValidationFailed(message, fields={"version": [message]})
    return body if body is not None else header


class RectificationOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    order = serializers.CharField(source="order.number")
    unit = serializers.CharField(source="unit.code")
    owner = serializers.CharField(source="owner.username")
    task = serializers.CharField()
    due_date = serializers.DateField()
    requires_learning = serializers.BooleanField()
    state = serializers.ChoiceField(choices=RectificationState.choices)
    closed_at = serializers.DateTimeField(allow_null=True)
    result = serializers.CharField()

    class Meta:
        ref_name = "Rectification"


STATE_PARAMETER = OpenApiParameter("state", str, enum=list(RectificationState.values), required=False)


class RectificationListApi(APIView):
    """The rectifications of the caller's units (and those the caller owns), open first, soonest due."""

    pagination_class = Pagination

    class FilterSerializer(serializers.Serializer):
        state = serializers.ChoiceField(choices=RectificationState.choices, required=False)

        class Meta:
            ref_name = "RectificationFilter"

    @extend_schema(
        operation_id="rectifications_list",
        tags=TAGS,
        parameters=[FilterSerializer],
        responses={200: RectificationOutputSerializer(many=True), **error_responses(400, 401)},
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        rows = selectors.rectification_list(
            user=request_user(request), state=filters.validated_data.get("state", "")
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(RectificationOutputSerializer(page, many=True).data)


class RectificationCloseApi(APIView):
    """Close a rectification with its result (its owner, or whoever may judge complaints)."""

    class InputSerializer(serializers.Serializer):
        result = serializers.CharField(max_length=2000, allow_blank=True)

        class Meta:
            ref_name = "RectificationCloseInput"

    @extend_schema(
        operation_id="rectifications_close",
        tags=TAGS,
        request=InputSerializer,
        responses={200: RectificationOutputSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        user = request_user(request)
        rectification = selectors.rectification_get(user=user, pk=pk)
        if rectification is None:
            raise NotFound(_("找不到该整改任务。"))
        if not services.may_close(user, rectification):
            raise NotPermitted(_("只有整改负责人或投诉判定人员可以确认整改完成。"))
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        closed = services.rectification_close(
            rectification=rectification, actor=user, result=serializer.validated_data["result"]
        )
        return Response(RectificationOutputSerializer(closed).data)


class ComplaintRecordApi(APIView):
    """What a complaint is about: read it, or change it (fields left out keep their value). A severity
    that tells the leadership tells every unit head up the chain at once, once."""

    class InputSerializer(serializers.Serializer):
        severity = CodeField(
            slug_field="code",
            queryset=Severity.objects.filter(is_active=True),
            required=False,
            allow_null=True,
        )
        related_orders = serializers.ListField(
            child=serializers.RegexField(r"^[0-9A-Za-z-]{1,20}$"), required=False, max_length=20
        )
        staff = CodeField(
            slug_field="username",
            queryset=User.objects.filter(is_active=True),
            required=False,
            allow_null=True,
        )
        staff_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
        outsourced = serializers.BooleanField(required=False)
        team = CodeField(slug_field="code", queryset=Unit.objects.all(), required=False, allow_null=True)
        hall = serializers.PrimaryKeyRelatedField(
            queryset=ServiceHall.objects.all(), required=False, allow_null=True
        )
        event_at = serializers.DateTimeField(required=False, allow_null=True)
        version = serializers.IntegerField(
            required=False, help_text="The order's version as read (or If-Match): 409 if it changed since."
        )

        class Meta:
            ref_name = "ComplaintRecordInput"

    @extend_schema(
        operation_id="complaints_record_retrieve",
        tags=TAGS,
        parameters=[NUMBER_PARAMETER],
        responses={200: ComplaintOutputSerializer, **error_responses(401, 404)},
    )
    def get(self, request: Request, number: str) -> Response:
        order = _record_order(request, number)
        return Response(ComplaintOutputSerializer(selectors.record_get(order)).data)

    @extend_schema(
        operation_id="complaints_record_update",
        tags=TAGS,
        parameters=[NUMBER_PARAMETER, IF_MATCH_PARAMETER],
        request=InputSerializer,
        responses={200: ComplaintOutputSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    def post(self, request: Request, number: str) -> Response:
        order = _record_order(request, number)
        user = request_user(request)
        if not user_may(user, services.EDIT_RIGHT):
            raise NotPermitted(_("您的角色不能编辑投诉信息。"))
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        record = services.record_of(order)
        current: dict[str, Any] = {
            "severity": record.severity,
            "related_orders": list(record.related_orders.all()),
            "staff": record.staff,
            "staff_name": record.staff_name,
            "outsourced": record.outsourced,
            "team": record.team,
            "hall": record.hall,
            "event_at": record.event_at,
        }
        if "related_orders" in data:
            numbers = list(dict.fromkeys(data["related_orders"]))
            found = {o.number: o for o in order_visible(user).filter(number__in=numbers)}
            missing = [n for n in numbers if n not in found]
            if missing:
                raise ValidationFailed(
                    _("找不到工单：%(numbers)s") % {"numbers": "，".join(missing)},
                    fields={
                        "related_orders": [_("找不到工单：%(numbers)s") % {"numbers": "，".join(missing)}]
                    },
                )
            data["related_orders"] = [found[n] for n in numbers]
        expected = _expected_version(data.pop("version", None), request)
        updated = services.complaint_record_update(
            order=order, actor=user, expected_version=expected, **(current | data)
        )
        return Response(ComplaintOutputSerializer(selectors.record_get(updated.order)).data)


class PraiseApi(APIView):
    """Whom a 表扬 order credits (a staff member, a unit, or both): read it, or set it."""

    class InputSerializer(serializers.Serializer):
        staff = CodeField(
            slug_field="username",
            queryset=User.objects.filter(is_active=True),
            required=False,
            allow_null=True,
        )
        unit = CodeField(slug_field="code", queryset=Unit.objects.all(), required=False, allow_null=True)

        class Meta:
            ref_name = "PraiseCreditInput"

    @staticmethod
    def _order(request: Request, number: str) -> Any:
        order = visible_order(request, number)
        if order.business_type != BusinessType.PRAISE:
            raise NotFound(_("只有表扬工单可以填写受表扬对象。"))
        return order

    @extend_schema(
        operation_id="praise_retrieve",
        tags=TAGS,
        parameters=[NUMBER_PARAMETER],
        responses={200: PraiseOutputSerializer, **error_responses(401, 404)},
    )
    def get(self, request: Request, number: str) -> Response:
        order = self._order(request, number)
        credit = services.PraiseCredit.objects.select_related("staff", "unit").filter(order=order).first()
        return Response(PraiseOutputSerializer(credit).data if credit else {"staff": None, "unit": None})

    @extend_schema(
        operation_id="praise_update",
        tags=TAGS,
        parameters=[NUMBER_PARAMETER],
        request=InputSerializer,
        responses={200: PraiseOutputSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request: Request, number: str) -> Response:
        order = self._order(request, number)
        user = request_user(request)
        if not user_may(user, services.EDIT_RIGHT):
            raise NotPermitted(_("您的角色不能编辑投诉信息。"))
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        credit = services.praise_credit_update(
            order=order,
            actor=user,
            staff=serializer.validated_data.get("staff"),
            unit=serializer.validated_data.get("unit"),
        )
        return Response(PraiseOutputSerializer(credit).data)
