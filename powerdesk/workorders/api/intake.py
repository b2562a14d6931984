"""``POST /api/v1/workorders/``: take one customer contact, idempotent on ``Idempotency-Key``."""

from __future__ import annotations

import functools
import math
import uuid
from typing import Any
from urllib.parse import quote

from django.urls import get_script_prefix, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from powerdesk.core.api import (
    IDEMPOTENCY_KEY_PARAMETER,
    JSONParser,
    error_responses,
    idempotency_key,
    request_user,
    shared_serializer,
    unstorable,
)
from powerdesk.core.errors import NotPermitted
from powerdesk.customers.models import Customer
from powerdesk.customers.selectors import customer_for_intake
from powerdesk.org.masking import serializer_masking
from powerdesk.org.models import User
from powerdesk.org.selectors import user_can_create_orders
from powerdesk.workorders import extensions, reference
from powerdesk.workorders.api.common import (
    MAX_FACTS_CHARS,
    MAX_FACTS_DEPTH,
    MAX_LONGTEXT,
    TAGS,
    refuse,
)
from powerdesk.workorders.api.output import WorkOrderSummaryOutputSerializer
from powerdesk.workorders.choices import BusinessType, Channel, LinkKind, Priority, RepeatAction
from powerdesk.workorders.models import SubType, Topic
from powerdesk.workorders.services import IntakeResult, workorder_intake


def json_problem(value: Any, depth: int = 0) -> str | None:
    """Why a JSON value cannot be stored as jsonb (NUL, lone surrogates, infinities, integers past 64 bits,
    depth), or None."""
    if depth > MAX_FACTS_DEPTH:
        return _("补充信息的嵌套层级过深。")
    if isinstance(value, dict):
        for key, item in value.items():
            problem = json_problem(key, depth) or json_problem(item, depth + 1)
            if problem:
                return problem
    elif isinstance(value, list):
        for item in value:
            problem = json_problem(item, depth + 1)
            if problem:
                return problem
    elif isinstance(value, str):
        if unstorable(value):
            return _("补充信息含有不允许的字符。")
    elif isinstance(value, float) and not math.isfinite(value):
        return _("补充信息中的数值无效。")
    elif isinstance(value, int) and not -(2**63) <= value < 2**63:
        # JSON has no bound on integers; the encoder that writes the order in bulk takes 64 bits.
        return _("补充信息中的数值超出范围。")
    return None


class IntakeLinkOutputSerializer(serializers.Serializer):
    number = serializers.CharField(source="earlier.number")
    kind = serializers.CharField(help_text=f"One of {', '.join(LinkKind.values)} (复发, 跟进, 关联).")

    class Meta:
        ref_name = "WorkOrderIntakeLink"


# Written from the request's IntakeResult (the view hands it to the order as order.intake).
class IntakeInfoOutputSerializer(serializers.Serializer):
    created = serializers.BooleanField(help_text="This request opened a new order.")
    repeat_call = serializers.BooleanField(
        source="repeat", help_text="The contact was linked to an existing order."
    )
    replayed = serializers.BooleanField(
        help_text="The Idempotency-Key was seen before; nothing new was written."
    )
    contact_count = serializers.IntegerField(source="order.contact_count")
    suggested_action = serializers.CharField(
        source="suggested",
        help_text="What the repeat-call rule suggested for the customer's earlier order of the topic "
        "(link, recur, follow_up, reopen, new); empty when there was none.",
    )
    action = serializers.CharField(help_text="What was done (the rule's suggestion unless overridden).")
    linked_order = IntakeLinkOutputSerializer(
        source="link",
        allow_null=True,
        help_text="The earlier order the new order is linked to (复发, follow-up, related), if any.",
    )
    extra = serializers.DictField(
        help_text="What the resolver that decided adds, by app: e.g. ``outage`` (the known outage the "
        "call was linked to, its ETR and script, that no crew is dispatched; or, for a caller without "
        "an account, the candidate customers matched by address)."
    )

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
    refuse(errors)
    assert topic is not None
    return topic, sub_type, customer


@functools.lru_cache(maxsize=16)
def _detail_path_template(script_prefix: str) -> str:
    """The detail route with a placeholder for the number, per script prefix (reversing the route walks
    the URLconf, a noticeable share of an intake's CPU)."""
    return reverse("api-v1-workorder-detail", kwargs={"number": "__number__"})


def _detail_path(number: str) -> str:
    """The path of ``GET /api/v1/workorders/{number}/`` (the answer's ``Location``)."""
    return _detail_path_template(get_script_prefix()).replace("__number__", quote(number, safe=""))


class WorkOrderIntakeApi(APIView):
    """Take one customer contact: open a new order, or link a repeat call to the order it repeats."""

    parser_classes = [JSONParser]

    class InputSerializer(serializers.Serializer):
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
        caller_phone = serializers.CharField(
            max_length=40,
            allow_blank=True,
            default="",
            help_text="A Chinese mobile (13812345678), a landline with its area code (0571-88881234, "
            "extension as 转808 or -808), or an international number with its country code (+1 650 253 "
            "0000). Stored normalised: 13812345678, 057188881234-808, +16502530000.",
        )
        caller_withheld = serializers.BooleanField(
            default=False,
            help_text="The call carried no caller ID (withheld / unknown); caller_phone must then be empty.",
        )
        address = serializers.CharField(max_length=200, allow_blank=True, default="")
        description = serializers.CharField(max_length=MAX_LONGTEXT)
        priority = serializers.ChoiceField(choices=Priority.choices, required=False, allow_null=True)
        facts = serializers.DictField(default=dict, help_text="Free-form facts for the business type.")
        force_new = serializers.BooleanField(
            default=False,
            help_text="Open a new order even if this is a repeat (with override_reason); it is linked "
            "to the order it would have repeated.",
        )
        repeat_action = serializers.ChoiceField(
            choices=RepeatAction.choices,
            required=False,
            allow_blank=True,
            default="",
            help_text="What to do when the customer has an earlier order of the topic; empty: the "
            "repeat-call rule's default. Another action than the rule's needs override_reason.",
        )
        override_reason = serializers.CharField(max_length=500, allow_blank=True, default="")

        class Meta:
            ref_name = "WorkOrderIntakeInput"

        def get_fields(self) -> dict[str, serializers.Field]:
            # the extra intake fields the apps above declared (``extensions.intake_fields``), optional
            fields = super().get_fields()
            for entry in extensions.intake_fields.entries():
                fields[entry.name] = entry.value()
            return fields

        def validate_facts(self, value: dict[str, Any]) -> dict[str, Any]:
            problem = json_problem(value)
            if problem:
                raise serializers.ValidationError(problem)
            if len(str(value)) > MAX_FACTS_CHARS:
                raise serializers.ValidationError(_("补充信息过长。"))
            return value

    class OutputSerializer(WorkOrderSummaryOutputSerializer):
        """The order, and what this request did to it."""

        intake = IntakeInfoOutputSerializer()  # from order.intake, the IntakeResult (see intake_answer)

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
        # One input serializer per process (core.api.shared_serializer): its fields are not rebuilt per call.
        data = shared_serializer(WorkOrderIntakeApi.InputSerializer).run_validation(request.data)

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
            caller_withheld=data["caller_withheld"],
            caller_name=data["caller_name"],
            address=data["address"],
            priority=data.get("priority"),
            facts=data["facts"],
            idempotency_key=key,
            force_new=data["force_new"],
            override_reason=data["override_reason"],
            repeat_action=data["repeat_action"],
            request_id=key or uuid.uuid4().hex,
            hints=_intake_hints(data),
        )
        code = status.HTTP_201_CREATED if result.created and not result.replayed else status.HTTP_200_OK
        location = request.build_absolute_uri(_detail_path(result.order.number))
        answer = intake_answer(result, request)
        # after the intake's transaction: what the apps add when asked (the triage suggestion, ?triage=1)
        for hook in extensions.intake_answered:
            added = hook(request, result)
            if added:
                answer["intake"]["extra"] = {**(answer["intake"].get("extra") or {}), **added}
        return Response(answer, status=code, headers={"Location": location})


def _intake_hints(data: dict[str, Any]) -> dict[str, str]:
    """The values of the apps' extra intake fields that were given, as the console form hands them."""
    return {name: str(data[name]) for name in extensions.intake_fields.names() if data.get(name)}


def intake_answer(result: IntakeResult, request: Request) -> dict[str, Any]:
    """``WorkOrderIntakeApi.OutputSerializer``'s answer for ``result``, written by one serializer per
    process and masking (``core.api.shared_serializer``): the intake is the hottest endpoint, and
    building the serializer's fields per answer cost more than writing it."""
    order = result.order
    order.intake = result  # type: ignore[attr-defined]  # the answer's intake object
    serializer = shared_serializer(
        WorkOrderIntakeApi.OutputSerializer, **serializer_masking(request_user(request))
    )
    return serializer.to_representation(order)
