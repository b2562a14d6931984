"""Complaints (投诉): severity, what a complaint is about, the judgment checklists and their verdicts,
responsibility and rectification (整改), the repeat-complaint rule, and what a 表扬 credits.

Every figure and criterion is a row an administrator edits (with its source, grade and ``valid_from``);
the verdict itself is one pure function (:func:`powerdesk.complaints.rules.verdict`)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from powerdesk.org.models import ServiceHall, Unit
from powerdesk.workorders.models import SubType, Topic, WorkOrder

GRADE_HELP = _("A 官方；B 新闻或官方文本转载；C 二手资料；U 未经证实的默认值")


class SourceGrade(models.TextChoices):
    A = "A", "A"
    B = "B", "B"
    C = "C", "C"
    U = "U", "U"


class Severity(models.Model):
    """投诉等级 (特殊 / 重大 / 重要 / 一般): a higher ``rank`` is more severe; a level that
    ``notifies_leadership`` tells the heads of the order's unit and of every unit above it at once."""

    code = models.SlugField(_("编码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=20)
    rank = models.PositiveSmallIntegerField(_("严重程度"), help_text=_("数字越大越严重"))
    notifies_leadership = models.BooleanField(_("立即报告领导"), default=False)
    source_grade = models.CharField(_("依据等级"), max_length=1, choices=SourceGrade.choices, default="U")
    valid_from = models.DateField(_("生效日期"), default=dt.date(2020, 1, 1))
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("投诉等级")
        verbose_name_plural = _("投诉等级")
        ordering = ["-rank"]

    def __str__(self) -> str:
        return self.name


class Verdict(models.TextChoices):
    VALID = "valid", _("成立")
    INVALID = "invalid", _("不成立")
    PENDING = "pending", _("待补证")


class ComplaintRecord(models.Model):
    """What one complaint order is about (1:1, written when the order is opened): the related orders,
    the staff member or team (outsourced crews included), the service hall, the event time, the
    severity; the latest verdict; whether it repeats an earlier archived complaint or opinion. The
    classification the order was opened with stays here after a downgrade."""

    order = models.OneToOneField(
        WorkOrder, verbose_name=_("工单"), on_delete=models.PROTECT, related_name="complaint"
    )
    severity = models.ForeignKey(
        Severity,
        verbose_name=_("投诉等级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    related_orders = models.ManyToManyField(
        WorkOrder, verbose_name=_("相关工单"), blank=True, related_name="complained_about"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("被投诉员工"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # A crew or person without an account (an outsourced crew): named as written.
    staff_name = models.CharField(_("被投诉人员或班组"), max_length=100, blank=True)
    outsourced = models.BooleanField(_("外包人员"), default=False)
    team = models.ForeignKey(
        Unit,
        verbose_name=_("被投诉班组或单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    hall = models.ForeignKey(
        ServiceHall,
        verbose_name=_("营业厅"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    event_at = models.DateTimeField(_("事件发生时间"), null=True, blank=True)
    original_business_type = models.CharField(_("原业务类型"), max_length=20)
    original_sub_type = models.ForeignKey(
        SubType,
        verbose_name=_("原业务子类"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    verdict = models.CharField(_("判定结果"), max_length=16, choices=Verdict.choices, blank=True)
    repeat_of = models.ForeignKey(
        WorkOrder,
        verbose_name=_("重复投诉的原工单"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    leadership_notified_at = models.DateTimeField(_("已报告领导"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        verbose_name = _("投诉信息")
        verbose_name_plural = _("投诉信息")

    def __str__(self) -> str:
        return str(self.order)


class PraiseCredit(models.Model):
    """Whom a 表扬 order credits (a staff member, a unit, or both), so praise counts per person."""

    order = models.OneToOneField(
        WorkOrder, verbose_name=_("工单"), on_delete=models.PROTECT, related_name="praise"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("受表扬员工"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("受表扬单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        verbose_name = _("表扬对象")
        verbose_name_plural = _("表扬对象")

    def __str__(self) -> str:
        return str(self.order)


class Checklist(models.Model):
    """投诉判定标准 of one complaint sub-type (optionally of one topic: repair staff and hall staff are
    both 服务态度, told apart by the topic). The most specific active checklist valid at the event wins."""

    sub_type = models.ForeignKey(
        SubType, verbose_name=_("投诉子类"), on_delete=models.PROTECT, related_name="+"
    )
    topic = models.ForeignKey(
        Topic,
        verbose_name=_("业务分类"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("留空表示任意"),
    )
    code = models.SlugField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    # The 45/90/120-minute arrival limits are average commitments: whether one late arrival alone makes
    # a complaint valid is a decision of the rule, not of the code.
    single_event_suffices = models.BooleanField(
        _("单次即可成立"),
        default=True,
        help_text=_("关闭时，标为“仅在单次不足以成立时适用”的判定项也须满足"),
    )
    source = models.CharField(_("依据"), max_length=200, blank=True)
    source_grade = models.CharField(_("依据等级"), max_length=1, choices=SourceGrade.choices, default="U")
    valid_from = models.DateField(_("生效日期"), default=dt.date(2020, 1, 1))
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("投诉判定标准")
        verbose_name_plural = _("投诉判定标准")
        ordering = ["sub_type", "code"]

    def __str__(self) -> str:
        return self.name


class EstablishedBy(models.TextChoices):
    ORDER_HISTORY = "order_history", _("工单记录")
    ACCOUNT = "account", _("客户档案及用电地址")
    EVIDENCE = "evidence", _("证据材料")
    FINDING = "finding", _("处理人员核实")


class FailingMeans(models.TextChoices):
    INVALID = "invalid", _("投诉不成立")
    NEEDS_EVIDENCE = "needs_evidence", _("待补证")


class Prefill(models.TextChoices):
    """What the system can answer for a criterion by itself (the handler may change it)."""

    NONE = "", _("无")
    OUR_STAFF = "our_staff", _("相关工单的处理人员")
    LATE_ARRIVAL = "late_arrival", _("到达时间对照时限")
    COMPANY_SIDE = "company_side", _("相关报修的子类（产权分界）")
    WITHIN_PERIOD = "within_period", _("事件时间在期限内")
    NOTICE_SENT = "notice_sent", _("是否已发出通知")


class Criterion(models.Model):
    """One line of a checklist, in order: what must hold for the complaint to be valid, how it is
    established, what failing it means, and where it comes from (a criterion whose only source is the
    typical-case book says so). ``params`` carries its figures (days, hours, minutes) as data."""

    checklist = models.ForeignKey(
        Checklist, verbose_name=_("判定标准"), on_delete=models.CASCADE, related_name="criteria"
    )
    position = models.PositiveSmallIntegerField(_("顺序"))
    code = models.SlugField(_("编码"), max_length=40)
    text = models.CharField(_("判定项"), max_length=300)
    established_by = models.CharField(_("核实方式"), max_length=16, choices=EstablishedBy.choices)
    failing_means = models.CharField(
        _("不满足时"), max_length=16, choices=FailingMeans.choices, default=FailingMeans.INVALID
    )
    only_if_repeated = models.BooleanField(
        _("仅在单次不足以成立时适用"), default=False, help_text=_("判定标准设为“单次即可成立”时跳过此项")
    )
    prefill = models.CharField(_("系统预填"), max_length=16, choices=Prefill.choices, blank=True)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    source = models.CharField(_("依据"), max_length=200, blank=True)
    source_grade = models.CharField(_("依据等级"), max_length=1, choices=SourceGrade.choices, default="U")
    case_book_only = models.BooleanField(_("仅见于典型案例"), default=False)
    valid_from = models.DateField(_("生效日期"), default=dt.date(2020, 1, 1))

    class Meta:
        verbose_name = _("判定项")
        verbose_name_plural = _("判定项")
        ordering = ["checklist", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["checklist", "code"], name="criterion_code_unique")]

    def __str__(self) -> str:
        return self.text


class Judgment(models.Model):
    """One filling of the checklist and its verdict (a complaint may be judged again when evidence
    arrives: the latest judgment is the record's verdict)."""

    record = models.ForeignKey(
        ComplaintRecord, verbose_name=_("投诉"), on_delete=models.PROTECT, related_name="judgments"
    )
    checklist = models.ForeignKey(
        Checklist, verbose_name=_("判定标准"), on_delete=models.PROTECT, related_name="+"
    )
    answers = models.JSONField(_("逐项结果"), default=dict)
    verdict = models.CharField(_("判定结果"), max_length=16, choices=Verdict.choices)
    reasons = models.JSONField(_("判定理由"), default=list)
    note = models.TextField(_("说明"), blank=True)
    downgraded_to = models.CharField(_("降级为"), max_length=20, blank=True)
    responsible_unit = models.ForeignKey(
        Unit, verbose_name=_("责任单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    responsible_staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("判定人"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("判定时间"))
    # The caller's Idempotency-Key: a retried judgment answers the first one (powerdesk.core.idempotency).
    request_id = models.CharField(max_length=100, blank=True, default="")
    request_fingerprint = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        verbose_name = _("投诉判定")
        verbose_name_plural = _("投诉判定")
        ordering = ["-at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["record", "request_id"], condition=~Q(request_id=""), name="judgment_request_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.record} {self.verdict}"


class RectificationState(models.TextChoices):
    OPEN = "open", _("整改中")
    CLOSED = "closed", _("已完成")


class Rectification(models.Model):
    """整改: what a valid complaint obliges the responsible unit to change; an owner, a due date, tracked
    to closure. Its own model, not an order."""

    order = models.ForeignKey(
        WorkOrder, verbose_name=_("工单"), on_delete=models.PROTECT, related_name="rectifications"
    )
    judgment = models.ForeignKey(
        Judgment,
        verbose_name=_("投诉判定"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit = models.ForeignKey(Unit, verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="+")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("整改负责人"), on_delete=models.PROTECT, related_name="+"
    )
    task = models.TextField(_("整改内容"))
    due_date = models.DateField(_("整改期限"))
    # The judge asks for 以案普法 as part of the rectification: what satisfies it is an app's business
    # (the case library's assignment, through ``complaints.extensions.rectification_notes``); until it
    # is satisfied the rectification does not close.
    requires_learning = models.BooleanField(_("须布置以案普法学习"), default=False)
    state = models.CharField(
        _("状态"), max_length=16, choices=RectificationState.choices, default=RectificationState.OPEN
    )
    created_at = models.DateTimeField(_("创建时间"))
    closed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认完成人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    result = models.TextField(_("整改结果"), blank=True)

    class Meta:
        verbose_name = _("整改")
        verbose_name_plural = _("整改")
        ordering = ["due_date", "id"]
        indexes = [
            models.Index(fields=["unit", "due_date"], name="rect_open_unit_due", condition=Q(state="open"))
        ]

    def __str__(self) -> str:
        return f"{self.order} {self.task[:20]}"


class RepeatComplaintRule(models.Model):
    """重复投诉: when a new complaint is "the same event" as an earlier archived complaint or 意见/建议
    order of the same customer: the same related order, or the same sub-type and topic within
    ``window_days`` of the earlier order's archiving. One active rule."""

    same_related_order = models.BooleanField(_("相关工单相同即为同一事件"), default=True)
    same_sub_type_and_topic = models.BooleanField(_("子类及业务分类相同即为同一事件"), default=True)
    window_days = models.PositiveSmallIntegerField(_("时间窗口（天）"), default=30)
    source_grade = models.CharField(_("依据等级"), max_length=1, choices=SourceGrade.choices, default="U")
    valid_from = models.DateField(_("生效日期"), default=dt.date(2020, 1, 1))
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("重复投诉规则")
        verbose_name_plural = _("重复投诉规则")
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="one_repeat_complaint_rule"
            )
        ]

    def __str__(self) -> str:
        return str(_("重复投诉规则（%(days)s 天）") % {"days": self.window_days})
