"""Known events (报备): a dispatcher registers a storm or large event on an area of the network with the
script agents read to its callers (and, for a storm, one restoration estimate); and closes it when it is
over. Agents see the script on the customer page, on the new-order form and in the intake's answer
(``outages.intake``) for every caller whose supply path crosses the area."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from powerdesk.core import clock, idempotency, refcache
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
    idempotency_key: str | None = None,
    request_fingerprint: str = "",
) -> KnownEvent:
    """Register (报备) a storm or large event for the area below ``devices`` with the agents' script.
    Under an ``idempotency_key`` seen before, the first event is answered (the same request) or the
    request refused with 409 (another request: ``request_fingerprint`` differs)."""
    if idempotency_key:
        earlier = KnownEvent.objects.filter(idempotency_key=idempotency_key).first()
        if earlier is not None:
            idempotency.require_same_request(earlier.request_fingerprint, request_fingerprint)
            return earlier
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
    try:
        with transaction.atomic():
            event = _create(
                actor=actor,
                kind=kind,
                title=title,
                script=script,
                devices=devices,
                starts_at=starts_at,
                ends_at=ends_at,
                etr_override=etr_override,
                idempotency_key=idempotency_key or None,
                request_fingerprint=request_fingerprint if idempotency_key else "",
            )
    except IntegrityError:
        # The same key committed by a concurrent request a moment ago.
        earlier = KnownEvent.objects.filter(idempotency_key=idempotency_key).first()
        if not idempotency_key or earlier is None:
            raise
        idempotency.require_same_request(earlier.request_fingerprint, request_fingerprint)
        return earlier
    return event


def _create(*, actor: Any, devices: Sequence[Device], title: str, script: str, **fields: Any) -> KnownEvent:
    event = KnownEvent.objects.create(
        title=title.strip(), script=script.strip(), created_by=actor, created_at=clock.now(), **fields
    )
    event.devices.set(devices)
    # The intake matches callers against cached events: this process sees the change at once (and
    # again after the commit, in case another request cached the old state meanwhile).
    refcache.clear()
    transaction.on_commit(refcache.clear)
    return event


def known_event_close(*, event: KnownEvent, actor: Any, at: dt.datetime | None = None) -> KnownEvent:
    """The event is over (now, or at ``at``): its script is no longer read to callers. Closing a closed
    event changes nothing (a retried request)."""
    now = clock.now()
    at = at or now
    with transaction.atomic():
        event = KnownEvent.objects.select_for_update().get(pk=event.pk)
        if event.ends_at is not None and event.ends_at <= now:
            return event
        if at < event.starts_at:
            raise ValidationFailed(
                _("结束时间应晚于开始时间。"), fields={"ends_at": [_("结束时间应晚于开始时间。")]}
            )
        event.ends_at = at
        event.save(update_fields=["ends_at"])
        refcache.clear()
        transaction.on_commit(refcache.clear)
    return event
