"""Customers (用电客户): account, type, flags, phones, premise address, meter and supplying 台区."""

from __future__ import annotations

from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.utils.translation import gettext_lazy as _

from powerdesk.org.models import Unit


class CustomerType(models.TextChoices):
    IMPORTANT = "important", _("重要用电客户")
    COMMERCIAL = "commercial", _("商业用电客户")
    INDUSTRIAL = "industrial", _("工业用电客户")
    URBAN_RESIDENT = "urban_resident", _("城镇居民")
    RURAL_RESIDENT = "rural_resident", _("农村居民")


class ContactChannel(models.TextChoices):
    PHONE = "phone", _("电话")
    SMS = "sms", _("短信")
    WECHAT = "wechat", _("微信")
    APP = "app", _("网上国网")


# The residential customer types (居民): the rest are non-residential (非居民) wherever a rule tells them
# apart (outage notices' audience, the application kind of a shared sub-type).
RESIDENTIAL_TYPES = frozenset({CustomerType.URBAN_RESIDENT.value, CustomerType.RURAL_RESIDENT.value})


class Customer(models.Model):
    account_no = models.CharField(_("户号"), max_length=20, unique=True)
    name = models.CharField(_("户名"), max_length=100)
    customer_type = models.CharField(_("客户类型"), max_length=20, choices=CustomerType.choices)
    area = models.ForeignKey(
        Unit, verbose_name=_("供电台区"), on_delete=models.PROTECT, related_name="customers"
    )
    # The company the customer belongs to: the root of their 台区's unit tree
    # (powerdesk.org.selectors.unit_company_id), the column a database sharded by company routes the
    # customer's rows on (docs/scaling.md). The database sets it from ``area`` on every insert and on a
    # move to another area (the trigger of customers 0006), so no writer passes it and it cannot drift
    # from the area; ``db_default`` only makes Django read the trigger's value back after an insert.
    company = models.ForeignKey(
        Unit,
        verbose_name=_("所属公司"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # read with the customer's key, never searched alone
        editable=False,
        db_default=0,
    )
    address = models.CharField(_("用电地址"), max_length=200)
    meter_no = models.CharField(_("电能表号"), max_length=32, blank=True)
    id_number = models.CharField(_("证件号码"), max_length=32, blank=True)
    is_sensitive = models.BooleanField(_("敏感客户"), default=False)
    # Why and since when the customer is sensitive: shown to every agent who takes their call.
    sensitive_reason = models.CharField(_("敏感原因"), max_length=200, blank=True)
    sensitive_since = models.DateField(_("标记日期"), null=True, blank=True)
    is_life_support = models.BooleanField(_("保电/生命支持"), default=False)
    multi_resident = models.BooleanField(_("一户多人口"), default=False)
    shared_meter = models.BooleanField(_("合表用户"), default=False)
    preferred_channel = models.CharField(
        _("首选联系方式"), max_length=16, choices=ContactChannel.choices, default=ContactChannel.PHONE
    )
    notes = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("建档时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("客户")
        verbose_name_plural = _("客户")
        ordering = ["account_no"]
        indexes = [
            models.Index(fields=["area"]),
            # Address and name fragments are searched with ILIKE '%…%': trigram GIN makes that indexable.
            GinIndex(fields=["address"], name="customer_address_trgm", opclasses=["gin_trgm_ops"]),
            GinIndex(fields=["name"], name="customer_name_trgm", opclasses=["gin_trgm_ops"]),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.account_no}）"

    @property
    def primary_phone(self) -> str:
        phones = list(self.phones.all())
        return phones[0].number if phones else ""


class CustomerPhone(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(_("电话号码"), max_length=32)
    label = models.CharField(_("说明"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("联系电话")
        verbose_name_plural = _("联系电话")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["customer", "number"], name="customer_phone_unique")]
        indexes = [models.Index(fields=["number"])]

    def __str__(self) -> str:
        return self.number


class CustomerSupply(models.Model):
    """Where a customer is fed from: a meter point of the grid topology. A dual-supply customer has two rows
    and is out only when every one of them is (``powerdesk.grid.rules.customer_is_out``)."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("客户"), on_delete=models.CASCADE, related_name="supplies"
    )
    meter_point = models.ForeignKey(
        "grid.Device",
        verbose_name=_("计量点"),
        on_delete=models.PROTECT,
        related_name="customer_supplies",
        limit_choices_to={"kind": "meter_point"},
    )
    is_primary = models.BooleanField(_("主供电源"), default=True)

    class Meta:
        verbose_name = _("供电电源")
        verbose_name_plural = _("供电电源")
        ordering = ["customer", "-is_primary", "id"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "meter_point"], name="customer_supply_unique"),
        ]
        indexes = [models.Index(fields=["meter_point"], name="customer_supply_meter_point")]

    def __str__(self) -> str:
        return f"{self.customer_id} ← {self.meter_point_id}"
