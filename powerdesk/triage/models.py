"""Triage of what the customer said: the lexicon (hazard and emotion words, shared with the complaint
early warning), the trained model versions, the training runs with their progress, and what was
suggested against what the agent chose (:class:`TriageRecord`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from powerdesk.workorders.models import Contact, WorkOrder


class TermKind(models.TextChoices):
    HAZARD = "hazard", _("安全隐患")
    ANGRY = "angry", _("激烈言辞")
    UNHAPPY = "unhappy", _("不满")
    CALM = "calm", _("平和")


class LexiconTerm(models.Model):
    """A word or phrase matched in the customer's words. A hazard word makes the call urgent whatever the
    model says; emotion words push the emotion and feed the early warning's angry-wording factor."""

    term = models.CharField(_("词语"), max_length=40)
    kind = models.CharField(_("类别"), max_length=10, choices=TermKind.choices)
    weight = models.PositiveSmallIntegerField(_("权重"), default=1)
    is_active = models.BooleanField(_("启用"), default=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("分诊词语")
        verbose_name_plural = _("分诊词库")
        ordering = ["kind", "-weight", "term"]
        constraints = [models.UniqueConstraint(fields=["term", "kind"], name="triage_term_kind_unique")]

    def __str__(self) -> str:
        return f"{self.term}（{self.get_kind_display()}，{self.weight}）"


class ModelVersion(models.Model):
    """One trained model: the artefact (stored bytes), what it scored and on what, and whether it serves."""

    created_at = models.DateTimeField(_("训练时间"))
    data_hash = models.CharField(_("训练数据摘要"), max_length=64)
    samples = models.PositiveIntegerField(_("训练样本数"), default=0)
    seed = models.IntegerField(_("随机种子"), default=0)
    artefact = models.BinaryField(_("模型文件"))
    metrics = models.JSONField(_("评估指标"), default=dict, blank=True)
    eval_source = models.CharField(
        _("评估集"), max_length=20, blank=True, help_text=_("eval：独立评估集；holdout：训练数据留出的20%")
    )
    score = models.FloatField(_("综合得分"), default=0.0, help_text=_("业务类型与主题宏F1的平均值"))
    is_active = models.BooleanField(_("当前使用"), default=False)
    activated_at = models.DateTimeField(_("启用时间"), null=True, blank=True)
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("启用人"),
    )

    class Meta:
        verbose_name = _("分诊模型版本")
        verbose_name_plural = _("分诊模型版本")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=models.Q(is_active=True), name="triage_one_active_model"
            )
        ]

    def __str__(self) -> str:
        return f"v{self.pk} {self.created_at:%Y-%m-%d %H:%M}（{self.score:.3f}）"


class TrainingRun(models.Model):
    """A training job and how far it got (the job updates ``progress`` and ``stage`` as it goes)."""

    class State(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("训练中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    requested_at = models.DateTimeField(_("申请时间"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.QUEUED)
    stage = models.CharField(_("步骤"), max_length=60, blank=True)
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    version = models.ForeignKey(
        ModelVersion, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    error = models.TextField(_("错误"), blank=True)

    class Meta:
        verbose_name = _("模型训练任务")
        verbose_name_plural = _("模型训练任务")
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.requested_at:%Y-%m-%d %H:%M} {self.get_state_display()} {self.progress}%"


class TriageRecord(models.Model):
    """One suggestion made from the customer's words, and — once the intake was posted with it — what the
    agent finally chose, so the model can be measured against the agents' decisions."""

    at = models.DateTimeField(_("时间"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    model_version = models.ForeignKey(
        ModelVersion, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text_hash = models.CharField(_("文本摘要"), max_length=64)
    suggestion = models.JSONField(_("建议"), default=dict)
    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    # The database's foreign key points at workorders_contactkey (contacts are partitioned by month:
    # workorders 0027), hence no constraint of Django's own.
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, null=True, blank=True, related_name="+", db_constraint=False
    )
    chosen = models.JSONField(_("实际选择"), default=dict, blank=True)
    accepted = models.BooleanField(_("采纳建议"), null=True, blank=True)

    class Meta:
        verbose_name = _("分诊记录")
        verbose_name_plural = _("分诊记录")
        ordering = ["-at"]
        indexes = [models.Index(fields=["order"], name="triage_record_order")]

    def __str__(self) -> str:
        return f"{self.pk} {self.at:%Y-%m-%d %H:%M}"
