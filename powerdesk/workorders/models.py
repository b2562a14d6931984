"""The work order (工单), its append-only timeline, customer contacts and the intake rules."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from powerdesk.customers.models import Customer, CustomerType
from powerdesk.org.models import Unit
from powerdesk.workorders.choices import (
    AttachmentKind,
    BusinessType,
    Channel,
    LinkKind,
    Priority,
    RepeatAction,
    Satisfaction,
    StateGroup,
    Status,
)
from powerdesk.workorders.extensions import kind_label


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


def _label(choices: type[models.TextChoices], value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:  # a value no longer among the choices: shown as stored, as Django does
        return value


class WorkOrder(models.Model):
    # Unique by a constraint rather than unique=True: the same unique index, without the second
    # (varchar_pattern_ops) index Django adds to a unique CharField for LIKE queries, which no one makes
    # (a number is looked up whole); every intake and every order update that moves its row writes it.
    number = models.CharField(_("工单编号"), max_length=20)
    business_type = models.CharField(_("业务类型"), max_length=20, choices=BusinessType.choices)
    sub_type = models.ForeignKey(
        SubType,
        verbose_name=_("业务子类"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # only an admin deleting a sub-type looks orders up by it
    )
    topic = models.ForeignKey(
        Topic,
        verbose_name=_("业务分类"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # covered by an index below that starts with this column
    )
    channel = models.CharField(_("受理渠道"), max_length=16, choices=Channel.choices, default=Channel.HOTLINE)
    priority = models.PositiveSmallIntegerField(
        _("紧急程度"), choices=Priority.choices, default=Priority.NORMAL
    )
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.ACCEPTED)
    status_before_suspend = models.CharField(max_length=16, choices=Status.choices, blank=True)

    customer = models.ForeignKey(
        Customer,
        verbose_name=_("客户"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,  # covered by an index below that starts with this column
        related_name="orders",
    )
    area = models.ForeignKey(
        Unit, verbose_name=_("台区"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    caller_name = models.CharField(_("来电人"), max_length=50, blank=True)
    caller_phone = models.CharField(_("来电号码"), max_length=32, blank=True)
    # A call whose phone system carried no caller ID: said explicitly, not left to an empty number.
    caller_withheld = models.BooleanField(_("未显示来电号码"), default=False, db_default=False)
    description = models.TextField(_("诉求内容"))
    facts = models.JSONField(_("补充信息"), default=dict, blank=True)

    # The company (the root of the unit tree: the province company) the order belongs to, stamped at
    # intake from the accepting unit (powerdesk.org.selectors.unit_company_id) and never changed: a
    # transfer stays inside the company. Every hot query filters by it (docs/scaling.md).
    company = models.ForeignKey(
        Unit,
        verbose_name=_("所属公司"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # the indexes below that need it start with it
        editable=False,
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("处理单位"),
        on_delete=models.PROTECT,
        related_name="orders",
        db_index=False,  # covered by an index below that starts with this column
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("首问责任人"),
        on_delete=models.PROTECT,
        db_index=False,  # covered by an index below that starts with this column
        related_name="owned_orders",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,  # covered by an index below that starts with this column
        related_name="assigned_orders",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("主工单"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    contact_count = models.PositiveIntegerField(_("来电次数"), default=1)
    chase_count = models.PositiveIntegerField(_("催办次数"), default=0)
    escalation_level = models.PositiveSmallIntegerField(_("升级层级"), default=0)
    reopen_count = models.PositiveSmallIntegerField(_("重开次数"), default=0)
    is_flagged = models.BooleanField(_("重点关注"), default=False)

    result = models.TextField(_("处理结果"), blank=True)
    reply_text = models.TextField(_("回单内容"), blank=True)
    satisfaction = models.CharField(_("回访满意度"), max_length=16, choices=Satisfaction.choices, blank=True)
    callback_resolved = models.BooleanField(_("问题已解决"), null=True, blank=True)

    created_at = models.DateTimeField(_("受理时间"), db_index=False)
    dispatched_at = models.DateTimeField(_("派单时间"), null=True, blank=True)
    taken_at = models.DateTimeField(_("接单时间"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("到达时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("处理完成时间"), null=True, blank=True)
    replied_at = models.DateTimeField(_("回单时间"), null=True, blank=True)
    called_back_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"))

    due_at = models.DateTimeField(_("办理时限"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    # The table's pages are left 15 % free (migration 0010, fillfactor): the many later updates that change
    # no indexed column then stay on their page.
    class Meta:
        verbose_name = _("工单")
        verbose_name_plural = _("工单")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["number"], name="wo_number_unique")]
        indexes = [
            # A unit's queue: open orders of a unit, newest first.
            models.Index(fields=["company", "unit", "status", "-created_at"], name="wo_unit_status_created"),
            # Every index a list or the intake reads starts with the company, which each such query names
            # (docs/scaling.md): one equality ahead of the old columns keeps each order and each
            # index-only scan as it was. The list filters walk these in the list's order (newest first,
            # id breaking ties) and stop after a page; ``unit`` rides along (INCLUDE) so that the scope
            # filter, the ids-first page and the capped count are index-only scans (see core.pagination).
            models.Index(
                fields=["company", "topic", "status", "-created_at", "-id"],
                include=["unit"],
                name="wo_topic_status_created",
            ),
            models.Index(fields=["company", "-created_at", "-id"], include=["unit"], name="wo_created_unit"),
            models.Index(fields=["company", "assignee", "status"], name="wo_assignee_status"),
            models.Index(fields=["company", "owner", "status"], name="wo_owner_status"),
            # Repeat-call detection: the same customer and topic, recent first.
            models.Index(
                fields=["company", "customer", "topic", "-created_at"], name="wo_company_customer_topic"
            ),
            models.Index(
                fields=["company", "due_at"],
                name="wo_open_due",
                condition=~Q(status__in=["archived", "merged"]),
            ),
            # A unit's open queue, newest first, without walking the unit's closed history.
            models.Index(
                fields=["company", "unit", "-created_at", "-id"],
                name="wo_unit_open_created_id",
                condition=~Q(status__in=["archived", "merged"]),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    # Django's generated get_FOO_display rebuilds a dict of all the field's choices, translating every
    # lazy label, on each call; a list page of 50 orders calls these 100 times.
    def get_status_display(self) -> str:  # type: ignore[no-redef]
        return _label(Status, self.status)

    def get_business_type_display(self) -> str:  # type: ignore[no-redef]
        return _label(BusinessType, self.business_type)

    @property
    def is_open(self) -> bool:
        return self.status not in (Status.ARCHIVED, Status.MERGED)


class WorkOrderEvent(models.Model):
    """One line of an order's timeline. Append-only: a database trigger refuses UPDATE and DELETE."""

    order = models.ForeignKey(
        WorkOrder,
        on_delete=models.PROTECT,
        related_name="events",
        db_index=False,  # covered by an index below that starts with this column
    )
    # The kinds are registered by the apps that write them (powerdesk.workorders.extensions.event_kinds):
    # no choices here, so an app above the order adds its kinds without a migration of this one.
    # The order's company, copied from the order by a database trigger on insert (workorders 0023): every
    # writer, the sweep's bulk rows included, gets it without passing it.
    company = models.ForeignKey(
        Unit,
        verbose_name=_("所属公司"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        editable=False,
    )
    kind = models.CharField(_("事件"), max_length=20)
    # No index of its own: no query reads events by actor, and staff who acted are deactivated, never
    # deleted (the timeline must keep them); every event (the sweep writes thousands) would write it.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    at = models.DateTimeField(_("时间"))
    from_status = models.CharField(_("原状态"), max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=16, choices=Status.choices, blank=True)
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(_("变更内容"), default=dict, blank=True)
    request_id = models.CharField(max_length=100, blank=True)
    # What the request under request_id asked (powerdesk.core.idempotency): a retry must match it.
    request_fingerprint = models.CharField(max_length=64, blank=True, default="", db_default="")

    class Meta:
        verbose_name = _("工单事件")
        verbose_name_plural = _("工单事件")
        ordering = ["at", "id"]
        # The table is partitioned by month of ``at`` (migration 0025; powerdesk.core.partitions keeps
        # next months' partitions ready and detaches old ones to the archive schema). Its primary key is
        # (id, at) in the database — a unique key of a partitioned table must hold the partition key —
        # and ``id`` alone stays unique, from one sequence. An order's timeline is read by this index,
        # one small index range per month.
        indexes = [models.Index(fields=["order", "at"], name="wo_event_order_at")]

    def __str__(self) -> str:
        return f"{self.order_id} {self.kind}"

    @property
    def label(self) -> str:
        """The kind's name in the active language."""
        return kind_label(self.kind)


class EventRequestKey(models.Model):
    """The request ids of the timeline, one row per (order, request id): a retried transition (the same
    request id on the same order) is applied once. A unique key on the partitioned timeline would have to
    hold the month, and a retry may come in the next month: this small unpartitioned table holds the key
    instead. Written by a trigger on every event with a request id (migration 0025), so no writer of the
    timeline can skip it; a second event with the key fails with the same IntegrityError as before."""

    order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="+", db_index=False)
    request_id = models.CharField(max_length=100)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["order", "request_id"], name="wo_event_request_unique")
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.request_id}"


class Contact(models.Model):
    """Every customer contact, whether it opened an order or was linked to one as a repeat call."""

    customer = models.ForeignKey(
        Customer,
        verbose_name=_("客户"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,  # covered by an index below that starts with this column
        related_name="contacts",
    )
    order = models.ForeignKey(
        WorkOrder, verbose_name=_("工单"), on_delete=models.PROTECT, related_name="contacts"
    )
    # The order's company, copied from the order by a database trigger on insert (workorders 0023): every
    # writer, the sweep's bulk rows included, gets it without passing it.
    company = models.ForeignKey(
        Unit,
        verbose_name=_("所属公司"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        editable=False,
    )
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    phone = models.CharField(_("来电号码"), max_length=32, blank=True)
    phone_withheld = models.BooleanField(_("未显示来电号码"), default=False, db_default=False)
    summary = models.TextField(_("内容摘要"), blank=True)
    is_repeat = models.BooleanField(_("重复致电"), default=False)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("受理人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"))
    # The caller's Idempotency-Key: a retried intake finds this contact instead of making a new one. Unique
    # across months through ContactKey (the table is partitioned; see Meta).
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)
    request_fingerprint = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("客户来电")
        verbose_name_plural = _("客户来电")
        ordering = ["-at"]
        # The table is partitioned by month of ``at`` (migration 0027; powerdesk.core.partitions keeps next
        # months ready and detaches old ones to the archive schema), as the timeline is. Its primary key is
        # (id, at) in the database, ``id`` alone unique from one sequence; the id, the month and the
        # Idempotency-Key of every contact are kept in the unpartitioned ContactKey, which the references
        # from other tables point at. Reads by customer or order carry a time bound (the customer's recent
        # contacts, the repeat window, the order's acceptance: ``selectors.order_contacts``).
        indexes = [models.Index(fields=["customer", "-at"], name="contact_customer_at")]

    def __str__(self) -> str:
        return f"{self.phone} {self.at:%Y-%m-%d %H:%M}"


class ContactKey(models.Model):
    """One row per contact, kept by a database trigger on the partitioned contacts (migration 0027): the
    contact's id, its month and its Idempotency-Key. A unique key of a partitioned table must hold the
    partition key, and a retried intake may come in the next month: the key is unique here instead, and a
    second contact with it fails with the same IntegrityError as before. The foreign keys of other tables
    to a contact (an outage call, a triage record) point at this table's ``contact_id`` in the database
    (``db_constraint=False`` on their side), so a reference stays checked whatever the contact's month.
    ``at`` lets a lookup by key read the contact's one month (``selectors.contact_by_idempotency_key``)."""

    contact = models.OneToOneField(
        Contact, primary_key=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    at = models.DateTimeField()
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["idempotency_key"], name="contact_idempotency_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.contact_id} {self.idempotency_key or ''}"


class OrderLink(models.Model):
    """A new order naming an earlier order of the same customer: 复发 (a fault again after restoration),
    跟进 (a follow-up of an archived order) or 关联 (an agent's new order over a repeat call). Read from both
    orders (``links_out`` of the new one, ``links_in`` of the earlier one); each side's timeline has its
    event. The agent's choice is kept beside the rule's suggestion."""

    order = models.ForeignKey(
        WorkOrder,
        verbose_name=_("新工单"),
        on_delete=models.PROTECT,
        related_name="links_out",
        db_index=False,  # covered by the unique constraint, which starts with this column
    )
    earlier = models.ForeignKey(
        WorkOrder,
        verbose_name=_("原工单"),
        on_delete=models.PROTECT,
        related_name="links_in",
        db_index=False,  # covered by an index below that starts with this column
    )
    kind = models.CharField(_("关联类型"), max_length=16, choices=LinkKind.choices)
    suggested = models.CharField(_("规则建议"), max_length=16, choices=RepeatAction.choices, blank=True)
    chosen = models.CharField(_("实际处理"), max_length=16, choices=RepeatAction.choices, blank=True)
    reason = models.CharField(_("原因"), max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("受理人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # no query reads links by who made them
    )
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("工单关联")
        verbose_name_plural = _("工单关联")
        ordering = ["at", "id"]
        constraints = [models.UniqueConstraint(fields=["order", "earlier"], name="order_link_unique")]
        # ``order`` is served by the unique constraint's index; the list filter "has recurrence" and the
        # earlier order's page read by ``earlier``, the kind riding along.
        indexes = [models.Index(fields=["earlier", "kind"], name="order_link_earlier_kind")]

    def __str__(self) -> str:
        return f"{self.order_id} → {self.earlier_id} ({self.kind})"


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"orders/{instance.order.number}/{instance.sha256[:16]}_{filename}"


class Attachment(models.Model):
    order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="attachments")
    kind = models.CharField(_("类别"), max_length=16, choices=AttachmentKind.choices)
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=300)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"))

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


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
