"""Work-order API for integrations (IVR/CTI, apps, field devices): intake, lists, one order with its
timeline, one endpoint per transition, evidence files.

Views are thin: check the input's shape, resolve references through selectors, call the service,
serialize. The transition endpoints are generated from ``transitions.TRANSITIONS``, so a transition's
input is declared once, in the table the console forms use too.
"""

from __future__ import annotations

import math
import re
import uuid
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from powerdesk.core.api import (
    IDEMPOTENCY_KEY_PARAMETER,
    IF_MATCH_PARAMETER,
    JSONParser,
    MaskedCharField,
    Pagination,
    ReusedFieldsSerializer,
    error_responses,
    idempotency_key,
    if_match_version,
    request_user,
)
from powerdesk.core.errors import NotFound, NotPermitted, ValidationFailed
from powerdesk.core.labels import label
from powerdesk.core.masking import mask_address, mask_phone
from powerdesk.customers.api import CustomerSummaryOutputSerializer
from powerdesk.customers.models import Customer
from powerdesk.customers.selectors import customer_for_intake
from powerdesk.org.models import Unit, User
from powerdesk.org.selectors import user_can_create_orders, user_may, user_sees_personal_data
from powerdesk.workorders import reference
from powerdesk.workorders.attachments import attachment_add
from powerdesk.workorders.choices import AttachmentKind, BusinessType, Channel, Priority, Satisfaction, Status
from powerdesk.workorders.models import SubType, Topic, WorkOrder
from powerdesk.workorders.selectors import (
    OrderFilter,
    order_get,
    order_list,
    order_timeline,
    order_transitions_for,
)
from powerdesk.workorders.services import SERVICES, workorder_intake
from powerdesk.workorders.transitions import TRANSITIONS, FieldSpec, Transition

# Widths of the model columns the input lands in (TextFields get a generous but finite cap).
MAX_LONGTEXT = 5000
MAX_TEXT = 200
MAX_ID = 2**63 - 1  # bigint primary keys
MAX_VERSION = 2**31 - 1
MAX_FACTS_CHARS = 20000
MAX_FACTS_DEPTH = 8
# Order numbers and account numbers are short codes; anything else names nothing.
_CODE = r"^[0-9A-Za-z-]{1,20}$"
_ORDER_NUMBER = re.compile(_CODE)
_PHONE = r"^[0-9+\-()# ]*$"

NUMBER_PARAMETER = OpenApiParameter(
    "number",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    required=True,
    pattern=_CODE,
    description="The order number (工单编号).",
)
TAGS = ["workorders"]


def _visible_order(request: Request, number: str) -> WorkOrder:
    if not _ORDER_NUMBER.match(number):
        raise NotFound(_("找不到该工单。"))
    return order_get(user=request_user(request), number=number)


def _refuse(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationFailed(_("提交的数据有误，请检查各字段。"), fields=errors)


# ---------------------------------------------------------------------------------------------
# output


class UserRefOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField(source="display_name")

    class Meta:
        ref_name = "UserRef"


class UnitRefOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()

    class Meta:
        ref_name = "UnitRef"


def _mask_phones(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: mask_phone(v) if k == "phone" and isinstance(v, str) else _mask_phones(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_mask_phones(v) for v in value]
    return value


class EventDataField(serializers.DictField):
    """An event's before/after data; the caller's phone inside it is masked like everywhere else."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> Any:
        data = super().to_representation(value)
        return data if self.context.get("unmasked") else _mask_phones(data)


class EventOutputSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField(source="get_kind_display")  # type: ignore[assignment]
    at = serializers.DateTimeField()
    actor = UserRefOutputSerializer(allow_null=True)
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    note = serializers.CharField()
    data = EventDataField()  # type: ignore[assignment]

    class Meta:
        ref_name = "WorkOrderEvent"


class AttachmentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    original_name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    uploaded_by = UserRefOutputSerializer()
    uploaded_at = serializers.DateTimeField()

    class Meta:
        ref_name = "WorkOrderAttachment"


class WorkOrderSummaryOutputSerializer(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    version = serializers.IntegerField()
    business_type = serializers.CharField()
    business_type_label = serializers.CharField(source="get_business_type_display")
    sub_type = serializers.CharField(source="sub_type.code", allow_null=True)
    topic = serializers.CharField(source="topic.code")
    topic_name = serializers.CharField(source="topic.name")
    channel = serializers.CharField()
    priority = serializers.IntegerField()
    unit = UnitRefOutputSerializer()
    assignee = UserRefOutputSerializer(allow_null=True)
    customer = serializers.CharField(source="customer.account_no", allow_null=True)
    caller_name = serializers.CharField()
    caller_phone = MaskedCharField(mask=mask_phone)
    contact_count = serializers.IntegerField()
    chase_count = serializers.IntegerField()
    escalation_level = serializers.IntegerField()
    is_flagged = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField(allow_null=True)

    class Meta:
        ref_name = "WorkOrderSummary"


def _when(value: Any) -> str | None:
    """A datetime as DRF's DateTimeField writes it: ISO 8601 in the current (business) time zone."""
    if value is None:
        return None
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _user_ref(user: User | None) -> dict[str, Any] | None:
    return None if user is None else {"id": user.pk, "username": user.username, "name": user.display_name}


def order_summary(order: WorkOrder, *, unmasked: bool) -> dict[str, Any]:
    """What :class:`WorkOrderSummaryOutputSerializer` writes for ``order``, without the serializer's cost
    (DRF deep-copies every declared field per instance): the intake and the list answer with it.
    ``tests/api/test_contract.py`` checks that the two agree field by field."""
    unit = order.unit
    return {
        "number": order.number,
        "status": order.status,
        "status_label": label(Status, order.status),
        "version": order.version,
        "business_type": order.business_type,
        "business_type_label": label(BusinessType, order.business_type),
        "sub_type": order.sub_type.code if order.sub_type is not None else None,
        "topic": order.topic.code,
        "topic_name": order.topic.name,
        "channel": order.channel,
        "priority": order.priority,
        "unit": {"id": unit.pk, "code": unit.code, "name": unit.name},
        "assignee": _user_ref(order.assignee if order.assignee_id else None),
        "customer": order.customer.account_no if order.customer is not None else None,
        "caller_name": order.caller_name,
        "caller_phone": order.caller_phone if unmasked else mask_phone(order.caller_phone),
        "contact_count": order.contact_count,
        "chase_count": order.chase_count,
        "escalation_level": order.escalation_level,
        "is_flagged": order.is_flagged,
        "created_at": _when(order.created_at),
        "updated_at": _when(order.updated_at),
        "due_at": _when(order.due_at),
    }


class WorkOrderDetailOutputSerializer(WorkOrderSummaryOutputSerializer):
    """One order with its timeline, evidence, and the transitions the caller may fire now.

    The view puts the timeline, attachments and transitions (read through selectors) in the context."""

    sub_type_name = serializers.CharField(source="sub_type.name", allow_null=True)
    description = serializers.CharField()
    address = MaskedCharField(mask=mask_address)
    facts = serializers.DictField(read_only=True)
    customer_info = CustomerSummaryOutputSerializer(source="customer", allow_null=True)
    area = UnitRefOutputSerializer(allow_null=True)
    owner = UserRefOutputSerializer()
    parent = serializers.CharField(source="parent.number", allow_null=True)  # type: ignore[assignment]
    reopen_count = serializers.IntegerField()
    result = serializers.CharField()
    reply_text = serializers.CharField()
    satisfaction = serializers.CharField()
    callback_resolved = serializers.BooleanField(allow_null=True)
    dispatched_at = serializers.DateTimeField(allow_null=True)
    taken_at = serializers.DateTimeField(allow_null=True)
    arrived_at = serializers.DateTimeField(allow_null=True)
    resolved_at = serializers.DateTimeField(allow_null=True)
    replied_at = serializers.DateTimeField(allow_null=True)
    called_back_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    transitions = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()

    class Meta:
        ref_name = "WorkOrderDetail"

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_transitions(self, order: WorkOrder) -> list[str]:
        return self.context["transitions"]

    @extend_schema_field(EventOutputSerializer(many=True))
    def get_timeline(self, order: WorkOrder) -> Any:
        return EventOutputSerializer(self.context["timeline"], many=True, context=self.context).data

    @extend_schema_field(AttachmentOutputSerializer(many=True))
    def get_attachments(self, order: WorkOrder) -> Any:
        return AttachmentOutputSerializer(self.context["attachments"], many=True, context=self.context).data


def _context(request: Request) -> dict[str, Any]:
    return {"request": request, "unmasked": user_sees_personal_data(request_user(request))}


def _detail_response(request: Request, order: WorkOrder) -> Response:
    context = {
        **_context(request),
        "timeline": list(order_timeline(order)),
        "transitions": [t.code for t in order_transitions_for(user=request_user(request), order=order)],
        "attachments": list(order.attachments.select_related("uploaded_by")),
    }
    # The version as an entity tag: a client sends it back as If-Match on its next transition.
    headers = {"ETag": f'"{order.version}"'}
    return Response(WorkOrderDetailOutputSerializer(order, context=context).data, headers=headers)


# ---------------------------------------------------------------------------------------------
# intake


def _json_problem(value: Any, depth: int = 0) -> str | None:
    """Why a JSON value cannot be stored as jsonb (NUL, lone surrogates, infinities, depth), or None."""
    if depth > MAX_FACTS_DEPTH:
        return _("补充信息的嵌套层级过深。")
    if isinstance(value, dict):
        for key, item in value.items():
            problem = _json_problem(key, depth) or _json_problem(item, depth + 1)
            if problem:
                return problem
    elif isinstance(value, list):
        for item in value:
            problem = _json_problem(item, depth + 1)
            if problem:
                return problem
    elif isinstance(value, str):
        if "\x00" in value or any(0xD800 <= ord(ch) <= 0xDFFF for ch in value):
            return _("补充信息含有不允许的字符。")
    elif isinstance(value, float) and not math.isfinite(value):
        return _("补充信息中的数值无效。")
    return None


class IntakeInfoOutputSerializer(serializers.Serializer):
    created = serializers.BooleanField(help_text="This request opened a new order.")
    repeat_call = serializers.BooleanField(help_text="The contact was linked to an existing order.")
    replayed = serializers.BooleanField(
        help_text="The Idempotency-Key was seen before; nothing new was written."
    )
    contact_count = serializers.IntegerField()

    class Meta:
        ref_name = "WorkOrderIntakeInfo"


def _intake_references(user: User, data: dict[str, Any]) -> tuple[Topic, SubType | None, Customer | None]:
    """The topic, sub-type and customer the intake's codes name; unknown ones are field errors. A
    customer outside the caller's units gets the same answer as an unknown one."""
    errors: dict[str, list[str]] = {}
    topic = reference.topic_by_code(data["topic"])
    if topic is None:
        errors["topic"] = [_("找不到该业务分类。")]
    sub_type = None
    if data.get("sub_type"):
        sub_type = reference.sub_type_by_code(data["sub_type"])
        if sub_type is None:
            errors["sub_type"] = [_("找不到该业务子类。")]
    customer = None
    if data.get("customer"):
        customer = customer_for_intake(user=user, account_no=data["customer"])
        if customer is None:
            errors["customer"] = [_("找不到该客户。")]
    _refuse(errors)
    assert topic is not None
    return topic, sub_type, customer


class WorkOrderIntakeApi(APIView):
    """Take one customer contact: open a new order, or link a repeat call to the order it repeats."""

    parser_classes = [JSONParser]

    class InputSerializer(ReusedFieldsSerializer):
        business_type = serializers.ChoiceField(choices=BusinessType.choices)
        sub_type = serializers.CharField(
            max_length=40,
            required=False,
            allow_null=True,
            allow_blank=True,
            help_text="Business sub-type code, e.g. repair_lv.",
        )
        topic = serializers.CharField(max_length=32, help_text="Topic code, e.g. fault_repair.")
        channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.HOTLINE)
        customer = serializers.CharField(
            max_length=20,
            required=False,
            allow_null=True,
            allow_blank=True,
            help_text="The customer's account number (户号).",
        )
        caller_name = serializers.CharField(max_length=50, allow_blank=True, default="")
        caller_phone = serializers.RegexField(
            _PHONE,
            max_length=32,
            allow_blank=True,
            default="",
            error_messages={"invalid": gettext_lazy("电话号码只能包含数字、+、-、#、括号和空格。")},
        )
        address = serializers.CharField(max_length=200, allow_blank=True, default="")
        description = serializers.CharField(max_length=MAX_LONGTEXT)
        priority = serializers.ChoiceField(choices=Priority.choices, required=False, allow_null=True)
        facts = serializers.DictField(default=dict, help_text="Free-form facts for the business type.")
        force_new = serializers.BooleanField(
            default=False, help_text="Open a new order even if this is a repeat."
        )
        override_reason = serializers.CharField(max_length=500, allow_blank=True, default="")

        class Meta:
            ref_name = "WorkOrderIntakeInput"

        def validate_facts(self, value: dict[str, Any]) -> dict[str, Any]:
            problem = _json_problem(value)
            if problem:
                raise serializers.ValidationError(problem)
            if len(str(value)) > MAX_FACTS_CHARS:
                raise serializers.ValidationError(_("补充信息过长。"))
            return value

    class OutputSerializer(WorkOrderSummaryOutputSerializer):
        """The answer's shape, for the schema; :func:`order_summary` writes it."""

        intake = IntakeInfoOutputSerializer()

        class Meta:
            ref_name = "WorkOrderIntakeResult"

    @extend_schema(
        operation_id="workorders_intake",
        summary=gettext_lazy("受理"),
        tags=TAGS,
        request=InputSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={
            201: OpenApiResponse(OutputSerializer, description="A new order was opened."),
            200: OpenApiResponse(
                OutputSerializer,
                description="Linked to an existing order as a repeat call, "
                "or a replay of an earlier request with the same Idempotency-Key.",
            ),
            **error_responses(400, 401, 403, 409, 415),
        },
    )
    def post(self, request: Request) -> Response:
        """Take one customer contact: open a new order, or link a repeat call to the order it repeats.

        Idempotent on the ``Idempotency-Key`` header: a retry answers with the first result and writes
        nothing; the same key with a different body is refused with 409 ``idempotency_key_reused``."""
        if not user_can_create_orders(request_user(request)):
            raise NotPermitted(_("您的角色不能受理工单。"))
        key = idempotency_key(request)
        serializer = WorkOrderIntakeApi.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data

        topic, sub_type, customer = _intake_references(request_user(request), data)
        result = workorder_intake(
            actor=request_user(request),
            business_type=data["business_type"],
            topic=topic,
            channel=data["channel"],
            description=data["description"],
            customer=customer,
            sub_type=sub_type,
            caller_phone=data["caller_phone"],
            caller_name=data["caller_name"],
            address=data["address"],
            priority=data.get("priority"),
            facts=data["facts"],
            idempotency_key=key,
            force_new=data["force_new"],
            override_reason=data["override_reason"],
            request_id=key or uuid.uuid4().hex,
        )
        code = status.HTTP_201_CREATED if result.created and not result.replayed else status.HTTP_200_OK
        location = reverse("api-v1-workorder-detail", kwargs={"number": result.order.number}, request=request)
        # WorkOrderIntakeApi.OutputSerializer's shape (the schema), written without DRF's per-field cost.
        body = order_summary(result.order, unmasked=user_sees_personal_data(request_user(request)))
        body["intake"] = {
            "created": result.created,
            "repeat_call": result.repeat,
            "replayed": result.replayed,
            "contact_count": result.order.contact_count,
        }
        return Response(body, status=code, headers={"Location": location})


# ---------------------------------------------------------------------------------------------
# list


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
        _refuse(errors)
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


# ---------------------------------------------------------------------------------------------
# one order


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
        return _detail_response(request, _visible_order(request, number))


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
        responses={201: AttachmentOutputSerializer, **error_responses(400, 401, 403, 404, 413, 415)},
    )
    def post(self, request: Request, number: str) -> Response:
        order = _visible_order(request, number)
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
            self.OutputSerializer(attachment, context=_context(request)).data, status=status.HTTP_201_CREATED
        )


# ---------------------------------------------------------------------------------------------
# transitions: one endpoint each, generated from the transition table


def _input_field(spec: FieldSpec) -> serializers.Field:
    """The API input for one FieldSpec of a transition."""
    hint = {"unit": " (unit id)", "user": " (user id or username)", "order": " (order number)"}.get(
        spec.kind, ""
    )
    common: dict[str, Any] = {"required": spec.required, "help_text": format_lazy("{}{}", spec.label, hint)}
    optional = not spec.required
    if spec.kind in ("text", "longtext"):
        width = MAX_TEXT if spec.kind == "text" else MAX_LONGTEXT
        return serializers.CharField(max_length=width, allow_blank=optional, **common)
    if spec.kind == "unit":
        return serializers.IntegerField(min_value=1, max_value=MAX_ID, **common)
    if spec.kind == "user":
        return serializers.CharField(max_length=150, allow_null=optional, allow_blank=optional, **common)
    if spec.kind == "satisfaction":
        return serializers.ChoiceField(choices=Satisfaction.choices, **common)
    if spec.kind == "bool":
        return serializers.BooleanField(allow_null=optional, **common)
    if spec.kind == "order":
        return serializers.CharField(max_length=20, **common)
    raise ValueError(f"unknown field kind {spec.kind!r}")  # a programming error in TRANSITIONS


def _extra_fields(transition: Transition) -> dict[str, serializers.Field]:
    """Inputs a service takes beyond its FieldSpecs."""
    if transition.code == "suspend":
        # Only an accepted reason (sla.SuspendReason) pauses the order's clocks.
        return {
            "reason_code": serializers.CharField(
                max_length=32,
                required=False,
                allow_blank=True,
                help_text="Suspend reason code (sla.SuspendReason); an accepted reason pauses the clocks.",
            )
        }
    return {}


def _resolve_unit(value: int) -> Unit | None:
    return Unit.objects.filter(pk=value).first()


def _resolve_user(value: str) -> User | None:
    match = Q(username=value)
    if value.isascii() and value.isdigit() and len(value) <= 18:
        match |= Q(pk=int(value))
    return User.objects.filter(match, is_active=True).order_by("pk").first()


def _resolve_order(user: User, number: str) -> WorkOrder | None:
    if not _ORDER_NUMBER.match(number):
        return None
    try:
        return order_get(user=user, number=number)
    except NotFound:
        return None


def _service_arguments(user: User, transition: Transition, data: dict[str, Any]) -> dict[str, Any]:
    """Turn validated input into the service's keyword arguments: ids become the objects they name."""
    kwargs: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    kinds = {f.name: f.kind for f in transition.fields}
    for name, value in data.items():
        kind = kinds.get(name)
        if kind == "unit":
            kwargs[name] = _resolve_unit(value)
            if kwargs[name] is None:
                errors[name] = [_("找不到该单位。")]
        elif kind == "user":
            kwargs[name] = _resolve_user(value) if value else None
            if value and kwargs[name] is None:
                errors[name] = [_("找不到该员工。")]
        elif kind == "order":
            kwargs[name] = _resolve_order(user, value)
            if kwargs[name] is None:
                errors[name] = [_("找不到该工单。")]
        else:
            kwargs[name] = value
    _refuse(errors)
    return kwargs


def _expected_version(body: int | None, header: int | None) -> int | None:
    if body is not None and header is not None and body != header:
        message = _("请求体中的版本与 If-Match 不一致。")
        raise ValidationFailed(message, fields={"version": [message]})
    return body if body is not None else header


class WorkOrderTransitionApi(APIView):
    """Base of the generated transition endpoints: order → role → input → service → order detail."""

    parser_classes = [JSONParser]
    transition: Transition
    InputSerializer: type[serializers.Serializer]
    OutputSerializer = WorkOrderDetailOutputSerializer

    def fire(self, request: Request, number: str) -> Response:
        order = _visible_order(request, number)
        spec = self.transition
        if not user_may(request_user(request), spec.code):
            raise NotPermitted(_("您的角色不能执行“%(action)s”。") % {"action": spec.label})
        key = idempotency_key(request)
        header_version = if_match_version(request)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = _expected_version(data.pop("version", None), header_version)
        kwargs = _service_arguments(request_user(request), spec, data)
        order = SERVICES[spec.code](
            order=order, actor=request_user(request), expected_version=version, request_id=key or "", **kwargs
        )
        return _detail_response(request, order)


def transition_api(transition: Transition) -> type[WorkOrderTransitionApi]:
    """The endpoint class for one transition, with an input serializer built from its FieldSpecs."""
    name = "".join(part.capitalize() for part in transition.code.split("_"))
    fields: dict[str, Any] = {spec.name: _input_field(spec) for spec in transition.fields}
    fields.update(_extra_fields(transition))
    fields["version"] = serializers.IntegerField(
        min_value=1,
        max_value=MAX_VERSION,
        required=False,
        help_text="The order version the client last saw; a stale version is refused with 409.",
    )
    fields["Meta"] = type("Meta", (), {"ref_name": f"WorkOrder{name}Input"})
    input_serializer = type(f"WorkOrder{name}InputSerializer", (serializers.Serializer,), fields)
    description = format_lazy(
        "{}. From: {}. To: {}.",
        transition.label,
        ", ".join(sorted(transition.sources)),
        transition.target or "unchanged",
    )

    @extend_schema(
        operation_id=f"workorders_{transition.code}",
        summary=transition.label,
        description=description,
        tags=TAGS,
        request=input_serializer,
        parameters=[NUMBER_PARAMETER, IDEMPOTENCY_KEY_PARAMETER, IF_MATCH_PARAMETER],
        responses={200: WorkOrderDetailOutputSerializer, **error_responses(400, 401, 403, 404, 409, 415)},
    )
    def post(self: WorkOrderTransitionApi, request: Request, number: str) -> Response:
        return self.fire(request, number)

    return type(
        f"WorkOrder{name}Api",
        (WorkOrderTransitionApi,),
        {
            "transition": transition,
            "InputSerializer": input_serializer,
            "post": post,
            "__module__": __name__,
            "__doc__": description,
        },
    )


TRANSITION_APIS: dict[str, type[WorkOrderTransitionApi]] = {
    code: transition_api(transition) for code, transition in TRANSITIONS.items()
}
