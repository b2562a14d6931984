"""``/api/v1/applications/``: for the service hall's devices and the state-wide app.

- ``GET``: the applications the caller sees (``kind``, ``state`` filters), newest first;
- ``POST`` (multipart): start one (``application_start``), with documents as files named ``doc_<code>``;
  idempotent on ``Idempotency-Key`` like the order intake;
- ``GET {number}/``: one application with its steps;
- ``POST {number}/steps/{id}/complete/`` and ``…/return/``: move a step, version-checked like the order
  transitions (``version`` in the body or ``If-Match``; a stale one is refused with 409);
- ``POST {number}/kind/``: change a wrongly taken kind (the dispatcher, the manager), version-checked.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from powerdesk.applications import selectors, services
from powerdesk.applications.models import (
    Application,
    ApplicationKind,
    ApplicationState,
    ApplicationStep,
    DocumentType,
    NoticeChannel,
    ReturnReason,
    StepTemplate,
)
from powerdesk.core.api import (
    IDEMPOTENCY_KEY_PARAMETER,
    IF_MATCH_PARAMETER,
    CodeField,
    JSONParser,
    Pagination,
    error_responses,
    idempotency_key,
    if_match_version,
    request_user,
)
from powerdesk.core.errors import NotFound, NotPermitted, ValidationFailed
from powerdesk.customers.models import Customer
from powerdesk.org.selectors import user_can_create_orders, user_sees_unit
from powerdesk.workorders.api.common import MAX_LONGTEXT, MAX_VERSION, NUMBER_PARAMETER, visible_order
from powerdesk.workorders.choices import Channel
from powerdesk.workorders.selectors import contact_by_idempotency_key

TAGS = ["applications"]
DOC_PREFIX = "doc_"


class StepOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField(source="template.code")
    name = serializers.CharField(source="template.name")
    seq = serializers.IntegerField()
    round = serializers.IntegerField()
    side = serializers.CharField()
    state = serializers.CharField()
    started_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    done_at = serializers.DateTimeField(allow_null=True)
    done_by = serializers.CharField(source="done_by.username", allow_null=True, default=None)
    result = serializers.CharField(
        help_text="The result; on a step sent back, the staff's internal note (not for the customer: "
        "the customer is told the return reason's own wording)."
    )
    return_reason = serializers.CharField(
        source="return_reason.code", allow_null=True, default=None, help_text="Why it was sent back."
    )
    clock_state = serializers.CharField(source="clock.state", allow_null=True, default=None)
    document_reason = serializers.CharField(
        help_text="Why the step was done without all the documents it requires (empty when they were all "
        "received)."
    )

    class Meta:
        ref_name = "ApplicationStep"


class DocumentRequestOutputSerializer(serializers.Serializer):
    document = serializers.CharField(source="document.code")
    on_notice = serializers.BooleanField()
    reason = serializers.CharField(help_text="Why a document not on the one-time notice list was asked for.")
    requested_at = serializers.DateTimeField()

    class Meta:
        ref_name = "ApplicationDocumentRequest"


class LateDocumentRequestOutputSerializer(serializers.Serializer):
    """A 补件 request outside the 一次性告知 list on one of the complaining customer's applications."""

    number = serializers.CharField(source="application.order.number", help_text="The application's order.")
    kind = serializers.CharField(source="application.kind.code")
    document = serializers.CharField(source="document.code")
    document_name = serializers.CharField(source="document.name")
    reason = serializers.CharField(help_text="Why the document was asked for although not on the list.")
    requested_by = serializers.CharField(source="requested_by.username")
    requested_at = serializers.DateTimeField()

    class Meta:
        ref_name = "ApplicationLateDocumentRequest"


class ApplicationOutputSerializer(serializers.Serializer):
    number = serializers.CharField(source="order.number")
    version = serializers.IntegerField(source="order.version")
    kind = serializers.CharField(source="kind.code")
    kind_name = serializers.CharField(source="kind.name")
    state = serializers.CharField()
    started_at = serializers.DateTimeField()
    completed_at = serializers.DateTimeField(allow_null=True)
    notice_documents = serializers.ListField(child=serializers.CharField())
    notice_channel = serializers.CharField()
    notice_given_at = serializers.DateTimeField()
    process_due_at = serializers.DateTimeField(source="process_clock.due_at", allow_null=True, default=None)
    process_state = serializers.CharField(source="process_clock.state", allow_null=True, default=None)
    utility_seconds = serializers.SerializerMethodField()
    customer_seconds = serializers.SerializerMethodField()
    steps = serializers.SerializerMethodField()
    document_requests = serializers.SerializerMethodField()

    class Meta:
        ref_name = "Application"

    def _standing(self, obj: Application) -> dict[str, int]:
        cache = self.__dict__.setdefault("_standing_cache", {})
        if obj.pk not in cache:
            cache[obj.pk] = selectors.standing(obj, selectors.application_steps(obj))
        return cache[obj.pk]

    def get_utility_seconds(self, obj: Application) -> int:
        return self._standing(obj)["utility_seconds"]

    def get_customer_seconds(self, obj: Application) -> int:
        return self._standing(obj)["customer_seconds"]

    def get_steps(self, obj: Application) -> list[dict[str, Any]]:
        return StepOutputSerializer(selectors.application_steps(obj), many=True).data  # type: ignore[return-value]

    def get_document_requests(self, obj: Application) -> list[dict[str, Any]]:
        rows = obj.document_requests.select_related("document")
        return DocumentRequestOutputSerializer(rows, many=True).data  # type: ignore[return-value]


def _detail(request: Request, application: Application, code: int = status.HTTP_200_OK) -> Response:
    return Response(ApplicationOutputSerializer(application).data, status=code)


class ApplicationCollectionApi(ListAPIView):
    """List the applications the caller sees, or start one."""

    serializer_class = ApplicationOutputSerializer
    pagination_class = Pagination
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    class InputSerializer(serializers.Serializer):
        kind = CodeField(
            slug_field="code", queryset=ApplicationKind.objects.filter(is_active=True), help_text="Kind code."
        )
        customer = serializers.CharField(max_length=20, help_text="The customer's account number (户号).")
        channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.APP)
        notice_channel = serializers.ChoiceField(choices=NoticeChannel.choices)
        description = serializers.CharField(max_length=MAX_LONGTEXT, allow_blank=True, default="")

        class Meta:
            ref_name = "ApplicationStartInput"

    def get_queryset(self) -> Any:
        qs = selectors.applications_visible(request_user(self.request)).order_by("-started_at", "-id")
        kind = self.request.query_params.get("kind", "")
        state = self.request.query_params.get("state", "")
        if kind:
            qs = qs.filter(kind__code=kind[:32])
        if state:
            if state not in ApplicationState.values:
                message = _("状态无效。")
                raise ValidationFailed(message, fields={"state": [message]})
            qs = qs.filter(state=state)
        return qs

    @extend_schema(
        operation_id="applications_list", tags=TAGS, responses={200: ApplicationOutputSerializer(many=True)}
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="applications_start",
        tags=TAGS,
        request={"multipart/form-data": InputSerializer},
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={
            201: OpenApiResponse(ApplicationOutputSerializer, description="Started."),
            200: OpenApiResponse(
                ApplicationOutputSerializer, description="A replay of the same Idempotency-Key."
            ),
            **error_responses(400, 401, 403, 404, 409, 415),
        },
    )
    def post(self, request: Request) -> Response:
        """Start an application; files named ``doc_<document code>`` are received for its first step."""
        actor = request_user(request)
        if not user_can_create_orders(actor):
            raise NotPermitted(_("您的角色不能受理工单。"))
        key = idempotency_key(request)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        customer = Customer.objects.select_related("area").filter(account_no=data["customer"]).first()
        if customer is None or not user_sees_unit(actor, customer.area):
            raise NotFound(_("找不到该客户。"))
        files = {
            name[len(DOC_PREFIX) :]: f for name, f in request.FILES.items() if name.startswith(DOC_PREFIX)
        }
        documents = services.documents_by_code(list(files))
        unknown = sorted(set(files) - set(documents))
        if unknown:
            message = _("未知的资料编码：%(codes)s") % {"codes": "、".join(unknown)}
            raise ValidationFailed(message, fields={"documents": [message]})
        for upload in files.values():  # checked before anything is written
            services.document_upload_check(upload)
        earlier = contact_by_idempotency_key(key) if key else None
        existed = earlier is not None and Application.objects.filter(order_id=earlier.order_id).exists()
        application = services.application_start(
            actor=actor,
            kind=data["kind"],
            customer=customer,
            channel=data["channel"],
            notice_channel=data["notice_channel"],
            description=data["description"],
            idempotency_key=key,
        )
        if existed:
            return _detail(request, application)
        first = application.steps.order_by("seq", "id").first()
        if first is not None:
            for code, upload in files.items():
                services.application_document_receive(
                    step=first, actor=actor, document=documents[code], upload=upload
                )
        return _detail(request, application, status.HTTP_201_CREATED)


class ApplicationDetailApi(APIView):
    @extend_schema(
        operation_id="applications_detail",
        tags=TAGS,
        parameters=[NUMBER_PARAMETER],
        responses={200: ApplicationOutputSerializer, **error_responses(401, 404)},
    )
    def get(self, request: Request, number: str) -> Response:
        order = visible_order(request, number)
        application = selectors.application_of(order)
        if application is None:
            raise NotFound(_("该工单不是业务办理。"))
        return _detail(request, application)


def _step(request: Request, number: str, step_id: int) -> ApplicationStep:
    order = visible_order(request, number)
    step = (
        ApplicationStep.objects.select_related("application__order", "template")
        .filter(pk=step_id, application__order=order)
        .first()
    )
    if step is None:
        raise NotFound(_("找不到该环节。"))
    # The role and the unit level before the input, as the order transitions do: who may not gets 403
    # with the reason, whatever they sent.
    refusal = services.step_refusal(request_user(request), order, step.template)
    if refusal is not None:
        raise NotPermitted(refusal)
    return step


def _version(body: int | None, request: Request) -> int | None:
    header = if_match_version(request)
    if body is not None and header is not None and body != header:
        message = _("请求体中的版本与 If-Match 不一致。")
        raise ValidationFailed(message, fields={"version": [message]})
    return body if body is not None else header


class StepCompleteApi(APIView):
    parser_classes = [JSONParser]

    class InputSerializer(serializers.Serializer):
        result = serializers.CharField(max_length=MAX_LONGTEXT)
        document_reason = serializers.CharField(
            max_length=MAX_LONGTEXT,
            allow_blank=True,
            default="",
            help_text="Why the step is done although documents it requires were not received (e.g. "
            "verified in the marketing system); without it such a step is refused (400, code "
            "documents_missing, the field document_reason).",
        )
        version = serializers.IntegerField(min_value=1, max_value=MAX_VERSION, required=False)

        class Meta:
            ref_name = "ApplicationStepCompleteInput"

    @extend_schema(
        operation_id="applications_step_complete",
        tags=TAGS,
        request=InputSerializer,
        parameters=[NUMBER_PARAMETER, IF_MATCH_PARAMETER],
        responses={200: ApplicationOutputSerializer, **error_responses(400, 401, 403, 404, 409, 415)},
    )
    def post(self, request: Request, number: str, step_id: int) -> Response:
        step = _step(request, number, step_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.application_step_complete(
            step=step,
            actor=request_user(request),
            result=data["result"],
            document_reason=data["document_reason"],
            expected_version=_version(data.get("version"), request),
        )
        return _detail(request, Application.objects.get(pk=step.application_id))


class StepReturnApi(APIView):
    parser_classes = [JSONParser]

    class InputSerializer(serializers.Serializer):
        to_step = serializers.CharField(max_length=32, help_text="Code of an earlier step of the kind.")
        reason = CodeField(
            slug_field="code",
            queryset=ReturnReason.objects.filter(is_active=True),
            help_text="Code of a return reason (data: documents, site, design, inspection, customer_change, "
            "other …); the customer's SMS says its customer wording.",
        )
        note = serializers.CharField(
            max_length=MAX_LONGTEXT,
            allow_blank=True,
            default="",
            help_text="The staff's note on the return (internal: on the step and the timeline, never sent "
            "to the customer).",
        )
        version = serializers.IntegerField(min_value=1, max_value=MAX_VERSION, required=False)

        class Meta:
            ref_name = "ApplicationStepReturnInput"

    @extend_schema(
        operation_id="applications_step_return",
        tags=TAGS,
        request=InputSerializer,
        parameters=[NUMBER_PARAMETER, IF_MATCH_PARAMETER],
        responses={200: ApplicationOutputSerializer, **error_responses(400, 401, 403, 404, 409, 415)},
    )
    def post(self, request: Request, number: str, step_id: int) -> Response:
        step = _step(request, number, step_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        target = StepTemplate.objects.filter(kind_id=step.template.kind_id, code=data["to_step"]).first()
        if target is None:
            message = _("只能退回到之前的环节。")
            raise ValidationFailed(message, fields={"to_step": [message]})
        services.application_step_return(
            step=step,
            actor=request_user(request),
            to_template=target,
            reason=data["reason"],
            note=data["note"],
            expected_version=_version(data.get("version"), request),
        )
        return _detail(request, Application.objects.get(pk=step.application_id))


class KindChangeApi(APIView):
    """Change a running application's kind (the dispatcher, the manager), with a reason."""

    parser_classes = [JSONParser]

    class InputSerializer(serializers.Serializer):
        kind = CodeField(
            slug_field="code",
            queryset=ApplicationKind.objects.filter(is_active=True),
            help_text="The code of the kind the application really is.",
        )
        reason = serializers.CharField(max_length=MAX_LONGTEXT, help_text="Why the kind is changed.")
        version = serializers.IntegerField(min_value=1, max_value=MAX_VERSION, required=False)

        class Meta:
            ref_name = "ApplicationKindChangeInput"

    @extend_schema(
        operation_id="applications_kind_change",
        tags=TAGS,
        request=InputSerializer,
        parameters=[NUMBER_PARAMETER, IF_MATCH_PARAMETER],
        responses={200: ApplicationOutputSerializer, **error_responses(400, 401, 403, 404, 409, 415)},
    )
    def post(self, request: Request, number: str) -> Response:
        """The running steps end; the steps done that the new kind also has keep their record; the next
        group starts with new clocks; the whole-process clock is re-timed on the new kind's limit."""
        order = visible_order(request, number)
        application = selectors.application_of(order)
        if application is None:
            raise NotFound(_("该工单不是业务办理。"))
        refusal = services.kind_change_refusal(request_user(request), order)
        if refusal is not None:  # who may not is told so before the input, as for the steps
            raise NotPermitted(refusal)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        changed = services.application_kind_change(
            application=application,
            actor=request_user(request),
            kind=data["kind"],
            reason=data["reason"],
            expected_version=_version(data.get("version"), request),
        )
        return _detail(request, Application.objects.get(pk=changed.pk))


__all__ = [
    "ApplicationCollectionApi",
    "ApplicationDetailApi",
    "ApplicationOutputSerializer",
    "DocumentType",
    "KindChangeApi",
    "StepCompleteApi",
    "StepReturnApi",
]
