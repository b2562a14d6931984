"""The analytics upkeep's periodic jobs. Thin: they call :mod:`powerdesk.analytics.aggregates`."""

from __future__ import annotations

from django.db import close_old_connections
from procrastinate.contrib.django import app

from powerdesk.analytics import aggregates


@app.periodic(cron="* * * * *", periodic_id="analytics_refresh")
@app.task(queue="analytics", queueing_lock="analytics_refresh", pass_context=False)
def analytics_refresh(timestamp: int) -> int:
    """Every minute: the facts and rollups of the orders changed since the last run."""
    close_old_connections()
    try:
        return aggregates.refresh()
    finally:
        close_old_connections()


@app.periodic(cron="5 0 1 * *", periodic_id="analytics_customers")
@app.task(queue="analytics", queueing_lock="analytics_customers", pass_context=False)
def analytics_customers(timestamp: int) -> int:
    """On the first of each month: each 台区's customers, the base of that month's 千户投诉率."""
    close_old_connections()
    try:
        return aggregates.snapshot_customers()
    finally:
        close_old_connections()
