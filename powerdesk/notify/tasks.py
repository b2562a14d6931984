"""Jobs of the notify app. Thin: they call the services.

The notification rows are the source of truth; a job only says "send these rows now". The enqueue
services defer the jobs in the caller's transaction (:mod:`powerdesk.core.jobs`), also inside the worker,
where a plain ``send_notifications.defer()`` would commit on the worker's own connection.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

import procrastinate
from procrastinate import JobContext, RetryDecision
from procrastinate.contrib.django import app
from procrastinate.jobs import Job

from powerdesk.notify.failures import notifications_give_up, send_retry_in
from powerdesk.notify.services import notification_send, notification_send_batch
from powerdesk.notify.transports import TransientError


class PolicyRetry(procrastinate.BaseRetryStrategy):
    """Retries of the send jobs as ``SendRetryPolicy`` says (seeded: waits from 30 s doubling up to 15 min,
    ten attempts over about 75 minutes, so an hour without the gateway loses nothing). The wait is read
    by the task (:func:`_retried_by_policy`) and carried on the exception: this method runs in the
    worker's event loop, where the ORM may not. Only transient errors are retried; a permanent one is
    recorded on the notification and the job ends."""

    def get_retry_decision(self, *, exception: BaseException, job: Job) -> RetryDecision | None:
        wait = getattr(exception, "retry_in_seconds", None)
        if not isinstance(exception, TransientError) or wait is None:
            return None
        return RetryDecision(retry_in={"seconds": wait})


SEND_RETRY = PolicyRetry()


@contextmanager
def _retried_by_policy(
    context: JobContext, notification_ids: list[int], created_at: dt.datetime | None = None
) -> Iterator[None]:
    """On a transient failure, the wait before the next attempt, or, after the last, the rows given up."""
    try:
        yield
    except TransientError as exc:
        attempts = (context.job.attempts if context.job is not None else 0) + 1
        exc.retry_in_seconds = send_retry_in(attempts=attempts)  # type: ignore[attr-defined]
        if exc.retry_in_seconds is None:  # type: ignore[attr-defined]
            notifications_give_up(notification_ids=notification_ids, attempts=attempts, created_at=created_at)
        raise


@app.task(queue="notify", retry=SEND_RETRY, pass_context=True)
def send_notifications(
    context: JobContext, *, notification_ids: list[int], created_at: str | None = None
) -> dict[str, int]:
    """Send a batch of notifications (what every enqueue defers). ``created_at`` (ISO 8601), the rows'
    creation time, keeps the sender's reads in their month of the partitioned table; a job queued
    without it (before the partitions) still sends, looking the rows up in every month."""
    created = _when(created_at)
    with _retried_by_policy(context, notification_ids, created):
        return notification_send_batch(
            notification_ids=notification_ids, job_id=_job_id(context), created_at=created
        )


@app.task(queue="notify", retry=SEND_RETRY, pass_context=True)
def send_notification(
    context: JobContext, *, notification_id: int, created_at: str | None = None
) -> str | None:
    """Send one notification (a job naming a single row: the stalled-job retry covers it too)."""
    created = _when(created_at)
    with _retried_by_policy(context, [notification_id], created):
        notification = notification_send(
            notification_id=notification_id, job_id=_job_id(context), created_at=created
        )
    return notification.state if notification is not None else None


def _when(created_at: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(created_at) if created_at else None


def _job_id(context: JobContext) -> int | None:
    return context.job.id if context.job is not None else None


SEND_TASKS = (send_notifications.name, send_notification.name)

# Seconds without a heartbeat after which a worker counts as gone (Procrastinate's default: its workers
# send one every 10 s). With a look every 15 s, a send caught by a dead worker is handed out again within
# about 55 s of the kill, and sent at once by the job's new run (powerdesk.notify.services).
STALLED_AFTER = 30


@app.periodic(cron="* * * * * */15", periodic_id="notify_retry_stalled")
@app.task(queue="notify", queueing_lock="notify_retry_stalled", pass_context=False)
async def retry_stalled_sends(timestamp: int) -> int:
    """Put back send jobs whose worker stopped sending heartbeats (killed, machine lost).

    Procrastinate leaves such jobs in ``doing`` for ever; retried, the job skips the rows already sent,
    takes over the claim of the one it was sending, and the transport's idempotency key keeps that
    message single.
    """
    stalled = [
        job
        for task_name in SEND_TASKS
        for job in await app.job_manager.get_stalled_jobs(
            task_name=task_name, seconds_since_heartbeat=STALLED_AFTER
        )
    ]
    for job in stalled:
        await app.job_manager.retry_job(job)
    return len(stalled)
