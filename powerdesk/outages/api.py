"""The outages API: list and register outages, read one (affected customers counted by type, important
customers, notices, ETR log), change its ETR, restore it (wholly or some devices)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from powerdesk.core.api import Pagination, error_responses, idempotency_key, request_user
from powerdesk.core.errors import NotFound, NotPermitted, ValidationFailed
from powerdesk.customers.models import Customer
from powerdesk.grid.models import Device
from powerdesk.outages import selectors, services
from powerdesk.outages.models import EtrSource, Outage, OutageCause, OutageKind, Prediction
from powerdesk.outages.views import may_manage

TAGS = ["outages"]


class OutageOutputSerializer(serializers.Serializer):
    number = serializers.CharField()
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    state = serializers.CharField()
    source = serializers.CharField()  # type: ignore[assignment]  # the outage's field, not DRF's
    title = serializers.CharField()
    reason = serializers.CharField()
    cause = serializers.CharField()
    planned_start = serializers.DateTimeField(allow_null=True)
    planned_end = serializers.DateTimeField(allow_null=True)
    actual_start = serializers.DateTimeField(allow_null=True)
    actual_end = serializers.DateTimeField(allow_null=True)
    etr = serializers.DateTimeField(allow_null=True)
    etr_source = serializers.CharField()
    customer_count = serializers.IntegerField()
    counts_by_type = serializers.DictField(child=serializers.IntegerField())
    short_notice = serializers.BooleanField()
    short_notice_reason = serializers.CharField()
    notice_flagged = serializers.BooleanField()
    devices = serializers.SerializerMethodField()

    class Meta:
        ref_name = "Outage"

    def get_devices(self, outage: Outage) -> list[dict[str, Any]]:
        return [
            {"code": row.device.code, "restored_at": row.restored_at}
            for row in outage.devices.select_related("device")
        ]


class OutageDetailOutputSerializer(OutageOutputSerializer):
    important_customers = serializers.SerializerMethodField()
    prediction = serializers.SerializerMethodField()
    etr_changes = serializers.SerializerMethodField()
    notices = serializers.SerializerMethodField()

    class Meta:
        ref_name = "OutageDetail"

    def get_prediction(self, outage: Outage) -> dict[str, Any] | None:
        """What made a predicted outage (device, callers, children rolled up, storm, figures, when it
        becomes probable, the outage it was merged into); null for a registered one."""
        p = Prediction.objects.select_related("device", "merged_into").filter(outage=outage).first()
        if p is None:
            return None
        return {
            "device": p.device.code,
            "callers": p.callers,
            "customers": p.customers,
            "children": p.children,
            "storm": p.storm,
            "figures": p.figures,
            "probable_at": p.probable_at.isoformat(),
            "merged_into": p.merged_into.number if p.merged_into else None,
            "merged": list(
                Prediction.objects.filter(merged_into=outage).values_list("outage__number", flat=True)
            ),
        }

    def get_important_customers(self, outage: Outage) -> list[str]:
        return list(
            outage.interruptions.filter(important=True).values_list("customer__account_no", flat=True)
        )

    def get_etr_changes(self, outage: Outage) -> list[dict[str, Any]]:
        return [
            {"etr": c.etr, "before": c.before, "source": c.source, "at": c.at, "note": c.note}
            for c in outage.etr_changes.all()
        ]

    def get_notices(self, outage: Outage) -> dict[str, int]:
        notices = list(outage.notices.values_list("state", "late"))
        return {
            "owed": len(notices),
            "late": sum(1 for _s, late in notices if late),
            **{
                state: sum(1 for s, _l in notices if s == state)
                for state in ("pending", "sent", "delivered", "failed")
            },
        }


def _manager(request: Request) -> Any:
    user = request_user(request)
    if not may_manage(user):
        raise NotPermitted(_("您的角色不能登记或变更停电。"))
    return user


def _outage(number: str) -> Outage:
    outage = Outage.objects.filter(number=number).first()
    if outage is None:
        raise NotFound(_("找不到该停电。"))
    return outage


def _devices(codes: list[str]) -> list[Device]:
    devices = list(Device.objects.filter(code__in=codes))
    missing = sorted(set(codes) - {d.code for d in devices})
    if missing:
        raise ValidationFailed(_("找不到设备。"), fields={"devices": [", ".join(missing)]})
    return devices


class OutageCollectionApi(APIView):
    pagination_class = Pagination

    class InputSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(choices=OutageKind.choices)
        title = serializers.CharField(max_length=120)
        reason = serializers.CharField(allow_blank=True, default="", max_length=2000)
        cause = serializers.ChoiceField(choices=OutageCause.choices, default="")
        devices = serializers.ListField(
            child=serializers.CharField(max_length=40), default=list, max_length=500
        )
        customers = serializers.ListField(
            child=serializers.CharField(max_length=20), default=list, max_length=5000
        )
        planned_start = serializers.DateTimeField(required=False, allow_null=True)
        planned_end = serializers.DateTimeField(required=False, allow_null=True)
        crew_etr = serializers.DateTimeField(required=False, allow_null=True)
        short_notice_reason = serializers.CharField(allow_blank=True, default="", max_length=2000)

        class Meta:
            ref_name = "OutageInput"

    @extend_schema(
        operation_id="outages_list",
        tags=TAGS,
        responses={200: OutageOutputSerializer(many=True), **error_responses(401)},
    )
    def get(self, request: Request) -> Response:
        outages = selectors.active_outages().order_by("-created_at", "-id")
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(outages, request, view=self)
        return paginator.get_paginated_response(OutageOutputSerializer(page, many=True).data)

    @extend_schema(
        operation_id="outages_create",
        tags=TAGS,
        request=InputSerializer,
        responses={201: OutageDetailOutputSerializer, **error_responses(400, 401, 403)},
    )
    def post(self, request: Request) -> Response:
        user = _manager(request)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        accounts = data["customers"]
        customers = list(Customer.objects.filter(account_no__in=accounts))
        if len(customers) != len(set(accounts)):
            raise ValidationFailed(_("找不到户号。"), fields={"customers": [_("找不到户号。")]})
        outage = services.outage_create(
            actor=user,
            kind=data["kind"],
            title=data["title"],
            reason=data["reason"],
            cause=data["cause"],
            devices=_devices(data["devices"]),
            customers=customers,
            planned_start=data.get("planned_start"),
            planned_end=data.get("planned_end"),
            crew_etr=data.get("crew_etr"),
            short_notice_reason=data["short_notice_reason"],
            idempotency_key=idempotency_key(request),
        )
        return Response(OutageDetailOutputSerializer(outage).data, status=status.HTTP_201_CREATED)


class OutageDetailApi(APIView):
    @extend_schema(
        operation_id="outages_read",
        tags=TAGS,
        responses={200: OutageDetailOutputSerializer, **error_responses(401, 404)},
    )
    def get(self, request: Request, number: str) -> Response:
        return Response(OutageDetailOutputSerializer(_outage(number)).data)


class OutageEtrApi(APIView):
    class InputSerializer(serializers.Serializer):
        etr = serializers.DateTimeField()
        source = serializers.ChoiceField(choices=EtrSource.choices, default=EtrSource.CREW)  # type: ignore[assignment]
        note = serializers.CharField(max_length=200, allow_blank=True, default="")

        class Meta:
            ref_name = "OutageEtrInput"

    @extend_schema(
        operation_id="outages_etr",
        tags=TAGS,
        request=InputSerializer,
        responses={200: OutageDetailOutputSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request: Request, number: str) -> Response:
        user = _manager(request)
        outage = _outage(number)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        outage = services.outage_etr_change(actor=user, outage=outage, **serializer.validated_data)
        return Response(OutageDetailOutputSerializer(outage).data)


class OutageRestoreApi(APIView):
    class InputSerializer(serializers.Serializer):
        devices = serializers.ListField(
            child=serializers.CharField(max_length=40),
            required=False,
            max_length=500,
            help_text="The devices back on (partial restoration); omitted: all.",
        )

        class Meta:
            ref_name = "OutageRestoreInput"

    @extend_schema(
        operation_id="outages_restore",
        tags=TAGS,
        request=InputSerializer,
        responses={200: OutageDetailOutputSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request: Request, number: str) -> Response:
        user = _manager(request)
        outage = _outage(number)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        codes = serializer.validated_data.get("devices")
        devices = _devices(codes) if codes else None
        outage = services.outage_restore(actor=user, outage=outage, devices=devices)
        return Response(OutageDetailOutputSerializer(outage).data)
