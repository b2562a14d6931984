"""The Procrastinate worker, run in-process, sends each committed notification once."""

from __future__ import annotations

import pytest
from django.db import connection

from powerdesk.notify.models import Notification, NotificationState
from powerdesk.notify.services import notification_enqueue_many
from tests.notify.conftest import outbox_lines, run_worker, send_jobs
from tests.notify.helpers import SWEEP_CONTEXT, enqueue

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


def _batch(n: int) -> list[int]:
    return notification_enqueue_many(
        [
            {
                "channel": "sms",
                "template_code": "sla_warning",
                "context": SWEEP_CONTEXT,
                "recipient_address": f"1380000000{i}",
            }
            for i in range(n)
        ]
    )


def test_one_job_sends_a_batch_and_a_transient_failure_retries_only_the_unsent(gateway):
    ids = _batch(3)
    gateway.answers = [200, 503, 200]
    run_worker()
    states = dict(Notification.objects.filter(pk__in=ids).values_list("pk", "state"))
    assert [states[pk] for pk in ids] == ["sent", "failed", "sent"]
    [job] = send_jobs()
    created = Notification.objects.get(pk=ids[0]).created_at.isoformat()
    assert job.args == {"notification_ids": ids, "created_at": created}
    assert job.status == "todo" and job.attempts == 1

    _make_due_now()
    run_worker()
    assert set(Notification.objects.filter(pk__in=ids).values_list("state", flat=True)) == {"sent"}
    assert [r["body"]["out_id"] for r in gateway.requests] == [str(pk) for pk in (*ids, ids[1])]
    assert [job.status for job in send_jobs()] == ["succeeded"]


def test_a_permanent_failure_in_a_batch_does_not_hold_back_the_others(gateway):
    ids = _batch(3)
    gateway.answers = [400]
    run_worker()
    rows = {n.pk: n for n in Notification.objects.filter(pk__in=ids)}
    assert rows[ids[0]].permanent_error and rows[ids[1]].state == rows[ids[2]].state == "sent"
    assert [job.status for job in send_jobs()] == ["succeeded"]
