"""Organisation: the unit tree (company → city → county → station → 台区), service halls, roles, staff."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RegionClass(models.TextChoices):
    URBAN = "urban", _("城区")
    RURAL = "rural", _("农村")
    REMOTE = "remote", _("特殊边远")


class UnitKind(models.TextChoices):
    PROVINCE = "province", _("省公司")
    CITY = "city", _("地市公司")
    COUNTY = "county", _("县公司")
    STATION = "station", _("供电所")
    AREA = "area", _("台区")
    TEAM = "team", _("班组")


class UnitQuerySet(models.QuerySet["Unit"]):
    def subtree_ids(self, root_id: int) -> list[int]:
        """Ids of ``root_id`` and all its descendants: the units whose path starts with the root's (one
        query; none for a root that does not exist)."""
        root_path = Subquery(Unit.objects.filter(pk=root_id).values("path")[:1])
        return list(self.filter(path__startswith=root_path).order_by().values_list("id", flat=True))

    def dispatch_targets(self) -> UnitQuerySet:
        return self.exclude(kind=UnitKind.AREA)


class Unit(models.Model):
    """A node of the organisation. 台区 (areas) are leaves that carry their area manager."""

    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类别"), max_length=16, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    region_class = models.CharField(
        _("地域类别"), max_length=8, choices=RegionClass.choices, default=RegionClass.URBAN
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    manager_name = models.CharField(_("台区经理"), max_length=50, blank=True)
    manager_phone = models.CharField(_("台区经理电话"), max_length=32, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    # The ids from the root down to this unit, "/1/3/17/". Written by PostgreSQL triggers only
    # (migration org 0003): computed from the parent on insert and re-parenting, cascaded to the
    # descendants, so every writer (admin, loaders, raw SQL) keeps it right. "Is X in Y's subtree" is
    # then ``X.path.startswith(Y.path)``, a prefix search the ``unit_path`` index serves with real
    # statistics for the planner. ``db_default`` makes Django read it back (RETURNING) on insert.
    path = models.CharField(_("路径"), max_length=255, editable=False, db_default="")

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["code"]
        indexes = [
            models.Index(fields=["parent"]),
            models.Index(fields=["kind"]),
            models.Index(fields=["path"], name="unit_path", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # The database refuses a cycle too (the path trigger); this says why in the form.
        if self.parent_id is not None and self.pk is not None:
            parent_path = Unit.objects.filter(pk=self.parent_id).values_list("path", flat=True).first() or ""
            if self.parent_id == self.pk or f"/{self.pk}/" in parent_path:
                raise ValidationError({"parent": _("上级单位不能是本单位或其下级单位。")})

    def ancestors(self) -> list[Unit]:
        chain: list[Unit] = []
        node = self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain


class ServiceHall(models.Model):
    unit = models.ForeignKey(Unit, verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="halls")
    name = models.CharField(_("名称"), max_length=100)
    address = models.CharField(_("地址"), max_length=200)
    opening_hours = models.CharField(_("营业时间"), max_length=100)
    phone = models.CharField(_("电话"), max_length=32, blank=True)
    has_self_service = models.BooleanField(_("有自助终端"), default=False)

    class Meta:
        verbose_name = _("营业厅")
        verbose_name_plural = _("营业厅")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UnitHead(models.Model):
    """The head of a unit (单位负责人): told of breaches, severe complaints and at-risk orders."""

    unit = models.OneToOneField(
        "org.Unit", verbose_name=_("单位"), on_delete=models.CASCADE, related_name="head"
    )
    user = models.ForeignKey("org.User", verbose_name=_("负责人"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("单位负责人")
        verbose_name_plural = _("单位负责人")

    def __str__(self) -> str:
        return f"{self.unit} / {self.user}"


class RoleScope(models.TextChoices):
    SUBTREE = "subtree", _("本单位及下级")
    ALL = "all", _("全部")


class Role(models.Model):
    """What a kind of staff may see and do. Data, editable in the admin, seeded by a migration."""

    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    scope = models.CharField(
        _("可见范围"), max_length=16, choices=RoleScope.choices, default=RoleScope.SUBTREE
    )
    sees_personal_data = models.BooleanField(_("可见完整个人信息"), default=False)
    can_create_orders = models.BooleanField(_("可受理工单"), default=False)
    transitions = ArrayField(
        models.CharField(max_length=32), verbose_name=_("可执行的操作"), default=list, blank=True
    )
    can_read_audit = models.BooleanField(_("可查阅审计记录"), default=False)
    # Enforced only where the deployment turns second factors on (POWERDESK_REQUIRE_SECOND_FACTOR).
    requires_second_factor = models.BooleanField(
        _("须验证第二因素"),
        default=False,
        help_text=_("启用双因素认证的部署中，该角色的员工登录后须输入身份验证器应用的动态验证码。"),
    )
    # Whom a dispatcher may name as the handler of an order (the dispatch form offers only them): the
    # crews and handlers of a unit, not its agents, dispatchers or administrators, who may "take" too.
    is_field_staff = models.BooleanField(
        _("可被指派处理工单"), default=False, help_text=_("派单时可作为处理人的岗位，如抢修人员、处理人员。")
    )

    class Meta:
        verbose_name = _("角色")
        verbose_name_plural = _("角色")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class PersonalField(models.TextChoices):
    """The kinds of personal data the masking policy decides about. A page or answer names the kind of
    what it prints (a caller's number is ``contact_phone`` wherever it appears)."""

    NAME = "name", _("客户姓名")
    PHONE = "phone", _("客户电话")
    ADDRESS = "address", _("地址")
    ID_NUMBER = "id_number", _("证件号码")
    ACCOUNT_NO = "account_no", _("户号")
    CONTACT_PHONE = "contact_phone", _("来电号码")
    DESCRIPTION = "description", _("诉求内容")


class Disclosure(models.TextChoices):
    FULL = "full", _("完整显示")
    MASKED = "masked", _("脱敏显示")
    HIDDEN = "hidden", _("不显示")


class FieldPolicy(models.Model):
    """How much of one kind of personal data a role sees (``org.masking`` applies it everywhere: the
    console, the API, exports, notifications). A role without a row for a field sees it masked and may
    not reveal it: a forgotten row never leaks."""

    role = models.ForeignKey(
        Role, verbose_name=_("角色"), on_delete=models.CASCADE, related_name="field_policies"
    )
    field = models.CharField(_("字段"), max_length=32, choices=PersonalField.choices)
    disclosure = models.CharField(_("显示方式"), max_length=8, choices=Disclosure.choices)
    may_reveal = models.BooleanField(
        _("可申请显示"),
        default=False,
        help_text=_("脱敏或隐藏时可点“显示”并填写原因查看完整内容（记入审计）。"),
    )

    class Meta:
        verbose_name = _("个人信息显示规则")
        verbose_name_plural = _("个人信息显示规则")
        ordering = ["role", "field"]
        constraints = [models.UniqueConstraint(fields=["role", "field"], name="fieldpolicy_role_field")]

    def __str__(self) -> str:
        return f"{self.role} · {self.get_field_display()}: {self.get_disclosure_display()}"


class User(AbstractUser):
    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    role = models.ForeignKey(
        Role, verbose_name=_("角色"), null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    phone = models.CharField(_("电话"), max_length=32, blank=True)
    is_outsourced = models.BooleanField(_("外包人员"), default=False)

    class Meta:
        verbose_name = _("员工")
        verbose_name_plural = _("员工")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


class ApiToken(models.Model):
    """A credential of the API. Only the SHA-256 digest of the secret is stored: the secret is shown
    once, when the token is made (``org.tokens.api_token_create``). A fast digest, not a password
    hasher: the secret is 256 random bits, nothing to guess, and every API request checks it."""

    user = models.ForeignKey(
        User, verbose_name=_("员工"), on_delete=models.CASCADE, related_name="api_tokens", db_index=False
    )
    name = models.CharField(_("名称"), max_length=100, help_text=_("用途，例如 IVR 接口。"))
    # The first characters of the secret: enough to tell tokens apart, useless for logging in.
    prefix = models.CharField(_("前缀"), max_length=12, editable=False)
    digest = models.CharField(_("摘要"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("到期时间"))
    # Written at most once per TOKEN_LAST_USED_EVERY per token (org.auth), not on every request.
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API令牌")
        verbose_name_plural = _("API令牌")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "-created_at"], name="apitoken_user")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class ApiTokenFailure(models.Model):
    """Failed API token authentications of one client address in the current window
    (``POWERDESK_TOKEN_FAILURE_WINDOW``): past ``POWERDESK_TOKEN_FAILURE_LIMIT`` the address is
    answered 429 until the window ends. One row per address, counted by one upsert (org.auth)."""

    address = models.GenericIPAddressField(_("来源地址"), primary_key=True)
    window_start = models.DateTimeField(_("窗口开始"))
    failures = models.PositiveIntegerField(_("失败次数"), default=0)

    class Meta:
        verbose_name = _("API令牌认证失败")
        verbose_name_plural = _("API令牌认证失败")

    def __str__(self) -> str:
        return f"{self.address} ×{self.failures}"
