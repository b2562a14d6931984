"""Who may see and download an export job: its requester, and administrators."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from powerdesk.core.errors import NotFound
from powerdesk.exports.models import ExportJob

ADMIN_ROLE = "admin"


def user_is_admin(user: Any) -> bool:
    role = getattr(user, "role", None)
    return bool(user.is_superuser or (role is not None and role.code == ADMIN_ROLE))


def export_jobs(*, user: Any) -> QuerySet[ExportJob]:
    """The user's own jobs, newest first (an administrator's list is theirs too: others' jobs are
    reached by their page, from the admin)."""
    return ExportJob.objects.filter(user=user).order_by("-created_at", "-id")


def export_job_get(*, user: Any, pk: int) -> ExportJob:
    """A job its requester or an administrator may open; anyone else: not found (no hint it exists)."""
    job = ExportJob.objects.select_related("user").filter(pk=pk).first()
    if job is None or not (job.user_id == user.pk or user_is_admin(user)):
        raise NotFound(_("找不到该导出任务。"))
    return job
