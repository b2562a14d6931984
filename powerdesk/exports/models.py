"""Export jobs (a list too long to answer in the request, written by the worker) and the export
settings, which are data: how many rows make a background job, how long a file is kept."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportSettings(models.Model):
    """One row (the lowest id is read)."""

    background_rows = models.PositiveIntegerField(
        _("后台导出起点（行）"),
        default=10_000,
        validators=[MinValueValidator(1)],
        help_text=_("超过此行数的导出由后台任务生成，完成后在“我的导出”下载。"),
    )
    keep_hours = models.PositiveIntegerField(
        _("导出文件保留（小时）"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 30)],
        help_text=_("后台生成的文件在此时间后删除。"),
    )
    max_rows = models.PositiveIntegerField(
        _("单次导出上限（行）"),
        default=1_000_000,
        validators=[MinValueValidator(1)],
        help_text=_("一次导出最多的行数；更多时请缩小筛选范围。"),
    )

    class Meta:
        verbose_name = _("导出设置")
        verbose_name_plural = _("导出设置")

    def __str__(self) -> str:
        return str(_("导出设置"))


class ExportState(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("生成中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")
    EXPIRED = "expired", _("已过期")


class ExportJob(models.Model):
    """One background export of one user: which list (``exporter``, a ``core.exports`` code) with which
    query (``params``: the list's parameters as [name, value] pairs), how far it got, and its file (a
    name under ``POWERDESK_EXPORT_ROOT``, shared by the web and the worker)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="export_jobs",
        verbose_name=_("申请人"),
    )
    exporter = models.CharField(_("导出内容"), max_length=32)
    params = models.JSONField(_("筛选条件"), default=list)
    state = models.CharField(
        _("状态"), max_length=16, choices=ExportState.choices, default=ExportState.QUEUED
    )
    rows_total = models.PositiveIntegerField(_("总行数"), null=True, blank=True)
    rows_done = models.PositiveIntegerField(_("已写行数"), default=0)
    file_name = models.CharField(_("文件"), max_length=200, blank=True)
    size = models.PositiveBigIntegerField(_("文件大小"), null=True, blank=True)
    error = models.TextField(_("错误"), blank=True)
    address = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    expires_at = models.DateTimeField(_("过期时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导出任务")
        verbose_name_plural = _("导出任务")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="export_job_user"),
            models.Index(fields=["expires_at"], name="export_job_expiry", condition=models.Q(state="done")),
        ]

    def __str__(self) -> str:
        return f"{self.exporter} #{self.pk}"

    @property
    def percent(self) -> int:
        if self.state == ExportState.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, int(100 * self.rows_done / self.rows_total))

    @property
    def finished(self) -> bool:
        return self.state in (ExportState.DONE, ExportState.FAILED, ExportState.EXPIRED)
