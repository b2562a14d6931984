"""Request ids and JSON log lines without secrets (powerdesk.core.logs, the settings' LOGGING)."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import re

import pytest
from django.urls import reverse

from powerdesk.core.logs import RedactingFilter, RequestIdFilter, redact

pytestmark = pytest.mark.django_db


@pytest.fixture
def log_lines():
    """What the settings' console handler writes, as parsed JSON lines."""
    handler = next(
        h for h in logging.getLogger().handlers if any(isinstance(f, RequestIdFilter) for f in h.filters)
    )
    stream = io.StringIO()
    previous = handler.setStream(stream)  # type: ignore[attr-defined]
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        handler.setStream(previous)  # type: ignore[attr-defined]


def test_an_answer_carries_a_new_request_id(client):
    response = client.get(reverse("ops:healthz"))
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
    assert client.get(reverse("ops:healthz"))["X-Request-ID"] != response["X-Request-ID"]


def test_a_proxys_request_id_is_kept_and_a_strange_one_replaced(client):
    kept = client.get(reverse("ops:healthz"), HTTP_X_REQUEST_ID="edge-4f1c2a9b-77")
    assert kept["X-Request-ID"] == "edge-4f1c2a9b-77"
    replaced = client.get(reverse("ops:healthz"), HTTP_X_REQUEST_ID='x"\n{"level": "forged"}')
    assert re.fullmatch(r"[0-9a-f]{32}", replaced["X-Request-ID"])


def test_log_lines_of_a_request_are_json_with_its_id(client, log_lines):
    response = client.get("/no-such-page/", HTTP_X_REQUEST_ID="req-12345678")
    assert response.status_code == 404
    lines = [line for line in log_lines() if line["logger"] == "django.request"]
    assert lines, "Django logs a 404 as a warning"
    line = lines[-1]
    assert line["request_id"] == "req-12345678"
    assert line["level"] == "WARNING"
    assert "/no-such-page/" in line["message"]
    assert set(line) <= {"time", "level", "logger", "message", "request_id", "process", "status", "exception"}


def test_a_line_outside_a_request_has_no_id(log_lines):
    logging.getLogger("powerdesk.test").warning("sweep took %s s", 3)
    (line,) = [line for line in log_lines() if line["logger"] == "powerdesk.test"]
    assert line["request_id"] == "-" and line["message"] == "sweep took 3 s"


def test_secrets_in_a_message_or_its_arguments_are_blanked(log_lines):
    logger = logging.getLogger("powerdesk.test")
    logger.warning("login failed for %s password=%s", "zhang", "hunter2-secret")
    logger.warning("gateway said %s", {"api_key": "k-998877", "token": "abcdef123456"})
    logger.warning("calling with Authorization: Token pd_9f8e7d6c5b4a and X-Signature: sha256=%s", "ab" * 32)
    logger.warning("验证码: 482913 sent")
    text = "\n".join(line["message"] for line in log_lines())
    for secret in ("hunter2-secret", "k-998877", "abcdef123456", "pd_9f8e7d6c5b4a", "ab" * 32, "482913"):
        assert secret not in text
    assert "login failed for zhang password=[redacted]" in text


def test_an_exception_text_is_blanked_too(log_lines):
    try:
        raise ValueError("bad request body: password=hunter2-secret")
    except ValueError:
        logging.getLogger("powerdesk.test").exception("request failed")
    (line,) = [line for line in log_lines() if line["logger"] == "powerdesk.test"]
    assert "ValueError" in line["exception"] and "hunter2-secret" not in line["exception"]


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("order 2026061000001 dispatched to east", "order 2026061000001 dispatched to east"),
        ('{"password": "p@ss word", "user": "zhang"}', '{"password": "[redacted]", "user": "zhang"}'),
        ("secret='a b c' next", "secret='[redacted]' next"),
        ("Bearer eyJhbGciOiJIUzI1NiJ9.x.y", "Bearer [redacted]"),
        ("Bad Request: /p/s/AbC.dEf-123:xyz/", "Bad Request: /p/s/[redacted]/"),
        ("Not Found: /p/hall/12/", "Not Found: /p/hall/12/"),
    ],
)
def test_redact(text, kept):
    assert redact(text) == kept


def test_the_redacting_filter_leaves_no_arguments_to_format_later():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "token=%s", ("abc123",), None)
    assert RedactingFilter().filter(record)
    assert record.getMessage() == "token=[redacted]"


def test_gunicorns_access_line_has_no_survey_token():
    from types import SimpleNamespace

    from gunicorn.config import Config

    from powerdesk.gunicorn_conf import AccessLogger

    request = SimpleNamespace(
        headers=[], method="GET", path="/p/s/AbC.dEf-123/", query="", uri="/p/s/AbC.dEf-123/", version=(1, 1)
    )
    response = SimpleNamespace(status="200 OK", headers=[], sent=10, response_length=10)
    environ = {
        "REMOTE_ADDR": "127.0.0.1",
        "RAW_URI": "/p/s/AbC.dEf-123/",
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/p/s/AbC.dEf-123/",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
    }
    atoms = AccessLogger(Config()).atoms(response, request, environ, dt.timedelta(seconds=0.01))
    assert atoms["U"] == "/p/s/[redacted]/"
