"""Writes of the outages app: register an outage (who is affected, the notices owed, the ETR), change its
ETR, confirm or reject it, restore it (wholly or device by device), send and sweep its notices (their
delivery: ``outages.delivery``).

Each service runs in one transaction, writes one ``OutageEvent`` per change, and enqueues the customers'
messages through notify in that transaction (``notification_enqueue_many``; the categories
``legal_outage_notice`` and ``restoration`` are exempt from quiet hours and opt-outs).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from powerdesk.core import clock
from powerdesk.core.errors import ValidationFailed
from powerdesk.customers.models import Customer
from powerdesk.customers.supply import customers_out
from powerdesk.grid.models import Device
from powerdesk.notify.models import Notification, NotificationState, NotifyChannel, SuppressedReason
from powerdesk.notify.selectors import notification_ids_by_dedupe_key
from powerdesk.notify.services import notification_enqueue_many
from powerdesk.outages import prediction, rules
from powerdesk.outages.models import (
    TRACED_KINDS,
    EtrChange,
    EtrDefault,
    EtrSource,
    Interruption,
    KnownEvent,
    NoticeRule,
    NoticeState,
    Outage,
    OutageDevice,
    OutageEvent,
    OutageKind,
    OutageNotice,
    OutageSource,
    OutageState,
)
from powerdesk.outages.selectors import as_rules, notice_rules

TEMPLATE_FAULT_ETR = "outage_fault_etr"
TEMPLATE_ETR_CHANGED = "outage_etr_changed"
TEMPLATE_RESTORED = "outage_restored"


def event_write(outage: Outage, kind: str, *, actor: Any = None, at: dt.datetime, **data: Any) -> None:
    OutageEvent.objects.create(outage=outage, kind=kind, actor=actor, at=at, data=data)


def _when(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%m月%d日%H:%M") if value else ""


def etr_estimate(
    outage: Outage, *, start: dt.datetime, crew: dt.datetime | None = None
) -> tuple[dt.datetime, str]:
    """The ETR by its strongest source (``rules.etr_choose``): the crew's, the storm's override, the
    median of this device class's restored fault outages, the default."""
    storm = outage.known_event.etr_override if outage.known_event_id and outage.known_event else None
    kinds = list(outage.devices.values_list("device__kind", flat=True))
    device_kind = kinds[0] if kinds else ""
    default = (
        EtrDefault.objects.filter(device_kind=device_kind).first()
        or EtrDefault.objects.filter(device_kind="").first()
    )
    default_minutes = default.minutes if default else 240
    min_samples = default.history_min_samples if default else 5
    history = None
    if crew is None and storm is None and device_kind:
        past = (
            Outage.objects.filter(
                kind=OutageKind.FAULT,
                actual_end__isnull=False,
                actual_start__isnull=False,
                devices__device__kind=device_kind,
            )
            .exclude(pk=outage.pk)
            .annotate(took=F("actual_end") - F("actual_start"))
            .values_list("took", flat=True)[:200]
        )
        history = rules.history_minutes([d.total_seconds() / 60 for d in past], min_samples)
    return rules.etr_choose(
        start=start, crew=crew, storm=storm, history_minutes=history, default_minutes=default_minutes
    )


def _affected(
    kind: str, devices: Sequence[Device], customers: Sequence[Customer]
) -> list[tuple[Customer, Device | None]]:
    if kind not in TRACED_KINDS:
        return [(c, None) for c in customers]
    seen: dict[int, tuple[Customer, Device | None]] = {}
    whole = set(customers_out(devices).values_list("pk", flat=True))
    for device in devices:
        for customer in customers_out(device):
            seen.setdefault(customer.pk, (customer, device))
    # Out only with several of the devices off (each of a dual supply under a different one).
    for customer in Customer.objects.filter(pk__in=whole - set(seen)):
        seen[customer.pk] = (customer, None)
    return list(seen.values())


def outage_create(
    *,
    actor: Any,
    kind: str,
    title: str,
    reason: str = "",
    cause: str = "",
    devices: Sequence[Device] = (),
    customers: Sequence[Customer] = (),
    planned_start: dt.datetime | None = None,
    planned_end: dt.datetime | None = None,
    actual_start: dt.datetime | None = None,
    short_notice_reason: str = "",
    state: str = OutageState.CONFIRMED,
    source: str = OutageSource.DISPATCHER,
    known_event: KnownEvent | None = None,
    crew_etr: dt.datetime | None = None,
    idempotency_key: str | None = None,
) -> Outage:
    """Register an outage: who is out (traced from ``devices`` for planned, temporary and fault outages;
    ``customers`` for arrears and rationing), their interruption rows, the notices owed and the first
    ones sent, the ETR; a confirmed fault outage tells every affected customer its ETR."""
    now = clock.now()
    if idempotency_key:
        earlier = Outage.objects.filter(idempotency_key=idempotency_key).first()
        if earlier is not None:
            return earlier
    errors: dict[str, list[str]] = {}
    if kind not in OutageKind.values:
        errors["kind"] = [_("停电类型无效。")]
    elif kind in TRACED_KINDS and not devices:
        errors["devices"] = [_("请选择停电设备。")]
    elif kind not in TRACED_KINDS and not customers:
        errors["customers"] = [_("请选择停电客户。")]
    if kind != OutageKind.FAULT and planned_start is None:
        errors["planned_start"] = [_("请填写计划开始时间。")]
    if planned_start and planned_end and planned_end <= planned_start:
        errors["planned_end"] = [_("计划结束时间应晚于开始时间。")]
    if not (title or "").strip():
        errors["title"] = [_("请填写标题。")]
    if errors:
        raise ValidationFailed(_("停电信息有误，请检查。"), fields=errors)
    rule_rows = notice_rules(kind)
    short = rules.lead_is_short(registered_at=now, start=planned_start, rules=as_rules(rule_rows))
    if short and not short_notice_reason.strip():
        raise ValidationFailed(
            _("通知提前量不足，须填写原因。"),
            code="short_notice",
            fields={"short_notice_reason": [_("距停电开始不足规定的通知提前时间，请说明原因。")]},
        )
    with transaction.atomic():
        outage = Outage.objects.create(
            number=f"tmp{uuid.uuid4().hex[:16]}",  # the real one needs the id
            kind=kind,
            state=state,
            source=source,
            title=title.strip(),
            reason=reason,
            cause=cause,
            unit=getattr(actor, "unit", None),
            planned_start=planned_start,
            planned_end=planned_end,
            actual_start=actual_start
            if actual_start is not None
            else (now if kind == OutageKind.FAULT else None),
            short_notice=short,
            short_notice_reason=short_notice_reason.strip() if short else "",
            known_event=known_event,
            created_by=actor,
            created_at=now,
            idempotency_key=idempotency_key or None,
        )
        outage.number = f"TD{clock.local_date(now):%y%m%d}{outage.pk:06d}"
        OutageDevice.objects.bulk_create([OutageDevice(outage=outage, device=d) for d in devices])
        affected = _affected(kind, list(devices), list(customers))
        start = outage.actual_start or planned_start
        Interruption.objects.bulk_create(
            [
                Interruption(
                    outage=outage,
                    customer=c,
                    device=d,
                    customer_type=c.customer_type,
                    important=rules.is_important(c.customer_type, c.is_life_support),
                    start=start,
                )
                for c, d in affected
            ]
        )
        plain = [
            rules.Affected(c.pk, c.customer_type, rules.is_important(c.customer_type, c.is_life_support))
            for c, _d in affected
        ]
        outage.customer_count = len(plain)
        outage.counts_by_type = rules.counts_by_type(plain)
        if kind == OutageKind.FAULT:
            outage.etr, outage.etr_source = etr_estimate(
                outage, start=outage.actual_start or now, crew=crew_etr
            )
        elif planned_end is not None:
            outage.etr, outage.etr_source = planned_end, EtrSource.PLANNED
        outage.save()
        if outage.etr is not None:
            EtrChange.objects.create(
                outage=outage, etr=outage.etr, source=outage.etr_source, at=now, by=actor
            )
        event_write(
            outage,
            "created",
            actor=actor,
            at=now,
            customers=outage.customer_count,
            short_notice=short,
            etr=outage.etr.isoformat() if outage.etr else None,
        )
        if planned_start is not None and rule_rows:
            _plan_notices(outage, rule_rows, plain, planned_start)
            notices_send_due(outage=outage, now=now)
        if kind == OutageKind.FAULT and state == OutageState.CONFIRMED:
            _tell_affected(outage, TEMPLATE_FAULT_ETR, "etr0")
    return outage


def _plan_notices(
    outage: Outage, rule_rows: list[NoticeRule], affected: list[rules.Affected], start: dt.datetime
) -> None:
    owed = rules.notices_due(start, as_rules(rule_rows), affected)
    OutageNotice.objects.bulk_create(
        [
            OutageNotice(
                outage=outage, customer_id=d.customer_id, rule_id=d.rule_id, repeat=d.repeat, due_by=d.due_by
            )
            for d in owed
        ],
        ignore_conflicts=True,
    )


def _phones(customer_ids: Iterable[int]) -> dict[int, str]:
    phones: dict[int, str] = {}
    for customer in Customer.objects.filter(pk__in=list(customer_ids)).prefetch_related("phones"):
        phones[customer.pk] = customer.primary_phone
    return phones


def _message(
    outage: Outage, template: str, customer_id: int, phone: str, key: str, **extra: Any
) -> dict[str, Any]:
    return {
        "channel": NotifyChannel.SMS,
        "template_code": template,
        "context": {
            "outage_number": outage.number,
            "title": outage.title,
            "kind": outage.get_kind_display(),
            "start": _when(outage.actual_start or outage.planned_start),
            "end": _when(outage.planned_end),
            "etr": _when(outage.etr),
            "reason": outage.reason,
            **extra,
        },
        "recipient_address": phone,
        "customer_id": customer_id,
        "dedupe_key": f"outage:{outage.pk}:{key}:{customer_id}",
        "suppress": "" if phone else SuppressedReason.NO_NUMBER,
    }


def notices_send_due(
    *, outage: Outage, now: dt.datetime, window: dt.timedelta = dt.timedelta(hours=1)
) -> int:
    """Send the outage's pending notices whose deadline is within ``window`` from now (or past: late,
    but the customer must still be told before the outage starts). Returns how many were sent."""
    pending = list(
        OutageNotice.objects.select_related("rule").filter(
            outage=outage, state=NoticeState.PENDING, notification_id__isnull=True, due_by__lte=now + window
        )
    )
    # A first notice is sent as soon as the outage is registered, whatever its deadline: the earlier the
    # better; a repeat waits until shortly before its own deadline.
    pending += list(
        OutageNotice.objects.select_related("rule").filter(
            outage=outage,
            state=NoticeState.PENDING,
            notification_id__isnull=True,
            repeat=False,
            due_by__gt=now + window,
        )
    )
    if not pending:
        return 0
    phones = _phones(n.customer_id for n in pending)
    requests = [
        _message(
            outage,
            n.rule.template_code,
            n.customer_id,
            phones.get(n.customer_id, ""),
            f"notice{n.rule_id}{'r' if n.repeat else ''}",
        )
        for n in pending
    ]
    notification_enqueue_many(requests)
    ids = notification_ids_by_dedupe_key(r["dedupe_key"] for r in requests)
    for notice, request in zip(pending, requests, strict=True):
        notice.notification_id = ids.get(request["dedupe_key"])
    OutageNotice.objects.bulk_update(pending, ["notification_id"])
    event_write(outage, "notices_sent", at=now, count=len(pending))
    return len(pending)


def notices_sync(*, outage: Outage, now: dt.datetime | None = None) -> None:
    """Take what notify knows of each notice's message (sent, failed) onto the notice, then flag."""
    now = now or clock.now()
    by_id = {
        n.pk: n
        for n in Notification.objects.filter(
            pk__in=outage.notices.exclude(notification_id=None).values("notification_id")
        )
    }
    changed = []
    for notice in outage.notices.filter(state__in=[NoticeState.PENDING, NoticeState.SENT]).exclude(
        notification_id=None
    ):
        sent = by_id.get(notice.notification_id or 0)
        if sent is None:
            continue
        if sent.delivery_state in (NoticeState.DELIVERED, NoticeState.FAILED):
            # A receipt this notice missed (recorded before it pointed at the message).
            notice.state, notice.sent_at = sent.delivery_state, notice.sent_at or sent.sent_at
            if sent.delivery_state == NoticeState.DELIVERED:
                notice.delivered_at = sent.delivery_at
            changed.append(notice)
        elif sent.state == NotificationState.SENT and notice.state == NoticeState.PENDING:
            notice.state, notice.sent_at = NoticeState.SENT, sent.sent_at
            changed.append(notice)
        elif sent.state in (
            NotificationState.FAILED,
            NotificationState.SUPPRESSED,
        ) and sent.permanent_error | (sent.state == NotificationState.SUPPRESSED):
            notice.state = NoticeState.FAILED
            changed.append(notice)
    OutageNotice.objects.bulk_update(changed, ["state", "sent_at", "delivered_at"])
    notices_flag(outage=outage, now=now)


def notices_flag(*, outage: Outage, now: dt.datetime) -> bool:
    """Mark each notice late (sent after its deadline, or not sent and past it) and the outage flagged
    when any is; returns the outage's flag."""
    notices = list(outage.notices.all())
    late = [
        n
        for n in notices
        if rules.notice_is_late(due_by=n.due_by, sent_at=n.sent_at, now=now)
        or (n.state == NoticeState.FAILED and n.due_by < now)
    ]
    late_ids = {n.pk for n in late}
    OutageNotice.objects.filter(outage=outage, pk__in=late_ids).update(late=True)
    flagged = bool(late_ids)
    if flagged != outage.notice_flagged:
        Outage.objects.filter(pk=outage.pk).update(notice_flagged=flagged)
        outage.notice_flagged = flagged
        event_write(outage, "notice_flag", at=now, flagged=flagged, late=len(late_ids))
    return flagged


def _tell_affected(
    outage: Outage,
    template: str,
    key: str,
    customer_ids: Iterable[int] | None = None,
    *,
    called_from: dict[int, str] | None = None,
    **extra: Any,
) -> int:
    """Message ``customer_ids`` (default: every customer still out) at their first phone, or at the
    number they called from (``called_from``: a caller is answered where they asked)."""
    ids = (
        list(customer_ids)
        if customer_ids is not None
        else list(outage.interruptions.filter(end__isnull=True).values_list("customer_id", flat=True))
    )
    phones = {**_phones(ids), **(called_from or {})}
    return len(
        notification_enqueue_many(
            [_message(outage, template, cid, phones.get(cid, ""), key, **extra) for cid in ids]
        )
    )


def _lock(outage: Outage) -> Outage:
    return Outage.objects.select_for_update(of=("self",)).select_related("known_event").get(pk=outage.pk)


def outage_confirm(*, outage: Outage, actor: Any) -> Outage:
    """A predicted or probable outage confirmed by a dispatcher: a fault outage now tells every affected
    customer its ETR."""
    now = clock.now()
    with transaction.atomic():
        outage = _lock(outage)
        if outage.state == OutageState.CONFIRMED:
            return outage
        if not outage.is_active:
            raise ValidationFailed(_("该停电已排除、合并或结束，不能确认。"))
        before = outage.state
        outage.state = OutageState.CONFIRMED
        outage.save(update_fields=["state"])
        event_write(outage, "confirmed", actor=actor, at=now, before=before)
        if outage.kind == OutageKind.FAULT:
            _tell_affected(outage, TEMPLATE_FAULT_ETR, "etr0")
    return outage


def outage_reject(*, outage: Outage, actor: Any, note: str = "") -> Outage:
    """A predicted or probable outage rejected by a dispatcher: no one was out (a prediction's
    interruption rows are dropped), and the calls' orders still waiting are dispatched as their routing
    rule says. Rejecting again changes nothing."""
    now = clock.now()
    with transaction.atomic():
        outage = _lock(outage)
        if outage.state == OutageState.REJECTED:
            return outage
        if outage.state == OutageState.CONFIRMED:
            raise ValidationFailed(_("已确认的停电不能排除。"))
        if outage.state == OutageState.MERGED:
            raise ValidationFailed(_("该研判已合并到上级停电，请处理上级停电。"))
        outage.state = OutageState.REJECTED
        outage.save(update_fields=["state"])
        event_write(outage, "rejected", actor=actor, at=now, note=note)
        if outage.source == OutageSource.PREDICTION:
            Interruption.objects.filter(outage=outage).delete()
            prediction.calls_dispatch(outage)
    return outage


def outage_etr_change(
    *, outage: Outage, actor: Any, etr: dt.datetime, source: str = EtrSource.CREW, note: str = ""
) -> Outage:
    """A new ETR (logged with its source); a confirmed fault outage tells every affected customer."""
    now = clock.now()
    if source not in EtrSource.values:
        raise ValidationFailed(_("复电时间来源无效。"), fields={"source": [_("复电时间来源无效。")]})
    if etr <= now:
        raise ValidationFailed(
            _("预计复电时间应晚于当前时间。"), fields={"etr": [_("预计复电时间应晚于当前时间。")]}
        )
    with transaction.atomic():
        outage = _lock(outage)
        if not outage.is_active:
            raise ValidationFailed(_("该停电已结束。"))
        before = outage.etr
        if before == etr and outage.etr_source == source:
            return outage
        outage.etr, outage.etr_source = etr, source
        outage.save(update_fields=["etr", "etr_source"])
        change = EtrChange.objects.create(
            outage=outage, etr=etr, source=source, before=before, note=note, at=now, by=actor
        )
        event_write(
            outage,
            "etr_changed",
            actor=actor,
            at=now,
            before=before.isoformat() if before else None,
            after=etr.isoformat(),
            source=source,
        )
        if outage.kind == OutageKind.FAULT and outage.state == OutageState.CONFIRMED:
            _tell_affected(outage, TEMPLATE_ETR_CHANGED, f"etr{change.pk}")
    return outage


def outage_restore(
    *, outage: Outage, actor: Any, devices: Sequence[Device] | None = None, at: dt.datetime | None = None
) -> Outage:
    """Power back: on ``devices`` only (partial restoration), or everywhere. The customers no longer out
    get their interruption's end and the restoration message (every affected customer of a confirmed
    fault outage; the callers of any outage); once every device is back the outage ends."""
    now = clock.now()
    at = at or now
    with transaction.atomic():
        outage = _lock(outage)
        if not outage.is_active:
            raise ValidationFailed(_("该停电已结束。"))
        rows = list(outage.devices.select_related("device").filter(restored_at__isnull=True))
        chosen = {d.pk for d in devices} if devices is not None else {r.device_id for r in rows}
        unknown = chosen - {r.device_id for r in rows}
        if unknown or (not chosen and rows):
            raise ValidationFailed(
                _("所选设备不属于该停电或已复电。"), fields={"devices": [_("所选设备不属于该停电或已复电。")]}
            )
        for row in rows:
            if row.device_id in chosen:
                row.restored_at = at
        OutageDevice.objects.bulk_update(rows, ["restored_at"])
        still = [r.device for r in rows if r.restored_at is None]
        open_rows = outage.interruptions.filter(end__isnull=True)
        if still and outage.kind in TRACED_KINDS:
            out_ids = set(customers_out(still).values_list("pk", flat=True))
            back = list(open_rows.exclude(customer_id__in=out_ids).values_list("customer_id", flat=True))
        else:
            back = list(open_rows.values_list("customer_id", flat=True))
        Interruption.objects.filter(outage=outage, customer_id__in=back, end__isnull=True).update(end=at)
        complete = not still
        if complete:
            outage.actual_end = at
            outage.save(update_fields=["actual_end"])
        event_write(
            outage,
            "restored" if complete else "partly_restored",
            actor=actor,
            at=now,
            devices=sorted(chosen),
            customers=len(back),
        )
        told = (
            set(back) if outage.kind == OutageKind.FAULT and outage.state == OutageState.CONFIRMED else set()
        )
        # The callers whose supply is back, at the number of their latest call.
        called_from = dict(
            outage.calls.filter(customer_id__in=back)
            .exclude(phone="")
            .order_by("at", "id")
            .values_list("customer_id", "phone")
        )
        told |= set(outage.calls.filter(customer_id__in=back).values_list("customer_id", flat=True))
        if told:
            _tell_affected(
                outage,
                TEMPLATE_RESTORED,
                "restored",
                sorted(told),
                called_from=called_from,
                restored_at=_when(at),
            )
    return outage


def notices_sweep(*, now: dt.datetime | None = None) -> int:
    """The periodic pass: send each outage's notices now due (a repeat "shortly before"), take over what
    notify knows of the messages, and flag late or missing ones. Returns the outages looked at."""
    now = now or clock.now()
    ids = list(
        OutageNotice.objects.filter(state__in=[NoticeState.PENDING, NoticeState.SENT])
        .order_by()
        .values_list("outage_id", flat=True)
        .distinct()
    )
    for outage in Outage.objects.filter(pk__in=ids):
        with transaction.atomic():
            notices_send_due(outage=outage, now=now)
            notices_sync(outage=outage, now=now)
    return len(ids)
