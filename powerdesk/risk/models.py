"""Early warning of complaints (投诉风险预警): the weights and the threshold as data (the angry words are
rows of triage's one lexicon, kind ``angry``), and the
score of each open order and each customer as computed last (:mod:`powerdesk.risk.rules`)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from powerdesk.customers.models import Customer
from powerdesk.workorders.models import WorkOrder


class FactorCode(models.TextChoices):
    REPEAT_CALL = "repeat_call", _("重复来电")
    CHASE = "chase", _("催办")
    CLOCK_BREACHED = "clock_breached", _("时限已超时")
    CLOCK_NEAR = "clock_near", _("时限即将超时")
    SENSITIVE = "sensitive", _("敏感客户")
    EARLIER_COMPLAINT = "earlier_complaint", _("曾经投诉")
    ANGRY_WORDING = "angry_wording", _("激烈言辞")
    RECENT_OUTAGE = "recent_outage", _("近期停电")
    CALLER_EMOTION = "caller_emotion", _("来电情绪")


class RiskFactor(models.Model):
    """One reason an order may turn into a complaint, and what it weighs: ``weight`` points for each
    occurrence (each call after the first, each chase, each clock, each earlier complaint; the sensitive
    flag once; for angry wording the matched terms' own weights count, times ``weight``), at most ``cap``."""

    code = models.CharField(_("因素"), max_length=32, choices=FactorCode.choices, unique=True)
    weight = models.PositiveSmallIntegerField(_("每次分值"))
    cap = models.PositiveSmallIntegerField(_("上限分值"), help_text=_("该因素最多计入的分值"))
    is_active = models.BooleanField(_("启用"), default=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("风险因素权重")
        verbose_name_plural = _("风险因素权重")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.get_code_display()} × {self.weight}（≤ {self.cap}）"


class RiskPolicy(models.Model):
    """The early warning's settings (one active row): above ``threshold`` the unit head is told once."""

    name = models.CharField(_("名称"), max_length=50)
    threshold = models.PositiveSmallIntegerField(_("预警阈值"), help_text=_("风险分达到此值即通知单位负责人"))
    complaint_days = models.PositiveSmallIntegerField(
        _("既往投诉回溯天数"), default=365, help_text=_("统计该期间内客户的投诉工单")
    )
    outage_days = models.PositiveSmallIntegerField(
        _("近期停电回溯天数"), default=7, help_text=_("统计该期间内客户供电路径上的停电次数")
    )
    evidence_kinds = models.CharField(
        _("敏感客户现场证据类别"),
        max_length=60,
        default="photo,audio",
        help_text=_("敏感客户的现场工单处理完成前须上传的附件类别，以逗号分隔（photo、audio）"),
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("预警设置")
        verbose_name_plural = _("预警设置")
        ordering = ["-is_active", "id"]

    def __str__(self) -> str:
        return self.name

    def evidence_kind_list(self) -> list[str]:
        return [k.strip() for k in self.evidence_kinds.split(",") if k.strip()]


class OrderRisk(models.Model):
    """The last computed risk of one order: its score, the reasons (codes and figures, presented when
    read), and when the unit head was told (at most once per order)."""

    order = models.OneToOneField(WorkOrder, on_delete=models.CASCADE, related_name="risk", primary_key=True)
    score = models.PositiveIntegerField(_("风险分"), default=0)
    reasons = models.JSONField(_("原因"), default=list, blank=True)
    computed_at = models.DateTimeField(_("计算时间"))
    alerted_at = models.DateTimeField(_("预警时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("工单风险")
        verbose_name_plural = _("工单风险")
        indexes = [
            # The at-risk list: the highest scores first.
            models.Index(
                fields=["-score", "-computed_at"], name="risk_order_rank", condition=models.Q(score__gt=0)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.score}"


class CustomerRisk(models.Model):
    """A customer's risk: the highest of their open orders' scores and what weighs on the customer alone
    (the sensitive flag, earlier complaints)."""

    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, related_name="risk", primary_key=True)
    score = models.PositiveIntegerField(_("风险分"), default=0)
    reasons = models.JSONField(_("原因"), default=list, blank=True)
    computed_at = models.DateTimeField(_("计算时间"))

    class Meta:
        verbose_name = _("客户风险")
        verbose_name_plural = _("客户风险")

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.score}"
