"""At intake: a fault call from a customer who is out in a known outage is linked to the outage.

Shape (documented in docs/architecture.md): ONE order per outage, the 停电工单, whose contacts are the
calls. The first call opens it through the ordinary path (so it gets its clocks and its 受理 event) with
the automatic dispatch vetoed (``Resolution.no_dispatch``: the outage's crew is already on it); every later
call is a contact counted on it. Each call also gets an ``OutageCall`` row (the caller gets the
restoration message when their supply is back). A caller who already has an open repair order is linked
the same way, and the open order is noted on the call and in the event (it is not closed: the crew or
the agent decides).

A caller in the area of a known event (报备) is told its script: with the outage link, or alone (a
resolution that does not decide: the repeat-call resolver still does). The lookup costs the intake no
statement of its own beyond the one it had (``selectors.intake_lookup``, the cached events).

A caller who is not a known customer: without a customer, the resolver places the address against the
customers' addresses and answers the candidates (``extra.outage.candidates``) without linking; the agent
(or the API client) confirms one and sends the call again with that customer.

The resolver sits before the repeat-call resolver (position 50 < 100): the outage link beats a repeat
link and a new dispatch.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from powerdesk.core import bulk, sql
from powerdesk.core.sql import CompiledRead
from powerdesk.customers.models import Customer
from powerdesk.outages import selectors
from powerdesk.outages.models import CLOSED_STATES, KnownEvent, Outage, OutageCall, OutageState
from powerdesk.workorders import extensions, reference
from powerdesk.workorders.choices import BusinessType, Status
from powerdesk.workorders.events import event_write
from powerdesk.workorders.models import WorkOrder
from powerdesk.workorders.services.intake import IntakeContact, IntakeResult, contact_record, order_open

EVENT_OUTAGE_CALL = "outage_call"
CLOSED = (Status.RESOLVED, Status.REPLIED, Status.CALLED_BACK, Status.ARCHIVED, Status.MERGED)


def outage_summary(outage: Outage) -> dict[str, Any]:
    """What the agent and the API client are told about a known outage."""
    script = outage.known_event.script if outage.known_event_id and outage.known_event else ""
    return {
        "number": outage.number,
        "kind": outage.kind,
        "kind_label": str(outage.get_kind_display()),
        "state": outage.state,
        "title": outage.title,
        "etr": outage.etr.isoformat() if outage.etr else None,
        "etr_source": outage.etr_source,
        "script": script,
    }


def _open_repair_read(*, company: int, customer: int) -> QuerySet[Any]:
    return (
        WorkOrder.objects.filter(company_id=company, customer_id=customer, business_type=BusinessType.REPAIR)
        .exclude(status__in=CLOSED)
        .exclude(outage__isnull=False)
        .order_by("-created_at")
        .values_list("pk", "number")[:1]
    )


# Every linked call asks it: compiled once (sql.CompiledRead).
_OPEN_REPAIR = CompiledRead(_open_repair_read, company=-9_500_005, customer=-9_500_003)


def _open_repair(c: IntakeContact) -> tuple[int, str] | None:
    """(id, number) of the caller's newest open repair order not an outage's own, in the company taking
    the call."""
    if c.customer is None:
        return None
    return _OPEN_REPAIR.one(company=c.company_id, customer=c.customer.pk)


def outage_resolver(c: IntakeContact) -> extensions.Resolution | None:
    if c.business_type != BusinessType.REPAIR or c.force_new:
        return None
    if c.customer is None:
        candidates = selectors.place_by_address(c.address, company_id=c.company_id)
        if not candidates:
            return None
        covered = {cand.pk: [o.number for o in selectors.outages_for_customer(cand)] for cand in candidates}
        if not any(covered.values()):
            return None
        # Not linked on a guess: a new order is opened as usual, and the candidates are answered.
        return extensions.Resolution(
            extra={
                "outage": {
                    "linked": False,
                    "candidates": [
                        {"account_no": cand.account_no, "address": cand.address, "outages": covered[cand.pk]}
                        for cand in candidates
                    ],
                }
            }
        )
    outage_id, paths = selectors.intake_lookup(c.customer, company_id=c.company_id)
    events = [e.summary() for e in selectors.known_events_on_paths(paths, now=c.now)]
    if outage_id is None:
        if not events:
            return None
        # A storm or large event registered for the caller's area: the agent reads its script; what the
        # call becomes is decided as usual (repeat call, new order).
        return extensions.Resolution(
            decides=False, extra={"known_events": events, "notice": _events_notice(events)}
        )
    return extensions.Resolution(write=_link, data={"outage_id": outage_id, "known_events": events})


def _events_notice(events: list[dict[str, Any]]) -> str:
    return "；".join(
        gettext("已报备%(kind)s“%(title)s”，应答口径：%(script)s")
        % {"kind": e["kind_label"], "title": e["title"], "script": e["script"]}
        for e in events
    )


def _notice(outage: Outage, open_order: tuple[int, str] | None, script: str) -> str:
    etr = timezone.localtime(outage.etr).strftime("%Y-%m-%d %H:%M") if outage.etr else "—"
    text = gettext(
        "来电已关联到已知停电 %(number)s，不再派发抢修；预计复电时间 %(etr)s，复电后客户将收到短信。"
    ) % {
        "number": outage.number,
        "etr": etr,
    }
    if open_order is not None:
        text += gettext("客户原有未办结报修工单 %(order)s 已记录在停电来电中。") % {"order": open_order[1]}
    if script:
        text += gettext("应答口径：%(script)s") % {"script": script}
    return text


def _outage_read(*, outage: int) -> QuerySet[Any]:
    return Outage.objects.filter(pk=outage).values_list(*_OUTAGE_FIELDS, "known_event__script")


_OUTAGE_FIELDS = ("number", "kind", "state", "title", "etr", "etr_source", "order_id", "known_event_id")
# Every linked call reads its outage: compiled once (sql.CompiledRead).
_OUTAGE = CompiledRead(_outage_read, outage=-9_500_004)

# A linked call holds its outage row shared: calls on one outage run side by side, while a roll-up that
# merges the outage (FOR UPDATE) waits for them, or they wait for it and see the outage merged. Only the
# call that opens the outage's order takes the row for update (one order per outage).
_LOCK_SQL = {
    True: "SELECT state, actual_end, order_id FROM outages_outage WHERE id = %s FOR SHARE",
    False: "SELECT state, actual_end, order_id FROM outages_outage WHERE id = %s FOR UPDATE",
}
# Counted last, so the outage's one order is held only while its call commits; the row it returns is
# the order the answer shows.
_ORDER_NAMES, _ORDER_COLUMNS = sql.column_list(WorkOrder, "w")
_COUNT_SQL = (  # the model's own columns
    "UPDATE workorders_workorder w SET contact_count = w.contact_count + 1, version = w.version + 1,"  # noqa: S608
    f" updated_at = %s WHERE w.company_id = %s AND w.id = %s RETURNING {_ORDER_COLUMNS}"
)
# A linked call re-reads at most this many times an outage merged or ended while it was being taken.
_RESOLVE_TRIES = 3


def _outage_locked(c: IntakeContact, outage_id: int | None) -> Outage | None:
    """The caller's active outage, its row locked: ``outage_id`` as the lookup found it, or, if a roll-up
    merged it (or it ended) meanwhile, the outage the caller is out in now. Only the fields the call
    tells are read (``outage_summary``)."""
    for _try in range(_RESOLVE_TRIES):
        if outage_id is None:
            return None
        row = _OUTAGE.one(outage=outage_id)
        if row is not None:
            outage = Outage(pk=outage_id, **dict(zip(_OUTAGE_FIELDS, row[:-1], strict=True)))
            if outage.known_event_id:
                outage.known_event = KnownEvent(pk=outage.known_event_id, script=row[-1] or "")
            with sql.cursor() as cur:
                cur.execute(_LOCK_SQL[outage.order_id is not None], [outage_id], prepare=True)
                state, actual_end, order_id = cur.fetchone() or (OutageState.REJECTED, None, None)
            if state not in CLOSED_STATES and actual_end is None:
                outage.state, outage.order_id = state, order_id
                return outage
        if c.customer is None:
            return None
        outage_id, _paths = selectors.intake_lookup(c.customer, company_id=c.company_id)
    return None


def _order_counted(c: IntakeContact, order_id: int) -> WorkOrder:
    """Count the call on the outage's order (its last statement); the order as it now stands, with the
    reference data the answer shows from the per-process caches."""
    with sql.cursor() as cur:
        cur.execute(_COUNT_SQL, [c.now, c.company_id, order_id], prepare=True)
        row = cur.fetchone()
    if row is None:  # the call's event and contact already name it: not reached while the FKs hold
        raise WorkOrder.DoesNotExist(order_id)
    order = sql.mark_saved(sql.instance(WorkOrder, _ORDER_NAMES, row))
    if (topic := reference.topic_by_id(order.topic_id)) is not None:
        order.topic = topic
    if (sub_type := reference.sub_type_by_id(order.sub_type_id)) is not None:
        order.sub_type = sub_type
    # The answer shows the order's customer: the caller, or the outage's first caller, read in the
    # company (not left to a lazy load by id alone).
    if c.customer is not None and order.customer_id == c.customer.pk:
        order.customer = c.customer
    elif order.customer_id is not None:
        order.customer = Customer.objects.filter(company_id=order.company_id, pk=order.customer_id).first()
    return order


def _link(c: IntakeContact, resolution: extensions.Resolution) -> IntakeResult:
    outage = _outage_locked(c, resolution.data["outage_id"])
    if outage is None:
        # Every outage the lookup saw was merged away or ended while the call was taken: an ordinary order.
        return order_open(c, related=None)
    open_order = _open_repair(c)
    events = list(resolution.data["known_events"])
    summary = outage_summary(outage)
    # The outage's own event's script first, else the script of an event registered for the area.
    summary["script"] = summary["script"] or next((e["script"] for e in events), "")
    extra: dict[str, Any] = {
        "outage": {
            **summary,
            "linked": True,
            "dispatch": "vetoed",
            "restoration_message": True,
            "open_order": open_order[1] if open_order else None,
        },
        "notice": _notice(outage, open_order, summary["script"]),
    }
    if events:
        extra["known_events"] = events
    if outage.order_id is None:
        result = order_open(
            c,
            related=extensions.Resolution(
                relation="outage", data={"outage": outage.number}, no_dispatch=True, extra=extra
            ),
        )
        Outage.objects.filter(pk=outage.pk).update(order=result.order)
    else:
        # Only its key until it is counted, last (_order_counted).
        # The outage's order was opened by a call to this company (its first): the event names it too.
        order = sql.mark_saved(WorkOrder(pk=outage.order_id, company_id=c.company_id))
        event_write(
            order=order,
            kind=EVENT_OUTAGE_CALL,
            actor=c.actor,
            note=c.description,
            data={
                "outage": outage.number,
                "phone": c.caller_phone,
                "open_order": open_order[1] if open_order else None,
            },
            request_id=c.request_id,
            at=c.now,
        )
        result = IntakeResult(
            order=order,
            contact=contact_record(c, order, is_repeat=True),
            created=False,
            repeat=True,
            extra=extra,
        )
    call = OutageCall(
        outage_id=outage.pk,
        contact_id=result.contact.pk,
        customer=c.customer,
        open_order_id=open_order[0] if open_order else None,
        phone=c.caller_phone,
        at=c.now,
    )
    bulk.insert_objects([call])
    if not result.created:
        result = replace(result, order=_order_counted(c, result.order.pk))
    return result


def register() -> None:
    extensions.intake_resolvers.register("outages", "outage_link", outage_resolver, position=50)
    extensions.event_kinds.register("outages", EVENT_OUTAGE_CALL, _("停电来电"))
