"""The breach sweep: run every 30 s by the worker, safe with several workers at once.

Steps of :func:`sweep`, in one transaction, with a number of statements that does not depend on how
many clocks are due:

1. claim: read up to ``batch`` clocks of one company whose ``next_check_at`` has passed
   (:func:`due_clocks`, a range scan of the partial index ``clock_company_next_check``: the cost follows
   the clocks that are due, not the open orders), lock their orders in id order with ``SKIP LOCKED`` (an
   order a person is changing right now, or that another sweep holds, is left for the next cycle), then
   read those clocks again and keep the ones still due. Every write of a clock holds its order's lock
   (the transitions lock the order first, and the intake writes the clocks of an order nobody else knows
   yet), so once the orders are held their clocks cannot change, and a statement that starts after the
   locks sees every change committed before;
2. read what the steps need, as sets: the orders' units and the heads of those units and their parents,
   and the people to tell;
3. compute every step due, in Python, with the rules of :mod:`powerdesk.sla.rules` (the same functions
   the services and the order page use): per clock the steps above its level whose time has come, in level
   order, the breach recorded at the first step at or past the deadline, the next check; per order the
   priority raised and the escalation level, in the order the steps are written;
4. write in bulk: one timeline event per step (:func:`powerdesk.workorders.events.event_write_many`), the
   clocks, the orders whose priority, level or flag changed (a new version), and one notification per
   step whose recipient has an address, with the de-duplication key ``clock:<id>:step:<level>`` and its
   send jobs (:func:`powerdesk.notify.services.notification_enqueue_many`; the text is rendered when it is
   sent).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import NamedTuple, cast

from django.db import transaction
from django.db.models.functions import Mod

from powerdesk.core import bulk
from powerdesk.core import clock as clock_mod
from powerdesk.core.clock import BUSINESS_TZ
from powerdesk.core.seeded_names import seeded_name
from powerdesk.notify.services import notification_enqueue_many
from powerdesk.org.models import Unit, UnitHead, User
from powerdesk.org.selectors import company_ids
from powerdesk.sla import rules, services
from powerdesk.sla.extension import BREACH, ESCALATION, WARNING
from powerdesk.sla.models import Clock, ClockKind, EscalationStep, SlaPolicy
from powerdesk.workorders.choices import BusinessType
from powerdesk.workorders.events import event_write_many
from powerdesk.workorders.models import WorkOrder
from powerdesk.workorders.rules import raise_priority

UTC = dt.UTC


@dataclass
class SweepResult:
    examined: int = 0
    steps_taken: int = 0
    breached: int = 0
    skipped_locked: int = 0
    notifications: int = 0

    def __add__(self, other: SweepResult) -> SweepResult:
        return SweepResult(
            *(getattr(self, f.name) + getattr(other, f.name) for f in dataclasses.fields(SweepResult))
        )


def due_clocks(company_id: int, now: dt.datetime, batch: int, slice_no: int = 0, slices: int = 1):
    """The company's clocks due at ``now``, most overdue first: (clock id, order id). An index range scan
    of the partial index ``clock_company_next_check`` (tests check its plan). A slice (see
    :mod:`powerdesk.sla.cycle`) takes the clocks of the orders whose id falls to it: the slices of one
    cycle never touch one order."""
    due = Clock.objects.filter(company_id=company_id, next_check_at__isnull=False, next_check_at__lte=now)
    if slices > 1:
        due = due.alias(slice=Mod("order_id", slices)).filter(slice=slice_no)
    return due.order_by("next_check_at").values_list("id", "order_id")[:batch]


class _Order(NamedTuple):
    id: int
    number: str
    status: str
    business_type: str
    priority: int
    escalation_level: int
    is_flagged: bool
    version: int
    unit_id: int
    handler: int | None  # the assignee, else whoever took the call


_ORDER_FIELDS = (
    *("id", "number", "status", "business_type", "priority", "escalation_level", "is_flagged"),
    *("version", "unit_id", "assignee_id", "owner_id"),
)


@dataclass(slots=True)
class _Clock:
    """A due clock as the sweep reads and writes it (the fields of ``Clock`` it needs)."""

    id: int
    order_id: int
    company_id: int
    policy_id: int
    kind: str
    state: str
    level: int
    started_at: dt.datetime
    due_at: dt.datetime
    allowed_seconds: int
    paused_seconds: int
    met_at: dt.datetime | None
    breached_at: dt.datetime | None
    next_check_at: dt.datetime | None


_CLOCK_FIELDS = tuple(_Clock.__dataclass_fields__)


def _claim(
    company_id: int, now: dt.datetime, batch: int, slice_no: int, slices: int
) -> tuple[int, dict[int, _Order], list[_Clock]]:
    """Step 1: (due clocks left to another sweep or a person because their order was locked, the orders
    this sweep now holds, their clocks still due, locked)."""
    due = list(due_clocks(company_id, now, batch, slice_no, slices))
    if not due:
        return 0, {}, []
    rows = lock_orders(company_id, {order_id for _clock, order_id in due})
    orders = {
        row[0]: _Order(*row[:9], handler=row[9] if row[9] is not None else row[10])  # type: ignore[misc]
        for row in rows
    }
    held = [clock_id for clock_id, order_id in due if order_id in orders]
    # Read again now that their orders are held: a clock met or paused since it was found due is left out.
    fresh = [_Clock(*row) for row in read_clocks(company_id, held)] if held else []
    clocks = [c for c in fresh if c.next_check_at is not None and c.next_check_at <= now]
    return len(due) - len(held), orders, clocks


def lock_orders(company_id: int, ids: set[int]):
    """The company's orders of ``ids`` that no one else holds, locked in id order (by primary key)."""
    return (
        WorkOrder.objects.filter(company_id=company_id, pk__any=ids)
        .order_by("pk")
        .select_for_update(skip_locked=True)
        .values_list(*_ORDER_FIELDS)
    )


def read_clocks(company_id: int, ids: list[int]):
    """The clocks of ``ids``, by primary key only: a condition on the due time here would let the planner
    walk the due-time index instead, guessing from statistics that see almost no clock due, and a backlog
    of due clocks would then be read whole for every one of them."""
    return Clock.objects.filter(company_id=company_id, pk__any=ids).values_list(*_CLOCK_FIELDS)


@dataclass
class _People:
    """Step 2: names and heads of the orders' units, and the people the steps tell."""

    unit_names: dict[int, str] = field(default_factory=dict)
    unit_parent: dict[int, int | None] = field(default_factory=dict)
    head: dict[int, int] = field(default_factory=dict)  # unit id → the head's user id
    users: dict[int, tuple[str, str, str, str]] = field(default_factory=dict)  # username, name, phone, email

    @classmethod
    def of(cls, orders: dict[int, _Order]) -> _People:
        people = cls()
        for pk, name, parent in Unit.objects.filter(pk__in={o.unit_id for o in orders.values()}).values_list(
            "pk", "name", "parent_id"
        ):
            people.unit_names[pk] = name
            people.unit_parent[pk] = parent
        heads_of = {*people.unit_names, *(p for p in people.unit_parent.values() if p is not None)}
        people.head = dict(UnitHead.objects.filter(unit_id__in=heads_of).values_list("unit_id", "user_id"))
        return people

    def recipient(self, action: str, order: _Order) -> int | None:
        parent = self.unit_parent.get(order.unit_id)
        return rules.recipient(
            action,
            handler=order.handler,
            unit_head=self.head.get(order.unit_id),
            parent_head=self.head.get(parent) if parent is not None else None,
        )

    def load_users(self, ids: set[int]) -> None:
        for pk, username, full_name, phone, email in User.objects.filter(pk__in=ids).values_list(
            "pk", "username", "full_name", "phone", "email"
        ):
            self.users[pk] = (username, full_name, phone, email)


class _Step(NamedTuple):
    clock: _Clock
    policy: SlaPolicy
    order: _Order
    taken: rules.TakenStep
    state_before: str
    level_before: int
    priority_before: int
    priority_after: int
    recipient: int | None


def _event_kind(taken: rules.TakenStep) -> str:
    if taken.breach:
        return BREACH
    return WARNING if rules.is_warning(taken.step) else ESCALATION


def sweep(
    *,
    now: dt.datetime | None = None,
    batch: int = 1000,
    slice_no: int = 0,
    slices: int = 1,
    company_id: int | None = None,
) -> SweepResult:
    """Take every escalation step due at ``now`` on up to ``batch`` due clocks of each company (see the
    module doc), one transaction per company, or of ``company_id`` only; with ``slices`` > 1, only on the
    clocks of the orders whose id modulo ``slices`` is ``slice_no``
    (:func:`powerdesk.sla.cycle.sweep_cycle` sweeps the slices at once).

    Every statement of a company's sweep names the company, so on a database sharded by company each
    runs on the node that holds it (docs/scaling.md)."""
    if not 0 <= slice_no < slices:
        raise ValueError(f"slice {slice_no} of {slices}")
    now = now or clock_mod.now()
    result = SweepResult()
    steps_defined = services.escalation_steps()
    if not steps_defined:  # no steps configured: leave the clocks as they are
        return result
    for company in [company_id] if company_id is not None else company_ids():
        result += _sweep_company(company, now, batch, slice_no, slices, steps_defined)
    return result


def _sweep_company(
    company_id: int,
    now: dt.datetime,
    batch: int,
    slice_no: int,
    slices: int,
    steps_defined: list[EscalationStep],
) -> SweepResult:
    result = SweepResult()
    with transaction.atomic():
        result.skipped_locked, orders, clocks = _claim(company_id, now, batch, slice_no, slices)
        result.examined = len(clocks)
        if not clocks:
            return result
        people = _People.of(orders)
        steps, moved = _compute(clocks, orders, people, steps_defined, now)
        people.load_users({s.recipient for s in steps if s.recipient is not None})
        _write(steps, moved, orders, people, now, result)
    return result


def _compute(
    clocks: list[_Clock],
    orders: dict[int, _Order],
    people: _People,
    steps_defined: list[EscalationStep],
    now: dt.datetime,
) -> tuple[list[_Step], list[_Clock]]:
    """Step 3: the steps taken, in the order they are written (order, clock, level), and the clocks with
    their new level, state and next check."""
    taken_steps: list[_Step] = []
    priority = {pk: o.priority for pk, o in orders.items()}
    for clock in sorted(clocks, key=lambda c: (c.order_id, c.id)):
        policy = services.policy_by_id(clock.policy_id)
        assert policy is not None  # PROTECT: a clock's policy is never deleted
        order = orders[clock.order_id]
        due = rules.steps_due(
            clock,
            state=clock.state,
            level=clock.level,
            breached=clock.breached_at is not None,
            running=clock.met_at is None,
            warn_ratio=policy.warn_ratio,
            steps=steps_defined,
            now=now,
        )
        state, level = clock.state, clock.level
        for taken in due.taken:
            before_priority = priority[order.id]
            if taken.step.raise_priority:
                priority[order.id] = raise_priority(before_priority)
            taken_steps.append(
                _Step(
                    clock=clock,
                    policy=policy,
                    order=order,
                    taken=taken,
                    state_before=state,
                    level_before=level,
                    priority_before=before_priority,
                    priority_after=priority[order.id],
                    recipient=people.recipient(taken.step.action, order),
                )
            )
            if taken.breach:
                state = rules.BREACHED
                clock.breached_at = clock.due_at
            level = taken.step.level
        clock.state, clock.level, clock.next_check_at = state, level, due.next_check
    return taken_steps, clocks


@dataclass(slots=True)
class _OrderChange:
    id: int
    company_id: int
    priority: int
    escalation_level: int
    is_flagged: bool
    version: int
    updated_at: dt.datetime


def _iso_utc(value: dt.datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _write(
    steps: list[_Step],
    clocks: list[_Clock],
    orders: dict[int, _Order],
    people: _People,
    now: dt.datetime,
    result: SweepResult,
) -> None:
    """Step 4."""
    kind_labels = {k: str(v) for k, v in ClockKind.choices}
    type_labels = {k: str(v) for k, v in BusinessType.choices}
    events, requests = [], []
    changed: dict[int, _OrderChange] = {}
    due_texts: dict[int, tuple[str, str]] = {}  # per clock: the due time stored, and as notified
    policy_names: dict[int, str] = {}  # a cycle has few policies and thousands of steps
    for s in steps:
        step, order, clock = cast(EscalationStep, s.taken.step), s.order, s.clock
        due_texts_of = due_texts.get(clock.id)
        if due_texts_of is None:
            due_texts_of = due_texts[clock.id] = (
                _iso_utc(clock.due_at),
                # in business time, whatever zone the worker runs in
                clock.due_at.astimezone(BUSINESS_TZ).strftime("%Y-%m-%d %H:%M"),
            )
        policy_name = policy_names.get(s.policy.pk)
        if policy_name is None:
            policy_name = policy_names[s.policy.pk] = seeded_name(s.policy)  # in the cycle's language
        user = people.users.get(s.recipient) if s.recipient is not None else None
        channel = rules.channel(user[2], user[3]) if user is not None else None
        events.append(
            {
                "order_id": order.id,
                # the clock's company, the order's: the insert trigger then looks nothing up
                "company_id": clock.company_id,
                "kind": _event_kind(s.taken),
                "from_status": order.status,
                "to_status": order.status,
                "data": {
                    "clock": clock.kind,
                    "policy": s.policy.pk,
                    "due_at": due_texts_of[0],
                    "step": step.level,
                    "action": step.action,
                    "recipient": user[0] if user is not None else None,
                    "notified": channel is not None,
                    "before": {
                        "priority": s.priority_before,
                        "clock_state": s.state_before,
                        "level": s.level_before,
                    },
                    "after": {
                        "priority": s.priority_after,
                        "clock_state": rules.BREACHED if s.taken.breach else s.state_before,
                        "level": step.level,
                    },
                },
            }
        )
        if channel is not None and user is not None:
            requests.append(
                {
                    "channel": channel[0],
                    "recipient_address": channel[1],
                    "recipient_user_id": s.recipient,
                    "order_id": order.id,
                    "template_code": step.template_code,
                    "dedupe_key": f"clock:{clock.id}:step:{step.level}",
                    "context": {
                        "order_number": order.number,
                        "clock": kind_labels.get(clock.kind, clock.kind),
                        "policy": policy_name,
                        "due_at": due_texts_of[1],
                        "unit": people.unit_names.get(order.unit_id, ""),
                        "recipient": user[1] or user[0],
                        "business_type": type_labels.get(order.business_type, order.business_type),
                    },
                }
            )
        if step.raise_priority or rules.escalates(step):
            row = changed.get(order.id) or _OrderChange(
                id=order.id,
                company_id=clock.company_id,
                priority=order.priority,
                escalation_level=order.escalation_level,
                is_flagged=order.is_flagged,
                version=order.version + 1,
                updated_at=now,
            )
            row.priority = s.priority_after
            if rules.escalates(step):
                row.escalation_level += 1
                row.is_flagged = True
            changed[order.id] = row
    event_write_many(events, at=now, actor_id=None)
    bulk.bulk_update(Clock, clocks, ["level", "state", "breached_at", "next_check_at"], route="company_id")
    # Only orders whose row changes get a new version: a warning or a breach adds an event and moves the
    # clock, not the order, and must not make a person's edit of the order fail its version check. The
    # due time cannot change: the sweep only turns running clocks into breached ones.
    bulk.bulk_update(
        WorkOrder,
        list(changed.values()),
        ["priority", "escalation_level", "is_flagged", "version", "updated_at"],
        route="company_id",
    )
    result.steps_taken = len(steps)
    result.breached = sum(1 for s in steps if s.taken.breach)
    result.notifications = len(notification_enqueue_many(requests))
