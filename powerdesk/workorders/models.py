"""The work order (工单), its append-only timeline, customer contacts, links and attachments.

The reference tables the intake reads (topics, sub-types, repeat-call, priority, attachment and routing
rules, work queues) are in :mod:`powerdesk.workorders.reference_models`, imported here so that Django
and every caller find all the app's models in this module."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from powerdesk.customers.models import Customer
from powerdesk.org.models import Unit
from powerdesk.workorders.choices import (
    AttachmentKind,
    BusinessType,
    Channel,
    EventKind,
    LinkKind,
    Priority,
    RepeatAction,
    Satisfaction,
    Status,
)
from powerdesk.workorders.extensions import kind_label
from powerdesk.workorders.reference_models import (
    AttachmentRule,
    PriorityRule,
    RepeatCallAction,
    RepeatCallRule,
    RoutingRule,
    RoutingTarget,
    SubType,
    Topic,
    WorkQueue,
)

__all__ = [
    "Attachment",
    "AttachmentRule",
    "Contact",
    "ContactKey",
    "EventRequestKey",
    "OrderLink",
    "PriorityRule",
    "RepeatCallAction",
    "RepeatCallRule",
    "RoutingRule",
    "RoutingTarget",
    "SubType",
    "Topic",
    "WorkOrder",
    "WorkOrderEvent",
    "WorkQueue",
    "attachment_path",
]


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
    # Set on a merged order only: its index holds those (wo_parent_merged), and the insert or update of
    # any other order writes no entry there.
    parent = models.ForeignKey(
        "self",
        verbose_name=_("主工单"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        db_index=False,
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
            # (docs/scaling.md): one equality ahead of the other columns keeps each index's order and
            # its index-only scans. The list filters walk these in the list's order (newest first,
            # id breaking ties) and stop after a page; ``unit`` rides along (INCLUDE) so that the scope
            # filter, the ids-first page and the capped count are index-only scans (see core.pagination).
            models.Index(
                fields=["company", "topic", "status", "-created_at", "-id"],
                include=["unit"],
                name="wo_topic_status_created",
            ),
            models.Index(fields=["company", "-created_at", "-id"], include=["unit"], name="wo_created_unit"),
            models.Index(fields=["company", "assignee", "status"], name="wo_assignee_status"),
            # A master order's merged orders (its page): only merged orders have a parent.
            models.Index(fields=["parent"], name="wo_parent_merged", condition=Q(parent__isnull=False)),
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
            # The work queues (a status, oldest or newest first, over the units a person sees): only the open
            # orders of that status, in order, the unit read from the index. Without it the oldest-first
            # dispatch queue walked the company's whole history by date when many orders waited (a storm
            # day: ~180,000 accepted orders of a million, 0.35 s a page).
            models.Index(
                fields=["company", "status", "created_at", "id"],
                include=["unit"],
                name="wo_open_status_created",
                condition=~Q(status__in=["archived", "merged"]),
            ),
            # A unit's open queue, newest first, without walking the unit's closed history.
            models.Index(
                fields=["company", "unit", "-created_at", "-id"],
                name="wo_unit_open_created_id",
                condition=~Q(status__in=["archived", "merged"]),
            ),
            # A month of orders as the analytics read it (the quality view's measures, the monthly
            # report's KPIs, volume and worst 台区, for the month, the month before and a year before):
            # every column they read rides along, so a month is an index-only scan of a tenth of the
            # pages its rows fill, and a month nobody has read for a year does not cost a read of its
            # whole heap. Its price: a repeat call's UPDATE (``contact_count``) is no longer a HOT update.
            models.Index(
                fields=["created_at"],
                include=[
                    "unit",
                    "id",
                    "business_type",
                    "area",
                    "contact_count",
                    "satisfaction",
                    "called_back_at",
                    "assignee",
                    "owner",
                ],
                name="wo_accepted_measures",
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
    # writer, the sweep's bulk rows included, gets it without passing it. A copy for routing (partitions,
    # shards), so no foreign key of its own (workorders 0030): the order's own key guards the value, and
    # a key here would cost a look-up of the unit per event at commit (a two-step sweep cycle writes
    # 2,000 events: 7 ms of its commit).
    company = models.ForeignKey(
        Unit,
        verbose_name=_("所属公司"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
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
        indexes = [
            models.Index(fields=["order", "at"], name="wo_event_order_at"),
            # The month's re-opened orders (the monthly report): a few rows among every event of the month.
            models.Index(fields=["at"], condition=Q(kind=EventKind.REOPEN), name="wo_event_reopen_at"),
        ]

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
