"""Known events (报备): a dispatcher registers a storm or large event for an area with the agents' script."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from powerdesk.core import clock
from powerdesk.core.errors import ValidationFailed
from powerdesk.grid.models import Device
from powerdesk.outages.models import KnownEvent


def known_event_create(
    *,
    actor: Any,
    kind: str,
    title: str,
    script: str,
    devices: Sequence[Device],
    starts_at: dt.datetime,
    ends_at: dt.datetime | None = None,
    etr_override: dt.datetime | None = None,
) -> KnownEvent:
    """Register (报备) a storm or large event for the area below ``devices`` with the agents' script."""
    errors: dict[str, list[str]] = {}
    if kind not in KnownEvent.Kind.values:
        errors["kind"] = [_("类型无效。")]
    if not (title or "").strip():
        errors["title"] = [_("请填写标题。")]
    if not (script or "").strip():
        errors["script"] = [_("请填写应答口径。")]
    if not devices:
        errors["devices"] = [_("请选择影响范围。")]
    if ends_at is not None and ends_at <= starts_at:
        errors["ends_at"] = [_("结束时间应晚于开始时间。")]
    if errors:
        raise ValidationFailed(_("报备信息有误，请检查。"), fields=errors)
    with transaction.atomic():
        event = KnownEvent.objects.create(
            kind=kind,
            title=title.strip(),
            script=script.strip(),
            starts_at=starts_at,
            ends_at=ends_at,
            etr_override=etr_override,
            created_by=actor,
            created_at=clock.now(),
        )
        event.devices.set(devices)
    return event
