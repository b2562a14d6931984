"""The background jobs' history (data: 保存期限, kind 已结束的后台任务记录): the nightly retention run hands
the finished jobs past the period to Procrastinate's own delete — succeeded, cancelled and aborted ones
go with their events; younger ones and failed ones (something to retry or cancel) stay."""

from __future__ import annotations

import pytest
from django.db import connection

from powerdesk.audit.models import AuditEntry
from powerdesk.core.tasks import calendar_sync_job
from powerdesk.privacy.models import RetentionKind, RetentionPeriod
from powerdesk.privacy.services import retention_anonymise

pytestmark = pytest.mark.django_db


def _job(status: str, *, days_ago: int) -> int:
    """A job that ended ``days_ago`` days ago with ``status`` (its events moved back with it)."""
    job_id = calendar_sync_job.defer(timestamp=0)
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE procrastinate_jobs SET status = %s::procrastinate_job_status WHERE id = %s",
            [status, job_id],
        )
        cur.execute(
            "UPDATE procrastinate_events SET at = now() - %s * interval '1 day' WHERE job_id = %s",
            [days_ago, job_id],
        )
    return job_id


def _jobs() -> set[int]:
    with connection.cursor() as cur:
        cur.execute("SELECT id FROM procrastinate_jobs")
        return {row[0] for row in cur.fetchall()}


def _events_of(job_ids: set[int]) -> int:
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM procrastinate_events WHERE job_id = ANY(%s)", [list(job_ids)])
        return cur.fetchone()[0]


def test_finished_jobs_past_the_period_are_deleted_with_their_events_and_the_rest_kept():
    RetentionPeriod.objects.filter(kind=RetentionKind.JOB_HISTORY).update(months=1, is_active=True)
    old = {_job("succeeded", days_ago=40), _job("cancelled", days_ago=40), _job("aborted", days_ago=40)}
    kept = {
        _job("succeeded", days_ago=3),  # within the month
        _job("failed", days_ago=40),  # failed: left for an operator
        _job("todo", days_ago=40),  # not finished
    }
    report = retention_anonymise()
    assert report.job_history_pruned
    assert _jobs() == kept
    assert _events_of(old) == 0
    said = AuditEntry.objects.get(target=f"privacy.{RetentionKind.JOB_HISTORY}")
    assert said.data["hours"] >= 28 * 24


def test_the_period_switched_off_or_a_dry_run_deletes_no_job():
    old = _job("succeeded", days_ago=400)
    assert not retention_anonymise(dry_run=True).job_history_pruned
    RetentionPeriod.objects.filter(kind=RetentionKind.JOB_HISTORY).update(is_active=False)
    assert not retention_anonymise().job_history_pruned
    assert _jobs() == {old}


def test_the_period_is_seeded():
    period = RetentionPeriod.objects.get(kind=RetentionKind.JOB_HISTORY)
    assert period.months == 1 and period.is_active
