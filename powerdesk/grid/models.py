"""The supply network (DOMAIN.md §5): substation → 10 kV feeder → switching devices → distribution
transformer → meter point, as ONE table of devices with a kind and a parent.

One table rather than a table per level: tracing, re-parenting, import and the tree view treat every level
alike, and a switch may sit under a feeder or under another switch, so the levels are not a fixed depth.
The customer hangs under a meter point through ``customers.CustomerSupply`` (this app sits below customers
and never imports it); a dual-supply customer has two such rows.

``path`` is the materialised path of ids from the substation down ("/1/7/93/"), written on insert by a
PostgreSQL trigger (migration 0001) and rewritten for a whole subtree by ``services.device_reparent`` in one
statement. "Below X" is then ``path LIKE X.path || '%'``, served by the ``grid_device_path`` btree index
(``text_pattern_ops``); "above X" is the ids in X's own path.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from powerdesk.org.models import Unit


class DeviceKind(models.TextChoices):
    SUBSTATION = "substation", _("变电站")
    FEEDER = "feeder", _("10kV线路")
    SWITCH = "switch", _("开关")
    FUSE = "fuse", _("熔断器")
    RECLOSER = "recloser", _("重合器")
    TRANSFORMER = "transformer", _("配电变压器")
    METER_POINT = "meter_point", _("计量点")


class Ownership(models.TextChoices):
    PUBLIC = "public", _("公变")
    DEDICATED = "dedicated", _("专变")


class Device(models.Model):
    code = models.CharField(_("设备编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类别"), max_length=16, choices=DeviceKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级设备"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Transformers only: a public one (公变) belongs to its 台区 unit, whose 台区经理 and staff follow from
    # the supply point; a customer-owned 专变 has none.
    ownership = models.CharField(_("产权"), max_length=12, choices=Ownership.choices, blank=True)
    area = models.ForeignKey(
        Unit,
        verbose_name=_("台区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transformers",
    )
    path = models.TextField(_("路径"), editable=False, db_default="")

    class Meta:
        verbose_name = _("电网设备")
        verbose_name_plural = _("电网设备")
        ordering = ["path"]
        indexes = [
            models.Index(fields=["parent"], name="grid_device_parent"),
            models.Index(fields=["path"], name="grid_device_path", opclasses=["text_pattern_ops"]),
            models.Index(fields=["area"], name="grid_device_area"),
        ]
        constraints = [
            models.CheckConstraint(
                name="grid_device_area_only_public_transformer",
                condition=Q(area__isnull=True) | Q(kind="transformer", ownership="public"),
            ),
            models.CheckConstraint(
                name="grid_device_ownership_only_transformer",
                condition=Q(ownership="") | Q(kind="transformer"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    def clean(self) -> None:
        # The admin's add form: the same rules as the services and the import (grid.rules).
        from powerdesk.grid import rules

        parent_kind = self.parent.kind if self.parent_id and self.parent else None
        if not rules.parent_allowed(self.kind, parent_kind):
            raise ValidationError({"parent": _("该类设备不能接在此上级设备之下。")})
        if self.kind != DeviceKind.TRANSFORMER and (self.ownership or self.area_id):
            raise ValidationError({"ownership": _("只有配电变压器有产权和台区。")})
        if self.kind == DeviceKind.TRANSFORMER:
            if self.ownership not in Ownership.values:
                raise ValidationError({"ownership": _("请选择产权。")})
            if self.ownership == Ownership.PUBLIC and not self.area_id:
                raise ValidationError({"area": _("公变须属于一个台区。")})
            if self.ownership == Ownership.DEDICATED and self.area_id:
                raise ValidationError({"area": _("专变不设台区。")})

    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to the parent, read from the path (no query)."""
        return [int(p) for p in self.path.strip("/").split("/") if p][:-1]


class DeviceParentHistory(models.Model):
    """One re-parenting (switching changed the tree): kept so a trace as of a past time stays true."""

    device = models.ForeignKey(Device, verbose_name=_("设备"), on_delete=models.CASCADE, related_name="moves")
    old_parent = models.ForeignKey(
        Device, verbose_name=_("原上级"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    new_parent = models.ForeignKey(
        Device, verbose_name=_("新上级"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("时间"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.CharField(_("原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("设备上级变更记录")
        verbose_name_plural = _("设备上级变更记录")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["device", "at"], name="grid_history_device_at")]

    def __str__(self) -> str:
        return f"{self.device_id}: {self.old_parent_id} → {self.new_parent_id}"
