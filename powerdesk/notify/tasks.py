"""Jobs of the notify app. Thin: they call the services.

The notification rows are the source of truth; a job only says "send these rows now". The enqueue
services defer the jobs in the caller's transaction (:mod:`powerdesk.core.jobs`), also inside the worker,
where a plain ``send_notifications.defer()`` would commit on the worker's own connection.
"""

from __future__ import annotations

import procrastinate
from procrastinate import JobContext
from procrastinate.contrib.django import app

from powerdesk.notify.services import notification_send, notification_send_batch
from powerdesk.notify.transports import TransientError

# Waits of 3, 9, 27, 81 and 243 s between the six attempts: about six minutes in all, past the point where
# a claim left by a dead worker counts as stale (services.SENDING_STALE_AFTER). Only transient errors are
# retried; a permanent one is recorded on the notification and the job ends.
SEND_RETRY = procrastinate.RetryStrategy(
    max_attempts=6, exponential_wait=3, retry_exceptions=[TransientError]
)


@app.task(queue="notify", retry=SEND_RETRY, pass_context=True)
def send_notifications(context: JobContext, *, notification_ids: list[int]) -> dict[str, int]:
    """Send a batch of notifications (what every enqueue defers)."""
    return notification_send_batch(notification_ids=notification_ids, job_id=_job_id(context))


@app.task(queue="notify", retry=SEND_RETRY, pass_context=True)
def send_notification(context: JobContext, *, notification_id: int) -> str | None:
    """Send one notification (a job naming a single row: the stalled-job retry covers it too)."""
    notification = notification_send(notification_id=notification_id, job_id=_job_id(context))
    return notification.state if notification is not None else None


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
