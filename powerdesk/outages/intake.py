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

import functools
from dataclasses import replace
from typing import Any, cast

from django.db import connection
from django.db.models import Field, Model
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from powerdesk.core import bulk, sql
from powerdesk.customers.models import Customer
from powerdesk.outages import selectors
from powerdesk.outages.models import CLOSED_STATES, KnownEvent, Outage, OutageCall
from powerdesk.workorders import extensions, reference
from powerdesk.workorders.choices import BusinessType
from powerdesk.workorders.events import event_write
from powerdesk.workorders.models import WorkOrder
from powerdesk.workorders.services.intake import IntakeContact, IntakeResult, contact_record, order_open

EVENT_OUTAGE_CALL = "outage_call"


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
    found = selectors.intake_lookup(c.customer, company_id=c.company_id)
    events = [e.summary() for e in selectors.known_events_on_paths(found.paths, now=c.now)]
    if found.outage_id is None:
        if not events:
            return None
        # A storm or large event registered for the caller's area: the agent reads its script; what the
        # call becomes is decided as usual (repeat call, new order).
        return extensions.Resolution(
            decides=False, extra={"known_events": events, "notice": _events_notice(events)}
        )
    return extensions.Resolution(write=_link, data={"lookup": found, "known_events": events})


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


# What the call tells of its outage (outage_summary) and what it decides on, in the model's field order
# (Model.from_db takes a partial row in that order); with the script of the outage's known event.
_OUTAGE_FIELDS = tuple(
    f.attname
    for f in Outage._meta.concrete_fields
    if f.attname
    in {
        "id",
        "number",
        "kind",
        "state",
        "title",
        "etr",
        "etr_source",
        "order_id",
        "known_event_id",
        "actual_end",
    }
)


def _column(model: type[Model], name: str) -> str:
    field = cast("Field", model._meta.get_field(name))
    return connection.ops.quote_name(cast("str", field.column))


@functools.cache
def _lock_statement(mode: str) -> str:
    """The outage's row read and locked in one statement (the columns are the model's); built at first
    use, when the database connection's quoting is known."""
    qn = connection.ops.quote_name
    columns = ", ".join(f"o.{_column(Outage, name)}" for name in _OUTAGE_FIELDS)
    script = (
        f"(SELECT e.{_column(KnownEvent, 'script')} FROM {qn(KnownEvent._meta.db_table)} e"  # noqa: S608
        f" WHERE e.{_column(KnownEvent, 'id')} = o.{_column(Outage, 'known_event')})"
    )
    return (
        f"SELECT {columns}, {script} FROM {qn(Outage._meta.db_table)} o"  # noqa: S608  (the model's names)
        f" WHERE o.{_column(Outage, 'id')} = %s FOR {mode} OF o"
    )


# A linked call holds its outage row shared: calls on one outage run side by side, while a roll-up that
# merges the outage (FOR UPDATE) waits for them, or they wait for it and see the outage merged. Only a
# call that may open the outage's order (the lookup saw none yet) takes the row for update: one order
# per outage. The mode is chosen before the row is locked (a shared lock upgraded by two calls at once
# would deadlock).
_LOCK_MODE = {True: "SHARE", False: "UPDATE"}
# Counted last, so the outage's one order is held only while its call commits; the row it returns is
# the order the answer shows.
_ORDER_NAMES, _ORDER_COLUMNS = sql.column_list(WorkOrder, "w")
_COUNT_SQL = (  # the model's own columns
    "UPDATE workorders_workorder w SET contact_count = w.contact_count + 1, version = w.version + 1,"  # noqa: S608
    f" updated_at = %s WHERE w.company_id = %s AND w.id = %s RETURNING {_ORDER_COLUMNS}"
)
# A linked call re-reads at most this many times an outage merged or ended while it was being taken.
_RESOLVE_TRIES = 3


def _outage_locked(
    c: IntakeContact, found: selectors.IntakeLookup
) -> tuple[Outage, selectors.IntakeLookup] | None:
    """The caller's active outage, its row read and locked in one statement: the one the lookup found,
    or, if a roll-up merged it (or it ended) meanwhile, the outage the caller is out in now, with the
    lookup that found it. Only the fields the call tells are read (``outage_summary``)."""
    for _try in range(_RESOLVE_TRIES):
        if found.outage_id is None:
            return None
        with sql.cursor() as cur:
            lock = _lock_statement(_LOCK_MODE[found.outage_order_id is not None])
            cur.execute(lock, [found.outage_id], prepare=True)
            row = cur.fetchone()
        if row is not None:
            outage = sql.instance(Outage, _OUTAGE_FIELDS, row[:-1])
            if outage.known_event_id:
                outage.known_event = KnownEvent(pk=outage.known_event_id, script=row[-1] or "")
            if outage.state not in CLOSED_STATES and outage.actual_end is None:
                return outage, found
        if c.customer is None:
            return None
        found = selectors.intake_lookup(c.customer, company_id=c.company_id)
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
    locked = _outage_locked(c, resolution.data["lookup"])
    if locked is None:
        # Every outage the lookup saw was merged away or ended while the call was taken: an ordinary order.
        return order_open(c, related=None)
    outage, found = locked
    open_order = found.open_repair
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
