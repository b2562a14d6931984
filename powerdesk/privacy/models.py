"""Retention as data: how long each kind of personal data is kept (``RetentionPeriod``, grade U until a
source is found), the explicit holds that keep a person's data past its period (``RetentionHold``), and
the orders already anonymised (``AnonymisedOrder``: the job's own bookmark, so a run never reads an order
twice)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RetentionKind(models.TextChoices):
    ORDER_IDENTITY = "order_identity", _("已办结工单中的客户身份信息")
    CONTACT_PHONE = "contact_phone", _("来电记录中的来电号码")
    NOTIFICATION_TEXT = "notification_text", _("发给客户的通知内容")
    ATTACHMENT = "attachment", _("工单附件与录音")
    # Counted from the entry; expired entries are deleted through the owner's function (audit 0002).
    AUDIT_ENTRY = "audit_entry", _("审计记录")
    # Counted from the job's end; Procrastinate deletes them (a failed job stays until it is retried or
    # cancelled: it is something to act on, not history).
    JOB_HISTORY = "job_history", _("已结束的后台任务记录")


class SourceGrade(models.TextChoices):
    A = "A", _("A 官方")
    B = "B", _("B 新闻或官方文本转载")
    C = "C", _("C 二手资料")
    U = "U", _("U 未经证实")


class RetentionPeriod(models.Model):
    """How many months one kind of personal data is kept: after an order's closure (identity,
    attachments), after the contact (caller's number), after the message was written (notification
    texts). Past it the anonymisation job blanks or deletes it, unless a hold applies."""

    kind = models.CharField(_("数据类别"), max_length=32, choices=RetentionKind.choices, unique=True)
    months = models.PositiveSmallIntegerField(
        _("保存期限（月）"), validators=[MinValueValidator(1), MaxValueValidator(600)]
    )
    is_active = models.BooleanField(_("启用"), default=True, help_text=_("停用后此类数据不做到期处理"))
    source = models.CharField(_("依据"), max_length=200, blank=True)
    source_grade = models.CharField(_("依据等级"), max_length=1, choices=SourceGrade.choices, default="U")
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("保存期限")
        verbose_name_plural = _("保存期限")
        ordering = ["kind"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.months}"


class RetentionHold(models.Model):
    """An explicit hold on a person's data (an account, a phone number, or both): while it is in force
    nothing of theirs expires and no data-subject erasure runs."""

    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="retention_holds",
        verbose_name=_("客户"),
    )
    phone = models.CharField(_("电话号码"), max_length=32, blank=True)
    reason = models.CharField(_("原因"), max_length=200)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("设置人")
    )
    placed_at = models.DateTimeField(_("设置时间"))
    until = models.DateField(_("保留至"), null=True, blank=True, help_text=_("留空表示直到解除"))
    released_at = models.DateTimeField(_("解除时间"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("解除人"),
    )

    class Meta:
        verbose_name = _("保留冻结")
        verbose_name_plural = _("保留冻结")
        ordering = ["-placed_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(customer__isnull=False) | ~Q(phone=""), name="privacy_hold_names_someone"
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer or self.phone}：{self.reason}"


class AnonymisedOrder(models.Model):
    """An order whose personal data the job has blanked (its orders, timeline, contacts); when."""

    order = models.OneToOneField(
        "workorders.WorkOrder", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    at = models.DateTimeField(_("匿名化时间"))

    class Meta:
        verbose_name = _("已匿名化工单")
        verbose_name_plural = _("已匿名化工单")

    def __str__(self) -> str:
        return f"{self.order_id} {self.at:%Y-%m-%d}"
