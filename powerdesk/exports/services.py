"""The export machinery: a list asked for as Excel is answered in the request when it is short, or
written by a background job (queue ``exports``) into the shared export directory, with its progress on
the job row, for its requester to download until it expires.

Every export is recorded in the audit trail when it is asked for (who, which list, the filters, the
rows). The rows come from the list's registered :class:`~powerdesk.core.exports.Exporter`, built again
in the worker from the job's stored query, for the job's user: personal data is masked as their policy
says at the time the file is written, and a user who lost the right meanwhile gets a failed job.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.http import QueryDict
from django.utils.translation import gettext as _

from powerdesk.audit import record_export
from powerdesk.core import clock
from powerdesk.core.errors import DomainError, NotFound
from powerdesk.core.exports import Exporter, Table, exporters
from powerdesk.core.jobs import defer_in_transaction
from powerdesk.core.xlsx import write_xlsx
from powerdesk.exports.models import ExportJob, ExportSettings, ExportState

logger = logging.getLogger(__name__)

# A retried "export" click within this time returns the job already asked for, not a second one.
SAME_REQUEST_WINDOW = dt.timedelta(minutes=10)
# How often the worker writes the progress to the job row.
PROGRESS_EVERY = 2000


def export_settings() -> ExportSettings:
    return ExportSettings.objects.order_by("pk").first() or ExportSettings()


def export_root() -> Path:
    root = Path(settings.POWERDESK_EXPORT_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    return root


def exporter_get(code: str) -> Exporter:
    exporter = exporters.get(code)
    if exporter is None:
        raise NotFound(_("没有这种导出。"))
    return exporter


def query_pairs(params: QueryDict) -> list[list[str]]:
    return [[name, value] for name, values in params.lists() for value in values]


def query_dict(pairs: list[list[str]]) -> QueryDict:
    query = QueryDict(mutable=True)
    for name, value in pairs:
        query.appendlist(name, value)
    return query


@dataclass
class Answer:
    """What an export request became: a file to send now, or a job to follow."""

    table: Table
    file: IO[bytes] | None = None
    job: ExportJob | None = None


def _limited(table: Table, limit: int) -> Table:
    if table.count > limit:
        table.rows = itertools.islice(table.rows, limit)
        table.count = limit
    return table


def export_request(*, user: Any, code: str, params: QueryDict, request: Any = None) -> Answer:
    """Export the list ``code`` with the query ``params`` for ``user``: short lists (up to the settings'
    ``background_rows``) are written now into a temporary file; longer ones become a background job. The
    same request again while its job is queued or running answers that job."""
    exporter = exporter_get(code)
    config = export_settings()
    table = _limited(exporter.build(user, params), config.max_rows)
    pairs = query_pairs(params)
    if table.count <= config.background_rows:
        record_export(user, what=exporter.what, rows=table.count, filters=table.filters, request=request)
        file = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115 (the response closes it)
        write_xlsx(file, title=table.title, columns=table.columns, rows=table.rows)
        file.seek(0)
        return Answer(table=table, file=file)
    with transaction.atomic():
        running = (
            ExportJob.objects.select_for_update()
            .filter(
                user=user,
                exporter=code,
                params=pairs,
                state__in=(ExportState.QUEUED, ExportState.RUNNING),
                created_at__gte=clock.now() - SAME_REQUEST_WINDOW,
            )
            .first()
        )
        if running is not None:
            return Answer(table=table, job=running)
        job = ExportJob.objects.create(
            user=user,
            exporter=code,
            params=pairs,
            rows_total=table.count,
            address=_address(request),
        )
        record_export(user, what=exporter.what, rows=table.count, filters=table.filters, request=request)
        from powerdesk.exports.tasks import export_write

        defer_in_transaction(export_write, {"job_id": job.pk})
    return Answer(table=table, job=job)


def _address(request: Any) -> str | None:
    if request is None:
        return None
    from powerdesk.core.net import client_address

    return client_address(request) or None


def export_write_job(*, job_id: int) -> ExportJob | None:
    """Write the job's file (the worker). A job already finished is left alone; one found running (its
    worker died) is written again from the start: the file is replaced whole."""
    with transaction.atomic():
        job = (
            ExportJob.objects.select_for_update(skip_locked=True)
            .select_related("user")
            .filter(pk=job_id, state__in=(ExportState.QUEUED, ExportState.RUNNING))
            .first()
        )
        if job is None:
            return None
        job.state = ExportState.RUNNING
        job.started_at = clock.now()
        job.rows_done = 0
        job.save(update_fields=["state", "started_at", "rows_done"])
    root = export_root()
    name = job.file_name or f"export-{job.pk}-{secrets.token_hex(8)}.xlsx"
    part = root / f"{name}.part"
    try:
        exporter = exporter_get(job.exporter)
        config = export_settings()
        table = _limited(exporter.build(job.user, query_dict(job.params)), config.max_rows)
        ExportJob.objects.filter(pk=job.pk).update(rows_total=table.count)

        def progress(done: int) -> None:
            ExportJob.objects.filter(pk=job.pk).update(rows_done=done)

        written = write_xlsx(
            part,
            title=table.title,
            columns=table.columns,
            rows=table.rows,
            progress=progress,
            every=PROGRESS_EVERY,
        )
        part.replace(root / name)
    except DomainError as refused:
        part.unlink(missing_ok=True)
        return _failed(job, refused.message)
    except Exception:
        part.unlink(missing_ok=True)
        logger.exception("export job %s failed", job.pk)
        _failed(job, _("生成文件时出错，请稍后重试或缩小筛选范围。"))
        raise
    now = clock.now()
    ExportJob.objects.filter(pk=job.pk).update(
        state=ExportState.DONE,
        rows_done=written,
        rows_total=written,
        file_name=name,
        size=(root / name).stat().st_size,
        finished_at=now,
        expires_at=now + dt.timedelta(hours=config.keep_hours),
    )
    job.refresh_from_db()
    return job


def _failed(job: ExportJob, message: str) -> ExportJob:
    ExportJob.objects.filter(pk=job.pk).update(
        state=ExportState.FAILED, error=message, finished_at=clock.now()
    )
    job.refresh_from_db()
    return job


def export_file(job: ExportJob) -> Path | None:
    """The job's file, while it is there."""
    if job.state != ExportState.DONE or not job.file_name:
        return None
    path = Path(settings.POWERDESK_EXPORT_ROOT) / job.file_name
    return path if path.is_file() else None


def exports_expire(*, now: dt.datetime | None = None) -> int:
    """Delete the files of jobs past their expiry and mark the jobs expired; answers how many."""
    now = now or clock.now()
    expired = 0
    for job in ExportJob.objects.filter(state=ExportState.DONE, expires_at__lte=now).order_by("pk"):
        if job.file_name:
            (Path(settings.POWERDESK_EXPORT_ROOT) / job.file_name).unlink(missing_ok=True)
        ExportJob.objects.filter(pk=job.pk, state=ExportState.DONE).update(state=ExportState.EXPIRED)
        expired += 1
    return expired


def exporter_labels() -> dict[str, str]:
    return {e.code: str(e.label) for e in exporters}
