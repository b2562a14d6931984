"""Outages predicted from calls: fault calls no known outage explained are placed on their transformer;
enough callers under one transformer within the window make a predicted outage there; predictions under
K or more children of one device roll up into one at that device; energised proofs keep the blame off
devices known to be up; predictions become probable after a while (the periodic sweep).

Steps, and where they run:

1. At intake, in the intake's transaction, :func:`call_place` — an intake resolver placed after the
   outage link, so it sees exactly the fault calls of known customers no known outage explained, and
   that never answers (the repeat-call resolver or a new order decides what the call becomes) — reads the
   caller's
   transformer and how many other customers called under it within T (ONE statement: the supply row with
   a sub-select the partial index ``outage_mark_open`` serves), and writes the call's mark (a second).
   Non-fault calls and calls without a customer cost nothing.
2. When the callers could already reach a threshold, the check is deferred as a job in the same
   transaction (:func:`powerdesk.outages.tasks.predict_transformer`): it runs after the call committed,
   so the call's contact exists to be linked, and the intake does not pay for tracing the outage. One
   check waits per transformer at a time (:func:`check_defer`): the calls of a busy transformer share it.
3. :func:`transformer_check` (the job) holds an advisory lock on the feeder (two checks under one feeder
   never miss each other's predictions when rolling up), counts again, applies the rules, and creates
   the predicted outage through ``services.outage_create`` (interruption rows as for any outage), then
   rolls up as far as the rules allow.

How the calls' orders are linked (the choice): each call that made a prediction gets an ``OutageCall``
row on the predicted outage, its own repair order noted as ``open_order`` — the shape the intake link
uses for a caller with an open repair order — so the callers get the restoration message and the
dispatcher sees their orders; the orders are not closed or merged (a crew may already be on one). Later
calls from customers under the prediction are linked by the intake resolver to the outage's one order
without a dispatch, as for a known outage. A rejected prediction dispatches the still-waiting orders as
their routing rule says (``services.outage_reject``); its calls do not count towards a new prediction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Exists, Max, OuterRef, QuerySet, Subquery, TextField, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils.translation import gettext as _
from procrastinate.contrib.django.models import ProcrastinateJob
from procrastinate.exceptions import AlreadyEnqueued

from powerdesk.core import bulk, clock, refcache, sql
from powerdesk.core.errors import ValidationFailed
from powerdesk.core.jobs import defer_in_transaction
from powerdesk.core.sql import CompiledRead
from powerdesk.customers.models import Customer, CustomerSupply
from powerdesk.customers.supply import customers_below
from powerdesk.grid.models import Device
from powerdesk.grid.rules import path_ids
from powerdesk.org.models import Unit
from powerdesk.outages import prediction_rules as rules
from powerdesk.outages.models import (
    CLOSED_STATES,
    EnergisedProof,
    FaultCallMark,
    Interruption,
    Outage,
    OutageCall,
    OutageDevice,
    OutageKind,
    OutageSource,
    OutageState,
    Prediction,
    PredictionRule,
    ProofKind,
    StormMode,
)
from powerdesk.workorders.choices import BusinessType, Status
from powerdesk.workorders.models import Contact, WorkOrder
from powerdesk.workorders.services.routing import workorder_auto_dispatch

PREDICTED_STATES = (OutageState.PREDICTED, OutageState.PROBABLE)
# The sweep runs every minute: transformers called within this time are checked again.
RECHECK_RECENT = dt.timedelta(minutes=3)

# --- the figures in force ------------------------------------------------------------------------


def _load_reference() -> tuple[list[rules.RuleRow], list[int | None]]:
    rows = [
        rules.RuleRow(
            r.unit_id,
            r.storm,
            rules.Figures(
                min_calls=r.min_calls,
                min_percent=r.min_percent,
                window=dt.timedelta(minutes=r.window_minutes),
                rollup_children=r.rollup_children,
                probable_after=dt.timedelta(minutes=r.probable_after_minutes),
                percent_min_calls=r.percent_min_calls,
                proof_valid=dt.timedelta(minutes=r.proof_valid_minutes),
                storm=r.storm,
            ),
        )
        for r in PredictionRule.objects.filter(is_active=True)
    ]
    storms: list[int | None] = list(
        StormMode.objects.filter(ended_at__isnull=True).values_list("unit_id", flat=True)
    )
    return rows, storms


def reference() -> tuple[list[rules.RuleRow], list[int | None]]:
    """The rule rows and the units in storm mode (None: everywhere), cached per process: read on every
    fault intake; a change reaches other processes within the cache's TTL."""
    return refcache.get("outages.prediction", _load_reference)


def _unit_chain(unit_id: int | None) -> list[int]:
    """The unit and the units above it, nearest first."""
    if unit_id is None:
        return []

    def load() -> list[int]:
        path = Unit.objects.filter(pk=unit_id).values_list("path", flat=True).first() or ""
        return list(reversed(path_ids(path))) or [unit_id]

    return refcache.get(f"outages.unit_chain:{unit_id}", load)


def figures_at(unit_id: int | None) -> rules.Figures | None:
    """The figures for a place of unit ``unit_id`` (its 台区), storm mode honoured. No query unless rows
    or storms are scoped to units."""
    rows, storms = reference()
    scoped = any(r.unit_id is not None for r in rows) or any(s is not None for s in storms)
    chain = _unit_chain(unit_id) if scoped else []
    return rules.figures_for(rows, chain, storm=rules.storm_on(storms, chain))


# --- at intake ------------------------------------------------------------------------------------


CHECK_LOCK = "predict_transformer:"


def check_lock(transformer_id: int) -> str:
    """The queueing lock of a transformer's check: one waiting check per transformer at a time."""
    return f"{CHECK_LOCK}{transformer_id}"


def _place(*, customer: int, since: dt.datetime) -> QuerySet[Any]:
    """The caller's transformer (by their primary supply), how many other customers under it called
    about a fault since ``since`` and are not yet explained by an outage, and whether a check of it
    waits (not started: it will count this call too)."""
    transformer = OuterRef("meter_point__parent_id")
    others = (
        FaultCallMark.objects.filter(transformer_id=transformer, outage__isnull=True, at__gte=since)
        .exclude(customer_id=customer)
        .order_by()
        .values("transformer_id")
        .annotate(n=Count("customer_id", distinct=True))
        .values("n")
    )
    # Served by Procrastinate's unique index on (queueing_lock) WHERE status = 'todo'.
    waiting = ProcrastinateJob.objects.filter(
        queueing_lock=Concat(Value(CHECK_LOCK), Cast(transformer, output_field=TextField())),
        status="todo",
    )
    return (
        CustomerSupply.objects.filter(customer_id=customer)
        .order_by("-is_primary", "id")
        .annotate(others=Coalesce(Subquery(others), 0), waiting=Exists(waiting))
        .values_list("meter_point__parent_id", "others", "waiting")[:1]
    )


# Every fault call no known outage explains asks it: compiled once (sql.CompiledRead), and sent as the
# source of the statement that also writes the call's mark (_place_and_mark).
_PLACE = CompiledRead(_place, customer=-9_600_001, since=dt.datetime(1901, 1, 1, tzinfo=dt.UTC))


def _place_and_mark(*, customer: int, now: dt.datetime, since: dt.datetime) -> tuple[Any, ...] | None:
    """ONE statement: the placing read (:func:`_place`) and, when it found the caller's transformer, the
    call's ``FaultCallMark`` written from it (the mark's columns are the model's, ``bulk.insert_select``).
    The read's snapshot is taken before the write, so the mark never counts itself."""
    read, read_params = _PLACE.statement(customer=customer, since=since)
    write, write_params = bulk.insert_select(
        FaultCallMark,
        source="place",
        columns={"transformer_id": "transformer"},
        same={"customer_id": customer, "at": now},
        where="s.transformer IS NOT NULL",
    )
    statement = (
        f"WITH place (transformer, others, waiting) AS ({read}), mark AS ({write}) "  # noqa: S608  (compiled)
        "SELECT transformer, others, waiting FROM place"
    )
    with sql.cursor() as cur:
        cur.execute(statement, [*read_params, *write_params], prepare=True)
        return cur.fetchone()


def call_place(c: Any) -> None:
    """An intake resolver that never answers (see the module doc, step 1): it sits after the outage
    link, so it sees exactly the fault calls no known outage explained, and places them."""
    if c.business_type != BusinessType.REPAIR or c.customer is None:
        return None
    figures = figures_at(c.customer.area_id)
    if figures is None:
        return None
    row = _place_and_mark(customer=c.customer.pk, now=c.now, since=rules.window_start(c.now, figures))
    if row is None or row[0] is None:
        return None
    transformer_id, callers, waiting = row[0], row[1] + 1, row[2]
    if rules.may_predict(callers, figures) and not waiting:
        check_defer(transformer_id)
    return None


def check_defer(transformer_id: int) -> None:
    """Defer the transformer's check in the caller's transaction, unless one already waits: the calls
    under one transformer share one check (coalesced by its queueing lock), which counts every call
    committed before it starts. A check already running does not hold the lock, so a call committed
    after it counted is checked again by the next one."""
    from powerdesk.outages.tasks import predict_transformer

    try:
        # A savepoint: a concurrent call may have deferred the check since this call's read.
        with transaction.atomic():
            lock = check_lock(transformer_id)
            defer_in_transaction(predict_transformer, {"transformer_id": transformer_id}, queueing_lock=lock)
    except AlreadyEnqueued:
        pass


# --- the check ------------------------------------------------------------------------------------


def _lock_feeder(chain: Sequence[int]) -> None:
    # Predictions under one feeder are decided one at a time: a roll-up counts its siblings' predictions,
    # which a concurrent check would not see before it commits.
    key = chain[1] if len(chain) > 1 else chain[0]
    with connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"outage-predict:{key}"])


def _covered(chain: Sequence[int]) -> bool:
    """An active outage (any source) already traced from a device on this chain."""
    return (
        OutageDevice.objects.filter(
            device_id__in=list(chain), restored_at__isnull=True, outage__actual_end__isnull=True
        )
        .exclude(outage__state__in=CLOSED_STATES)
        .exists()
    )


def proofs(now: dt.datetime, figures: rules.Figures) -> tuple[set[int], set[int]]:
    """The devices proven energised (customers who confirmed power) and those confirmed closed, within
    the proofs' validity."""
    energised: set[int] = set()
    closed: set[int] = set()
    rows = EnergisedProof.objects.filter(at__gte=now - figures.proof_valid, at__lte=now)
    for kind, ids in rows.values_list("kind", "device_ids"):
        (energised if kind == ProofKind.CUSTOMER_POWERED else closed).update(ids)
    return energised, closed


def transformer_check(*, transformer_id: int, now: dt.datetime | None = None) -> Outage | None:
    """Predict an outage from the calls under one transformer if the rules say so (and roll it up);
    returns the outage predicted (the highest after roll-up), else None. Safe to run twice."""
    now = now or clock.now()
    transformer = Device.objects.filter(pk=transformer_id).first()
    if transformer is None:
        return None
    chain = path_ids(transformer.path)
    with transaction.atomic():
        _lock_feeder(chain)
        figures = figures_at(transformer.area_id)
        if figures is None or _covered(chain):
            return None
        marks = list(
            FaultCallMark.objects.filter(
                transformer=transformer,
                outage__isnull=True,
                at__gte=rules.window_start(now, figures),
                at__lte=now,
            )
        )
        callers = len({m.customer_id for m in marks})
        if not rules.may_predict(callers, figures):
            return None
        customers = customers_below(transformer).count()
        if not rules.transformer_predicted(callers=callers, customers=customers, figures=figures):
            return None
        energised, closed = proofs(now, figures)
        target = rules.blame(chain, energised=energised, closed=closed)
        if target is None:
            return None
        device = transformer if target == transformer.pk else Device.objects.get(pk=target)
        if device is not transformer and _covered(path_ids(device.path)):
            return None
        outage = _predict(device, figures, now=now, callers=callers, customers=customers)
        _link_calls(outage, marks)
        return _rollup(outage, device, figures, energised=energised, closed=closed, now=now)


def _predict(
    device: Device,
    figures: rules.Figures,
    *,
    now: dt.datetime,
    callers: int,
    customers: int,
    children: int = 0,
) -> Outage:
    from powerdesk.outages.services import outage_create

    outage = outage_create(
        actor=None,
        kind=OutageKind.FAULT,
        title=_("来电研判停电：%(device)s") % {"device": device.name},
        reason=_("%(callers)d户来电报修") % {"callers": callers},
        devices=[device],
        state=OutageState.PREDICTED,
        source=OutageSource.PREDICTION,
    )
    Prediction.objects.create(
        outage=outage,
        device=device,
        callers=callers,
        customers=customers or outage.customer_count,
        children=children,
        storm=figures.storm,
        figures=figures.as_data(),
        probable_at=rules.probable_at(now, figures),
    )
    return outage


def _link_calls(outage: Outage, marks: Sequence[FaultCallMark]) -> None:
    """The calls that made the prediction: marks taken by it, and an ``OutageCall`` each (its own order
    noted), as the intake link does for a caller with an open repair order — only for callers the
    outage's trace holds: a dual-supply customer placed by their primary supply is not out while another
    supply is on, and keeps their own order as it stands."""
    FaultCallMark.objects.filter(pk__in=[m.pk for m in marks]).update(outage=outage)
    callers = {m.customer_id for m in marks}
    traced = Interruption.objects.filter(outage=outage, customer_id__in=callers)
    out = set(traced.values_list("customer_id", flat=True))
    # A mark is written while its call is taken, before the call's contact: the contact is the
    # customer's at the mark's time.
    keys = {(m.customer_id, m.at) for m in marks if m.customer_id in out}
    contacts = Contact.objects.filter(
        customer_id__in={k[0] for k in keys}, at__in={k[1] for k in keys}, outage_call__isnull=True
    )
    OutageCall.objects.bulk_create(
        [
            OutageCall(
                outage=outage,
                contact=contact,
                customer_id=contact.customer_id,
                open_order_id=contact.order_id,
                phone=contact.phone,
                at=contact.at,
            )
            for contact in contacts
            if (contact.customer_id, contact.at) in keys
        ],
        ignore_conflicts=True,
    )


def _predicted_below(device: Device) -> list[tuple[int, str]]:
    """(outage id, device path) of the active predictions traced from devices strictly below ``device``."""
    return list(
        OutageDevice.objects.filter(
            device__path__startswith=device.path,
            restored_at__isnull=True,
            outage__state__in=PREDICTED_STATES,
            outage__source=OutageSource.PREDICTION,
            outage__actual_end__isnull=True,
        )
        .exclude(device=device)
        .values_list("outage_id", "device__path")
    )


def _rollup(
    outage: Outage,
    device: Device,
    figures: rules.Figures,
    *,
    energised: set[int],
    closed: set[int],
    now: dt.datetime,
) -> Outage:
    """Roll the prediction up while K or more children of the device above hold predictions: one
    predicted outage at that device (or above it, past devices confirmed closed), the ones below merged
    into it; never through a device proven energised."""
    while True:
        chain = path_ids(device.path)
        if len(chain) < 2:
            return outage
        parent_chain = chain[:-1]
        parent = Device.objects.get(pk=parent_chain[-1])
        below = _predicted_below(parent)
        children = rules.children_with_predictions(parent_chain, [path_ids(p) for _o, p in below])
        if not rules.rolls_up(len(children), figures):
            return outage
        target = rules.blame(parent_chain, energised=energised, closed=closed)
        if target is None:
            return outage
        up = parent if target == parent.pk else Device.objects.get(pk=target)
        if _covered(path_ids(up.path)):
            return outage
        merged = sorted({o for o, _p in _predicted_below(up)})
        callers = sum(Prediction.objects.filter(outage_id__in=merged).values_list("callers", flat=True))
        new = _predict(up, figures, now=now, callers=callers, customers=0, children=len(children))
        _merge(merged, into=new, now=now)
        outage, device = new, up


def _merge(outage_ids: Sequence[int], *, into: Outage, now: dt.datetime) -> None:
    """The predictions below ``into`` become part of it: merged (one event each), their calls and marks
    moved to it, their interruption rows dropped (``into`` has its own for the same customers), the
    first one's order (the calls' order, if any) taken over."""
    from powerdesk.outages.services import event_write

    children = list(Outage.objects.select_for_update().filter(pk__in=outage_ids).order_by("pk"))
    order_id = next((c.order_id for c in children if c.order_id), None)
    for child in children:
        child.state = OutageState.MERGED
        if child.order_id == order_id:
            child.order = None
        child.save(update_fields=["state", "order"])
        event_write(child, "merged", at=now, into=into.number)
    Prediction.objects.filter(outage_id__in=outage_ids).update(merged_into=into)
    Interruption.objects.filter(outage_id__in=outage_ids).delete()
    OutageCall.objects.filter(outage_id__in=outage_ids).update(outage=into)
    FaultCallMark.objects.filter(outage_id__in=outage_ids).update(outage=into)
    if order_id is not None:
        Outage.objects.filter(pk=into.pk).update(order_id=order_id)
        into.order_id = order_id


def calls_dispatch(outage: Outage) -> None:
    """A rejected prediction: the calls' orders still waiting (each caller's own, and the outage's order
    of the later calls) are dispatched as their routing rule says, as if no outage had been predicted."""
    ids = set(outage.calls.exclude(open_order=None).values_list("open_order_id", flat=True))
    if outage.order_id:
        ids.add(outage.order_id)
    for order in WorkOrder.objects.filter(pk__in=ids, status=Status.ACCEPTED).order_by("pk"):
        workorder_auto_dispatch(order=order)


# --- the periodic sweep ---------------------------------------------------------------------------


def predictions_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Predicted outages past their time become probable (one event each); transformers whose callers
    could make a prediction are checked again (a call whose check ran before a concurrent call
    committed leaves the threshold reached but unseen)."""
    from powerdesk.outages.services import event_write

    now = now or clock.now()
    due = list(
        Outage.objects.filter(
            state=OutageState.PREDICTED, prediction__probable_at__lte=now, actual_end__isnull=True
        ).values_list("pk", flat=True)
    )
    for pk in due:
        with transaction.atomic():
            outage = Outage.objects.select_for_update().get(pk=pk)
            if outage.state != OutageState.PREDICTED:
                continue
            outage.state = OutageState.PROBABLE
            outage.save(update_fields=["state"])
            event_write(outage, "probable", at=now)
    rows, _storms = reference()
    if not rows:
        return {"probable": len(due), "checked": 0}
    longest = max(r.figures.window for r in rows)
    gate = min(min(r.figures.min_calls, r.figures.percent_min_calls) for r in rows)
    # Only transformers called lately: a missed threshold is missed by the checks of the latest calls,
    # and an older one was checked by an earlier pass.
    ids = list(
        FaultCallMark.objects.filter(outage__isnull=True, at__gte=now - longest)
        .order_by()
        .values("transformer_id")
        .annotate(n=Count("customer_id", distinct=True), last=Max("at"))
        .filter(n__gte=gate, last__gte=now - RECHECK_RECENT)
        .values_list("transformer_id", flat=True)
    )
    for transformer_id in ids:
        transformer_check(transformer_id=transformer_id, now=now)
    return {"probable": len(due), "checked": len(ids)}


# --- proofs and storm mode ------------------------------------------------------------------------


def _earlier_proof(idempotency_key: str | None) -> EnergisedProof | None:
    return EnergisedProof.objects.filter(idempotency_key=idempotency_key).first() if idempotency_key else None


def customer_powered_confirm(
    *,
    actor: Any,
    customer: Customer,
    order: WorkOrder | None = None,
    note: str = "",
    idempotency_key: str | None = None,
) -> EnergisedProof:
    """客户确认有电: every device upstream of the customer (on all their supplies) is proven energised,
    as the grid stands now (kept on the proof)."""
    earlier = _earlier_proof(idempotency_key)
    if earlier is not None:
        return earlier
    chains = [
        path_ids(p)
        for p in CustomerSupply.objects.filter(customer=customer).values_list("meter_point__path", flat=True)
    ]
    if not chains:
        raise ValidationFailed(
            _("该客户没有供电关系，无法登记。"), fields={"customer": [_("该客户没有供电关系。")]}
        )
    if order is not None and order.customer_id != customer.pk:
        raise ValidationFailed(_("该工单不属于此客户。"), fields={"order": [_("该工单不属于此客户。")]})
    return EnergisedProof.objects.create(
        kind=ProofKind.CUSTOMER_POWERED,
        customer=customer,
        order=order,
        device_ids=sorted(rules.energised_by_customer(chains)),
        note=note.strip(),
        at=clock.now(),
        by=actor,
        idempotency_key=idempotency_key or None,
    )


def device_closed_confirm(
    *, actor: Any, device: Device, note: str = "", idempotency_key: str | None = None
) -> EnergisedProof:
    """A crew or dispatcher confirmed ``device`` closed: it is not the tripped device."""
    earlier = _earlier_proof(idempotency_key)
    if earlier is not None:
        return earlier
    return EnergisedProof.objects.create(
        kind=ProofKind.DEVICE_CLOSED,
        device=device,
        device_ids=[device.pk],
        note=note.strip(),
        at=clock.now(),
        by=actor,
        idempotency_key=idempotency_key or None,
    )


def storm_mode_start(
    *, actor: Any, unit: Unit | None = None, note: str = "", idempotency_key: str | None = None
) -> StormMode:
    """Switch storm mode on for ``unit``'s subtree (None: everywhere)."""
    if idempotency_key:
        earlier = StormMode.objects.filter(idempotency_key=idempotency_key).first()
        if earlier is not None:
            return earlier
    if StormMode.objects.filter(unit=unit, ended_at__isnull=True).exists():
        raise ValidationFailed(
            _("该范围的灾害模式已开启。"), fields={"unit": [_("该范围的灾害模式已开启。")]}
        )
    return StormMode.objects.create(
        unit=unit,
        note=note.strip(),
        started_at=clock.now(),
        started_by=actor,
        idempotency_key=idempotency_key or None,
    )


def storm_mode_end(*, actor: Any, storm: StormMode) -> StormMode:
    with transaction.atomic():
        storm = StormMode.objects.select_for_update().get(pk=storm.pk)
        if storm.ended_at is None:
            storm.ended_at, storm.ended_by = clock.now(), actor
            storm.save(update_fields=["ended_at", "ended_by"])
    return storm


def register() -> None:
    from powerdesk.workorders.extensions import intake_resolvers

    refcache.watch(PredictionRule, StormMode)
    # After the outage link (50), before the repeat-call resolver (100).
    intake_resolvers.register("outages", "fault_call_place", call_place, position=60)
