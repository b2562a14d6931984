"""The SMS gateway's status callback: delivery receipts for the messages it was given.

Not a user's endpoint: the gateway signs the raw body with the shared secret
(``POWERDESK_SMS_CALLBACK_SECRET``) and sends ``X-Signature: sha256=<hex HMAC-SHA256>``; a request without
a valid signature is refused (403) before its body is read as JSON. The receipts name each message by the
``out_id`` PowerDesk gave the gateway (the notification's id). Recording is idempotent (a receipt moves a
message forward only), so the gateway may retry a callback as often as it likes.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from powerdesk.core.api import error_responses
from powerdesk.core.errors import NotPermitted
from powerdesk.notify.models import DeliveryState
from powerdesk.notify.receipts import delivery_receipts_record
from powerdesk.notify.transports import Receipt

SIGNATURE_HEADER = "X-Signature"
MAX_RECEIPTS = 500


def signature(secret: str, body: bytes) -> str:
    """The header value the gateway sends for ``body`` (also what a test or a gateway simulator signs)."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _verify(request: Request) -> None:
    secret = settings.POWERDESK_SMS_CALLBACK_SECRET
    given = request.headers.get(SIGNATURE_HEADER, "")
    # The raw body, read before DRF parses it (DRF then parses these same bytes).
    if not secret or not hmac.compare_digest(given.encode(), signature(secret, request.body).encode()):
        raise NotPermitted(_("回执签名无效。"), code="bad_signature")


class ReceiptInputSerializer(serializers.Serializer):
    out_id = serializers.IntegerField(min_value=1, help_text="The notification id PowerDesk sent as out_id.")
    status = serializers.ChoiceField(choices=DeliveryState.choices)
    code = serializers.CharField(max_length=32, allow_blank=True, default="", help_text="The gateway's code.")
    at = serializers.DateTimeField(required=False, allow_null=True, help_text="When the gateway knew it.")

    class Meta:
        ref_name = "DeliveryReceiptInput"


class DeliveryReceiptApi(APIView):
    authentication_classes: list = []  # the signature is the authentication
    permission_classes = [AllowAny]

    class InputSerializer(serializers.Serializer):
        receipts = serializers.ListField(
            child=ReceiptInputSerializer(), min_length=1, max_length=MAX_RECEIPTS
        )

        class Meta:
            ref_name = "DeliveryReceiptsInput"

    class OutputSerializer(serializers.Serializer):
        results = serializers.DictField(
            child=serializers.ChoiceField(choices=["recorded", "unchanged", "unknown"]),
            help_text="Per out_id: recorded, unchanged (a repeat or a stale report) or unknown.",
        )

        class Meta:
            ref_name = "DeliveryReceiptsOutput"

    @extend_schema(
        operation_id="notify_receipts",
        tags=["notify"],
        request=InputSerializer,
        responses={200: OutputSerializer, **error_responses(400, 403)},
        parameters=[
            OpenApiParameter(
                SIGNATURE_HEADER,
                str,
                OpenApiParameter.HEADER,
                required=True,
                description="sha256=<hex HMAC-SHA256 of the raw body with the shared secret>",
            )
        ],
        auth=[],
    )
    def post(self, request: Request) -> Response:
        _verify(request)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        receipts = [
            Receipt(r["out_id"], r["status"], at=r.get("at"), code=r["code"])
            for r in serializer.validated_data["receipts"]
        ]
        outcome = delivery_receipts_record(receipts=receipts)
        return Response({"results": {str(k): v for k, v in outcome.items()}})
