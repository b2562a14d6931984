"""The working-day calendar: statutory holidays and the weekend days that become working days (调休)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CalendarYear(models.Model):
    """A year whose days are loaded. Years without a row fall back to Monday–Friday (with a warning)."""

    year = models.PositiveSmallIntegerField(_("年份"), primary_key=True)
    source = models.CharField(_("来源"), max_length=50)
    loaded_at = models.DateTimeField(_("导入时间"), auto_now=True)

    class Meta:
        verbose_name = _("日历年份")
        verbose_name_plural = _("日历年份")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    date = models.DateField(_("日期"), primary_key=True)
    is_workday = models.BooleanField(pgettext_lazy("day type", "工作日"))  # vs the unit "working days"
    name = models.CharField(_("节假日名称"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("日历")
        verbose_name_plural = _("日历")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {'班' if self.is_workday else '休'} {self.name}".strip()
