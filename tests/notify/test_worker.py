"""The Procrastinate worker, run in-process, sends each committed notification once."""

from __future__ import annotations

import pytest
from django.db import connection

from powerdesk.notify.models import Notification, NotificationState
from tests.notify.conftest import outbox_lines, run_worker, send_jobs
from tests.notify.helpers import enqueue

pytestmark = pytest.mark.usefixtures("committing")


def _make_due_now() -> None:
    with connection.cursor() as cur:
        cur.execute("UPDATE procrastinate_jobs SET scheduled_at = now() WHERE status = 'todo'")


def test_the_worker_sends_a_committed_notification_once(outbox):
    notification = enqueue(dedupe_key="clock:3:step:1")
    run_worker()
    notification.refresh_from_db()
    assert notification.state == NotificationState.SENT and notification.attempts == 1
    assert notification.provider_message_id == f"console-{notification.pk}" and notification.sent_at
    [line] = outbox_lines(outbox)
    assert line["id"] == notification.pk and line["to"] == "13800000001" and line["text"] == notification.text
    [job] = send_jobs()
    assert job.status == "succeeded"

    # The same cause again (the next sweep) is not a second notification, and a second worker run
    # finds nothing to send.
    assert enqueue(dedupe_key="clock:3:step:1") is None
    run_worker()
    assert len(outbox_lines(outbox)) == 1 and Notification.objects.count() == 1


def test_a_transient_error_is_retried_later_by_the_worker(gateway):
    gateway.answers = [503]
    notification = enqueue()
    run_worker()
    notification.refresh_from_db()
    assert notification.state == NotificationState.FAILED and not notification.permanent_error
    assert "503" in notification.last_error and notification.attempts == 1
    [job] = send_jobs()
    assert job.status == "todo" and job.attempts == 1  # rescheduled with backoff

    _make_due_now()
    run_worker()
    notification.refresh_from_db()
    assert notification.state == NotificationState.SENT and notification.attempts == 2
    assert notification.provider_message_id == "gw-1"
    assert [job.status for job in send_jobs()] == ["succeeded"]


def test_a_permanent_error_ends_the_job_without_retry(gateway):
    gateway.answers = [400]
    notification = enqueue()
    run_worker()
    notification.refresh_from_db()
    assert notification.state == NotificationState.FAILED and notification.permanent_error
    assert [job.status for job in send_jobs()] == ["succeeded"]
    assert len(gateway.requests) == 1
