"""API plumbing shared by every app: the stable error body, pagination, the JSON parser, the
Idempotency-Key and If-Match headers, schema helpers for error responses, masked output fields, and
serializers shared by the requests of the hottest endpoint.

Every error leaves the API as ``{"error": {"code": str, "message": str, "fields": {name: [str]}}}``
so clients can match on ``code`` whatever went wrong.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import exceptions, parsers, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from powerdesk.core.errors import DomainError, ValidationFailed
from powerdesk.core.pagination import COUNT_CAP, ListPaginator
from powerdesk.core.unavailable import database_unavailable, unavailable_error


def error_body(code: str, message: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def _flatten(detail: Any) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for key, value in detail.items():
            if isinstance(value, dict):
                for sub, msgs in _flatten(value).items():
                    out[f"{key}.{sub}"] = msgs
            elif isinstance(value, list):
                out[str(key)] = [str(v) for v in value if not isinstance(v, dict | list)] or [
                    str(m) for v in value for m in (_flatten(v).values() if isinstance(v, dict) else [v])
                ]
            else:
                out[str(key)] = [str(value)]
        return out
    if isinstance(detail, list):
        return {"non_field_errors": [str(v) for v in detail]}
    return {"non_field_errors": [str(detail)]}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if database_unavailable(exc):
        exc = unavailable_error()
    if isinstance(exc, DomainError):
        return Response(error_body(exc.code, exc.message, exc.fields), status=exc.http_status)
    if isinstance(exc, RequestDataTooBig):
        return Response(
            error_body("request_too_large", _("请求内容过大。")),
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, SuspiciousOperation):  # e.g. too many form fields or files
        return Response(error_body("bad_request", _("请求无法处理。")), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        body = error_body("validation_error", _("提交的数据有误，请检查各字段。"), fields)
    elif isinstance(exc, exceptions.APIException):
        code = exc.get_codes() if isinstance(exc.get_codes(), str) else exc.default_code
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        body = error_body(str(code), str(detail))
    else:  # pragma: no cover - DRF only handles APIException subclasses
        body = error_body("error", str(exc))
    response.data = body
    return response


class Pagination(PageNumberPagination):
    """Page-number pagination over :class:`~powerdesk.core.pagination.ListPaginator`: a count capped at
    10,000 (``count_is_capped`` says there are more), pages fetched ids first, ``page=last`` counted
    exactly on request."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    django_paginator_class = ListPaginator

    def get_page_number(self, request: Request, paginator: Any) -> Any:
        page_number = request.query_params.get(self.page_query_param) or "1"
        if page_number in self.last_page_strings:
            return paginator.last_page_number()
        # Not a page number at all is bad input (400); a number past the last page is a page not found.
        if not (page_number.isascii() and page_number.isdigit() and int(page_number) >= 1):
            message = _("页码须为正整数或 last。")
            raise ValidationFailed(message, fields={self.page_query_param: [message]})
        return page_number

    def get_paginated_response(self, data: Any) -> Response:
        assert self.page is not None
        paginator = self.page.paginator
        return Response(
            {
                "count": paginator.count,
                "count_is_capped": bool(getattr(paginator, "count_is_capped", False)),
                "page": self.page.number,
                "pages": paginator.num_pages,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            },
            status=status.HTTP_200_OK,
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["count", "count_is_capped", "page", "pages", "next", "previous", "results"],
            "properties": {
                "count": {
                    "type": "integer",
                    "description": f"Matching rows; at most {COUNT_CAP:,} (counting further is not worth a "
                    "slow list): when there are more, this is the cap and count_is_capped is true.",
                },
                "count_is_capped": {
                    "type": "boolean",
                    "description": "True when more rows match than count says.",
                },
                "page": {"type": "integer"},
                "pages": {
                    "type": "integer",
                    "description": "Pages of count rows: a lower bound when count_is_capped. Pages past it "
                    "are served while they have rows (follow next); page=last finds the real last page.",
                },
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }


# --- serializers of hot endpoints ---------------------------------------------------------------

S = TypeVar("S", bound=serializers.Serializer)


@functools.cache
def shared_serializer(serializer_class: type[S], **context: Hashable) -> S:
    """An instance of ``serializer_class`` with ``context``, made once per process and shared by its
    threads: validate with ``run_validation(data)`` (the validated data, or DRF's ``ValidationError``),
    answer with ``to_representation(instance)``. Both are DRF's public per-value methods.

    Why: DRF builds a serializer's fields for every instance, a deep copy of each declared field, which
    is most of the cost of validating or writing one object on the hottest endpoint. Fields keep no
    state between values, so one instance serves every request, provided the result depends only on the
    data or instance, this ``context`` (e.g. ``unmasked``) and the active language: not for serializers
    whose fields or ``validate*`` methods read the request, the instance being updated, or
    ``partial``."""
    serializer = serializer_class(context=context)
    serializer.fields  # noqa: B018 - built here, not by the first requests at once
    return serializer


# --- request plumbing shared by the API views ---------------------------------------------------

MAX_IDEMPOTENCY_KEY = 100  # the width of Contact.idempotency_key and WorkOrderEvent.request_id
_IDEMPOTENCY_KEY = re.compile(rf"^[\x21-\x7e]{{1,{MAX_IDEMPOTENCY_KEY}}}$")
_IF_MATCH = re.compile(r'^(?:W/)?"?(\d{1,9})"?$')


def unstorable(value: str) -> bool:
    """Whether PostgreSQL cannot hold ``value`` in a text column (a NUL, a lone surrogate): a lookup by it
    would fail in the database rather than find nothing."""
    return "\x00" in value or any(0xD800 <= ord(ch) <= 0xDFFF for ch in value)


class CodeField(serializers.SlugRelatedField):
    """A reference to a row by its code (``SlugRelatedField``): a code the database cannot hold is no
    such code, the field's 400, not the database's error."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str) and unstorable(data):
            self.fail("does_not_exist", slug_name=self.slug_field, value="?")
        return super().to_internal_value(data)


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with Django's body size limit (413) and a 400, not a crash, for a
    pathologically nested document."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        request = (parser_context or {}).get("request")
        length = request.META.get("CONTENT_LENGTH") if request is not None else None
        # DRF streams JSON past Django's DATA_UPLOAD_MAX_MEMORY_SIZE check: apply it here.
        if length and length.isdigit() and int(length) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            raise RequestDataTooBig(_("请求内容过大。"))
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise exceptions.ParseError(_("JSON 嵌套层级过深。")) from exc


def request_user(request: Request) -> Any:
    """The caller (a ``powerdesk.org`` user). Every API view requires authentication, so this is never
    the anonymous user."""
    return request.user


def idempotency_key(request: Request) -> str | None:
    """The caller's ``Idempotency-Key`` header: 1–100 visible ASCII characters, or absent."""
    value = request.headers.get("Idempotency-Key")
    if value is None or value == "":
        return None
    if not _IDEMPOTENCY_KEY.match(value):
        message = _("Idempotency-Key 须为 1–%(max)s 个可见 ASCII 字符。") % {"max": MAX_IDEMPOTENCY_KEY}
        raise ValidationFailed(message, fields={"Idempotency-Key": [message]})
    return value


def if_match_version(request: Request) -> int | None:
    """The order version a client sends as ``If-Match: "7"`` (quotes and ``W/`` optional)."""
    value = request.headers.get("If-Match")
    if value is None or value.strip() == "":
        return None
    match = _IF_MATCH.match(value.strip())
    if match is None:
        message = _("If-Match 须为工单的版本号。")
        raise ValidationFailed(message, fields={"If-Match": [message]})
    return int(match.group(1))


# --- schema helpers -----------------------------------------------------------------------------


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable, machine-readable code, e.g. version_conflict.")
    message = serializers.CharField(help_text="Human-readable message in the request's language.")
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))  # type: ignore[assignment]

    class Meta:
        ref_name = "ErrorDetail"


class ErrorSerializer(serializers.Serializer):
    """The body of every error response (documentation only)."""

    error = ErrorDetailSerializer()

    class Meta:
        ref_name = "Error"


_ERROR_DESCRIPTIONS = {
    400: "Invalid input (field errors in error.fields).",
    401: "Missing or invalid token.",
    403: "The caller's role may not do this.",
    404: "Not found, or not visible to the caller.",
    409: "Conflict: version_conflict, transition_not_allowed or idempotency_key_reused.",
    413: "Request body too large.",
    415: "Unsupported media type.",
    503: "The database cannot be reached right now (service_unavailable): try again shortly.",
    507: "The uploads disk is full (storage_full): nothing was stored; retry when there is room.",
}


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    return {code: OpenApiResponse(ErrorSerializer, description=_ERROR_DESCRIPTIONS[code]) for code in codes}


IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="Unique per logical request (1–100 visible ASCII characters). A retry with the same key is "
    "applied once and answers with the same result.",
)
IF_MATCH_PARAMETER = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description='The order version the client last saw, e.g. "7" (an alternative to the body\'s version).',
)


# --- masked output ------------------------------------------------------------------------------


class MaskedCharField(serializers.CharField):
    """A read-only string masked unless the serializer context says ``unmasked`` (the caller's role
    sees personal data). Masking is the default, so a forgotten context never leaks."""

    def __init__(self, *, mask: Callable[[str | None], str], **kwargs: Any) -> None:
        self.mask = mask
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> str:
        text = super().to_representation(value)
        return text if self.context.get("unmasked") else self.mask(text)


LENGTH_REQUIRED_DESCRIPTION = "A body sent without Content-Length (chunked): refused before any view runs."


def paginated_errors_hook(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """drf-spectacular post-processing: every paginated list documents what :class:`Pagination` answers
    for a bad page — 400 (not a page number, e.g. ``page=0``) and 404 (past the last page) —, and every
    write the 411 of ``LengthRequiredMiddleware``, with the error body, so a client (and schemathesis)
    reads them in the schema rather than discovering them."""
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path in result.get("paths", {}).values():
        for method, operation in path.items():
            if not isinstance(operation, dict):
                continue
            if method in ("post", "put", "patch"):
                operation.setdefault("responses", {}).setdefault(
                    "411", {"description": LENGTH_REQUIRED_DESCRIPTION, "content": error}
                )
            names = {p.get("name") for p in operation.get("parameters", []) if p.get("in") == "query"}
            if "page" not in names:
                continue
            responses = operation.setdefault("responses", {})
            for code in (400, 404):
                responses.setdefault(str(code), {"description": _ERROR_DESCRIPTIONS[code], "content": error})
    return result
