"""While the database is away, the console answers a 503 page in the reader's language and the API a 503
with its error body, instead of Django's HTML 500; other errors stay what they were."""

from __future__ import annotations

import psycopg
import pytest
from django.db import InterfaceError, OperationalError, connections
from django.db.backends.postgresql.base import DatabaseWrapper
from django.test import Client
from django.urls import get_resolver

from powerdesk.core.unavailable import database_unavailable

REFUSED = 'connection to server on socket "/var/run/.s.PGSQL.5432" failed: Connection refused'


@pytest.fixture
def database_away(django_db_setup, django_db_blocker, monkeypatch):
    """Every new connection is refused, as while the server restarts."""

    def refuse(self, conn_params):
        raise psycopg.OperationalError(REFUSED)

    with django_db_blocker.unblock():
        connections.close_all()
        monkeypatch.setattr(DatabaseWrapper, "get_new_connection", refuse)
        yield
        monkeypatch.undo()
        connections.close_all()


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


def test_the_api_answers_503_with_its_error_body(database_away, client):
    response = client.get("/api/v1/workorders/", HTTP_AUTHORIZATION="Token " + "a" * 40)
    assert response.status_code == 503
    assert response.json() == {
        "error": {"code": "service_unavailable", "message": "数据库暂时无法访问，请稍后重试。", "fields": {}}
    }


def test_an_intake_is_refused_with_503_so_the_caller_retries(database_away, client):
    response = client.post(
        "/api/v1/workorders/",
        data={"business_type": "repair"},
        content_type="application/json",
        HTTP_AUTHORIZATION="Token " + "a" * 40,
        HTTP_IDEMPOTENCY_KEY="ivr-1",
    )
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "service_unavailable"


def test_a_console_page_answers_503_in_chinese(database_away, client):
    client.cookies["sessionid"] = "s" * 32  # a signed-in user: the session is read from the database
    response = client.get("/orders/")
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    text = response.content.decode()
    assert "服务暂时不可用" in text and "数据库暂时无法访问，请稍后重试。" in text


def test_the_page_is_translated(database_away, client):
    client.cookies["sessionid"] = "s" * 32
    client.cookies["django_language"] = "en"
    text = client.get("/orders/").content.decode()
    assert "Service temporarily unavailable" in text and "服务暂时不可用" not in text


def _handled(error: Exception):
    """The project's handler500 as Django calls it: while it handles ``error``."""
    from django.test import RequestFactory

    handler = get_resolver().resolve_error_handler(500)
    try:
        raise error
    except Exception:
        return handler(RequestFactory().get("/api/v1/workorders/"))


def test_a_lost_database_outside_a_view_answers_503_too():
    """E.g. the session saved by its middleware after the view: Django's handler500 gets it."""
    away = OperationalError(REFUSED)
    away.__cause__ = psycopg.OperationalError(REFUSED)
    assert _handled(away).status_code == 503


@pytest.mark.parametrize(
    "cause",
    [
        psycopg.errors.DeadlockDetected("deadlock detected"),
        psycopg.errors.QueryCanceled("canceling statement"),
    ],
)
def test_a_failed_statement_is_not_an_unavailable_database(cause):
    error = OperationalError(str(cause))
    error.__cause__ = cause
    assert not database_unavailable(error)
    assert _handled(error).status_code == 500
    assert _handled(ValueError("a bug")).status_code == 500


@pytest.mark.parametrize(
    "cause",
    [
        psycopg.OperationalError(REFUSED),
        psycopg.errors.AdminShutdown("terminating connection due to administrator command"),
        psycopg.errors.CannotConnectNow("the database system is starting up"),
        psycopg.errors.TooManyConnections("sorry, too many clients already"),
    ],
)
def test_what_counts_as_an_unavailable_database(cause):
    error = OperationalError(str(cause))
    error.__cause__ = cause
    assert database_unavailable(error)
    assert database_unavailable(InterfaceError("connection already closed"))
