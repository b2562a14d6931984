"""One endpoint per transition, generated from ``transitions.TRANSITIONS``: a transition's input is
declared once, in the table the console forms use too."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from powerdesk.core import idempotency
from powerdesk.core.api import (
    IDEMPOTENCY_KEY_PARAMETER,
    IF_MATCH_PARAMETER,
    JSONParser,
    error_responses,
    idempotency_key,
    if_match_version,
    request_user,
)
from powerdesk.core.errors import NotFound, NotPermitted, ValidationFailed
from powerdesk.org.models import Unit, User
from powerdesk.org.selectors import user_may, visible_units_filter
from powerdesk.workorders import extensions, reference
from powerdesk.workorders.api.common import (
    MAX_ID,
    MAX_LONGTEXT,
    MAX_TEXT,
    MAX_VERSION,
    NUMBER_PARAMETER,
    ORDER_NUMBER,
    TAGS,
    refuse,
    visible_order,
)
from powerdesk.workorders.api.output import WorkOrderDetailOutputSerializer, detail_response
from powerdesk.workorders.choices import BusinessType, Satisfaction
from powerdesk.workorders.models import WorkOrder
from powerdesk.workorders.selectors import (
    order_get,
)
from powerdesk.workorders.services import SERVICES
from powerdesk.workorders.transitions import TRANSITIONS, FieldSpec, Transition


def _input_field(spec: FieldSpec) -> serializers.Field:
    """The API input for one FieldSpec of a transition."""
    hint = {
        "unit": " (unit id)",
        "user": " (user id or username)",
        "order": " (order number)",
        "sub_type": " (sub-type code)",
        "topic": " (topic code)",
    }.get(spec.kind, "")
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
    if spec.kind == "phone":
        return serializers.CharField(max_length=32, **common)
    if spec.kind == "business_type":
        return serializers.ChoiceField(choices=BusinessType.choices, **common)
    if spec.kind == "sub_type":
        return serializers.CharField(max_length=40, allow_null=optional, allow_blank=optional, **common)
    if spec.kind == "topic":
        return serializers.CharField(max_length=32, **common)
    raise ValueError(f"unknown field kind {spec.kind!r}")  # a programming error in TRANSITIONS


def _extra_fields(transition: Transition) -> dict[str, serializers.Field]:
    """Inputs the apps above declared for this transition (:mod:`powerdesk.workorders.extensions`)."""
    return {extra.name: extra.api_field() for extra in extensions.inputs_of(transition.code)}


def _resolve_unit(value: int) -> Unit | None:
    return Unit.objects.filter(pk=value).first()


def _resolve_user(actor: User, value: str) -> User | None:
    """The active staff member named by username or id, among those of the units ``actor`` sees: someone
    elsewhere gets the same answer as a name nobody has, so usernames cannot be probed county by county
    (the console's pickers offer the same people)."""
    match = Q(username=value)
    if value.isascii() and value.isdigit() and len(value) <= 18:
        match |= Q(pk=int(value))
    people = User.objects.filter(match, is_active=True)
    visible = visible_units_filter(actor, "unit_id")
    if visible is not None:
        people = people.filter(visible)
    return people.order_by("pk").first()


def _resolve_order(user: User, number: str) -> WorkOrder | None:
    if not ORDER_NUMBER.match(number):
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
            kwargs[name] = _resolve_user(user, value) if value else None
            if value and kwargs[name] is None:
                errors[name] = [_("找不到该员工。")]
        elif kind == "order":
            kwargs[name] = _resolve_order(user, value)
            if kwargs[name] is None:
                errors[name] = [_("找不到该工单。")]
        elif kind == "sub_type":
            kwargs[name] = reference.sub_type_by_code(value) if value else None
            if value and kwargs[name] is None:
                errors[name] = [_("找不到该业务子类。")]
        elif kind == "topic":
            kwargs[name] = reference.topic_by_code(value)
            if kwargs[name] is None:
                errors[name] = [_("找不到该业务分类。")]
        else:
            kwargs[name] = value
    refuse(errors)
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
        order = visible_order(request, number)
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
            order=order,
            actor=request_user(request),
            expected_version=version,
            request_id=key or "",
            # The input as the client sent it (validated, before ids became objects): a retry must match.
            request_fingerprint=idempotency.fingerprint(data) if key else "",
            **kwargs,
        )
        return detail_response(request, order)


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
