"""Notification templates (data, editable in the admin) and notifications as rows.

A notification is written in the same transaction as the change that causes it, together with the
Procrastinate job that sends it (one job per batch of rows); the row is the record of what was said to
whom, how often we tried and why it failed. It stores the template's context; the subject and text are
rendered from it at the first send and kept, so they are what was sent. ``dedupe_key`` is the caller's
name for the cause (e.g. ``clock:17:step:2``): a unique index, so the same cause never notifies twice,
even from two sweeps racing.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, validate_slug
from django.db import models
from django.db.models import Q
from django.template import Context, Engine, Template, TemplateSyntaxError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from powerdesk.customers.models import Customer
from powerdesk.workorders.choices import BusinessType
from powerdesk.workorders.models import SubType, WorkOrder

BUSINESS_TYPES = BusinessType.choices

# Notification texts are plain text (SMS, e-mail bodies, outbox lines): no HTML escaping, and only the
# built-in tags and filters, whatever the project's template settings say.
TEXT_ENGINE = Engine(autoescape=False)


class NotifyChannel(models.TextChoices):
    SMS = "sms", _("短信")
    EMAIL = "email", _("电子邮件")
    WECHAT = "wechat", _("微信")
    CONSOLE = "console", _("控制台")


class NotificationState(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")
    CANCELLED = "cancelled", _("已取消")
    # Held back for good when it was enqueued (the customer opted out, there is no number to send to):
    # kept as a row so the order page can say what the customer was not told, and why.
    SUPPRESSED = "suppressed", _("未发送")


class DeliveryState(models.TextChoices):
    """What the gateway reported of a message after it left (its delivery receipt); empty: nothing yet."""

    SENT = "sent", _("已提交")
    DELIVERED = "delivered", _("已送达")
    FAILED = "failed", _("未送达")


class SuppressedReason(models.TextChoices):
    OPTED_OUT = "opted_out", _("客户已退订")
    NO_NUMBER = "no_number", _("没有可发送的号码")


class NotificationCategory(models.Model):
    """What kind of message a template is (服务告知, 抢修复电, 安全提示, 法定停电通知, 验证码, 内部督办).

    ``exempt``: messages of this kind go out whatever the quiet hours and the customer's opt-outs say
    (restoration, safety, outage notices with a legal deadline, one-time codes, staff escalations)."""

    code = models.CharField(_("编码"), max_length=32, unique=True, validators=[validate_slug])
    name = models.CharField(_("名称"), max_length=50)
    exempt = models.BooleanField(
        _("不受免打扰与退订限制"),
        default=False,
        help_text=_("勾选后，此类消息在免打扰时段和客户退订后仍照常发送"),
    )

    class Meta:
        verbose_name = _("消息类别")
        verbose_name_plural = _("消息类别")
        ordering = ["code"]

    def __str__(self) -> str:
        return str(self.name)


@functools.lru_cache(maxsize=256)
def _compiled(source: str) -> Template:
    # Compiling is most of the cost of a short text; a batch of sweep notifications shares few sources.
    return TEXT_ENGINE.from_string(source)


def render_text(source: str, context: dict) -> str:
    return _compiled(source).render(Context(context, autoescape=False)).strip()


class NotificationTemplate(models.Model):
    """One message text. ``subject`` and ``body`` are Django template strings rendered with the caller's
    context (the SLA sweep passes ``order_number``, ``clock``, ``due_at``, ``unit``, ``recipient`` …)."""

    code = models.CharField(_("编码"), max_length=50, unique=True, validators=[validate_slug])
    name = models.CharField(_("名称"), max_length=100)
    channel = models.CharField(
        _("适用渠道"),
        max_length=16,
        choices=NotifyChannel.choices,
        default=NotifyChannel.SMS,
        help_text=_("文本按此渠道撰写（短信需简短）；发送时由调用方选择实际渠道"),
    )
    subject = models.CharField(_("标题"), max_length=200, blank=True, help_text=_("用于电子邮件"))
    body = models.TextField(_("正文"), help_text=_("Django 模板语法，如 {{ order_number }}"))
    is_active = models.BooleanField(_("启用"), default=True, help_text=_("停用后不再产生此类通知"))
    # By the category's code: templates seeded by other apps' migrations name no category and get the
    # ordinary one, "service", which quiet hours and opt-outs apply to.
    category = models.ForeignKey(
        NotificationCategory,
        verbose_name=_("消息类别"),
        to_field="code",
        default="service",
        on_delete=models.PROTECT,
        related_name="templates",
        db_index=False,
    )
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("通知模板")
        verbose_name_plural = _("通知模板")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code}（{self.name}）"

    def clean(self) -> None:
        # A broken template would make every caller fail (the SLA sweep included): refuse it at save time.
        errors: dict[str, list[str]] = {}
        for field in ("subject", "body"):
            try:
                TEXT_ENGINE.from_string(getattr(self, field))
            except TemplateSyntaxError as exc:
                errors[field] = [gettext("模板语法错误：%(error)s") % {"error": exc}]
        if errors:
            raise ValidationError(errors)

    def render(self, context: dict) -> tuple[str, str]:
        """The subject and text for ``context``, stripped."""
        return render_text(self.subject, context), render_text(self.body, context)


class Notification(models.Model):
    # recipient_user has no index of its own: no query reads notifications by it (the sender reads by id,
    # the retry by state), and the sweep writes a thousand rows a cycle. The order's messages are read by
    # its page and by anonymisation (notify_order_created).
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
        db_index=False,
    )
    recipient_address = models.CharField(_("接收地址"), max_length=254, help_text=_("手机号或电子邮箱"))
    channel = models.CharField(_("渠道"), max_length=16, choices=NotifyChannel.choices)
    # No index: a handful of templates, each on a large share of the rows, so no query would use one; it
    # would only be written with every row.
    template = models.ForeignKey(
        NotificationTemplate,
        verbose_name=_("模板"),
        on_delete=models.PROTECT,
        related_name="notifications",
        db_index=False,
    )
    context = models.JSONField(_("模板参数"), default=dict, blank=True)
    # Empty until the first send renders them (services._render).
    subject = models.CharField(_("标题"), max_length=200, blank=True)
    text = models.TextField(_("内容"))
    order = models.ForeignKey(
        WorkOrder,
        verbose_name=_("工单"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
        db_index=False,
    )
    state = models.CharField(
        _("状态"), max_length=16, choices=NotificationState.choices, default=NotificationState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.TextField(_("最近错误"), blank=True)
    permanent_error = models.BooleanField(_("永久失败"), default=False)
    # Unique across months through NotificationKey (the table is partitioned; see Meta).
    dedupe_key = models.CharField(_("去重键"), max_length=200, null=True, blank=True)
    # Whom the message is for, when it is a customer's: opt-outs are per customer and channel.
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("客户"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    # Not before this time (the end of the quiet hours it fell into); its send job is scheduled for it.
    send_after = models.DateTimeField(_("延后发送至"), null=True, blank=True)
    suppressed_reason = models.CharField(
        _("未发送原因"), max_length=16, choices=SuppressedReason.choices, blank=True
    )
    created_at = models.DateTimeField(_("创建时间"))
    claimed_at = models.DateTimeField(_("开始发送时间"), null=True, blank=True)
    # The Procrastinate job whose run claimed the row: a later run of the same job (handed out again only
    # once the worker running it stopped sending heartbeats) may take the claim over at once.
    claimed_by_job = models.BigIntegerField(_("发送任务编号"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    provider_message_id = models.CharField(_("服务商消息编号"), max_length=200, blank=True)
    # The gateway's delivery receipt (services: delivery_receipts_record), apart from ``state``, which
    # says whether the message left: a message sent may still be reported undelivered.
    delivery_state = models.CharField(
        _("送达状态"), max_length=12, choices=DeliveryState.choices, blank=True, default=""
    )
    delivery_at = models.DateTimeField(_("送达回执时间"), null=True, blank=True)
    delivery_code = models.CharField(_("网关状态码"), max_length=32, blank=True, default="")

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        # The table is partitioned by month of ``created_at`` (migration 0010; powerdesk.core.partitions
        # keeps next months ready and detaches old ones to the archive schema), as the timeline is. Its
        # primary key is (id, created_at) in the database, ``id`` alone unique from one sequence; the
        # de-duplication key is unique in the unpartitioned NotificationKey. Reads carry the month where
        # they know it: the send job the rows' creation time, the order page the order's acceptance.
        indexes = [
            # The admin's "not delivered" view, the resend list and any recovery job read only the
            # unfinished rows; newest first, they read the newest months first and stop there.
            models.Index(
                fields=["created_at"],
                name="notify_unfinished_idx",
                condition=Q(state__in=["pending", "sending", "failed"]),
            ),
            models.Index(fields=["order", "created_at"], name="notify_order_created"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_channel_display()} → {self.recipient_address}"


class NotificationKey(models.Model):
    """The de-duplication keys of the notifications, one row per key, unique across months (the
    notifications are partitioned by month, and a unique key there would have to hold the month).

    The enqueue reserves the keys of its batch here first, each bound to the id its notification will
    have (``ON CONFLICT DO NOTHING``: a key stored before, or being stored by a transaction still open, is
    skipped, as before) and writes only the notifications whose key it reserved; a statement trigger on
    the notifications (migration 0011; set-based, once per INSERT or DELETE) binds a key reserved empty to
    its notification or stores the key of a row written any other way, frees the keys of rows deleted,
    and refuses a second notification with a bound key (IntegrityError) whoever writes it."""

    dedupe_key = models.CharField(max_length=200, primary_key=True)
    # Empty only for a key reserved without an id, until its notification's insert in the same transaction.
    notification_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        indexes = [
            # The trigger's binding reads the empty keys: none or a handful, where a scan of the whole
            # table (a key per keyed notification ever sent) would grow with the years.
            models.Index(
                fields=["dedupe_key"], condition=Q(notification_id__isnull=True), name="notify_key_unbound"
            )
        ]

    def __str__(self) -> str:
        return self.dedupe_key


class QuietHours(models.Model):
    """A daily window in which customers are not sent ordinary messages (e.g. 21:00–08:00, crossing
    midnight when ``end`` is before ``start``). A message enqueued inside it waits for its end."""

    name = models.CharField(_("名称"), max_length=50)
    start = models.TimeField(_("开始"))
    end = models.TimeField(_("结束"))
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("免打扰时段")
        verbose_name_plural = _("免打扰时段")
        ordering = ["start"]

    def __str__(self) -> str:
        return f"{self.name} {self.start:%H:%M}–{self.end:%H:%M}"

    def clean(self) -> None:
        if self.start == self.end:
            raise ValidationError({"end": gettext("结束时间不能与开始时间相同。")})


class CustomerOptOut(models.Model):
    """A customer who asked not to be sent messages on a channel (exempt categories still go out)."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("客户"), on_delete=models.CASCADE, related_name="notify_opt_outs"
    )
    channel = models.CharField(_("渠道"), max_length=16, choices=NotifyChannel.choices)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("退订时间"), default=timezone.now)

    class Meta:
        verbose_name = _("客户退订")
        verbose_name_plural = _("客户退订")
        ordering = ["customer", "channel"]
        constraints = [models.UniqueConstraint(fields=["customer", "channel"], name="notify_opt_out_unique")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.get_channel_display()}"


class CustomerStep(models.TextChoices):
    """The moments of an order at which the customer is told something."""

    ACCEPTED = "accepted", _("受理")
    DISPATCHED = "dispatched", _("派单（现场作业）")
    REPLIED = "replied", _("回单")
    CLOSED = "closed", _("办结")


class MessageAudience(models.TextChoices):
    CALLER = "caller", _("来电人（来电号码）")
    ACCOUNT_HOLDER = "account_holder", _("户主（客户档案电话）")


class CustomerMessageRule(models.Model):
    """Which template tells the customer about a step of an order of a business type (and sub-type:
    a rule naming one wins over the type's general rule), and to whom it goes."""

    business_type = models.CharField(_("业务类型"), max_length=20, choices=BUSINESS_TYPES)
    sub_type = models.ForeignKey(
        SubType,
        verbose_name=_("业务子类"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("留空：适用于该业务类型的所有子类"),
    )
    step = models.CharField(_("环节"), max_length=16, choices=CustomerStep.choices)
    template = models.ForeignKey(
        NotificationTemplate, verbose_name=_("通知模板"), on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(_("渠道"), max_length=16, choices=NotifyChannel.choices, default="sms")
    audience = models.CharField(
        _("发送对象"), max_length=16, choices=MessageAudience.choices, default=MessageAudience.CALLER
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("客户告知规则")
        verbose_name_plural = _("客户告知规则")
        ordering = ["business_type", "step", "sub_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["business_type", "sub_type", "step"],
                name="notify_message_rule_unique",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_business_type_display()} · {self.get_step_display()} → {self.template.code}"

    def clean(self) -> None:
        if self.sub_type is not None and self.sub_type.business_type != self.business_type:
            raise ValidationError({"sub_type": gettext("业务子类与业务类型不符。")})


class SendRetryPolicy(models.Model):
    """How the send jobs retry a message the gateway refused for a while (a transient error): waits that
    grow by ``factor`` from ``first_wait_seconds`` up to ``max_wait_seconds``, ``max_attempts`` in all;
    after the last, the message stays ``failed`` and is listed for a resend (``notify:failed``). The first
    row is in force; without one, these defaults."""

    name = models.CharField(_("名称"), max_length=50)
    max_attempts = models.PositiveSmallIntegerField(
        _("最多尝试次数"), default=10, validators=[MinValueValidator(1)]
    )
    first_wait_seconds = models.PositiveIntegerField(_("首次重试等待（秒）"), default=30)
    factor = models.PositiveSmallIntegerField(_("等待倍数"), default=2, validators=[MinValueValidator(1)])
    max_wait_seconds = models.PositiveIntegerField(_("最长等待（秒）"), default=900)

    class Meta:
        verbose_name = _("发送重试策略")
        verbose_name_plural = _("发送重试策略")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def current(cls) -> SendRetryPolicy:
        return cls.objects.order_by("id").first() or cls(name="default")
