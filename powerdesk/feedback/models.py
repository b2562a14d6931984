"""Callbacks, surveys, follow-up tasks, the opinion box and survey campaigns.

Reference rows (which types need a callback and what a bad callback leads to, the time-of-day bands,
the scripts, the question sets, the policy's figures) are data with admin screens and seed migrations;
the rules that read them are :mod:`powerdesk.feedback.rules`.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from powerdesk.customers.models import Customer, CustomerType
from powerdesk.org.models import ServiceHall, Unit
from powerdesk.workorders.choices import BusinessType
from powerdesk.workorders.models import SubType, WorkOrder


class Outcome(models.TextChoices):
    """What a dissatisfied or unresolved callback leads to."""

    REOPEN = "reopen", _("重开工单")
    FOLLOW_UP = "follow_up", _("生成跟进任务")
    NOTHING = "nothing", _("不处理")


class FeedbackPolicy(models.Model):
    """The figures of callbacks and surveys (one active row; the newest active one applies)."""

    name = models.CharField(_("名称"), max_length=100)
    unreached_attempts = models.PositiveSmallIntegerField(
        _("无法联系所需未接通次数"),
        default=3,
        validators=[MinValueValidator(1)],
        help_text=_("在不同时段各未接通一次，达到此次数后可按“无法联系”归档"),
    )
    low_score = models.PositiveSmallIntegerField(
        _("低分阈值"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("调查评分不高于此分即生成跟进任务"),
    )
    survey_valid_hours = models.PositiveIntegerField(_("调查链接有效期（小时）"), default=72)
    follow_up_days = models.PositiveSmallIntegerField(_("跟进任务期限（天）"), default=3)
    campaign_gap_days = models.PositiveSmallIntegerField(
        _("同一客户两次调查最短间隔（天）"), default=90, help_text=_("服务调查的频次上限")
    )
    campaign_batch_size = models.PositiveSmallIntegerField(_("调查每批发送数"), default=200)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("回访与调查参数")
        verbose_name_plural = _("回访与调查参数")
        ordering = ["-is_active", "-id"]

    def __str__(self) -> str:
        return self.name


class QuestionSet(models.Model):
    """Which of the survey's questions are asked; at most three."""

    code = models.SlugField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    ask_score = models.BooleanField(_("满意度评分（1–5 分）"), default=True)
    ask_resolved = models.BooleanField(_("问题是否解决"), default=True)
    ask_comment = models.BooleanField(_("意见留言"), default=True)
    ask_restoration = models.BooleanField(_("告知的复电时间是否准确"), default=False)

    class Meta:
        verbose_name = _("调查问题组")
        verbose_name_plural = _("调查问题组")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from powerdesk.feedback.rules import MAX_QUESTIONS, question_count

        if question_count(self) > MAX_QUESTIONS:
            raise ValidationError(_("一次调查最多三个问题。"))
        if question_count(self) == 0:
            raise ValidationError(_("请至少选择一个问题。"))


class CallbackRule(models.Model):
    """Per business type: is a callback needed, what a bad callback leads to, which survey follows."""

    business_type = models.CharField(_("业务类型"), max_length=20, choices=BusinessType.choices, unique=True)
    needs_callback = models.BooleanField(_("需要回访"), default=True)
    on_dissatisfied = models.CharField(
        _("回访不满意时"), max_length=16, choices=Outcome.choices, default=Outcome.REOPEN
    )
    on_unresolved = models.CharField(
        _("问题未解决时"), max_length=16, choices=Outcome.choices, default=Outcome.FOLLOW_UP
    )
    survey = models.ForeignKey(
        QuestionSet,
        verbose_name=_("归档后短信调查"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("留空表示不发送调查"),
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("回访规则")
        verbose_name_plural = _("回访规则")
        ordering = ["business_type"]

    def __str__(self) -> str:
        return str(self.get_business_type_display())


class TimeBand(models.Model):
    """A time of day for callback attempts (上午, 下午, 晚间): unreached attempts count per band."""

    code = models.SlugField(_("编码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=30)
    starts = models.TimeField(_("开始"))
    ends = models.TimeField(_("结束"), help_text=_("不含；早于开始表示跨越午夜"))
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("回访时段")
        verbose_name_plural = _("回访时段")
        ordering = ["sort_order", "starts"]

    def __str__(self) -> str:
        return f"{self.name}（{self.starts:%H:%M}–{self.ends:%H:%M}）"


class CallbackScript(models.Model):
    """A suggested callback script for a business type, optionally for one sub-type."""

    business_type = models.CharField(_("业务类型"), max_length=20, choices=BusinessType.choices)
    sub_type = models.ForeignKey(
        SubType,
        verbose_name=_("业务子类"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text=_("留空表示该业务类型的通用话术"),
    )
    title = models.CharField(_("标题"), max_length=100)
    text = models.TextField(_("话术"))
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("回访话术")
        verbose_name_plural = _("回访话术")
        ordering = ["business_type", "sub_type_id", "id"]

    def __str__(self) -> str:
        return self.title


class FollowUpTask(models.Model):
    """Work that a callback or survey left to do on an order (not an order itself)."""

    class State(models.TextChoices):
        OPEN = "open", _("待处理")
        CLOSED = "closed", _("已关闭")

    class Reason(models.TextChoices):
        DISSATISFIED = "dissatisfied", _("回访不满意")
        UNRESOLVED = "unresolved", _("问题未解决")
        LOW_SCORE = "low_score", _("调查低分")

    order = models.ForeignKey(
        WorkOrder, verbose_name=_("工单"), on_delete=models.PROTECT, related_name="follow_up_tasks"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="+")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("负责人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="follow_up_tasks",
    )
    reason = models.CharField(_("原因"), max_length=16, choices=Reason.choices)
    detail = models.TextField(_("说明"), blank=True)
    state = models.CharField(_("状态"), max_length=8, choices=State.choices, default=State.OPEN)
    due_at = models.DateTimeField(_("期限"))
    created_at = models.DateTimeField(_("创建时间"))
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("关闭人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closing_note = models.TextField(_("处理结果"), blank=True)

    class Meta:
        verbose_name = _("跟进任务")
        verbose_name_plural = _("跟进任务")
        ordering = ["state", "due_at", "id"]
        indexes = [
            models.Index(fields=["unit", "state", "due_at"], name="followup_unit_state"),
            models.Index(fields=["owner", "state", "due_at"], name="followup_owner_state"),
        ]

    def __str__(self) -> str:
        return f"{self.order.number} {self.get_reason_display()}"


class SurveyCampaign(models.Model):
    """A relationship survey (服务调查): customers of a unit subtree, optionally of one type, in a period."""

    class State(models.TextChoices):
        DRAFT = "draft", _("未发送")
        SENDING = "sending", _("发送中")
        DONE = "done", _("已发送完")

    name = models.CharField(_("名称"), max_length=100)
    unit = models.ForeignKey(Unit, verbose_name=_("范围单位"), on_delete=models.PROTECT, related_name="+")
    customer_type = models.CharField(
        _("客户类型"), max_length=20, choices=CustomerType.choices, blank=True, help_text=_("留空表示全部")
    )
    questions = models.ForeignKey(QuestionSet, verbose_name=_("问题组"), on_delete=models.PROTECT)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    state = models.CharField(_("状态"), max_length=8, choices=State.choices, default=State.DRAFT)
    targeted = models.PositiveIntegerField(_("目标客户数"), default=0)
    sent = models.PositiveIntegerField(_("已发送"), default=0)
    skipped = models.PositiveIntegerField(_("已跳过"), default=0)
    # The highest customer id handled so far: the next batch starts after it (a batch run twice skips
    # what it already did).
    cursor = models.BigIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        verbose_name = _("服务调查")
        verbose_name_plural = _("服务调查")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class SurveyOptOut(models.Model):
    """A customer who asked not to receive surveys (服务调查 and post-closure surveys alike)."""

    customer = models.OneToOneField(
        Customer, verbose_name=_("客户"), on_delete=models.CASCADE, related_name="survey_opt_out"
    )
    created_at = models.DateTimeField(_("登记时间"))
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("拒绝调查客户")
        verbose_name_plural = _("拒绝调查客户")

    def __str__(self) -> str:
        return str(self.customer)


class SurveyInvitation(models.Model):
    """One survey link: for an archived order, or one customer of a campaign. Used once, until it expires.

    The link carries the row's id and ``nonce`` signed with the secret key: a forged link fails the
    signature, a link of a row whose nonce differs finds nothing."""

    order = models.ForeignKey(
        WorkOrder,
        verbose_name=_("工单"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="survey_invitations",
    )
    campaign = models.ForeignKey(
        SurveyCampaign,
        verbose_name=_("服务调查"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invitations",
    )
    customer = models.ForeignKey(
        Customer, verbose_name=_("客户"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    questions = models.ForeignKey(QuestionSet, verbose_name=_("问题组"), on_delete=models.PROTECT)
    phone = models.CharField(_("发送号码"), max_length=32)
    nonce = models.CharField(max_length=32)
    created_at = models.DateTimeField(_("发送时间"))
    expires_at = models.DateTimeField(_("失效时间"))
    used_at = models.DateTimeField(_("作答时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("调查邀请")
        verbose_name_plural = _("调查邀请")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One survey per order (DOMAIN §6), one invitation per customer per campaign.
            models.UniqueConstraint(fields=["order"], name="survey_one_per_order"),
            models.UniqueConstraint(fields=["campaign", "customer"], name="survey_one_per_campaign"),
        ]
        indexes = [models.Index(fields=["customer", "-created_at"], name="survey_customer_recent")]

    def __str__(self) -> str:
        return f"#{self.pk}"

    def expired(self, now: dt.datetime) -> bool:
        return now >= self.expires_at


class SurveyResponse(models.Model):
    invitation = models.OneToOneField(
        SurveyInvitation, verbose_name=_("调查邀请"), on_delete=models.PROTECT, related_name="response"
    )
    order = models.ForeignKey(
        WorkOrder,
        verbose_name=_("工单"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="survey_responses",
    )
    campaign = models.ForeignKey(
        SurveyCampaign,
        verbose_name=_("服务调查"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="responses",
    )
    score = models.PositiveSmallIntegerField(
        _("满意度评分"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    resolved = models.BooleanField(_("问题已解决"), null=True, blank=True)
    restoration_right = models.BooleanField(_("复电时间告知准确"), null=True, blank=True)
    comment = models.TextField(_("留言"), blank=True)
    created_at = models.DateTimeField(_("提交时间"))

    class Meta:
        verbose_name = _("调查结果")
        verbose_name_plural = _("调查结果")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk}"


class OpinionEntry(models.Model):
    """An entry of a service hall's 意见簿, written on the public page its QR code opens."""

    hall = models.ForeignKey(
        ServiceHall, verbose_name=_("营业厅"), on_delete=models.PROTECT, related_name="opinions"
    )
    text = models.TextField(_("意见内容"))
    name = models.CharField(_("称呼"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    created_at = models.DateTimeField(_("提交时间"))

    class Meta:
        verbose_name = _("意见簿留言")
        verbose_name_plural = _("意见簿留言")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["hall", "-created_at"], name="opinion_hall_recent")]

    def __str__(self) -> str:
        return f"{self.hall}: {self.text[:20]}"


class PublicHit(models.Model):
    """Requests to the public pages per client address and minute: the throttle's counter."""

    key = models.CharField(max_length=100)
    minute = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "minute"], name="public_hit_key_minute")]

    def __str__(self) -> str:
        return f"{self.key} {self.minute:%H:%M} {self.count}"
