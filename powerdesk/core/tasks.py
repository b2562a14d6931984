"""Periodic jobs of the core app. Thin: they call the services."""

from __future__ import annotations

from django.db import close_old_connections
from procrastinate.contrib.django import app

from powerdesk.core import partitions
from powerdesk.core.services import calendar_sync


@app.periodic(cron="7 * * * *", periodic_id="calendar_sync")
@app.task(queue="calendar", queueing_lock="calendar_sync", pass_context=False)
def calendar_sync_job(timestamp: int) -> dict[str, str]:
    """Hourly: a new year gets its derived days before anyone counts into it (this year and the next are
    kept loaded), and a newer chinese-calendar release or a changed holiday rule re-times the clocks even
    when nobody ran ``powerdesk calendar --sync`` after the upgrade."""
    close_old_connections()
    try:
        change = calendar_sync()
    finally:
        close_old_connections()
    return {str(year): reason for year, reason in change.reasons.items()}


@app.periodic(cron="17 3 * * *", periodic_id="partitions_ensure")
@app.task(queue="calendar", queueing_lock="partitions_ensure", pass_context=False)
def partitions_ensure_job(timestamp: int) -> dict[str, list[str]]:
    """Daily: next months' partitions of the partitioned tables are made well before a row needs them
    (the database function runs as the owner; the worker's role may create nothing else)."""
    close_old_connections()
    try:
        result = partitions.ensure()
    finally:
        close_old_connections()
    return {"created": result.created, "blocked": [f"{t} {m}" for t, m in result.blocked]}
