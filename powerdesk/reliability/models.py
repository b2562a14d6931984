"""The settings of the reliability indices (DL/T 836 and IEEE 1366): data, edited in the admin.

The indices themselves have no table: they are computed when read from the outages app's per-customer
``Interruption`` records (``selectors``) with the pure functions of ``rules``.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReliabilitySettings(models.Model):
    """One row (the lowest id is read): the short-interruption cut-offs of each standard and the Major
    Event Day method's multiplier and history length. A figure that a regulator or a year may change is
    here, not in the code."""

    dlt_cutoff_seconds = models.PositiveIntegerField(
        _("DL/T 836 短时停电界限（秒）"),
        default=180,
        help_text=_("停电持续时间不超过此值的不计入（DL/T 836：3 分钟）。"),
    )
    ieee_cutoff_seconds = models.PositiveIntegerField(
        _("IEEE 1366 瞬时停电界限（秒）"),
        default=300,
        help_text=_("停电持续时间不超过此值为瞬时停电，不计入 SAIDI/SAIFI（IEEE 1366：5 分钟）。"),
    )
    med_beta_multiplier = models.DecimalField(
        _("重大事件日 β 倍数"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("2.50"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("T_MED = exp(α + 倍数 × β)（IEEE 1366 的 2.5β 法）。"),
    )
    med_history_years = models.PositiveSmallIntegerField(
        _("重大事件日历史年数"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_("用统计期之前若干年的日 SAIDI 求阈值；历史不足时用已有的。"),
    )

    class Meta:
        verbose_name = _("可靠性指标设置")
        verbose_name_plural = _("可靠性指标设置")

    def __str__(self) -> str:
        return str(_("可靠性指标设置"))
