"""The working-day calendar: statutory holidays and the weekend days that become working days (调休)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from powerdesk.core.holidays import Festival


class CalendarYear(models.Model):
    """A year whose days are loaded: imported (the State Council's arrangement, from ``chinese-calendar`` or
    a CSV file) or derived from the holiday rule (:mod:`powerdesk.core.holidays`) until it is imported.
    Years without a row fall back to Monday–Friday (with a warning)."""

    class Origin(models.TextChoices):
        IMPORTED = "imported", _("已导入")
        DERIVED = "derived", _("按规则推算")

    year = models.PositiveSmallIntegerField(_("年份"), primary_key=True)
    origin = models.CharField(_("类别"), max_length=10, choices=Origin.choices, default=Origin.IMPORTED)
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
    derived = models.BooleanField(
        _("推算"), default=False, help_text=_("按法定节假日规则推算，尚未导入当年安排")
    )

    class Meta:
        verbose_name = _("日历")
        verbose_name_plural = _("日历")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {'班' if self.is_workday else '休'} {self.name}".strip()


class HolidayRule(models.Model):
    """One festival's days off for all citizens under 全国年节及纪念日放假办法, from ``valid_from`` on (the
    newest row not after the festival's day is in force). An amendment of the rule is new rows."""

    festival = models.CharField(_("节日"), max_length=20, choices=Festival.choices)
    days = models.PositiveSmallIntegerField(_("放假天数"))
    first_day_offset = models.SmallIntegerField(
        _("首日偏移（天）"),
        default=0,
        help_text=_("放假第一天相对节日当天（春节为正月初一）的天数，如春节从除夕放假为 -1"),
    )
    valid_from = models.DateField(_("生效日期"))
    source_note = models.CharField(_("依据说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("法定节假日规则")
        verbose_name_plural = _("法定节假日规则")
        ordering = ["-valid_from", "festival"]
        constraints = [
            models.UniqueConstraint(fields=["festival", "valid_from"], name="holiday_rule_festival_from"),
        ]

    def __str__(self) -> str:
        return f"{self.get_festival_display()} {self.days} ({self.valid_from})"
