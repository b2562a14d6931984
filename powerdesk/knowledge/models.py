"""The case library (案例库, 以案普法): typical cases, each in versions that go through review.

A ``Case`` is the identity an order cites and a URL names; its text lives in ``CaseVersion`` rows. A
version is a draft, in review, published or retired; at most one version of a case is published and at
most one is open (draft or in review) at a time — both are partial unique indexes, so two editors cannot
break them. Every step is a ``CaseStep`` row (who, when, from which state to which). Editing a published
case opens a new draft version; the published one stays until the new one is published. Orders cite a
version (``CaseCitation``), so what they cited never changes under them.

Search: the service stores the jieba-segmented text of the weighted fields (``search_a``: title and tags,
``search_b``: situation and findings, ``search_c``: what should have been done and the lessons) and the
database keeps ``search_vector`` (a generated ``tsvector``, configuration ``simple``) from them, under a
GIN index: every write path, bulk ones included, keeps it current without a trigger or a second UPDATE.
"""

from __future__ import annotations

from pathlib import PurePath

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from powerdesk.org.models import Role, Unit
from powerdesk.workorders.choices import BusinessType
from powerdesk.workorders.models import SubType, Topic, WorkOrder


class CaseState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    REVIEW = "review", _("待审核")
    PUBLISHED = "published", _("已发布")
    RETIRED = "retired", _("已停用")


OPEN_STATES = (CaseState.DRAFT, CaseState.REVIEW)


class CaseVerdict(models.TextChoices):
    """The complaints app's verdict codes (``complaints.Verdict``); blank for a case that is not about a
    complaint (a repair, an application)."""

    VALID = "valid", _("成立")
    INVALID = "invalid", _("不成立")
    PENDING = "pending", _("待补证")


class CaseRight(models.Model):
    """What a role may do in the case library besides reading published cases (every console user
    may): write cases (authors) and review and retire them (reviewers). Data, seeded by a migration."""

    role = models.OneToOneField(Role, verbose_name=_("角色"), on_delete=models.CASCADE, related_name="+")
    may_author = models.BooleanField(_("可编写案例"), default=False)
    may_review = models.BooleanField(_("可审核案例"), default=False)
    may_assign = models.BooleanField(
        _("可布置学习"), default=False, help_text=_("可将已发布案例布置给单位或岗位学习，并查看学习情况。")
    )

    class Meta:
        verbose_name = _("案例库权限")
        verbose_name_plural = _("案例库权限")

    def __str__(self) -> str:
        return str(self.role)


class Case(models.Model):
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        verbose_name = _("案例")
        verbose_name_plural = _("案例")

    def __str__(self) -> str:
        return f"#{self.pk}"


class CaseVersion(models.Model):
    case = models.ForeignKey(Case, verbose_name=_("案例"), on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("版本"))
    state = models.CharField(_("状态"), max_length=16, choices=CaseState.choices, default=CaseState.DRAFT)
    title = models.CharField(_("标题"), max_length=200)
    area = models.ForeignKey(
        Topic, verbose_name=_("领域"), on_delete=models.PROTECT, related_name="+", help_text=_("业务分类")
    )
    business_type = models.CharField(_("业务类型"), max_length=20, choices=BusinessType.choices, blank=True)
    sub_type = models.ForeignKey(
        SubType, verbose_name=_("业务子类"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    situation = models.TextField(_("案例经过"), help_text=_("支持 Markdown"))
    findings = models.TextField(_("核查情况"), blank=True, help_text=_("支持 Markdown"))
    # [{"criterion": "…", "met": true|false|null, "note": "…"}]: how the case was judged, criterion by
    # criterion (null: not established).
    criteria = models.JSONField(_("判定标准"), default=list, blank=True)
    verdict = models.CharField(_("判定结论"), max_length=16, choices=CaseVerdict.choices, blank=True)
    judgment = models.TextField(_("判定分析"), blank=True, help_text=_("支持 Markdown"))
    should_have = models.TextField(_("规范做法"), blank=True, help_text=_("支持 Markdown"))
    lessons = models.TextField(_("启示与整改措施"), blank=True, help_text=_("支持 Markdown"))
    tags = ArrayField(models.CharField(max_length=30), verbose_name=_("标签"), default=list, blank=True)
    # Segmented text (jieba, words separated by spaces), written by services.search_fields.
    search_a = models.TextField(default="", blank=True, editable=False)
    search_b = models.TextField(default="", blank=True, editable=False)
    search_c = models.TextField(default="", blank=True, editable=False)
    search_vector = models.GeneratedField(
        expression=SearchVector("search_a", config="simple", weight="A")
        + SearchVector("search_b", config="simple", weight="B")
        + SearchVector("search_c", config="simple", weight="C"),
        output_field=SearchVectorField(),
        db_persist=True,
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("作者"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"))
    updated_at = models.DateTimeField(_("更新时间"))
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("案例版本")
        verbose_name_plural = _("案例版本")
        ordering = ["case_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="knowledge_version_number"),
            models.UniqueConstraint(
                fields=["case"], condition=Q(state="published"), name="knowledge_one_published"
            ),
            models.UniqueConstraint(
                fields=["case"], condition=Q(state__in=["draft", "review"]), name="knowledge_one_open"
            ),
        ]
        indexes = [
            # Readers search published versions: a partial index. Without a pending list (fastupdate
            # off): cases are written a few at a time and read all day, and a pending list makes every
            # search scan it and the planner price the index out until a vacuum merges it.
            GinIndex(
                fields=["search_vector"],
                condition=Q(state="published"),
                fastupdate=False,
                name="knowledge_search",
            ),
            GinIndex(fields=["tags"], name="knowledge_tags"),
            # The order page's relevant cases: published ones of a sub-type, then of a topic.
            models.Index(fields=["sub_type"], condition=Q(state="published"), name="knowledge_pub_sub"),
            models.Index(fields=["area"], condition=Q(state="published"), name="knowledge_pub_area"),
        ]

    def __str__(self) -> str:
        return f"{self.title}（v{self.number}）"


class CaseRule(models.Model):
    """A rule the case rests on: the text's reference (an article of a regulation, a clause of a
    service standard), where it comes from, and when it was in force."""

    version = models.ForeignKey(CaseVersion, on_delete=models.CASCADE, related_name="rules")
    reference = models.CharField(_("条款"), max_length=200)
    source = models.CharField(_("出处"), max_length=200, blank=True)
    valid_from = models.DateField(_("生效日期"), null=True, blank=True)
    valid_to = models.DateField(_("失效日期"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("依据条款")
        verbose_name_plural = _("依据条款")
        ordering = ["version_id", "position", "id"]

    def __str__(self) -> str:
        return self.reference


class CaseStep(models.Model):
    """One step of a version's life cycle (append-only)."""

    version = models.ForeignKey(CaseVersion, on_delete=models.CASCADE, related_name="steps")
    from_state = models.CharField(_("原状态"), max_length=16, choices=CaseState.choices, blank=True)
    to_state = models.CharField(_("新状态"), max_length=16, choices=CaseState.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("时间"))
    note = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("案例流转记录")
        verbose_name_plural = _("案例流转记录")
        ordering = ["version_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.from_state or '-'} → {self.to_state}"


def case_attachment_path(instance: CaseAttachment, filename: str) -> str:
    return f"cases/{instance.case_id}/{instance.sha256[:16]}{PurePath(filename).suffix.lower()}"


class CaseAttachment(models.Model):
    """A file of the case (a photo of the site, a scanned notice): checked against workorders'
    ``AttachmentRule`` of its kind, like an order's evidence."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("类别"), max_length=16)
    file = models.FileField(_("文件"), upload_to=case_attachment_path, max_length=300)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"))

    class Meta:
        verbose_name = _("案例附件")
        verbose_name_plural = _("案例附件")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class CaseCitation(models.Model):
    """An order's transition cited this case version (处理完成, 回单). The timeline event records it too;
    this row lets the case page list the orders that cited it."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(CaseVersion, on_delete=models.PROTECT, related_name="citations")
    transition = models.CharField(max_length=32)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("案例引用")
        verbose_name_plural = _("案例引用")
        indexes = [models.Index(fields=["order"], name="knowledge_citation_order")]

    def __str__(self) -> str:
        return f"{self.order_id} → {self.version_id}"


# --- scripts (话术) -------------------------------------------------------------------------------------


class ScriptKind(models.TextChoices):
    """The situation a script is said in; the order of the choices is the order of a call."""

    OPENING = "opening", _("开场")
    QUESTIONS = "questions", _("询问要点")
    NOTICE = "notice", _("一次性告知")
    OUTAGE = "outage", _("停电答复")
    APOLOGY = "apology", _("致歉")
    CLOSING = "closing", _("结束语")
    FORBIDDEN = "forbidden", _("服务禁语")


class Script(models.Model):
    """A script's identity (what a URL and a citation name); its words live in ``ScriptVersion`` rows,
    which go through the same life cycle as case versions (``rules.STEPS``)."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        verbose_name = _("话术")
        verbose_name_plural = _("话术")

    def __str__(self) -> str:
        return f"#{self.pk}"


class ScriptVersion(models.Model):
    """The words of a script for a situation, with placeholders (``{customer_name}`` …, the list is
    ``rules.PLACEHOLDERS``) filled from the order, the customer and the outage when it is shown. A
    script applies to a business type, a topic and a sub-type, each optional (blank: any)."""

    script = models.ForeignKey(
        Script, verbose_name=_("话术"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("版本"))
    state = models.CharField(_("状态"), max_length=16, choices=CaseState.choices, default=CaseState.DRAFT)
    title = models.CharField(_("标题"), max_length=200)
    kind = models.CharField(_("情形"), max_length=16, choices=ScriptKind.choices)
    business_type = models.CharField(_("业务类型"), max_length=20, choices=BusinessType.choices, blank=True)
    topic = models.ForeignKey(
        Topic, verbose_name=_("业务分类"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sub_type = models.ForeignKey(
        SubType, verbose_name=_("业务子类"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    body = models.TextField(_("话术内容"))
    position = models.PositiveSmallIntegerField(_("排序"), default=100)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("作者"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"))
    updated_at = models.DateTimeField(_("更新时间"))
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("话术版本")
        verbose_name_plural = _("话术版本")
        ordering = ["script_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["script", "number"], name="knowledge_script_version_number"),
            models.UniqueConstraint(
                fields=["script"], condition=Q(state="published"), name="knowledge_script_one_published"
            ),
            models.UniqueConstraint(
                fields=["script"],
                condition=Q(state__in=["draft", "review"]),
                name="knowledge_script_one_open",
            ),
        ]
        indexes = [
            models.Index(
                fields=["kind", "position"], condition=Q(state="published"), name="knowledge_script_pub"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}（v{self.number}）"


class ScriptStep(models.Model):
    """One step of a script version's life cycle (append-only), as ``CaseStep`` for a case."""

    version = models.ForeignKey(ScriptVersion, on_delete=models.CASCADE, related_name="steps")
    from_state = models.CharField(_("原状态"), max_length=16, choices=CaseState.choices, blank=True)
    to_state = models.CharField(_("新状态"), max_length=16, choices=CaseState.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("时间"))
    note = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("话术流转记录")
        verbose_name_plural = _("话术流转记录")
        ordering = ["version_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.from_state or '-'} → {self.to_state}"


class ScriptCitation(models.Model):
    """An order's transition cited this script version (处理完成, 回单), as ``CaseCitation``."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(ScriptVersion, on_delete=models.PROTECT, related_name="citations")
    transition = models.CharField(max_length=32)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("话术引用")
        verbose_name_plural = _("话术引用")
        indexes = [models.Index(fields=["order"], name="knowledge_script_cit_order")]

    def __str__(self) -> str:
        return f"{self.order_id} → {self.version_id}"


class LearningAssignment(models.Model):
    """以案普法: a published case version given to the staff of a unit (with or without its subunits),
    of a role, or of a role within a unit, to read and confirm by a due date. The people are resolved
    when it is made (``LearningRecipient``): who joins the unit later is not added (the manager assigns
    again), and who leaves keeps their row. It always means the version assigned, whatever becomes of
    the case afterwards. Optionally it names the order (a valid complaint) and the rectification that
    prompted it; a rectification that requires learning closes only once an assignment names it."""

    version = models.ForeignKey(
        CaseVersion, verbose_name=_("案例版本"), on_delete=models.PROTECT, related_name="assignments"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    include_subunits = models.BooleanField(_("含下级单位"), default=True)
    role = models.ForeignKey(
        Role, verbose_name=_("岗位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    due_date = models.DateField(_("完成期限"))
    reason = models.CharField(_("布置原因"), max_length=500, blank=True)
    order = models.ForeignKey(
        WorkOrder,
        verbose_name=_("相关工单"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rectification = models.ForeignKey(
        "complaints.Rectification",
        verbose_name=_("相关整改"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="learning_assignments",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("布置人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("布置时间"))
    # The form's one-time key: a form posted twice (a double click, a retried request) makes one row.
    request_id = models.CharField(max_length=64, blank=True, default="", editable=False)

    class Meta:
        verbose_name = _("学习任务")
        verbose_name_plural = _("学习任务")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["created_by", "request_id"],
                condition=~Q(request_id=""),
                name="learning_assignment_request",
            ),
            models.CheckConstraint(
                condition=Q(unit__isnull=False) | Q(role__isnull=False), name="learning_unit_or_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version} → {self.unit or ''} {self.role or ''}".strip()


class LearningRecipient(models.Model):
    """One person an assignment names, with the unit they belonged to when it was made (the manager's
    view groups and scopes by it) and when they confirmed having read the case."""

    assignment = models.ForeignKey(
        LearningAssignment, verbose_name=_("学习任务"), on_delete=models.CASCADE, related_name="recipients"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("学习人"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("所在单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    # Not columns: the selectors set them for the page being shown (rules.learning_status).
    status: str
    overdue: bool

    class Meta:
        verbose_name = _("学习人员")
        verbose_name_plural = _("学习人员")
        ordering = ["assignment_id", "unit_id", "user_id"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "user"], name="learning_recipient_once"),
        ]
        indexes = [
            # The home page: a user's open assignments.
            models.Index(fields=["user"], condition=Q(confirmed_at__isnull=True), name="learning_open_user"),
            models.Index(fields=["unit"], name="learning_recipient_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.assignment_id} / {self.user_id}"
