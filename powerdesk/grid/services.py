"""Writes to the topology: creating a device and re-parenting one (switching changed the tree)."""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext as _

from powerdesk.core import clock
from powerdesk.core.errors import ValidationFailed
from powerdesk.grid import rules
from powerdesk.grid.models import Device, DeviceParentHistory, Ownership


def _check_device(*, kind: str, parent: Device | None, ownership: str, area: Any) -> None:
    if not rules.parent_allowed(kind, parent.kind if parent else None):
        raise ValidationFailed(
            _("该类设备不能接在此上级设备之下。"),
            code="bad_parent",
            fields={"parent": [_("上级设备类别不符。")]},
        )
    if kind == "transformer":
        if ownership not in Ownership.values:
            raise ValidationFailed(
                _("配电变压器须注明公变或专变。"), fields={"ownership": [_("请选择产权。")]}
            )
        if ownership == Ownership.PUBLIC and area is None:
            raise ValidationFailed(_("公变须属于一个台区。"), fields={"area": [_("请选择台区。")]})
        if ownership == Ownership.DEDICATED and area is not None:
            raise ValidationFailed(_("专变不属于台区。"), fields={"area": [_("专变不设台区。")]})
    elif ownership or area is not None:
        raise ValidationFailed(
            _("只有配电变压器有产权和台区。"), fields={"ownership": [_("仅配电变压器填写。")]}
        )


@transaction.atomic
def device_create(
    *, code: str, name: str, kind: str, parent: Device | None = None, ownership: str = "", area: Any = None
) -> Device:
    """A new device under ``parent``; its path is written by the database on insert."""
    _check_device(kind=kind, parent=parent, ownership=ownership, area=area)
    if Device.objects.filter(code=code).exists():
        raise ValidationFailed(
            _("设备编码已存在。"), code="duplicate", fields={"code": [_("设备编码已存在。")]}
        )
    return Device.objects.create(
        code=code, name=name, kind=kind, parent=parent, ownership=ownership, area=area
    )


@transaction.atomic
def device_reparent(*, device: Device, new_parent: Device | None, by: Any = None, reason: str = "") -> Device:
    """Move ``device`` and everything below it under ``new_parent`` (switching changed the tree), keeping
    the move in ``DeviceParentHistory`` so a trace as of an earlier time still finds the old tree.

    The paths of the whole subtree are rewritten in ONE statement: the device's own parent and every path
    that starts with its old path get the new parent's path as their prefix."""
    device = Device.objects.select_for_update().get(pk=device.pk)
    if new_parent is not None:
        new_parent = Device.objects.select_for_update().get(pk=new_parent.pk)
        if new_parent.path.startswith(device.path):
            raise ValidationFailed(
                _("不能把设备接到它自己或其下级设备之下。"),
                code="cycle",
                fields={"parent": [_("会形成环路。")]},
            )
    if not rules.parent_allowed(device.kind, new_parent.kind if new_parent else None):
        raise ValidationFailed(
            _("该类设备不能接在此上级设备之下。"),
            code="bad_parent",
            fields={"parent": [_("上级设备类别不符。")]},
        )
    new_parent_id = new_parent.pk if new_parent else None
    if device.parent_id == new_parent_id:
        return device
    old_parent_id = device.parent_id
    old_prefix = device.path
    new_prefix = (new_parent.path if new_parent else "/") + f"{device.pk}/"
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE grid_device
               SET path = %(new)s || substr(path, length(%(old)s) + 1),
                   parent_id = CASE WHEN id = %(id)s THEN %(parent)s ELSE parent_id END
             WHERE path LIKE %(like)s
            """,
            {
                "new": new_prefix,
                "old": old_prefix,
                "id": device.pk,
                "parent": new_parent_id,
                "like": old_prefix + "%",  # paths hold digits and slashes only: nothing to escape
            },
        )
    DeviceParentHistory.objects.create(
        device=device,
        old_parent_id=old_parent_id,
        new_parent=new_parent,
        at=clock.now(),
        by=by if getattr(by, "is_authenticated", False) else None,
        reason=reason[:200],
    )
    device.refresh_from_db()
    return device
