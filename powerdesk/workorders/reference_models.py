"""The reference tables of the work order, edited in the admin and seeded by migrations: topics and
sub-types, the repeat-call, priority, attachment and routing rules, the work queues. Imported (and
re-exported) by :mod:`powerdesk.workorders.models`, where Django and the callers find them."""

from __future__ import annotations

from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from powerdesk.customers.models import CustomerType
from powerdesk.org.models import Unit
from powerdesk.workorders.choices import AttachmentKind, BusinessType, Priority, RepeatAction, StateGroup


class Topic(models.Model):
    """业务分类: what the contact is about (the typical-case book's chapters plus two hot spots). A topic is
    its own dimension (a complaint about fault repair is the case book's first case), but not every
    business type goes with every topic: ``business_types`` lists those it may be used with."""

    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    business_types = ArrayField(
        models.CharField(max_length=20, choices=BusinessType.choices),
        verbose_name=_("适用业务类型"),
        blank=True,
        default=list,
        help_text=_("留空表示适用于所有业务类型"),
    )
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("业务分类")
        verbose_name_plural = _("业务分类")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class SubType(models.Model):
    """A business sub-type (e.g. 服务申请 → 复电登记; 投诉 → 服务投诉 → 服务态度).

    A sub-type may have a ``parent`` of the same business type: the five complaint classes are the
    parents of the complaint sub-types (orders opened before the sub-types existed keep the class)."""

    business_type = models.CharField(_("业务类型"), max_length=20, choices=BusinessType.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级子类"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    code = models.CharField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("业务子类")
        verbose_name_plural = _("业务子类")
        ordering = ["business_type", "sort_order", "code"]

    def __str__(self) -> str:
        return f"{self.get_business_type_display()} / {self.name}"

    def clean(self) -> None:
        parent = self.parent if self.parent_id is not None else None
        if parent is not None and (parent.business_type != self.business_type or parent.pk == self.pk):
            raise ValidationError({"parent": _("上级子类须属于同一业务类型，且不能是本子类。")})


class RepeatCallRule(models.Model):
    """When a contact counts as a repeat of an existing order, and when repeats escalate.

    The rule with ``topic`` set wins over the default (``topic`` empty) one.
    """

    topic = models.OneToOneField(
        Topic,
        verbose_name=_("业务分类"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="repeat_rule",
    )
    window_days = models.PositiveSmallIntegerField(_("时间窗口（天）"), default=7)
    escalate_at = models.PositiveSmallIntegerField(_("第几次来电升级"), default=3)
    is_active = models.BooleanField(_("启用"), default=True)
    source_grade = models.CharField(_("依据等级"), max_length=2, default="U")

    class Meta:
        verbose_name = _("重复致电规则")
        verbose_name_plural = _("重复致电规则")
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(topic__isnull=True), name="one_default_repeat_rule"
            )
        ]

    def __str__(self) -> str:
        return str(self.topic or _("默认"))


class RepeatCallAction(models.Model):
    """What a contact becomes when the customer already has an order of the same topic within the rule's
    window, by that order's business type and state group: counted on it as a repeat call, a new order
    linked as 复发 (a fault after restoration is a new event), a linked follow-up, or a re-open.

    The most specific row wins: the topic's rule before the default rule, a business type before "any".
    No row → a repeat call (the behaviour before these rows existed). The agent may choose another action
    with a reason; both are recorded."""

    rule = models.ForeignKey(
        RepeatCallRule, verbose_name=_("重复致电规则"), on_delete=models.CASCADE, related_name="actions"
    )
    business_type = models.CharField(
        _("原工单业务类型"),
        max_length=20,
        choices=BusinessType.choices,
        blank=True,
        help_text=_("留空表示任意"),
    )
    state_group = models.CharField(_("原工单状态"), max_length=16, choices=StateGroup.choices)
    action = models.CharField(_("处理方式"), max_length=16, choices=RepeatAction.choices)
    source_grade = models.CharField(_("依据等级"), max_length=2, default="U")
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("重复致电处理方式")
        verbose_name_plural = _("重复致电处理方式")
        ordering = ["rule", "state_group", "business_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "business_type", "state_group"], name="one_repeat_action_per_case"
            )
        ]

    def __str__(self) -> str:
        kind = self.get_business_type_display() if self.business_type else _("任意业务类型")
        return f"{kind} / {self.get_state_group_display()} → {self.get_action_display()}"


class PriorityRule(models.Model):
    """The priority a new order starts with, from its business type and its customer's type and flags.

    Every matching active rule counts and the highest priority wins; no rule matches → 一般. An agent may
    still set the priority by hand at intake."""

    class Flag(models.TextChoices):
        LIFE_SUPPORT = "life_support", _("保电/生命支持")
        SENSITIVE = "sensitive", _("敏感客户")

    business_type = models.CharField(
        _("业务类型"), max_length=20, choices=BusinessType.choices, blank=True, help_text=_("留空表示任意")
    )
    customer_type = models.CharField(
        _("客户类型"), max_length=20, choices=CustomerType.choices, blank=True, help_text=_("留空表示任意")
    )
    flag = models.CharField(
        _("客户标记"), max_length=20, choices=Flag.choices, blank=True, help_text=_("留空表示任意")
    )
    priority = models.PositiveSmallIntegerField(_("紧急程度"), choices=Priority.choices)
    is_active = models.BooleanField(_("启用"), default=True)
    source_grade = models.CharField(_("依据等级"), max_length=2, default="U")
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("紧急程度规则")
        verbose_name_plural = _("紧急程度规则")
        ordering = ["business_type", "customer_type", "flag", "id"]

    def __str__(self) -> str:
        parts = [
            self.get_business_type_display() if self.business_type else "",
            self.get_customer_type_display() if self.customer_type else "",
            self.get_flag_display() if self.flag else "",
        ]
        return " / ".join(p for p in parts if p) + f" → {self.get_priority_display()}"


class AttachmentRule(models.Model):
    """Which evidence files are accepted, and how big they may be."""

    kind = models.CharField(_("类别"), max_length=16, choices=AttachmentKind.choices, unique=True)
    max_size_mb = models.PositiveIntegerField(_("大小上限（MB）"))
    content_types = models.CharField(
        _("允许的文件类型"), max_length=300, help_text=_("以逗号分隔的 MIME 类型")
    )
    extensions = models.CharField(_("允许的扩展名"), max_length=200, help_text=_("以逗号分隔，如 .jpg,.png"))

    class Meta:
        verbose_name = _("附件规则")
        verbose_name_plural = _("附件规则")

    def __str__(self) -> str:
        return self.get_kind_display()

    def allowed_types(self) -> set[str]:
        return {t.strip().lower() for t in self.content_types.split(",") if t.strip()}

    def allowed_extensions(self) -> set[str]:
        return {e.strip().lower() for e in self.extensions.split(",") if e.strip()}


class WorkQueue(models.Model):
    """A work queue of a role (待派单, 待回访 …): a named, saved filter of the order list, shown with its
    count on the home page and above the list of every user of the role.

    ``params`` are the list's own query parameters (``workorders.filters.OrderFilterSet``), e.g.
    ``status=replied&sort=due``: the queue is the list with those filters, so it needs no query of its
    own and stays within the user's scope. The admin checks them against the FilterSet on save."""

    role = models.ForeignKey(
        "org.Role", verbose_name=_("角色"), on_delete=models.CASCADE, related_name="work_queues"
    )
    code = models.SlugField(_("编码"), max_length=40)
    name = models.CharField(_("名称"), max_length=50)
    name_en = models.CharField(_("英文名称"), max_length=50, blank=True)
    params = models.CharField(
        _("筛选条件"),
        max_length=500,
        help_text=_(
            "工单列表的查询参数，如 status=replied&sort=due（可用：状态、队列、处理人、即将超时等）。"
        ),
    )
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("工作队列")
        verbose_name_plural = _("工作队列")
        ordering = ["role", "sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["role", "code"], name="workqueue_role_code")]

    def __str__(self) -> str:
        return f"{self.role} / {self.name}"


class RoutingTarget(models.TextChoices):
    AREA_STATION = "area_station", _("客户台区所属供电所")
    UNIT = "unit", _("指定单位")


class RoutingRule(models.Model):
    """Where an order is dispatched (派单规则): business type / sub-type / topic and the customer's type
    and flags → the 供电所 of the customer's 台区, or a named unit; and whether a fault repair is
    dispatched at intake without a dispatcher. The first active rule that matches, by ``sort_order``,
    decides (:func:`powerdesk.workorders.rules.routing_rule_for`); empty conditions match anything."""

    sort_order = models.PositiveSmallIntegerField(_("顺序"), default=100, help_text=_("数字小的规则先匹配"))
    business_type = models.CharField(
        _("业务类型"), max_length=20, choices=BusinessType.choices, blank=True, help_text=_("留空表示任意")
    )
    sub_type = models.ForeignKey(
        SubType,
        verbose_name=_("业务子类"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("留空表示任意"),
    )
    topic = models.ForeignKey(
        Topic,
        verbose_name=_("业务分类"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("留空表示任意"),
    )
    customer_type = models.CharField(
        _("客户类型"), max_length=20, choices=CustomerType.choices, blank=True, help_text=_("留空表示任意")
    )
    flag = models.CharField(
        _("客户标记"),
        max_length=20,
        choices=PriorityRule.Flag.choices,
        blank=True,
        help_text=_("留空表示任意"),
    )
    target = models.CharField(
        _("派往"), max_length=16, choices=RoutingTarget.choices, default=RoutingTarget.AREA_STATION
    )
    # A code, not a foreign key: the demo's reset empties the unit tree with TRUNCATE … CASCADE, which
    # would empty this reference table with it.
    target_unit_code = models.CharField(
        _("指定单位编码"), max_length=32, blank=True, help_text=_("派往“指定单位”时填写单位编码")
    )
    auto_dispatch = models.BooleanField(
        _("受理时自动派单"),
        default=False,
        help_text=_("仅用于故障报修：受理后由系统账号按本规则直接派单，无需调度员。"),
    )
    is_active = models.BooleanField(_("启用"), default=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("派单规则")
        verbose_name_plural = _("派单规则")
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        parts = [
            self.get_business_type_display() if self.business_type else "",
            str(self.sub_type.name) if self.sub_type_id and self.sub_type else "",
            str(self.topic.name) if self.topic_id and self.topic else "",
            self.get_customer_type_display() if self.customer_type else "",
            self.get_flag_display() if self.flag else "",
        ]
        target = self.target_unit_code if self.target == RoutingTarget.UNIT else self.get_target_display()
        return (" / ".join(p for p in parts if p) or str(_("任意"))) + f" → {target}"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.target == RoutingTarget.UNIT:
            unit = Unit.objects.dispatch_targets().filter(code=self.target_unit_code, is_active=True).first()
            if unit is None:
                errors["target_unit_code"] = _("请填写一个启用的供电所、班组或公司的编码。")
        if self.auto_dispatch and self.business_type != BusinessType.REPAIR:
            errors["auto_dispatch"] = _("只有故障报修可以自动派单。")
        sub_type = self.sub_type if self.sub_type_id else None
        if sub_type is not None and self.business_type and sub_type.business_type != self.business_type:
            errors["sub_type"] = _("业务子类与业务类型不符。")
        if errors:
            raise ValidationError(errors)
