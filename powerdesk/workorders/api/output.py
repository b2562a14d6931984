"""What the work-order API answers: the serializers of an order, its timeline and evidence. Each shape
is one serializer, which documents the answer in the schema and writes it."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from powerdesk.core.api import request_user
from powerdesk.core.extensions import add_detail_fields, load_detail_fields
from powerdesk.core.labels import label
from powerdesk.customers.api import CustomerSummaryOutputSerializer
from powerdesk.org.masking import NOBODY, PersonalDataField, Policy, serializer_masking
from powerdesk.org.models import PersonalField
from powerdesk.workorders import extensions
from powerdesk.workorders.choices import BusinessType, LinkKind, Status
from powerdesk.workorders.models import WorkOrder
from powerdesk.workorders.selectors import (
    order_links,
    order_timeline,
    order_transitions_for,
)


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


def _mask_phones(value: Any, policy: Policy) -> Any:
    if isinstance(value, dict):
        return {
            k: policy.text(PersonalField.CONTACT_PHONE, v)
            if k in ("phone", "number") and isinstance(v, str)
            else _mask_phones(v, policy)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_mask_phones(v, policy) for v in value]
    return value


class EventDataField(serializers.DictField):
    """An event's before/after data; the caller's phone inside it is masked like everywhere else."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> Any:
        data = super().to_representation(value)
        return _mask_phones(data, self.context.get("masking") or NOBODY)


class EventOutputSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
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


class ChoiceLabelField(serializers.CharField):
    """The label of a choice in the request's language, read through ``core.labels`` (translated once per
    language): ``source="get_status_display"`` would have DRF inspect the method's signature per answer."""

    def __init__(self, *, choices: Any, **kwargs: Any) -> None:
        self.choice_set = choices
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> str:
        return label(self.choice_set, value)


class WorkOrderSummaryOutputSerializer(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.CharField()
    status_label = ChoiceLabelField(source="status", choices=Status)
    version = serializers.IntegerField()
    business_type = serializers.CharField()
    business_type_label = ChoiceLabelField(source="business_type", choices=BusinessType)
    sub_type = serializers.CharField(source="sub_type.code", allow_null=True)
    topic = serializers.CharField(source="topic.code")
    topic_name = serializers.CharField(source="topic.name")
    channel = serializers.CharField()
    priority = serializers.IntegerField()
    unit = UnitRefOutputSerializer()
    assignee = UserRefOutputSerializer(allow_null=True)
    customer = PersonalDataField(
        field=PersonalField.ACCOUNT_NO, source="customer.account_no", allow_null=True
    )
    caller_name = PersonalDataField(field=PersonalField.NAME)
    caller_phone = PersonalDataField(field=PersonalField.CONTACT_PHONE)
    contact_count = serializers.IntegerField()
    chase_count = serializers.IntegerField()
    escalation_level = serializers.IntegerField()
    is_flagged = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField(allow_null=True)

    class Meta:
        ref_name = "WorkOrderSummary"


class OrderLinkOutputSerializer(serializers.Serializer):
    direction = serializers.ChoiceField(
        choices=["earlier", "later"],
        help_text="earlier: this order names an earlier one (it is its recurrence or follow-up); "
        "later: a later order names this one.",
    )
    # A CharField: a choice field named "kind" collides in the schema with the attachments' and events' kinds.
    kind = serializers.CharField(help_text=f"One of {', '.join(LinkKind.values)} (复发, 跟进, 关联).")
    kind_label = serializers.CharField()
    number = serializers.CharField(help_text="The other order's number.")
    status = serializers.CharField(help_text="The other order's status.")
    at = serializers.DateTimeField()
    reason = serializers.CharField(help_text="The agent's reason when they departed from the rule.")

    class Meta:
        ref_name = "WorkOrderLink"


class WorkOrderDetailOutputSerializer(WorkOrderSummaryOutputSerializer):
    """One order with its timeline, evidence, and the transitions the caller may fire now.

    The view puts the timeline, attachments and transitions (read through selectors) in the context."""

    sub_type_name = serializers.CharField(source="sub_type.name", allow_null=True)
    description = PersonalDataField(field=PersonalField.DESCRIPTION)
    address = PersonalDataField(field=PersonalField.ADDRESS)
    caller_withheld = serializers.BooleanField(help_text="The call carried no caller ID.")
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
    links = serializers.SerializerMethodField()

    class Meta:
        ref_name = "WorkOrderDetail"

    def get_fields(self) -> dict[str, serializers.Field]:
        """The order's own fields and those the apps above add (:data:`extensions.detail_fields`); each of
        those reads the value :func:`detail_response` loaded onto the order."""
        return add_detail_fields(extensions.detail_fields, super().get_fields())

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_transitions(self, order: WorkOrder) -> list[str]:
        return self.context["transitions"]

    @extend_schema_field(EventOutputSerializer(many=True))
    def get_timeline(self, order: WorkOrder) -> Any:
        return EventOutputSerializer(self.context["timeline"], many=True, context=self.context).data

    @extend_schema_field(OrderLinkOutputSerializer(many=True))
    def get_links(self, order: WorkOrder) -> Any:
        return OrderLinkOutputSerializer(self.context["links"], many=True).data

    @extend_schema_field(AttachmentOutputSerializer(many=True))
    def get_attachments(self, order: WorkOrder) -> Any:
        return AttachmentOutputSerializer(self.context["attachments"], many=True, context=self.context).data


def serializer_context(request: Request) -> dict[str, Any]:
    return {"request": request, **serializer_masking(request_user(request))}


def detail_response(request: Request, order: WorkOrder) -> Response:
    load_detail_fields(extensions.detail_fields, order, request)
    context = {
        **serializer_context(request),
        "timeline": list(order_timeline(order)),
        "transitions": [t.code for t in order_transitions_for(user=request_user(request), order=order)],
        "attachments": list(order.attachments.select_related("uploaded_by")),
        "links": order_links(order),
    }
    # The version as an entity tag: a client sends it back as If-Match on its next transition.
    headers = {"ETag": f'"{order.version}"'}
    return Response(WorkOrderDetailOutputSerializer(order, context=context).data, headers=headers)
