"""The API of predicted outages: confirm or reject one, record an energised proof (客户确认有电, a device
confirmed closed), and switch storm mode on and off. Thin: parse, call the service, answer."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from powerdesk.core.api import error_responses, idempotency_key, request_user
from powerdesk.core.errors import NotFound, ValidationFailed
from powerdesk.org.models import Unit
from powerdesk.outages import prediction, services
from powerdesk.outages.api import TAGS, OutageDetailOutputSerializer, _manager, _outage
from powerdesk.outages.models import ProofKind, StormMode
from powerdesk.outages.prediction_views import proof_record


class OutageConfirmApi(APIView):
    @extend_schema(
        operation_id="outages_confirm",
        tags=TAGS,
        request=None,
        responses={200: OutageDetailOutputSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request: Request, number: str) -> Response:
        """A dispatcher confirms a predicted or probable outage: the normal outage flow follows (the ETR
        message to every affected customer). Confirming again changes nothing."""
        user = _manager(request)
        outage = services.outage_confirm(actor=user, outage=_outage(number))
        return Response(OutageDetailOutputSerializer(outage).data)


class OutageRejectApi(APIView):
    class InputSerializer(serializers.Serializer):
        note = serializers.CharField(max_length=200, allow_blank=True, default="")

        class Meta:
            ref_name = "OutageRejectInput"

    @extend_schema(
        operation_id="outages_reject",
        tags=TAGS,
        request=InputSerializer,
        responses={200: OutageDetailOutputSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request: Request, number: str) -> Response:
        """A dispatcher rejects a predicted or probable outage: the calls' waiting orders are dispatched
        as their routing rule says. Rejecting again changes nothing."""
        user = _manager(request)
        outage = _outage(number)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        outage = services.outage_reject(actor=user, outage=outage, note=serializer.validated_data["note"])
        return Response(OutageDetailOutputSerializer(outage).data)


class ProofOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    customer = serializers.CharField(source="customer.account_no", allow_null=True, default=None)
    device = serializers.CharField(source="device.code", allow_null=True, default=None)
    order = serializers.CharField(source="order.number", allow_null=True, default=None)
    device_ids = serializers.ListField(child=serializers.IntegerField())
    note = serializers.CharField()
    at = serializers.DateTimeField()

    class Meta:
        ref_name = "EnergisedProof"


class ProofCollectionApi(APIView):
    class InputSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(choices=ProofKind.choices)
        customer = serializers.CharField(max_length=20, required=False, allow_blank=True)
        order = serializers.CharField(max_length=20, required=False, allow_blank=True)
        device = serializers.CharField(max_length=40, required=False, allow_blank=True)
        note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

        class Meta:
            ref_name = "EnergisedProofInput"

    @extend_schema(
        operation_id="outages_proofs_create",
        tags=TAGS,
        request=InputSerializer,
        responses={201: ProofOutputSerializer, **error_responses(400, 401, 403)},
    )
    def post(self, request: Request) -> Response:
        """客户确认有电 (``customer_powered``: the customer, optionally the call's order) or a device
        confirmed closed (``device_closed``, dispatchers): predictions do not blame those devices."""
        user = request_user(request)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        proof = proof_record(user, serializer.validated_data, idempotency_key(request))
        return Response(ProofOutputSerializer(proof).data, status=status.HTTP_201_CREATED)


class StormOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    unit = serializers.CharField(source="unit.code", allow_null=True, default=None)
    note = serializers.CharField()
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True)

    class Meta:
        ref_name = "StormMode"


class StormCollectionApi(APIView):
    class InputSerializer(serializers.Serializer):
        unit = serializers.CharField(
            max_length=32, required=False, allow_blank=True, help_text="Empty: everywhere."
        )
        note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

        class Meta:
            ref_name = "StormModeInput"

    @extend_schema(
        operation_id="outages_storm_list",
        tags=TAGS,
        responses={200: StormOutputSerializer(many=True), **error_responses(401)},
    )
    def get(self, request: Request) -> Response:
        """Storm modes switched on now."""
        rows = StormMode.objects.filter(ended_at__isnull=True).select_related("unit")
        return Response(StormOutputSerializer(rows, many=True).data)

    @extend_schema(
        operation_id="outages_storm_start",
        tags=TAGS,
        request=InputSerializer,
        responses={201: StormOutputSerializer, **error_responses(400, 401, 403)},
    )
    def post(self, request: Request) -> Response:
        user = _manager(request)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        code = serializer.validated_data.get("unit") or ""
        unit = Unit.objects.filter(code=code).first() if code else None
        if code and unit is None:
            raise ValidationFailed(_("找不到单位。"), fields={"unit": [_("找不到单位。")]})
        storm = prediction.storm_mode_start(
            actor=user,
            unit=unit,
            note=serializer.validated_data["note"],
            idempotency_key=idempotency_key(request),
        )
        return Response(StormOutputSerializer(storm).data, status=status.HTTP_201_CREATED)


class StormEndApi(APIView):
    @extend_schema(
        operation_id="outages_storm_end",
        tags=TAGS,
        request=None,
        responses={200: StormOutputSerializer, **error_responses(401, 403, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        user = _manager(request)
        storm = StormMode.objects.filter(pk=pk).first()
        if storm is None:
            raise NotFound(_("找不到该灾害模式。"))
        return Response(StormOutputSerializer(prediction.storm_mode_end(actor=user, storm=storm)).data)
