"""The customer portal (网上营业厅): customers' own sign-in, the accounts they bound, the one-time codes,
the throttle counters, the proof of an account's ownership, and the figures that govern them (data).

A portal account is not a staff account: it is keyed by the phone number, has no password and no role,
and its session is a cookie of its own (``PortalSession``), which the console's authentication never
reads. One-time codes and session keys are stored as keyed digests only.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from powerdesk.applications.models import Application, ApplicationKind
from powerdesk.customers.models import Customer
from powerdesk.org.models import Role, User
from powerdesk.workorders.choices import BusinessType
from powerdesk.workorders.models import SubType, Topic


class PortalSettings(models.Model):
    """The portal's figures (one active row, admin 网上营业厅设置, seeded by portal 0002)."""

    name = models.CharField(_("名称"), max_length=50)
    code_length = models.PositiveSmallIntegerField(_("验证码位数"), default=6)
    code_valid_seconds = models.PositiveIntegerField(_("验证码有效期（秒）"), default=300)
    code_attempts = models.PositiveSmallIntegerField(
        _("每个验证码可尝试次数"), default=5, help_text=_("输错达到此次数后验证码作废")
    )
    codes_per_phone_hour = models.PositiveSmallIntegerField(_("每个号码每小时发送上限"), default=5)
    codes_per_address_hour = models.PositiveSmallIntegerField(_("每个IP每小时发送上限"), default=20)
    failures_per_phone_hour = models.PositiveSmallIntegerField(_("每个号码每小时验证失败上限"), default=10)
    failures_per_address_hour = models.PositiveSmallIntegerField(_("每个IP每小时验证失败上限"), default=30)
    binds_per_account_day = models.PositiveSmallIntegerField(_("每个网厅账号每天绑定失败上限"), default=5)
    binds_per_address_hour = models.PositiveSmallIntegerField(_("每个IP每小时绑定失败上限"), default=20)
    session_hours = models.PositiveIntegerField(_("登录有效期（小时）"), default=72)
    proof_valid_hours = models.PositiveIntegerField(
        _("身份核验有效期（小时）"), default=24, help_text=_("核验通过后，在此时间内可办理变更类业务")
    )
    privacy_version = models.CharField(
        _("隐私声明版本"), max_length=20, help_text=_("修改版本后，客户下次登录须重新同意")
    )
    privacy_text = models.TextField(_("隐私声明正文"))
    is_active = models.BooleanField(_("启用"), default=True)
    source_grade = models.CharField(_("依据等级"), max_length=1, default="U")

    class Meta:
        verbose_name = _("网上营业厅设置")
        verbose_name_plural = _("网上营业厅设置")

    def __str__(self) -> str:
        return self.name


class PortalAccount(models.Model):
    """A customer signed in by phone; sees only the customer accounts bound to it."""

    phone = models.CharField(_("手机号"), max_length=32, unique=True)
    created_at = models.DateTimeField(_("注册时间"))
    last_sign_in_at = models.DateTimeField(_("最近登录"), null=True, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("网厅账号")
        verbose_name_plural = _("网厅账号")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.phone


class PortalConsent(models.Model):
    """The privacy notice a portal account agreed to: which version, when, from where."""

    account = models.ForeignKey(PortalAccount, on_delete=models.CASCADE, related_name="consents")
    version = models.CharField(_("声明版本"), max_length=20)
    at = models.DateTimeField(_("同意时间"))
    address = models.GenericIPAddressField(_("IP地址"), null=True, blank=True)

    class Meta:
        verbose_name = _("隐私声明同意记录")
        verbose_name_plural = _("隐私声明同意记录")
        ordering = ["-at"]
        constraints = [
            models.UniqueConstraint(fields=["account", "version"], name="portal_consent_once_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.version}"


class CodePurpose(models.TextChoices):
    SIGN_IN = "sign_in", _("登录")
    PROOF = "proof", _("身份核验")


class OneTimeCode(models.Model):
    """A code sent by SMS, stored as a keyed digest (``rules.code_digest``), never in clear."""

    phone = models.CharField(_("手机号"), max_length=32)
    purpose = models.CharField(_("用途"), max_length=12, choices=CodePurpose.choices)
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("发送时间"))
    expires_at = models.DateTimeField(_("失效时间"))
    attempts = models.PositiveSmallIntegerField(_("已尝试次数"), default=0)
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    address = models.GenericIPAddressField(_("请求IP"), null=True, blank=True)

    class Meta:
        verbose_name = _("验证码")
        verbose_name_plural = _("验证码")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["phone", "purpose", "-created_at"], name="portal_code_phone_recent")]

    def __str__(self) -> str:
        return f"#{self.pk}"


class PortalSession(models.Model):
    """A signed-in portal session: the cookie carries a signed random key, the row its digest."""

    account = models.ForeignKey(PortalAccount, on_delete=models.CASCADE, related_name="sessions")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("网厅会话")
        verbose_name_plural = _("网厅会话")

    def __str__(self) -> str:
        return f"#{self.pk}"


class PortalHit(models.Model):
    """Throttle counters per key (a phone's digest, an address, an account) and hour, shared by every
    web process (``core.bulk.increment``)."""

    key = models.CharField(max_length=100)
    window = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "window"], name="portal_hit_key_window")]

    def __str__(self) -> str:
        return f"{self.key} {self.window}"


class AccountBinding(models.Model):
    """A customer account (户号) a portal account may see, proven by the holder's name or ID digits."""

    class Method(models.TextChoices):
        NAME = "name", _("户主姓名")
        ID_DIGITS = "id_digits", _("证件号码后几位")

    account = models.ForeignKey(PortalAccount, on_delete=models.CASCADE, related_name="bindings")
    customer = models.ForeignKey(Customer, verbose_name=_("客户"), on_delete=models.CASCADE, related_name="+")
    method = models.CharField(_("核验方式"), max_length=12, choices=Method.choices)
    bound_at = models.DateTimeField(_("绑定时间"))

    class Meta:
        verbose_name = _("户号绑定")
        verbose_name_plural = _("户号绑定")
        ordering = ["bound_at", "id"]
        constraints = [models.UniqueConstraint(fields=["account", "customer"], name="portal_binding_unique")]

    def __str__(self) -> str:
        return f"{self.account_id} → {self.customer_id}"


class ProofMethod(models.TextChoices):
    ACCOUNT_PHONE_CODE = "account_phone_code", _("向户号登记手机发送验证码")
    HALL = "hall", _("营业厅现场核验")


class ProofRule(models.Model):
    """How a kind of account-changing request proves the customer holds the account (data: 过户, 更名,
    销户, 暂停/减容 …). The applications app names the kind when it asks for proof."""

    kind = models.CharField(_("业务编码"), max_length=32, unique=True)
    name = models.CharField(_("业务名称"), max_length=50)
    method = models.CharField(_("核验方式"), max_length=20, choices=ProofMethod.choices)
    is_active = models.BooleanField(_("启用"), default=True)
    source_grade = models.CharField(_("依据等级"), max_length=1, default="U")

    class Meta:
        verbose_name = _("身份核验规则")
        verbose_name_plural = _("身份核验规则")
        ordering = ["kind"]

    def __str__(self) -> str:
        return str(self.name)


class HallProofRole(models.Model):
    """A role whose staff confirm in the hall the proofs customers asked for in the portal (data, admin
    营业厅核验岗位; seeded by portal 0005 with the 客服专员, who staff the halls)."""

    role = models.OneToOneField(Role, verbose_name=_("角色"), on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("营业厅核验岗位")
        verbose_name_plural = _("营业厅核验岗位")

    def __str__(self) -> str:
        return str(self.role)


class ProofState(models.TextChoices):
    PENDING = "pending", _("待核验")
    VERIFIED = "verified", _("已核验")
    FAILED = "failed", _("核验失败")


class OwnershipProof(models.Model):
    """One proof that the portal account's customer holds the account, for one kind of request."""

    account = models.ForeignKey(PortalAccount, on_delete=models.CASCADE, related_name="proofs")
    customer = models.ForeignKey(Customer, verbose_name=_("客户"), on_delete=models.CASCADE, related_name="+")
    rule = models.ForeignKey(ProofRule, verbose_name=_("核验规则"), on_delete=models.PROTECT)
    method = models.CharField(_("核验方式"), max_length=20, choices=ProofMethod.choices)
    state = models.CharField(_("状态"), max_length=12, choices=ProofState.choices, default=ProofState.PENDING)
    code = models.ForeignKey(OneTimeCode, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("发起时间"))
    verified_at = models.DateTimeField(_("核验时间"), null=True, blank=True)
    verified_by = models.ForeignKey(
        User, verbose_name=_("核验人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    # Why the hall clerk did not confirm it: shown to the customer on the portal.
    reason = models.CharField(_("未通过原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("身份核验")
        verbose_name_plural = _("身份核验")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"#{self.pk}"


class ReportKind(models.Model):
    """What a customer may report in the portal, and the order it becomes (data)."""

    code = models.SlugField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    hint = models.CharField(_("填写提示"), max_length=200, blank=True)
    business_type = models.CharField(_("业务类型"), max_length=20, choices=BusinessType.choices)
    topic = models.ForeignKey(Topic, verbose_name=_("业务分类"), on_delete=models.PROTECT, related_name="+")
    sub_type = models.ForeignKey(
        SubType, verbose_name=_("业务子类"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    asks_staff = models.BooleanField(_("填写被表扬的员工"), default=False)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("网厅诉求类型")
        verbose_name_plural = _("网厅诉求类型")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return str(self.name)


class PortalApplicationKind(models.Model):
    """Which application kinds a customer may start in the portal, and the proof of the account each
    needs first (data: the account-changing kinds name a ``ProofRule``; the others none)."""

    kind = models.OneToOneField(
        ApplicationKind, verbose_name=_("业务办理类别"), on_delete=models.CASCADE, related_name="+"
    )
    proof_rule = models.ForeignKey(
        ProofRule,
        verbose_name=_("所需身份核验"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("变更户号的业务（过户、更名、销户、暂停/减容）须先核验身份"),
    )
    hint = models.CharField(_("说明"), max_length=200, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("网厅可办业务")
        verbose_name_plural = _("网厅可办业务")
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return str(self.kind)


class PortalApplication(models.Model):
    """An application a customer started in the portal: which portal account, and the form's one-time
    submission id (the same form posted twice starts one application)."""

    account = models.ForeignKey(PortalAccount, on_delete=models.CASCADE, related_name="applications")
    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="+")
    submission = models.UUIDField(unique=True)
    created_at = models.DateTimeField(_("提交时间"))

    class Meta:
        verbose_name = _("网厅业务申请")
        verbose_name_plural = _("网厅业务申请")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.account_id} → {self.application_id}"
