"""Jobs of the notify app. Thin: they call the services."""

from __future__ import annotations

import json

import procrastinate
from django.conf import settings
from django.db import connections
from procrastinate.contrib.django import app

from powerdesk.notify.services import notification_send
from powerdesk.notify.transports import TransientError

# Waits of 3, 9, 27, 81 and 243 s between the six attempts: about six minutes in all, past the point where
# a claim left by a dead worker counts as stale (services.SENDING_STALE_AFTER). Only transient errors are
# retried; a permanent one is recorded on the notification and the job ends.
SEND_RETRY = procrastinate.RetryStrategy(
    max_attempts=6, exponential_wait=3, retry_exceptions=[TransientError]
)


@app.task(queue="notify", retry=SEND_RETRY, pass_context=False)
def send_notification(*, notification_id: int) -> str | None:
    notification = notification_send(notification_id=notification_id)
    return notification.state if notification is not None else None


def defer_sends_in_transaction(*, notification_ids: list[int]) -> list[int]:
    """Defer one ``send_notification`` job per id, in one statement on Django's own connection, i.e.
    inside the caller's transaction. Returns the job ids.

    ``send_notification.defer()`` is not enough: in the worker (where the SLA sweep runs) the
    ``procrastinate`` command swaps the app's connector for a psycopg pool, and a job deferred through it
    would commit on its own, before or without the sweep's transaction. The jobs go through
    Procrastinate's own SQL entry point (``procrastinate_defer_jobs_v1``, what ``defer`` calls), with the
    job rows built in the database: adapting a thousand composite values in Python takes longer than
    the whole sweep may.
    """
    if not notification_ids:
        return []
    job = send_notification.configure().job
    with connections[_ALIAS].cursor() as cur:
        cur.execute(
            _DEFER,
            {
                "queue": job.queue,
                "task": job.task_name,
                "priority": job.priority,
                "lock": job.lock,
                "queueing_lock": job.queueing_lock,
                "ids": json.dumps(notification_ids),
            },
        )
        return [job_id for (job_id,) in cur.fetchall()]


_ALIAS = getattr(settings, "PROCRASTINATE_DATABASE_ALIAS", "default")
_DEFER = """
SELECT unnest(procrastinate_defer_jobs_v1(ARRAY(
    SELECT ROW(%(queue)s, %(task)s, %(priority)s, %(lock)s, %(queueing_lock)s,
               jsonb_build_object('notification_id', e.id::bigint), NULL)::procrastinate_job_to_defer_v1
    FROM jsonb_array_elements_text(%(ids)s::jsonb) WITH ORDINALITY AS e(id, n)
    ORDER BY e.n
)))
"""


@app.periodic(cron="*/2 * * * *", periodic_id="notify_retry_stalled")
@app.task(queue="notify", queueing_lock="notify_retry_stalled", pass_context=False)
async def retry_stalled_sends(timestamp: int) -> int:
    """Put back send jobs whose worker stopped sending heartbeats (killed, machine lost).

    Procrastinate leaves such jobs in ``doing`` for ever; retried, the send re-claims its notification
    once the claim is stale and the transport's idempotency key keeps the message single.
    """
    stalled = list(await app.job_manager.get_stalled_jobs(task_name=send_notification.name))
    for job in stalled:
        await app.job_manager.retry_job(job)
    return len(stalled)
