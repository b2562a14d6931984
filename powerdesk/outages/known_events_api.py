"""The known events (报备) API: list them, register one, close one. Reading is for every signed-in user
(agents read the scripts); registering and closing for the roles that may dispatch, as on the console
page (``outages/events/new/``)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from powerdesk.core import clock, idempotency
from powerdesk.core.api import IDEMPOTENCY_KEY_PARAMETER, Pagination, error_responses
from powerdesk.core.api import idempotency_key as idempotency_key_of
from powerdesk.core.errors import NotFound
from powerdesk.outages import known_events
from powerdesk.outages.api import _devices, _manager
from powerdesk.outages.models import KnownEvent

TAGS = ["outages"]


class KnownEventOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    title = serializers.CharField()
    script = serializers.CharField()
    devices = serializers.SerializerMethodField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(allow_null=True)
    etr_override = serializers.DateTimeField(allow_null=True)
    in_force = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    class Meta:
        ref_name = "KnownEvent"

    def get_devices(self, event: KnownEvent) -> list[str]:
        return [d.code for d in event.devices.all()]

    def get_in_force(self, event: KnownEvent) -> bool:
        now = clock.now()
        return event.starts_at <= now and (event.ends_at is None or event.ends_at > now)


def _event(pk: int) -> KnownEvent:
    # A number past the id column's range names no event (and must not reach the database as one).
    event = KnownEvent.objects.filter(pk=pk).first() if 0 < pk < 2**63 else None
    if event is None:
        raise NotFound(_("找不到该报备事件。"))
    return event


class KnownEventCollectionApi(APIView):
    pagination_class = Pagination

    class InputSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(choices=KnownEvent.Kind.choices)
        title = serializers.CharField(max_length=120)
        script = serializers.CharField(max_length=2000)
        devices = serializers.ListField(
            child=serializers.CharField(max_length=40),
            min_length=1,
            max_length=500,
            help_text="Codes of the devices whose area the event covers (a feeder, a substation …).",
        )
        starts_at = serializers.DateTimeField(required=False, allow_null=True, help_text="Default: now.")
        ends_at = serializers.DateTimeField(required=False, allow_null=True)
        etr_override = serializers.DateTimeField(required=False, allow_null=True)

        class Meta:
            ref_name = "KnownEventInput"

    @extend_schema(
        operation_id="known_events_list",
        tags=TAGS,
        parameters=[
            OpenApiParameter("all", bool, description="Include the events that are over (default: not).")
        ],
        responses={200: KnownEventOutputSerializer(many=True), **error_responses(401)},
    )
    def get(self, request: Request) -> Response:
        events = KnownEvent.objects.prefetch_related("devices").order_by("-starts_at", "-id")
        if request.query_params.get("all") not in ("1", "true"):
            events = events.filter(Q(ends_at__isnull=True) | Q(ends_at__gt=clock.now()))
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(events, request, view=self)
        return paginator.get_paginated_response(KnownEventOutputSerializer(page, many=True).data)

    @extend_schema(
        operation_id="known_events_create",
        tags=TAGS,
        request=InputSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={201: KnownEventOutputSerializer, **error_responses(400, 401, 403, 409)},
    )
    def post(self, request: Request) -> Response:
        user = _manager(request)
        key = idempotency_key_of(request)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data: dict[str, Any] = serializer.validated_data
        event = known_events.known_event_create(
            actor=user,
            kind=data["kind"],
            title=data["title"],
            script=data["script"],
            devices=_devices(data["devices"]),
            starts_at=data.get("starts_at") or clock.now(),
            ends_at=data.get("ends_at"),
            etr_override=data.get("etr_override"),
            idempotency_key=key,
            request_fingerprint=idempotency.fingerprint({"actor": user.pk, "body": request.data})
            if key
            else "",
        )
        return Response(KnownEventOutputSerializer(event).data, status=status.HTTP_201_CREATED)


class KnownEventCloseApi(APIView):
    @extend_schema(
        operation_id="known_events_close",
        tags=TAGS,
        request=None,
        responses={200: KnownEventOutputSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        user = _manager(request)
        event = known_events.known_event_close(event=_event(pk), actor=user)
        return Response(KnownEventOutputSerializer(event).data)
