"""The analytics app's tables: the per-order fact row, the rollups (by day and by month) the dashboards
read, the monthly customer counts (the base of 千户投诉率), the hot-spot groups (data an admin extends),
the malicious-demand flag a handler sets on an order, and the upkeep's watermark.

The fact and rollup tables are derived: :mod:`powerdesk.analytics.aggregates` writes them (the periodic
refresh and ``powerdesk analytics rebuild``); nothing else does. They hold ids, not foreign keys with
constraints: a derived table must never block a write of the tables it is derived from."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from powerdesk.workorders.models import SubType, WorkOrder


class OrderFact(models.Model):
    """One order as the measures see it (derived by ``rules.fact_row``)."""

    order = models.OneToOneField(
        WorkOrder, primary_key=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    unit_id = models.IntegerField()
    area_id = models.IntegerField(null=True)
    business_type = models.CharField(max_length=20)
    topic_id = models.IntegerField(null=True)
    sub_type_id = models.IntegerField(null=True)
    channel = models.CharField(max_length=16)
    customer_type = models.CharField(max_length=20, blank=True)
    accepted_at = models.DateTimeField()
    day = models.DateField()  # the accepted day, Asia/Shanghai
    hour = models.PositiveSmallIntegerField()  # the accepted hour, Asia/Shanghai
    closed_at = models.DateTimeField(null=True)
    contacts = models.PositiveIntegerField()
    reopened = models.BooleanField()
    closed = models.BooleanField()
    answered_first = models.BooleanField()  # closed by 一次答复办结
    first_contact_resolved = models.BooleanField()
    index_counted = models.BooleanField()  # in the base of 优质服务评价指数
    malicious = models.BooleanField()
    verdict = models.CharField(max_length=16, blank=True)
    satisfaction = models.CharField(max_length=16, blank=True)
    called_back = models.BooleanField()
    groups = models.JSONField(default=list)  # ids of the HotSpotGroups the order belongs to

    class Meta:
        indexes = [models.Index(fields=["day", "unit_id"], name="an_fact_day_unit")]

    def __str__(self) -> str:
        return f"{self.order_id}"


class Rollup(models.Model):
    """The dimensions every rollup is kept by: the accepted day and the order's unit, type, channel and
    customer type (each rollup adds its own).

    A rollup holds two kinds of rows: a day's (``monthly`` false) and a month's (``monthly`` true, ``day``
    the first of the month), the sum of the month's day rows. A period's figures read the month rows of
    the whole months in it and the day rows of the rest: at ten million orders a day's rows are nearly as
    many as its orders, a month's are a fraction of them.

    And each row is a detail row (``pooled`` false) or a pooled one: the sum over every business type,
    channel and customer type (those three left blank), what a selection that filters on none of them
    reads — the dashboards' default, tens of times fewer rows."""

    day = models.DateField()
    monthly = models.BooleanField(default=False)
    pooled = models.BooleanField(default=False)
    unit_id = models.IntegerField()
    business_type = models.CharField(max_length=20)
    channel = models.CharField(max_length=16)
    customer_type = models.CharField(max_length=20, blank=True)

    MEASURES: ClassVar[tuple[str, ...]] = ("orders",)

    class Meta:
        abstract = True


class DailyRollup(Rollup):
    """Per accepted day (or month) and cell: the counts every measure's terms add up from."""

    topic_id = models.IntegerField(null=True)
    orders = models.IntegerField()
    repeat_calls = models.IntegerField()  # orders with at least measures.REPEAT_CONTACTS contacts
    index_base = models.IntegerField()
    index_repeat = models.IntegerField()  # in the base and called rules.INDEX_CALLS times or more
    closed = models.IntegerField()
    first_contact_resolved = models.IntegerField()
    answered_first = models.IntegerField()
    malicious = models.IntegerField()
    complaints = models.IntegerField()
    valid_complaints = models.IntegerField()
    invalid_complaints = models.IntegerField()
    pending_complaints = models.IntegerField()
    called_back = models.IntegerField()
    reached = models.IntegerField()
    satisfied = models.IntegerField()

    MEASURES = (
        "orders",
        "repeat_calls",
        "index_base",
        "index_repeat",
        "closed",
        "first_contact_resolved",
        "answered_first",
        "malicious",
        "complaints",
        "valid_complaints",
        "invalid_complaints",
        "pending_complaints",
        "called_back",
        "reached",
        "satisfied",
    )

    class Meta:
        indexes = [models.Index(fields=["pooled", "monthly", "day", "unit_id"], name="an_daily_cells")]

    def __str__(self) -> str:
        return f"{self.day} {self.unit_id}"


class AreaRollup(Rollup):
    """Orders per 台区 (orders without one are not kept): a table of its own, since a 台区 in every row of
    the daily rollup would make that as many rows as orders."""

    area_id = models.IntegerField()
    orders = models.IntegerField()

    class Meta:
        indexes = [models.Index(fields=["pooled", "monthly", "day", "unit_id"], name="an_area_cells")]

    def __str__(self) -> str:
        return f"{self.day} {self.unit_id} {self.area_id}"


class SubTypeRollup(Rollup):
    """Orders per sub-type (none: orders without one), for the same reason as :class:`AreaRollup`."""

    sub_type_id = models.IntegerField(null=True)
    orders = models.IntegerField()

    class Meta:
        indexes = [models.Index(fields=["pooled", "monthly", "day", "unit_id"], name="an_subtype_cells")]

    def __str__(self) -> str:
        return f"{self.day} {self.unit_id} {self.sub_type_id}"


class HourRollup(Rollup):
    hour = models.PositiveSmallIntegerField()
    orders = models.IntegerField()

    class Meta:
        indexes = [models.Index(fields=["pooled", "monthly", "day", "unit_id"], name="an_hour_cells")]

    def __str__(self) -> str:
        return f"{self.day} {self.unit_id} {self.hour}"


class ClockRollup(Rollup):
    """Clocks of the orders accepted that day, by kind: decided and on time (``sla.selectors`` terms)."""

    kind = models.CharField(max_length=20)
    decided = models.IntegerField()
    on_time = models.IntegerField()

    MEASURES = ("decided", "on_time")

    class Meta:
        indexes = [models.Index(fields=["pooled", "monthly", "day", "unit_id"], name="an_clock_cells")]

    def __str__(self) -> str:
        return f"{self.day} {self.unit_id} {self.kind}"


class GroupRollup(Rollup):
    """Orders of each hot-spot group per day and cell (the groups' trend)."""

    group_id = models.IntegerField()
    orders = models.IntegerField()

    class Meta:
        indexes = [models.Index(fields=["pooled", "monthly", "day", "unit_id"], name="an_group_cells")]

    def __str__(self) -> str:
        return f"{self.day} {self.unit_id} {self.group_id}"


ROLLUPS: tuple[type[Rollup], ...] = (
    DailyRollup,
    AreaRollup,
    SubTypeRollup,
    HourRollup,
    ClockRollup,
    GroupRollup,
)


class CustomerCount(models.Model):
    """Customers of a 台区 at the start of a month: the base of 千户投诉率."""

    month = models.DateField(_("月份"))  # the first day of the month
    area_id = models.IntegerField()
    customers = models.IntegerField(_("客户数"))

    class Meta:
        verbose_name = _("月度客户数")
        verbose_name_plural = _("月度客户数")
        constraints = [models.UniqueConstraint(fields=["month", "area_id"], name="an_customers_month_area")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.area_id}: {self.customers}"


class Watermark(models.Model):
    """How far the upkeep has read: the last timeline event id it took in."""

    name = models.CharField(max_length=40, unique=True)
    value = models.BigIntegerField(default=0)  # the highest event id read
    low = models.BigIntegerField(default=0)  # the next run reads above this (the run before's ``value``)
    updated_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"{self.name}: {self.value}"


class HotSpotGroup(models.Model):
    """A named hot spot known in advance (the seed paper's 缴费难, 价格模糊, 电压不稳, 停送电通知滞后): the
    orders of these sub-types, or whose description contains one of the keywords."""

    code = models.SlugField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=40)
    sub_types = models.ManyToManyField(SubType, verbose_name=_("业务子类"), blank=True, related_name="+")
    keywords = models.TextField(
        _("关键词"), blank=True, help_text=_("每行一个；诉求内容包含任一关键词即计入")
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("热点分组")
        verbose_name_plural = _("热点分组")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def keyword_list(self) -> list[str]:
        return [k.strip() for k in self.keywords.splitlines() if k.strip()]


class MaliciousFlag(models.Model):
    """A handler's finding that an order is a malicious demand (恶意诉求): left out of 优质服务评价指数."""

    order = models.OneToOneField(WorkOrder, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("原因"), max_length=200)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(_("标记时间"))

    class Meta:
        verbose_name = _("恶意诉求标记")
        verbose_name_plural = _("恶意诉求标记")

    def __str__(self) -> str:
        return f"{self.order_id}: {self.reason}"


class HotSpotRule(models.Model):
    """How hot spots are found (one row, edited in the admin): a cell is tested when its period count
    reaches ``min_count``; its expected count is its rate over the baseline: from the first of the month
    that holds the day ``baseline_days`` before the period (whole months, read from month rows) to the
    day before the period; it is a hot spot when the Benjamini–Hochberg adjusted p-value of the Poisson
    test is below ``alpha``."""

    min_count = models.PositiveIntegerField(_("最小工单数"), default=5)
    baseline_days = models.PositiveIntegerField(_("基线天数"), default=182)
    alpha = models.FloatField(_("显著性水平（校正后）"), default=0.05)

    class Meta:
        verbose_name = _("热点判定规则")
        verbose_name_plural = _("热点判定规则")

    def __str__(self) -> str:
        return str(_("热点判定规则"))


# The issued monthly reports (analytics/reports.py), in a module of their own.
from powerdesk.analytics.reports_models import MonthlyReport  # noqa: E402, F401  (registered with the app)
