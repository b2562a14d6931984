"""Outage events (DOMAIN.md §5): what is off, since when, until when, why, who is affected, who was told.

One ``Outage`` row per event whatever its kind and its certainty: a predicted outage (from calls) is the
same row with ``state = predicted`` and ``source = prediction``, so the tree view, the intake link and the
reliability figures read one table. Who was affected is written once, when the outage is created (or
widened), as ``Interruption`` rows with their own start and end: re-parenting the grid later never
rewrites that history, and the reliability indices sum these rows.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from powerdesk.customers.models import Customer
from powerdesk.grid.models import Device
from powerdesk.org.models import Unit
from powerdesk.workorders.models import Contact, WorkOrder


class OutageKind(models.TextChoices):
    PLANNED = "planned", _("计划停电")
    TEMPORARY = "temporary", _("临时停电")
    FAULT = "fault", _("故障停电")
    ARREARS = "arrears", _("欠费停电")
    RATIONING = "rationing", _("有序用电")


# Kinds traced from devices; the others name their customers (a meter, a list).
TRACED_KINDS = (OutageKind.PLANNED, OutageKind.TEMPORARY, OutageKind.FAULT)


class OutageState(models.TextChoices):
    PREDICTED = "predicted", _("预测")
    PROBABLE = "probable", _("疑似")
    CONFIRMED = "confirmed", _("已确认")
    REJECTED = "rejected", _("已排除")
    # A prediction rolled up into one at a device above it (``Prediction.merged_into``).
    MERGED = "merged", _("已合并")


# No longer an outage of its own: excluded from every active read.
CLOSED_STATES = (OutageState.REJECTED, OutageState.MERGED)


class OutageSource(models.TextChoices):
    DISPATCHER = "dispatcher", _("调度登记")
    PREDICTION = "prediction", _("来电研判")


class OutageCause(models.TextChoices):
    NONE = "", _("未填写")
    EQUIPMENT = "equipment", _("设备故障")
    WEATHER = "weather", _("天气")
    EXTERNAL = "external", _("外力破坏")
    MAINTENANCE = "maintenance", _("检修施工")
    ARREARS = "arrears", _("欠费")
    # RS-3 excludes the first (rationing for lack of generation), not the second.
    SUPPLY_SHORTAGE = "supply_shortage", _("系统电源不足")
    GRID_LIMIT = "grid_limit", _("电网限电")


class EtrSource(models.TextChoices):
    """Where the estimated restoration time came from, strongest first (``rules.etr_choose``)."""

    CREW = "crew", _("抢修人员")
    STORM = "storm", _("灾害报备")
    HISTORY = "history", _("同类设备历史")
    DEFAULT = "default", _("默认")
    PLANNED = "planned", _("计划结束时间")


class Outage(models.Model):
    number = models.CharField(_("停电编号"), max_length=20, unique=True)
    kind = models.CharField(_("停电类型"), max_length=12, choices=OutageKind.choices)
    state = models.CharField(_("状态"), max_length=12, choices=OutageState.choices)
    source = models.CharField(_("来源"), max_length=12, choices=OutageSource.choices)
    title = models.CharField(_("标题"), max_length=120)
    reason = models.TextField(_("停电原因"), blank=True)
    cause = models.CharField(_("原因分类"), max_length=20, choices=OutageCause.choices, blank=True)
    unit = models.ForeignKey(
        Unit, verbose_name=_("责任单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    planned_start = models.DateTimeField(_("计划开始"), null=True, blank=True)
    planned_end = models.DateTimeField(_("计划结束"), null=True, blank=True)
    actual_start = models.DateTimeField(_("实际开始"), null=True, blank=True)
    actual_end = models.DateTimeField(_("恢复送电时间"), null=True, blank=True)
    etr = models.DateTimeField(_("预计复电时间"), null=True, blank=True)
    etr_source = models.CharField(_("复电时间来源"), max_length=12, choices=EtrSource.choices, blank=True)
    # Less lead time than the notice rules ask for: allowed with a stated reason, and flagged.
    short_notice = models.BooleanField(_("通知提前量不足"), default=False)
    short_notice_reason = models.TextField(_("提前量不足原因"), blank=True)
    # Some notice was late or is missing (kept on the row so lists and analytics filter on it).
    notice_flagged = models.BooleanField(_("通知滞后或缺失"), default=False)
    customer_count = models.PositiveIntegerField(_("影响户数"), default=0)
    counts_by_type = models.JSONField(_("按客户类型户数"), default=dict, blank=True)
    known_event = models.ForeignKey(
        "KnownEvent",
        verbose_name=_("报备事件"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outages",
    )
    # The one order the calls about this outage are contacts of (created with the first call).
    order = models.OneToOneField(
        WorkOrder,
        verbose_name=_("停电工单"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="outage",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"))
    # An API client's Idempotency-Key: a retried registration answers the first outage.
    idempotency_key = models.CharField(max_length=100, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("停电事件")
        verbose_name_plural = _("停电事件")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["kind"], name="outage_active", condition=Q(actual_end__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_active(self) -> bool:
        return self.actual_end is None and self.state not in CLOSED_STATES


class OutageDevice(models.Model):
    """A device the outage is traced from; ``restored_at`` set when it alone is back (partial restoration)."""

    outage = models.ForeignKey(Outage, on_delete=models.CASCADE, related_name="devices")
    device = models.ForeignKey(Device, verbose_name=_("设备"), on_delete=models.PROTECT, related_name="+")
    restored_at = models.DateTimeField(_("复电时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("停电设备")
        verbose_name_plural = _("停电设备")
        constraints = [models.UniqueConstraint(fields=["outage", "device"], name="outage_device_unique")]
        indexes = [models.Index(fields=["device"], name="outage_device_device")]

    def __str__(self) -> str:
        return f"{self.outage_id}: {self.device_id}"


class Interruption(models.Model):
    """One customer's interruption by one outage, fixed when written (history, not a live trace)."""

    outage = models.ForeignKey(Outage, on_delete=models.CASCADE, related_name="interruptions")
    customer = models.ForeignKey(Customer, verbose_name=_("客户"), on_delete=models.PROTECT, related_name="+")
    # The outage's device this customer is below (none for a meter or list outage).
    device = models.ForeignKey(
        Device, verbose_name=_("停电设备"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    customer_type = models.CharField(_("客户类型"), max_length=20)
    important = models.BooleanField(_("重要客户"), default=False)
    start = models.DateTimeField(_("停电开始"), null=True, blank=True)
    end = models.DateTimeField(_("复电时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("用户停电记录")
        verbose_name_plural = _("用户停电记录")
        constraints = [
            models.UniqueConstraint(fields=["outage", "customer"], name="outage_interruption_unique")
        ]
        indexes = [
            models.Index(fields=["customer"], name="outage_interruption_open", condition=Q(end__isnull=True))
        ]

    def __str__(self) -> str:
        return f"{self.outage_id}: {self.customer_id}"


class OutageEvent(models.Model):
    """The outage's timeline: one row per change (created, ETR changed, restored, notice sent …)."""

    outage = models.ForeignKey(Outage, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("类型"), max_length=30)
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.outage_id}: {self.kind}"


class EtrChange(models.Model):
    """Every change of the ETR with its source (the log the agent and the complaint reviewer read)."""

    outage = models.ForeignKey(Outage, on_delete=models.CASCADE, related_name="etr_changes")
    etr = models.DateTimeField(_("预计复电时间"))
    source = models.CharField(_("来源"), max_length=12, choices=EtrSource.choices)
    before = models.DateTimeField(_("原预计复电时间"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    at = models.DateTimeField(_("时间"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.outage_id}: {self.etr}"


class EtrDefault(models.Model):
    """The fallback restoration duration by device kind ("" = any), used when no crew, storm or history
    estimate exists; ``history_min_samples``: how many restored outages make the history trustworthy."""

    device_kind = models.CharField(_("设备类别"), max_length=16, blank=True, unique=True)
    minutes = models.PositiveIntegerField(_("默认复电时长（分钟）"))
    history_min_samples = models.PositiveSmallIntegerField(_("采用历史所需样本数"), default=5)

    class Meta:
        verbose_name = _("默认复电时长")
        verbose_name_plural = _("默认复电时长")

    def __str__(self) -> str:
        return f"{self.device_kind or '*'}: {self.minutes}"


class NoticeAudience(models.TextChoices):
    ALL = "all", _("全部受影响客户")
    IMPORTANT = "important", _("重要客户")
    RESIDENTIAL = "residential", _("居民客户")
    NON_RESIDENTIAL = "non_residential", _("非居民客户")


class NoticeRule(models.Model):
    """Who must be told of an outage of ``kind`` and how long before it starts (法定停电通知)."""

    kind = models.CharField(_("停电类型"), max_length=12, choices=OutageKind.choices)
    audience = models.CharField(_("通知对象"), max_length=16, choices=NoticeAudience.choices)
    lead_minutes = models.PositiveIntegerField(_("提前时间（分钟）"))
    # A second notice this long before the start ("again shortly before"); 0: none.
    repeat_minutes = models.PositiveIntegerField(_("临近再次通知（分钟）"), default=0)
    template_code = models.CharField(_("通知模板编码"), max_length=50)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("停电通知规则")
        verbose_name_plural = _("停电通知规则")
        ordering = ["kind", "audience"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} / {self.get_audience_display()}"


class NoticeState(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已发送")
    DELIVERED = "delivered", _("已送达")
    FAILED = "failed", _("发送失败")


class OutageNotice(models.Model):
    """One notice a customer must get by ``due_by`` (computed from the rules) and what became of it."""

    outage = models.ForeignKey(Outage, on_delete=models.CASCADE, related_name="notices")
    customer = models.ForeignKey(Customer, verbose_name=_("客户"), on_delete=models.PROTECT, related_name="+")
    rule = models.ForeignKey(NoticeRule, verbose_name=_("规则"), on_delete=models.PROTECT, related_name="+")
    repeat = models.BooleanField(_("临近再次通知"), default=False)
    due_by = models.DateTimeField(_("最迟通知时间"))
    state = models.CharField(
        _("状态"), max_length=12, choices=NoticeState.choices, default=NoticeState.PENDING
    )
    notification_id = models.BigIntegerField(_("通知编号"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    late = models.BooleanField(_("滞后"), default=False)

    class Meta:
        verbose_name = _("停电通知")
        verbose_name_plural = _("停电通知")
        ordering = ["due_by", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["outage", "customer", "rule", "repeat"], name="outage_notice_unique"
            )
        ]
        # Every delivery receipt asks which notices point at its messages (outages.delivery).
        indexes = [
            models.Index(
                fields=["notification_id"],
                name="outage_notice_notification",
                condition=Q(notification_id__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return f"{self.outage_id}: {self.customer_id} {self.due_by}"


class KnownEvent(models.Model):
    """A storm or large event a dispatcher registered (报备) for an area, with the script agents read."""

    class Kind(models.TextChoices):
        STORM = "storm", _("灾害天气")
        LARGE_EVENT = "large_event", _("重大活动")

    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("标题"), max_length=120)
    devices = models.ManyToManyField(Device, verbose_name=_("影响范围（设备）"), related_name="+", blank=True)
    script = models.TextField(_("应答口径"))
    # The storm's own restoration estimate, above history and the default (below a crew's).
    etr_override = models.DateTimeField(_("统一预计复电时间"), null=True, blank=True)
    starts_at = models.DateTimeField(_("开始"))
    ends_at = models.DateTimeField(_("结束"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"))
    # An API client's Idempotency-Key and what it sent: a retry answers the first event, another body
    # under the same key is refused.
    idempotency_key = models.CharField(max_length=100, null=True, blank=True, unique=True)
    request_fingerprint = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        verbose_name = _("报备事件")
        verbose_name_plural = _("报备事件")
        ordering = ["-starts_at", "-id"]

    def __str__(self) -> str:
        return self.title


class OutageCall(models.Model):
    """A call linked to an outage at intake (its contact is on the outage's order), and the caller's own
    open repair order when they had one (noted, not closed)."""

    outage = models.ForeignKey(Outage, on_delete=models.CASCADE, related_name="calls")
    # The database's foreign key points at workorders_contactkey (contacts are partitioned by month:
    # workorders 0027), hence no constraint of Django's own.
    contact = models.OneToOneField(
        Contact, on_delete=models.PROTECT, related_name="outage_call", db_constraint=False
    )
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    open_order = models.ForeignKey(
        WorkOrder, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    phone = models.CharField(max_length=32, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.outage_id}: {self.contact_id}"


# --- prediction from calls -------------------------------------------------------------------------


class PredictionRule(models.Model):
    """The figures of the prediction from calls (N, P, T, K, when a prediction becomes probable), per
    scope and mode: ``unit`` none = everywhere, else that unit's subtree (the most specific row wins);
    ``storm`` rows apply where a storm mode is on (``StormMode``), the others elsewhere."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("适用单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    storm = models.BooleanField(_("灾害模式取值"), default=False)
    min_calls = models.PositiveSmallIntegerField(
        _("来电户数阈值 N"),
        validators=[MinValueValidator(2)],
        help_text=_("同一台变下来电客户达到此数即研判停电"),
    )
    min_percent = models.PositiveSmallIntegerField(
        _("来电户数占比阈值 P（%）"),
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("来电客户占该台变用户数的比例达到此值即研判停电"),
    )
    percent_min_calls = models.PositiveSmallIntegerField(
        _("按占比研判的最少来电户数"),
        default=2,
        validators=[MinValueValidator(2)],
        help_text=_("单户来电不按占比研判（小台变一户即100%）"),
    )
    window_minutes = models.PositiveSmallIntegerField(
        _("统计时间窗 T（分钟）"), validators=[MinValueValidator(1)]
    )
    rollup_children = models.PositiveSmallIntegerField(
        _("上卷下级数 K"),
        validators=[MinValueValidator(2)],
        help_text=_("同一开关/熔断器下有此数量的下级设备被研判停电时，上卷为该设备停电"),
    )
    probable_after_minutes = models.PositiveSmallIntegerField(_("转为疑似停电（分钟）"))
    proof_valid_minutes = models.PositiveSmallIntegerField(
        _("有电/合闸确认有效时长（分钟）"), default=60, validators=[MinValueValidator(1)]
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("停电研判规则")
        verbose_name_plural = _("停电研判规则")
        ordering = ["storm", "unit_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "storm"], name="outage_prediction_rule_unique", nulls_distinct=False
            )
        ]

    def __str__(self) -> str:
        scope = self.unit.name if self.unit_id and self.unit else _("全局")
        mode = _("灾害模式") if self.storm else _("常态")
        return f"{scope} · {mode}"


class StormMode(models.Model):
    """A storm mode a dispatcher switched on, for a unit's subtree or (no unit) everywhere, until
    switched off: the prediction uses the storm rows of ``PredictionRule`` there."""

    unit = models.ForeignKey(
        Unit,
        verbose_name=_("范围（单位）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    started_at = models.DateTimeField(_("开启时间"))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # An API client's Idempotency-Key: a retried start answers the first one.
    idempotency_key = models.CharField(max_length=100, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("灾害模式")
        verbose_name_plural = _("灾害模式")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.unit or _('全局')} {self.started_at:%Y-%m-%d %H:%M}"


class FaultCallMark(models.Model):
    """A fault call no known outage explained, placed on the caller's transformer: the calls the
    prediction counts (distinct customers under one transformer within the window). ``outage``: the
    prediction it took part in (then it no longer counts towards a new one)."""

    # Written on every unexplained fault call, so only the indexes the reads use: no read looks marks up
    # by customer (deleting a customer, rare, scans them).
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+", db_index=False)
    transformer = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="+")
    # The call's time: with the customer, it names the call's contact (written after the mark).
    at = models.DateTimeField()
    outage = models.ForeignKey(Outage, null=True, blank=True, on_delete=models.SET_NULL, related_name="marks")

    class Meta:
        indexes = [
            # The intake's one read: the other callers under this transformer within the window, not yet
            # part of a prediction.
            models.Index(
                fields=["transformer", "at"], name="outage_mark_open", condition=Q(outage__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.transformer_id}: {self.customer_id} {self.at}"


class Prediction(models.Model):
    """What made a predicted outage: the device it was placed on, the callers and customers counted,
    the figures used, when it becomes probable, and the outage it was rolled up into (if any)."""

    outage = models.OneToOneField(Outage, on_delete=models.CASCADE, related_name="prediction")
    device = models.ForeignKey(Device, verbose_name=_("研判设备"), on_delete=models.PROTECT, related_name="+")
    callers = models.PositiveIntegerField(_("来电户数"))
    customers = models.PositiveIntegerField(_("用户数"))
    children = models.PositiveIntegerField(_("上卷下级数"), default=0)
    storm = models.BooleanField(_("灾害模式"), default=False)
    figures = models.JSONField(_("研判取值"), default=dict)
    probable_at = models.DateTimeField(_("转为疑似时间"))
    merged_into = models.ForeignKey(
        Outage, null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_predictions"
    )

    class Meta:
        verbose_name = _("停电研判")
        verbose_name_plural = _("停电研判")
        indexes = [models.Index(fields=["probable_at"], name="outage_prediction_probable")]

    def __str__(self) -> str:
        return f"{self.outage_id}: {self.device_id}"


class ProofKind(models.TextChoices):
    CUSTOMER_POWERED = "customer_powered", _("客户确认有电")
    DEVICE_CLOSED = "device_closed", _("设备确认合闸")


class EnergisedProof(models.Model):
    """A customer who confirmed power (every device upstream of them is energised: ``device_ids``, fixed
    when recorded), or a device a crew or dispatcher confirmed closed (it is not the tripped device)."""

    kind = models.CharField(_("类型"), max_length=20, choices=ProofKind.choices)
    customer = models.ForeignKey(
        Customer, verbose_name=_("客户"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    device = models.ForeignKey(
        Device, verbose_name=_("设备"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    order = models.ForeignKey(
        WorkOrder,
        verbose_name=_("来电工单"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    device_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    at = models.DateTimeField(_("时间"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    idempotency_key = models.CharField(max_length=100, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("有电/合闸确认")
        verbose_name_plural = _("有电/合闸确认")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["at"], name="outage_proof_at")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at}"
