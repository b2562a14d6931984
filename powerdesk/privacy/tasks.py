"""The nightly anonymisation, a thin wrapper over ``services.retention_anonymise``."""

from __future__ import annotations

from django.db import close_old_connections
from procrastinate.contrib.django import app

from powerdesk.privacy.services import retention_anonymise


@app.periodic(cron="17 2 * * *", periodic_id="retention_anonymise")
@app.task(queue="privacy", queueing_lock="retention_anonymise", pass_context=False)
def retention_anonymise_job(timestamp: int) -> dict[str, int]:
    close_old_connections()
    try:
        report = retention_anonymise()
        return {k: v for k, v in report.as_data().items() if isinstance(v, int) and not isinstance(v, bool)}
    finally:
        close_old_connections()
