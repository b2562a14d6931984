"""Deferring Procrastinate jobs in the caller's database transaction, through Procrastinate's public API.

A job must be stored with the change that causes it: if the transaction rolls back, the job is gone
too. Procrastinate's Django connector runs its statements on Django's connection (so inside the current
``transaction.atomic``), but the worker command swaps the app's connector for a psycopg pool of its own,
and a task's ``defer()`` called from code running in the worker (the SLA sweep, a job that notifies)
would then commit on another connection, before or without the caller. So jobs are deferred through an
``App`` of their own whose connector is always Django's, configured with the task's own defaults.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from procrastinate import App
from procrastinate.contrib.django.django_connector import DjangoConnector
from procrastinate.tasks import Task

_in_transaction = App(connector=DjangoConnector())


def defer_in_transaction(
    task: Task[Any, Any, Any],
    *task_kwargs: dict[str, Any],
    schedule_at: dt.datetime | None = None,
    queueing_lock: str | None = None,
) -> list[int]:
    """Defer one job of ``task`` per ``task_kwargs``, all in one statement on Django's connection (so in
    the caller's transaction), with the task's queue, priority and locks, to run at ``schedule_at`` (an
    aware time; ``None``: now). Returns the jobs' ids.

    ``queueing_lock`` replaces the task's own (one job at a time per key, e.g. per transformer): while a
    job with that lock waits, deferring another raises ``procrastinate.exceptions.AlreadyEnqueued``,
    which aborts the caller's transaction unless the call is wrapped in a savepoint."""
    if not task_kwargs:
        return []
    deferrer = _in_transaction.configure_task(
        task.name,
        queue=task.queue,
        priority=task.priority,
        lock=task.lock,
        queueing_lock=queueing_lock or task.queueing_lock,
        schedule_at=schedule_at,
    )
    return deferrer.batch_defer(*task_kwargs)
