"""The export jobs, on a queue of their own (a long file never holds up the SLA sweep or the
notifications), and the hourly removal of expired files. Thin."""

from __future__ import annotations

from django.db import close_old_connections
from procrastinate.contrib.django import app

from powerdesk.exports.services import export_write_job, exports_expire


@app.task(queue="exports", pass_context=False)
def export_write(*, job_id: int) -> int | None:
    close_old_connections()
    try:
        job = export_write_job(job_id=job_id)
        return job.rows_done if job is not None else None
    finally:
        close_old_connections()


@app.periodic(cron="7 * * * *", periodic_id="exports_expire")
@app.task(queue="exports", queueing_lock="exports_expire", pass_context=False)
def exports_cleanup(timestamp: int) -> int:
    close_old_connections()
    try:
        return exports_expire()
    finally:
        close_old_connections()
