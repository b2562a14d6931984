"""Time-limit policies (data, seeded from DOMAIN §3), the clocks they start, and escalation steps."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from powerdesk.customers.models import CustomerType
from powerdesk.org.models import RegionClass, Unit
from powerdesk.workorders.choices import BusinessType, Channel
from powerdesk.workorders.models import SubType, WorkOrder


class ClockKind(models.TextChoices):
    FIRST_CONTACT = "first_contact", _("首次联系客户")
    DISPATCH = "dispatch", _("派单")
    ARRIVAL = "arrival", _("到达现场")
    RESTORATION = "restoration", _("恢复送电")
    REPLY = "reply", _("办结回复")
    CALLBACK = "callback", _("回访")
    # The applications app's clocks: one per step of an application, and its whole process (utility side).
    APP_STEP = "app_step", _("办理环节")
    APP_PROCESS = "app_process", _("办理全流程")


class LimitUnit(models.TextChoices):
    MINUTES = "minutes", _("分钟")
    HOURS = "hours", _("小时")
    DAYS = "days", _("自然日")
    WORKING_DAYS = "working_days", pgettext_lazy("unit", "工作日")  # the unit; a day type is "day type"


class SourceGrade(models.TextChoices):
    A = "A", _("A 官方")
    B = "B", _("B 新闻或官方转载")
    C = "C", _("C 二手资料")
    U = "U", _("U 未确认（默认值）")


class SlaPolicy(models.Model):
    """One committed time limit. Empty dimensions match anything; the most specific row wins."""

    name = models.CharField(_("名称"), max_length=100)
    clock_kind = models.CharField(_("时限类别"), max_length=20, choices=ClockKind.choices)
    business_type = models.CharField(_("业务类型"), max_length=20, choices=BusinessType.choices, blank=True)
    sub_type = models.ForeignKey(
        SubType, verbose_name=_("业务子类"), null=True, blank=True, on_delete=models.PROTECT
    )
    channel = models.CharField(_("受理渠道"), max_length=16, choices=Channel.choices, blank=True)
    region_class = models.CharField(_("地域类别"), max_length=8, choices=RegionClass.choices, blank=True)
    customer_type = models.CharField(_("客户类型"), max_length=20, choices=CustomerType.choices, blank=True)
    amount = models.PositiveIntegerField(pgettext_lazy("policy field", "时限"))  # the number, with unit
    unit = models.CharField(_("单位"), max_length=16, choices=LimitUnit.choices)
    starts_on = models.CharField(
        _("开始于"),
        max_length=20,
        default="intake",
        help_text=_("intake（受理）或某个操作编码，如 arrive、reply"),
    )
    stops_on = ArrayField(
        models.CharField(max_length=20), verbose_name=_("结束于"), help_text=_("操作编码，逗号分隔")
    )
    warn_ratio = models.DecimalField(_("预警比例"), max_digits=3, decimal_places=2, default=Decimal("0.80"))
    chase_escalate_at = models.PositiveSmallIntegerField(
        _("催办几次立即升级"), null=True, blank=True, help_text=_("留空表示催办不触发升级")
    )
    chase_escalate_max = models.PositiveSmallIntegerField(
        _("催办升级次数上限"),
        default=1,
        help_text=_("每催办上述次数升级一次，一张工单因催办最多升级几次"),
    )
    source_grade = models.CharField(
        _("依据等级"), max_length=1, choices=SourceGrade.choices, default=SourceGrade.U
    )
    source_note = models.CharField(_("依据说明"), max_length=200, blank=True)
    valid_from = models.DateField(_("生效日期"))
    valid_to = models.DateField(_("失效日期"), null=True, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("时限规则")
        verbose_name_plural = _("时限规则")
        ordering = ["business_type", "clock_kind", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def specificity(self) -> int:
        return sum(bool(v) for v in (self.sub_type_id, self.channel, self.region_class, self.customer_type))

    def limit_display(self) -> str:
        return f"{self.amount} {self.get_unit_display()}"


class EscalationStep(models.Model):
    """What happens as a clock runs down: at a share of the allowed time, notify someone."""

    class Action(models.TextChoices):
        NOTIFY_HANDLER = "notify_handler", _("提醒处理人")
        NOTIFY_UNIT_HEAD = "notify_unit_head", _("通知单位负责人")
        NOTIFY_PARENT_HEAD = "notify_parent_head", _("通知上级单位负责人")

    level = models.PositiveSmallIntegerField(_("层级"), unique=True)
    at_ratio = models.DecimalField(_("已用时限比例"), max_digits=4, decimal_places=2)
    action = models.CharField(_("动作"), max_length=24, choices=Action.choices)
    raise_priority = models.BooleanField(_("提高紧急程度"), default=False)
    template_code = models.CharField(_("通知模板"), max_length=50)

    class Meta:
        verbose_name = _("升级步骤")
        verbose_name_plural = _("升级步骤")
        ordering = ["level"]

    def __str__(self) -> str:
        return f"{self.level}: {self.get_action_display()} @ {self.at_ratio}"


class SuspendReason(models.Model):
    """Reasons to 挂起 an order; only accepted ones pause the clocks."""

    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    pauses_clocks = models.BooleanField(_("暂停计时"), default=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("挂起原因")
        verbose_name_plural = _("挂起原因")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class ClockState(models.TextChoices):
    RUNNING = "running", _("计时中")
    PAUSED = "paused", _("已暂停")
    MET = "met", _("已达成")
    BREACHED = "breached", _("已超时")
    CANCELLED = "cancelled", _("已取消")


class Clock(models.Model):
    """One time limit running on an order. Whoever writes a clock holds its order's row lock first (the
    transitions, the sweep, the re-timing after a calendar change; the intake writes the clocks of an
    order no one else knows yet): the sweep relies on it to read the clocks of the orders it holds
    without locking them again."""

    # No index of its own: clock_order_kind (order, kind) serves every look-up by order, and each index more
    # is written again whenever the sweep moves a clock on.
    order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="clocks", db_index=False)
    # No index of its own: clocks are read by order or by due time, never by policy; a policy is retired
    # (is_active, valid_to), not deleted, and every clock started or moved would write the index.
    policy = models.ForeignKey(
        SlaPolicy, verbose_name=_("时限规则"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    # The order's company, copied from the order by a database trigger on insert (workorders 0023, sla
    # 0009): every writer, the sweep's bulk rows included, gets it without passing it.
    company = models.ForeignKey(
        Unit,
        verbose_name=_("所属公司"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        editable=False,
    )
    kind = models.CharField(_("时限类别"), max_length=20, choices=ClockKind.choices)
    state = models.CharField(_("状态"), max_length=10, choices=ClockState.choices, default=ClockState.RUNNING)
    started_at = models.DateTimeField(_("开始时间"))
    due_at = models.DateTimeField(_("到期时间"))
    allowed_seconds = models.PositiveIntegerField(_("允许时长（秒）"))
    met_at = models.DateTimeField(_("达成时间"), null=True, blank=True)
    breached_at = models.DateTimeField(_("超时时间"), null=True, blank=True)
    paused_at = models.DateTimeField(_("暂停时间"), null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(_("累计暂停（秒）"), default=0)
    level = models.PositiveSmallIntegerField(_("已执行升级层级"), default=0)
    # When the sweep must next look at this clock (next escalation step); NULL when nothing is pending.
    next_check_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("时限计时")
        verbose_name_plural = _("时限计时")
        ordering = ["due_at"]
        indexes = [
            # The sweep reads only clocks with a pending step: its cost follows due clocks, not open orders.
            # One company's due clocks, most overdue first (the sweep runs per company).
            models.Index(
                fields=["company", "next_check_at"],
                name="clock_company_next_check",
                condition=Q(next_check_at__isnull=False),
            ),
            models.Index(fields=["order", "kind"], name="clock_order_kind"),
            models.Index(fields=["state", "due_at"], name="clock_state_due"),
            # The 即将超时 queue and its nav badge: running clocks past their warning step.
            models.Index(fields=["due_at"], name="clock_at_risk", condition=Q(state="running", level__gte=1)),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}:{self.kind}"

    @property
    def is_open(self) -> bool:
        return (
            self.state in (ClockState.RUNNING, ClockState.PAUSED, ClockState.BREACHED) and self.met_at is None
        )
