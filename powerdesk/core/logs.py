"""Structured logs: one JSON object a line, each with the id of the request being served, and without
secrets.

- :class:`RequestIdMiddleware` takes the request's id from ``X-Request-ID`` (a proxy's or a client's, when
  it looks like an id) or makes one, keeps it for the logging of this request (a context variable, so
  threads and the request's own code see their own, until Django reports the request finished), and
  answers it in ``X-Request-ID``;
- :class:`RequestIdFilter` puts it on every log record (``-`` outside a request: the worker, commands);
- :class:`RedactingFilter` blanks what looks like a credential in a record's text before any handler
  writes it: passwords, tokens and keys written as ``name=value`` or ``name: value``, ``Authorization``
  schemes (``Token …``, ``Bearer …``, ``Basic …``), signatures, one-time codes and the survey link's token
  in a path (gunicorn's access log uses :func:`redact_path` too, ``powerdesk.gunicorn_conf``);
- :class:`JsonFormatter` writes the record as JSON with a fixed set of fields: never the record's
  ``request`` (Django's request logging attaches it, with its headers and cookies) nor other extras.

The settings' ``LOGGING`` wires them for every handler (``powerdesk.settings``).
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import re
import uuid
from collections.abc import Callable
from typing import Any

from django.core.signals import request_finished
from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
_META_KEY = "HTTP_X_REQUEST_ID"
# An id from outside is kept only when it is short and plain (a UUID, a proxy's hex id): it goes into
# every log line and back into a header.
_ACCEPTED = re.compile(r"[A-Za-z0-9._:-]{8,128}")
NO_REQUEST = "-"

current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default=NO_REQUEST)


def request_id_for(request: HttpRequest) -> str:
    offered = request.META.get(_META_KEY, "")
    return offered if offered and _ACCEPTED.fullmatch(offered) else uuid.uuid4().hex


class RequestIdMiddleware:
    """The request's id for its log lines and its answer (first in the chain: every later line has it)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_for(request)
        request.request_id = request_id  # type: ignore[attr-defined]
        # Kept until the request is finished, not only while the chain runs: Django logs a 4xx or 5xx
        # answer after the last middleware has returned it.
        current_request_id.set(request_id)
        response = self.get_response(request)
        response[HEADER] = request_id
        return response


def _request_finished(**kwargs: Any) -> None:
    current_request_id.set(NO_REQUEST)


request_finished.connect(_request_finished, dispatch_uid="powerdesk.core.logs")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get()
        return True


_REDACTED = "[redacted]"
_SECRET_NAMES = (
    r"password|passwd|pwd|secret|token|api[_-]?key|apikey|x-api-key|signature|x-signature|otp|code|"
    r"sessionid|csrftoken|csrfmiddlewaretoken|密码|验证码|口令"
)
_PATTERNS = (
    # name=value, name: value, "name": "value" (JSON), name='quoted value'
    re.compile(
        rf"""(?i)(["']?(?:{_SECRET_NAMES})["']?\s*[=:]\s*)("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^\s"',;&]+)""",
    ),
    # Authorization header values and the like
    re.compile(r"(?i)\b(Token|Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{6,}"),
    # HMAC signatures written as sha256=<hex>
    re.compile(r"(?i)\b(sha256=)[0-9a-f]{16,}"),
    # capability URLs: the survey link's signed token (/p/s/<token>/) opens a customer's survey
    re.compile(r"(/p/s/)[^/\s\"'?]+"),
)


def _blank_value(match: re.Match[str]) -> str:
    value = match.group(2)
    quote = value[0] if value[:1] in {'"', "'"} else ""
    return f"{match.group(1)}{quote}{_REDACTED}{quote}"


def redact(text: str) -> str:
    """``text`` with what looks like a credential replaced by ``[redacted]``."""
    text = _PATTERNS[0].sub(_blank_value, text)
    text = _PATTERNS[1].sub(lambda m: f"{m.group(1)} {_REDACTED}", text)
    text = _PATTERNS[2].sub(lambda m: f"{m.group(1)}{_REDACTED}", text)
    return redact_path(text)


def redact_path(path: str) -> str:
    """A URL path without the secrets some paths carry (the survey link's token): for access logs."""
    return _PATTERNS[3].sub(lambda m: f"{m.group(1)}{_REDACTED}", path)


class RedactingFilter(logging.Filter):
    """Renders the record's message once, redacted, so no handler sees the secret in ``args``."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed call: keep the record as it is, logging reports it
            return True
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (ISO 8601 with the offset), level, logger, message, request id, and
    the exception's traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created).astimezone().isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", NO_REQUEST),
            "process": record.process,
        }
        status = getattr(record, "status_code", None)
        if isinstance(status, int):
            entry["status"] = status
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)
