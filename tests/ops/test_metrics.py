"""/metrics: who may scrape, and what a scrape shows (request latency by view, intakes, the queue)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import textwrap

import pytest
import time_machine
from django.urls import reverse
from prometheus_client import REGISTRY

from powerdesk import launcher
from powerdesk.core.clock import BUSINESS_TZ
from powerdesk.core.jobs import defer_in_transaction
from powerdesk.exports.tasks import export_write
from tests.console.conftest import intake

pytestmark = pytest.mark.django_db

DAYTIME = dt.datetime(2026, 6, 10, 10, 0, tzinfo=BUSINESS_TZ)  # no quiet hours for the 受理 message


def test_nobody_may_scrape_without_a_token_or_an_allowlist(client):
    response = client.get(reverse("ops:metrics"))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_the_token_opens_the_scrape_and_a_wrong_one_does_not(client, settings):
    settings.POWERDESK_METRICS_TOKEN = "s3cret-scrape-token"
    url = reverse("ops:metrics")
    assert client.get(url, HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert client.get(url, HTTP_AUTHORIZATION="Token s3cret-scrape-token").status_code == 403
    response = client.get(url, HTTP_AUTHORIZATION="Bearer s3cret-scrape-token")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")


def test_an_allowed_network_may_scrape_and_another_may_not(client, settings):
    settings.POWERDESK_METRICS_ALLOW = ["10.1.0.0/16"]
    url = reverse("ops:metrics")
    assert client.get(url, REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get(url, REMOTE_ADDR="10.2.0.1").status_code == 403
    # X-Forwarded-For is believed only from a trusted proxy (powerdesk.core.net)
    assert client.get(url, REMOTE_ADDR="10.2.0.1", HTTP_X_FORWARDED_FOR="10.1.2.3").status_code == 403


def scrape(client, settings) -> str:
    settings.POWERDESK_METRICS_ALLOW = ["127.0.0.1"]
    response = client.get(reverse("ops:metrics"))
    assert response.status_code == 200
    return response.content.decode()


def test_request_latency_is_counted_by_view_name_never_by_path(client, settings, users):
    client.force_login(users["agent"])
    before = REGISTRY.get_sample_value(
        "powerdesk_request_duration_seconds_count",
        {"view": "workorders:list", "method": "GET", "status": "2xx"},
    )
    client.get(reverse("workorders:list"))
    after = REGISTRY.get_sample_value(
        "powerdesk_request_duration_seconds_count",
        {"view": "workorders:list", "method": "GET", "status": "2xx"},
    )
    assert after == (before or 0) + 1
    client.get("/orders/no-such-number-13812345678/")
    text = scrape(client, settings)
    assert 'view="workorders:list"' in text
    assert "13812345678" not in text


def test_an_intake_counts_once_by_channel_and_outcome(users, customer):
    labels = {"channel": "95598", "outcome": "opened"}
    before = REGISTRY.get_sample_value("powerdesk_intakes_total", labels) or 0
    with time_machine.travel(DAYTIME, tick=False):
        intake(users["agent"], customer)
    assert REGISTRY.get_sample_value("powerdesk_intakes_total", labels) == before + 1


def test_the_scrape_shows_the_queue_depth_and_the_workers(client, settings):
    defer_in_transaction(export_write, {"job_id": 0})
    text = scrape(client, settings)
    assert 'powerdesk_queue_jobs{queue="exports",status="todo"} 1.0' in text
    assert "powerdesk_database_up 1.0" in text
    assert "powerdesk_workers 0.0" in text


def test_processes_of_a_multiprocess_directory_are_added_up_and_dead_ones_cleaned(tmp_path):
    """Two processes count into one directory (as gunicorn's workers and the job worker do); a scrape
    adds them up; at the next server start the files of processes gone are removed."""
    count = textwrap.dedent(
        """
        from powerdesk.core import metrics
        assert metrics.MULTIPROCESS
        metrics.INTAKES.labels("95598", "opened").inc(2)
        """
    )
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    for _ in range(2):
        subprocess.run([sys.executable, "-c", count], env=env, check=True, timeout=60)
    read = textwrap.dedent(
        """
        from prometheus_client import CollectorRegistry, multiprocess
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        print(registry.get_sample_value("powerdesk_intakes_total", {"channel": "95598", "outcome": "opened"}))
        """
    )
    out = subprocess.run([sys.executable, "-c", read], env=env, check=True, capture_output=True, text=True)
    assert out.stdout.strip() == "4.0"
    ended = sorted(tmp_path.glob("*.db"))  # a counter and a histogram file of each process
    assert len(ended) >= 2
    live = tmp_path / f"counter_{os.getpid()}.db"
    live.write_bytes(b"")
    assert launcher.metrics_dir_clean(tmp_path) == len(ended)
    assert [p.name for p in tmp_path.iterdir()] == [live.name]


def test_the_launcher_gives_web_and_worker_a_metrics_directory_and_others_none(tmp_path, monkeypatch):
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    monkeypatch.setenv("POWERDESK_METRICS_DIR", str(tmp_path / "m"))
    assert launcher.environ(launcher.Role.APP)["PROMETHEUS_MULTIPROC_DIR"] == str(tmp_path / "m")
    assert (tmp_path / "m").is_dir()
    assert "PROMETHEUS_MULTIPROC_DIR" not in launcher.environ(launcher.Role.OWNER)
    assert "PROMETHEUS_MULTIPROC_DIR" not in os.environ  # a child's environment, not this process's


def test_a_failed_send_is_counted_by_channel_and_whether_it_is_given_up(settings):
    from powerdesk.notify.services import notification_send
    from tests.notify.helpers import enqueue

    labels = {"channel": "email", "permanent": "true"}
    before = REGISTRY.get_sample_value("powerdesk_notification_failures_total", labels) or 0
    settings.EMAIL_BACKEND = "tests.notify.test_email_and_console.RefusingBackend"
    refused = enqueue(channel="email", recipient_address="x@example.com")
    notification_send(notification_id=refused.pk)
    assert REGISTRY.get_sample_value("powerdesk_notification_failures_total", labels) == before + 1


@pytest.mark.django_db(transaction=True)
def test_each_sweep_cycle_is_timed(settings):
    from powerdesk.sla.tasks import sla_sweep

    settings.POWERDESK_SWEEP_SLICES = 1  # in this connection, no pool to close after the test

    before = REGISTRY.get_sample_value("powerdesk_sla_sweep_cycle_seconds_count") or 0
    sla_sweep(timestamp=0)
    assert REGISTRY.get_sample_value("powerdesk_sla_sweep_cycle_seconds_count") == before + 1
