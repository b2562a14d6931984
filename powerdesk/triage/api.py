"""``POST /api/v1/triage/``: the suggestion for a caller's words, for IVR and speech systems. It writes
nothing, so a retried request is harmless."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from powerdesk.core.api import error_responses, request_user
from powerdesk.core.errors import NotPermitted
from powerdesk.org.selectors import user_can_create_orders
from powerdesk.triage import suggest
from powerdesk.triage.forms import clean_text


class TargetSerializer(serializers.Serializer):
    label = serializers.CharField(help_text="The code: business type, topic or sub-type code.")  # type: ignore[assignment]
    name = serializers.CharField()
    confidence = serializers.FloatField()
    words = serializers.ListField(child=serializers.CharField(), help_text="The words that drove it.")

    class Meta:
        ref_name = "TriageTarget"


class EmotionSerializer(serializers.Serializer):
    label = serializers.ChoiceField(choices=["calm", "unhappy", "angry"])  # type: ignore[assignment]
    confidence = serializers.FloatField(allow_null=True)
    words = serializers.ListField(child=serializers.CharField())

    class Meta:
        ref_name = "TriageEmotion"


class UrgentSerializer(serializers.Serializer):
    value = serializers.BooleanField()
    confidence = serializers.FloatField(allow_null=True)
    words = serializers.ListField(child=serializers.CharField(), help_text="Hazard words, when any.")

    class Meta:
        ref_name = "TriageUrgent"


class LexiconHitSerializer(serializers.Serializer):
    term = serializers.CharField()
    kind = serializers.CharField()
    weight = serializers.IntegerField()

    class Meta:
        ref_name = "TriageLexiconHit"


class TriageApi(APIView):
    """Suggest business type, topic, sub-type, urgency and emotion for a caller's words."""

    parser_classes = [JSONParser]

    class InputSerializer(serializers.Serializer):
        text = serializers.JSONField(help_text="The caller's words (1–4000 characters).")

        class Meta:
            ref_name = "TriageInput"

    class OutputSerializer(serializers.Serializer):
        model_version = serializers.IntegerField(allow_null=True)
        classified = serializers.BooleanField(
            help_text="False when the text held nothing to classify (digits or emoji alone) or no model "
            "is active: only the lexicon answered."
        )
        business_type = TargetSerializer(allow_null=True)
        topic = TargetSerializer(allow_null=True)
        sub_type = TargetSerializer(allow_null=True)
        emotion = EmotionSerializer()
        urgent = UrgentSerializer()
        lexicon = LexiconHitSerializer(many=True)

        class Meta:
            ref_name = "TriageSuggestion"

    @extend_schema(
        operation_id="triage_suggest",
        summary="分诊建议",
        tags=["triage"],
        request=InputSerializer,
        responses={200: OutputSerializer, **error_responses(400, 401, 403, 415)},
    )
    def post(self, request: Request) -> Response:
        if not user_can_create_orders(request_user(request)):
            raise NotPermitted(_("您的角色不能受理工单。"))
        body = request.data if isinstance(request.data, dict) else {}
        text = clean_text(body.get("text"))
        return Response(self.OutputSerializer(suggest.suggestion_for(text)).data)
