"""Periodic job of the outages app: the notice sweep. Thin: it calls the service."""

from __future__ import annotations

from django.db import close_old_connections
from procrastinate.contrib.django import app

from powerdesk.outages.services import notices_sweep


@app.periodic(cron="*/5 * * * *", periodic_id="outage_notices")
@app.task(queue="outages", queueing_lock="outage_notices", pass_context=False)
def outage_notices(timestamp: int) -> dict[str, int]:
    """Every 5 minutes: repeat notices go out shortly before their outage; late ones are flagged."""
    close_old_connections()
    try:
        return {"outages": notices_sweep()}
    finally:
        close_old_connections()
