"""A worker killed after the message left but before the row said so: the retry sends no duplicate."""

from __future__ import annotations

import asyncio
import datetime as dt
import inspect

import procrastinate.worker
import pytest
import time_machine
from django.db import connection
from procrastinate.contrib.django import app

from powerdesk.core import clock
from powerdesk.notify import services
from powerdesk.notify.models import Notification, NotificationState
from powerdesk.notify.services import SendInProgress, notification_enqueue_many, notification_send
from powerdesk.notify.tasks import retry_stalled_sends
from tests.notify.conftest import outbox_lines, run_worker, send_jobs
from tests.notify.helpers import SWEEP_CONTEXT, enqueue


class WorkerKilled(BaseException):
    """Stands for SIGKILL: nothing after the transport call runs."""


def _kill_before_mark_sent(monkeypatch):
    def killed(notification, result):
        raise WorkerKilled

    monkeypatch.setattr(services, "_mark_sent", killed)


@pytest.mark.django_db
def test_a_retry_after_the_stale_limit_writes_the_outbox_line_once(outbox, monkeypatch):
    notification = enqueue()
    with monkeypatch.context() as m:
        _kill_before_mark_sent(m)
        with pytest.raises(WorkerKilled):
            notification_send(notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.state == NotificationState.SENDING
    assert len(outbox_lines(outbox)) == 1

    # While the claim is fresh another worker may still be finishing: leave it alone.
    with pytest.raises(SendInProgress):
        notification_send(notification_id=notification.pk)

    later = clock.now() + services.SENDING_STALE_AFTER + dt.timedelta(seconds=1)
    with time_machine.travel(later, tick=False):
        notification = notification_send(notification_id=notification.pk)
    assert notification.state == NotificationState.SENT and notification.attempts == 2
    assert [line["id"] for line in outbox_lines(outbox)] == [notification.pk]


@pytest.mark.django_db
def test_a_retry_after_the_stale_limit_sends_the_same_out_id_which_the_gateway_drops(gateway, monkeypatch):
    notification = enqueue()
    with monkeypatch.context() as m:
        _kill_before_mark_sent(m)
        with pytest.raises(WorkerKilled):
            notification_send(notification_id=notification.pk)
    later = clock.now() + services.SENDING_STALE_AFTER + dt.timedelta(seconds=1)
    with time_machine.travel(later, tick=False):
        notification = notification_send(notification_id=notification.pk)
    assert notification.state == NotificationState.SENT and notification.provider_message_id == "gw-1"
    assert [r["body"]["out_id"] for r in gateway.requests] == [str(notification.pk)] * 2
    assert list(gateway.delivered) == [str(notification.pk)]  # one SMS reached the phone


def _as_if_killed_mid_job() -> None:
    """Leave the send job as a killed worker leaves it: ``doing``, owned by a worker without heartbeat;
    and age the notification's claim past the stale limit."""
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO procrastinate_workers (last_heartbeat) VALUES (now() - interval '1 hour') "
            "RETURNING id"
        )
        worker_id = cur.fetchone()[0]
        cur.execute("UPDATE procrastinate_jobs SET status = 'doing', worker_id = %s", [worker_id])
        cur.execute(
            "UPDATE notify_notification SET claimed_at = claimed_at - %s",
            [services.SENDING_STALE_AFTER + dt.timedelta(seconds=1)],
        )


def _retry_stalled() -> int:
    async def run() -> int:
        async with app.open_async():
            return await retry_stalled_sends(timestamp=0)

    with app.replace_connector(app.connector.get_worker_connector()):
        return asyncio.run(run())


@pytest.mark.usefixtures("committing")
def test_a_worker_killed_mid_job_leads_to_a_retry_without_a_duplicate_sms(gateway, monkeypatch):
    notification = enqueue()
    with monkeypatch.context() as m:
        m.setattr(services, "_mark_sent", lambda notification, result: (_ for _ in ()).throw(RuntimeError))
        run_worker()
    notification.refresh_from_db()
    assert notification.state == NotificationState.SENDING and len(gateway.requests) == 1
    _as_if_killed_mid_job()

    assert _retry_stalled() == 1
    assert [job.status for job in send_jobs()] == ["todo"]
    run_worker()
    notification.refresh_from_db()
    assert notification.state == NotificationState.SENT and notification.attempts == 2
    assert [r["body"]["out_id"] for r in gateway.requests] == [str(notification.pk)] * 2
    assert len(gateway.delivered) == 1
    assert [job.status for job in send_jobs()] == ["succeeded"]


@pytest.mark.usefixtures("committing")
def test_a_worker_killed_in_the_middle_of_a_batch_sends_the_rest_and_no_sms_twice(gateway, monkeypatch):
    ids = notification_enqueue_many(
        [
            {
                "channel": "sms",
                "template_code": "sla_warning",
                "context": SWEEP_CONTEXT,
                "recipient_address": p,
            }
            for p in ("13800000001", "13800000002", "13800000003")
        ]
    )
    real_mark_sent = services._mark_sent

    def killed_at_the_second(notification, result):
        if notification.pk == ids[1]:
            raise RuntimeError("killed")
        real_mark_sent(notification, result)

    with monkeypatch.context() as m:
        m.setattr(services, "_mark_sent", killed_at_the_second)
        run_worker()
    states = dict(Notification.objects.filter(pk__in=ids).values_list("pk", "state"))
    assert [states[pk] for pk in ids] == ["sent", "sending", "pending"]
    _as_if_killed_mid_job()

    assert _retry_stalled() == 1
    run_worker()
    assert set(Notification.objects.filter(pk__in=ids).values_list("state", flat=True)) == {"sent"}
    # the one in flight went to the gateway twice with the same out_id; the gateway delivered it once
    assert [r["body"]["out_id"] for r in gateway.requests] == [
        str(pk) for pk in (ids[0], ids[1], ids[1], ids[2])
    ]
    assert sorted(gateway.delivered) == sorted(str(pk) for pk in ids)
    assert [job.status for job in send_jobs()] == ["succeeded"]


def _as_if_killed_just_now() -> None:
    """Leave the send job as a worker killed a moment ago leaves it, once Procrastinate counts the worker as
    stalled (no heartbeat for longer than it waits): the job ``doing``, the notification's claim fresh."""
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO procrastinate_workers (last_heartbeat) VALUES (now() - interval '31 seconds') "
            "RETURNING id"
        )
        worker_id = cur.fetchone()[0]
        cur.execute("UPDATE procrastinate_jobs SET status = 'doing', worker_id = %s", [worker_id])


@pytest.mark.usefixtures("committing")
def test_a_send_whose_worker_died_is_retried_at_once_not_when_its_claim_is_old(gateway, monkeypatch):
    """The retried job is the one that claimed the row: Procrastinate hands a job out again only when the
    worker that ran it stopped sending heartbeats, so nobody else is sending it and it need not wait."""
    notification = enqueue()
    with monkeypatch.context() as m:
        m.setattr(services, "_mark_sent", lambda notification, result: (_ for _ in ()).throw(RuntimeError))
        run_worker()
    _as_if_killed_just_now()

    assert _retry_stalled() == 1
    run_worker()
    notification.refresh_from_db()
    assert notification.state == NotificationState.SENT and notification.attempts == 2
    assert [r["body"]["out_id"] for r in gateway.requests] == [str(notification.pk)] * 2
    assert len(gateway.delivered) == 1


@pytest.mark.usefixtures("committing")
def test_another_job_still_waits_for_a_fresh_claim(gateway, monkeypatch):
    """A claim held by a job that is not the one running (a second job naming the row) stays respected."""
    notification = enqueue()
    with monkeypatch.context() as m:
        m.setattr(services, "_mark_sent", lambda notification, result: (_ for _ in ()).throw(RuntimeError))
        run_worker()
    with pytest.raises(SendInProgress):
        notification_send(notification_id=notification.pk, job_id=10**12)
    notification.refresh_from_db()
    assert notification.state == NotificationState.SENDING and len(gateway.requests) == 1


def test_stalled_sends_are_looked_for_often_enough_to_go_out_within_a_minute():
    """Worst case after a kill: the worker's last heartbeat, Procrastinate's stalled limit, the wait for the
    next look, and the polling of the worker that takes the retried job."""
    from croniter import croniter

    from powerdesk.notify.tasks import STALLED_AFTER

    (periodic,) = [p for p in app.periodic_registry.periodic_tasks.values() if p.task is retry_stalled_sends]
    ticks = croniter(periodic.cron, 0)
    every = -ticks.get_next(float) + ticks.get_next(float)
    defaults = inspect.signature(procrastinate.worker.Worker).parameters  # `powerdesk worker` keeps them
    heartbeat = defaults["update_heartbeat_interval"].default
    polling = defaults["fetch_job_polling_interval"].default
    assert heartbeat + STALLED_AFTER + every + polling <= 60
