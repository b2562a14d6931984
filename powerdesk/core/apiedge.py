"""The API's answers outside its views, in its stable error body: a path no view serves (404) and a body
sent without a length (411). Everything under ``API_PREFIX`` (the prefix the 503 of
:mod:`powerdesk.core.unavailable` uses too) is answered in JSON; the console keeps its HTML pages.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults

from powerdesk.core.unavailable import API_PREFIX


def _error(code: str, message: str, status: int) -> JsonResponse:
    body = {"error": {"code": code, "message": message, "fields": {}}}
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler404``: under the API, the error body with ``not_found`` (a client that mistyped a path
    must not have to parse an HTML page); elsewhere Django's page."""
    if is_api(request):
        return _error("not_found", _("找不到该接口或资源。"), 404)
    return defaults.page_not_found(request, exception)


def _chunked_without_length(request: HttpRequest) -> bool:
    encoding = request.META.get("HTTP_TRANSFER_ENCODING", "")
    return "chunked" in encoding.lower() and not request.META.get("CONTENT_LENGTH")


class LengthRequiredMiddleware:
    """A body sent in chunks without ``Content-Length`` is refused with 411 under the API.

    gunicorn passes such a body on without a length, and Django then reads it as empty: an intake would
    be refused for fields it did send, and a transition with optional fields applied without them. The
    API asks for the length instead (every HTTP client can send it; the bodies are small)."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_api(request) and _chunked_without_length(request):
            return _error("length_required", _("请求须带 Content-Length（不支持分块传输）。"), 411)
        return self.get_response(request)
