"""The monthly service-quality report of a unit, frozen when issued: the figures are computed once and
stored (``figures``, codes and numbers, worded when read), with who issued it and when. An order that
changes later (re-opened, judged again) changes no issued report: it shows in the next one."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from powerdesk.org.models import Unit


class MonthlyReport(models.Model):
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("月份"), help_text=_("该月的第一天。"))
    figures = models.JSONField(_("报告数据"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发布人"), on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("发布时间"))

    class Meta:
        app_label = "analytics"
        verbose_name = _("月度服务质量报告")
        verbose_name_plural = _("月度服务质量报告")
        ordering = ["-month", "unit_id"]
        constraints = [models.UniqueConstraint(fields=["unit", "month"], name="monthly_report_once")]

    def __str__(self) -> str:
        return f"{self.unit} {self.month:%Y-%m}"
