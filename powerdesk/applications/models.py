"""Applications (业务办理) that move step by step: their kinds as step templates (reference data with an
admin and a seed migration), and each application's steps, documents and 一次性告知 record.

A kind's steps run in ``seq`` order; steps sharing a ``seq`` run in parallel; an ``optional`` step does
not hold its group back. A utility-side step runs an SLA clock of its own (``sla.Clock`` of kind
``app_step``); a customer-side step pauses the whole-process clock (kind ``app_process``) and its time is
recorded as the customer's waiting time.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from powerdesk.org.models import Role, UnitKind
from powerdesk.sla.models import Clock, SourceGrade
from powerdesk.workorders.models import Attachment, SubType, Topic, WorkOrder


class DocumentType(models.Model):
    """A document an application may need (ID card, property certificate, load list …)."""

    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("申请资料")
        verbose_name_plural = _("申请资料")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class CustomerScope(models.TextChoices):
    ANY = "any", _("不限")
    RESIDENTIAL = "residential", _("居民")
    NON_RESIDENTIAL = "non_residential", _("非居民")


class ApplicationKind(models.Model):
    """One kind of application and its step template; linked to the order sub-type it opens."""

    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    sub_type = models.ForeignKey(
        SubType, verbose_name=_("业务子类"), on_delete=models.PROTECT, related_name="+"
    )
    topic = models.ForeignKey(Topic, verbose_name=_("业务分类"), on_delete=models.PROTECT, related_name="+")
    customer_scope = models.CharField(
        _("适用客户"), max_length=16, choices=CustomerScope.choices, default=CustomerScope.ANY
    )
    process_limit_days = models.PositiveSmallIntegerField(
        _("全流程时限（工作日）"), help_text=_("供电企业一侧的全流程时限，客户环节不计")
    )
    source_grade = models.CharField(
        _("依据等级"), max_length=1, choices=SourceGrade.choices, default=SourceGrade.U
    )
    source_note = models.CharField(_("依据说明"), max_length=200, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("业务办理类别")
        verbose_name_plural = _("业务办理类别")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class StepSide(models.TextChoices):
    UTILITY = "utility", _("供电企业")
    CUSTOMER = "customer", _("客户")


class StepTemplate(models.Model):
    """One step of a kind: who does it, within how many working days, and which documents it needs."""

    kind = models.ForeignKey(ApplicationKind, on_delete=models.CASCADE, related_name="steps")
    seq = models.PositiveSmallIntegerField(_("顺序"), help_text=_("顺序相同的环节并行办理"))
    code = models.CharField(_("编码"), max_length=32)
    name = models.CharField(_("名称"), max_length=100)
    side = models.CharField(_("办理方"), max_length=10, choices=StepSide.choices, default=StepSide.UTILITY)
    role = models.ForeignKey(
        Role, verbose_name=_("办理角色"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit_level = models.CharField(_("办理单位层级"), max_length=16, choices=UnitKind.choices, blank=True)
    limit_days = models.PositiveSmallIntegerField(_("环节时限（工作日）"))
    optional = models.BooleanField(_("可选环节"), default=False)
    source_grade = models.CharField(
        _("依据等级"), max_length=1, choices=SourceGrade.choices, default=SourceGrade.U
    )
    documents = models.ManyToManyField(DocumentType, verbose_name=_("所需资料"), blank=True, related_name="+")

    class Meta:
        verbose_name = _("办理环节模板")
        verbose_name_plural = _("办理环节模板")
        ordering = ["kind", "seq", "id"]
        constraints = [models.UniqueConstraint(fields=["kind", "code"], name="steptemplate_kind_code")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.seq}. {self.name}"


class NoticeChannel(models.TextChoices):
    PRINTED = "printed", _("纸质告知书")
    SMS = "sms", _("短信")
    PORTAL = "portal", _("网上服务门户")


class ApplicationState(models.TextChoices):
    ACTIVE = "active", _("办理中")
    COMPLETED = "completed", _("已办结")
    WITHDRAWN = "withdrawn", _("已终止")  # its order closed before the last step was done


class Application(models.Model):
    """An application on its work order (one each): its kind, its 一次性告知 record and its clocks."""

    order = models.OneToOneField(WorkOrder, on_delete=models.PROTECT, related_name="application")
    kind = models.ForeignKey(ApplicationKind, verbose_name=_("业务办理类别"), on_delete=models.PROTECT)
    state = models.CharField(
        _("状态"), max_length=10, choices=ApplicationState.choices, default=ApplicationState.ACTIVE
    )
    started_at = models.DateTimeField(_("受理时间"))
    completed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    # 一次性告知: every document the whole application needs, told at acceptance, and how.
    notice_documents = ArrayField(
        models.CharField(max_length=32), verbose_name=_("一次性告知资料"), default=list, blank=True
    )
    notice_channel = models.CharField(_("告知方式"), max_length=10, choices=NoticeChannel.choices)
    notice_given_at = models.DateTimeField(_("告知时间"))
    notice_given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("告知人"), on_delete=models.PROTECT, related_name="+"
    )
    process_clock = models.OneToOneField(
        Clock, verbose_name=_("全流程计时"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    customer_wait_seconds = models.PositiveIntegerField(_("客户环节累计用时（秒）"), default=0)
    # Set while the order is suspended for a reason that stops the clocks: the application's clocks are
    # paused for it, besides the whole process's pause while a customer step runs (two reasons, one pause).
    suspended_at = models.DateTimeField(_("工单挂起暂停计时时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("业务办理")
        verbose_name_plural = _("业务办理")
        indexes = [models.Index(fields=["state", "kind"], name="application_state_kind")]

    def __str__(self) -> str:
        return f"{self.order.number} {self.kind}"


class StepState(models.TextChoices):
    ACTIVE = "active", _("办理中")
    DONE = "done", _("已完成")
    SKIPPED = "skipped", _("已跳过")
    RETURNED = "returned", _("已退回")
    # the order was closed (cancelled by the customer, archived, merged) while the step was running
    WITHDRAWN = "withdrawn", _("已终止")


class ReturnReason(models.Model):
    """Why a step is sent back (data, with an admin and a seed): the staff choose one, and the customer's
    SMS says ``customer_text``, written for the customer; the staff's own note is never sent."""

    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    customer_text = models.CharField(
        _("告知客户的说法"), max_length=60, help_text=_("写入发给客户的短信，请勿写入内部信息")
    )
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("环节退回原因")
        verbose_name_plural = _("环节退回原因")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class ApplicationStep(models.Model):
    """One run of a step: started when its group starts, done, skipped or sent back. A step sent back
    to runs again as a new row (``round`` + 1), so the earlier run stays as it was."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="steps")
    template = models.ForeignKey(
        StepTemplate, verbose_name=_("环节"), on_delete=models.PROTECT, related_name="+"
    )
    seq = models.PositiveSmallIntegerField(_("顺序"))
    round = models.PositiveSmallIntegerField(_("轮次"), default=1)
    side = models.CharField(_("办理方"), max_length=10, choices=StepSide.choices)
    state = models.CharField(_("状态"), max_length=10, choices=StepState.choices, default=StepState.ACTIVE)
    started_at = models.DateTimeField(_("开始时间"))
    due_at = models.DateTimeField(_("环节到期"))
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("办理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # A step sent back: ``result`` is the staff's note (internal), the reason the customer is told is this.
    result = models.TextField(_("办理结果"), blank=True)
    return_reason = models.ForeignKey(
        ReturnReason,
        verbose_name=_("退回原因"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    clock = models.OneToOneField(
        Clock, verbose_name=_("环节计时"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A step done before all the documents its template requires were received: why (e.g. 已在营销系统核验).
    document_reason = models.TextField(_("资料未收齐即办结的原因"), blank=True)

    class Meta:
        verbose_name = _("办理环节")
        verbose_name_plural = _("办理环节")
        ordering = ["application", "seq", "id"]
        indexes = [
            # The dispatcher's view: running steps, soonest due first.
            models.Index(fields=["due_at"], name="appstep_active_due", condition=models.Q(state="active")),
        ]

    def __str__(self) -> str:
        return f"{self.application_id}:{self.template_id}#{self.round}"


class DocumentRequest(models.Model):
    """A 补件 request: a document asked for after acceptance. One not on the 一次性告知 list needs a
    reason, which complaint handlers see."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="document_requests")
    document = models.ForeignKey(
        DocumentType, verbose_name=_("资料"), on_delete=models.PROTECT, related_name="+"
    )
    on_notice = models.BooleanField(_("在一次性告知清单内"))
    reason = models.TextField(_("未在告知清单内的原因"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("要求人"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("要求时间"))

    class Meta:
        verbose_name = _("补件要求")
        verbose_name_plural = _("补件要求")
        ordering = ["requested_at", "id"]

    def __str__(self) -> str:
        return f"{self.application_id}:{self.document_id}"


class DocumentReceipt(models.Model):
    """A document received for a step, with the uploaded file (an order attachment)."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="receipts")
    step = models.ForeignKey(ApplicationStep, on_delete=models.PROTECT, related_name="receipts")
    document = models.ForeignKey(
        DocumentType, verbose_name=_("资料"), on_delete=models.PROTECT, related_name="+"
    )
    attachment = models.ForeignKey(
        Attachment, verbose_name=_("附件"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField(_("接收时间"))

    class Meta:
        verbose_name = _("已收资料")
        verbose_name_plural = _("已收资料")
        ordering = ["received_at", "id"]

    def __str__(self) -> str:
        return f"{self.application_id}:{self.document_id}"
