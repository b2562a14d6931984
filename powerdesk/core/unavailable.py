"""While the database is away (restarting, unreachable), every request gets a 503 that says so: the
console a page in the reader's language, the API its error body with code ``service_unavailable``; not
Django's HTML 500, and nothing else changes (a retried request is applied once, when it gets through).

Three hooks, one answer (:func:`unavailable_response`), because a lost database surfaces in three places:

- in a view or a template it renders: :class:`DatabaseUnavailableMiddleware` (``process_exception``);
- in an API view: :func:`powerdesk.core.api.exception_handler`, DRF's own hook;
- anywhere else (a middleware's own query, e.g. the session saved after the view): :func:`server_error`,
  the project's ``handler500``, which Django calls for whatever turned into a 500.
"""

from __future__ import annotations

import sys
from typing import Any

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views import defaults

from powerdesk.core.errors import ServiceUnavailable

API_PREFIX = "/api/"

# SQLSTATEs that mean "no database to talk to now", besides a failed connection (no SQLSTATE): class 08
# (connection exception), the server shutting down or starting (57P01-57P03), no free connection (53300).
# Every other OperationalError (a deadlock, a serialization failure, a cancelled statement) is not this.
_AWAY = frozenset({"57P01", "57P02", "57P03", "53300"})


def database_unavailable(exc: BaseException | None) -> bool:
    """Whether ``exc`` says the database cannot be reached (rather than that a statement failed)."""
    if isinstance(exc, InterfaceError):  # the connection is closed
        return True
    if not isinstance(exc, OperationalError):
        return False
    sqlstate = getattr(exc.__cause__, "sqlstate", None)
    return sqlstate is None or sqlstate.startswith("08") or sqlstate in _AWAY


def unavailable_error() -> ServiceUnavailable:
    return ServiceUnavailable(_("数据库暂时无法访问，请稍后重试。"))


def unavailable_response(request: HttpRequest) -> HttpResponse:
    """The 503: the API's error body under ``/api/``, the console's page elsewhere. Rendered without the
    request's context processors (they would read the session and the user from the database)."""
    error = unavailable_error()
    if request.path_info.startswith(API_PREFIX):
        body = {"error": {"code": error.code, "message": error.message, "fields": {}}}
        response: HttpResponse = JsonResponse(body, status=error.http_status)
    else:
        response = HttpResponse(render_to_string("503.html", {"message": error.message}), status=503)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Answers a view's lost database with the 503 (see the module's hooks)."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        return unavailable_response(request) if database_unavailable(exception) else None


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: the 503 when the error being handled is a lost database, Django's 500 otherwise.
    Django calls it while it handles the exception, so ``sys.exc_info()`` names it."""
    if database_unavailable(sys.exc_info()[1]):
        return unavailable_response(request)
    return defaults.server_error(request)
