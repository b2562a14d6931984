"""/healthz and /readyz: no login, JSON, nothing about the data; 503 as soon as one check fails."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import OperationalError, connection
from django.urls import reverse

from powerdesk.core.clock import BUSINESS_TZ
from powerdesk.core.models import CalendarYear
from powerdesk.ops import checks

pytestmark = pytest.mark.django_db

NOON = dt.datetime(2026, 6, 10, 12, 0, tzinfo=BUSINESS_TZ)


def heartbeat(seconds_ago: float) -> None:
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO procrastinate_workers (last_heartbeat) VALUES (now() - make_interval(secs => %s))",
            [seconds_ago],
        )


@pytest.fixture
def calendar_loaded():
    CalendarYear.objects.get_or_create(year=NOON.year, defaults={"source": "test"})


def test_healthz_answers_without_a_database_query(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("ops:healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


def test_readyz_is_ready_with_the_database_migrated_a_fresh_worker_and_the_calendar(client, calendar_loaded):
    heartbeat(seconds_ago=2)
    with time_machine.travel(NOON, tick=False):
        response = client.get(reverse("ops:readyz"))
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ready"
    assert body["checks"]["database"] == {"ok": True}
    assert body["checks"]["migrations"] == {"ok": True, "pending": 0}
    assert body["checks"]["worker"]["ok"] is True
    assert body["checks"]["worker"]["workers"] == 1
    assert body["checks"]["calendar"]["ok"] is True
    assert body["checks"]["calendar"]["year"] == 2026


def test_readyz_fails_when_no_worker_runs(client, calendar_loaded):
    with time_machine.travel(NOON, tick=False):
        response = client.get(reverse("ops:readyz"))
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not_ready"
    assert body["checks"]["worker"] == {"ok": False, "workers": 0, "reason": "no_worker"}
    assert body["checks"]["database"]["ok"] is True


def test_readyz_fails_when_the_worker_stopped_sending_heartbeats(client, calendar_loaded):
    heartbeat(seconds_ago=checks.STALLED_AFTER + 30)
    with time_machine.travel(NOON, tick=False):
        response = client.get(reverse("ops:readyz"))
    assert response.status_code == 503
    worker = response.json()["checks"]["worker"]
    assert worker["ok"] is False and worker["reason"] == "heartbeat_stale"
    assert worker["heartbeat_age_seconds"] >= checks.STALLED_AFTER + 30


def test_readyz_fails_when_the_current_year_has_no_calendar(client):
    heartbeat(seconds_ago=1)
    with time_machine.travel(dt.datetime(2031, 3, 1, 12, tzinfo=BUSINESS_TZ), tick=False):
        CalendarYear.objects.filter(year=2031).delete()
        response = client.get(reverse("ops:readyz"))
    assert response.status_code == 503
    assert response.json()["checks"]["calendar"] == {"ok": False, "year": 2031, "status": "missing"}


def test_readyz_fails_while_a_migration_of_the_release_is_not_applied(client, calendar_loaded, monkeypatch):
    heartbeat(seconds_ago=1)
    expected, replaced = checks._release_migrations()
    monkeypatch.setattr(
        checks, "_release_migrations", lambda: (expected | {("workorders", "9999_not_yet")}, replaced)
    )
    with time_machine.travel(NOON, tick=False):
        response = client.get(reverse("ops:readyz"))
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == {"ok": False, "pending": 1}


def test_readyz_answers_503_in_json_when_the_database_is_away(client, monkeypatch):
    def away(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", away)
    response = client.get(reverse("ops:readyz"))
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["database"] == {"ok": False, "reason": "unreachable"}
    assert body["checks"]["worker"] == {"ok": False, "reason": "database_unavailable"}


def test_the_probes_are_not_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get(reverse("ops:healthz")).status_code == 200
    assert client.get(reverse("ops:readyz")).status_code in (200, 503)
    assert client.get(reverse("login")).status_code == 301  # the console is


def test_the_probes_refuse_other_methods(client):
    assert client.post(reverse("ops:healthz")).status_code == 405
    assert client.post(reverse("ops:readyz")).status_code == 405
