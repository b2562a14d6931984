"""Clocks: planned when an order opens, started, met, paused and resumed as it moves; run down by the
sweep (:mod:`powerdesk.sla.sweep`).

The work-order services call these through the order's extension points
(:mod:`powerdesk.sla.extension`), inside their transaction and after locking the order row, so a clock
never changes without its order being locked first (the sweep takes the locks in the same order: order,
then clock). The rules themselves (due times, step times) are :mod:`powerdesk.sla.rules`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from powerdesk.core import refcache, workdays
from powerdesk.core.clock import BUSINESS_TZ
from powerdesk.sla import rules
from powerdesk.sla.extensions import paused_elsewhere
from powerdesk.sla.models import Clock, ClockState, EscalationStep, SlaPolicy, SuspendReason
from powerdesk.workorders.models import WorkOrder
from powerdesk.workorders.rules import escalate

OPEN_STATES = (ClockState.RUNNING, ClockState.PAUSED, ClockState.BREACHED)
# Transitions after which a clock left open has nothing more to wait for.
CANCELLING = frozenset({"merge", "archive", "answer", "cancel_by_customer"})


def order_region(order: WorkOrder) -> str:
    unit = order.area or order.unit
    return unit.region_class if unit else ""


def active_policies() -> list[SlaPolicy]:
    return refcache.get("sla.policies", lambda: list(SlaPolicy.objects.filter(is_active=True)))


def escalation_steps() -> list[EscalationStep]:
    return refcache.get("sla.steps", lambda: list(EscalationStep.objects.order_by("level")))


def policy_by_id(pk: int) -> SlaPolicy | None:
    """An active or retired policy row (a running clock keeps the one it started with)."""
    policies = refcache.get("sla.policies_by_id", lambda: {p.pk: p for p in SlaPolicy.objects.all()})
    policy = policies.get(pk)
    if policy is None:  # created since the cache was filled
        policy = SlaPolicy.objects.filter(pk=pk).first()
    return policy


def _matches(row: SlaPolicy, dims: dict[str, Any], day: dt.date) -> bool:
    return (
        row.valid_from <= day
        and (row.valid_to is None or row.valid_to >= day)
        and row.business_type in ("", dims["business_type"])
        and row.sub_type_id in (None, dims["sub_type_id"])
        and row.channel in ("", dims["channel"])
        and row.region_class in ("", dims["region_class"])
        and row.customer_type in ("", dims["customer_type"])
    )


def policies_for(order: WorkOrder, *, trigger: str, at: dt.datetime) -> list[SlaPolicy]:
    """The policy row for each clock kind that ``trigger`` starts on ``order``: the most specific
    match wins (sub-type, channel, region, customer type each count one), then the newest valid_from.

    Reads the active rows from the per-process reference cache (:mod:`powerdesk.core.refcache`)."""
    day = at.astimezone(BUSINESS_TZ).date()
    customer = order.customer if order.customer_id else None
    dims = {
        "business_type": order.business_type,
        "sub_type_id": order.sub_type_id,
        "channel": order.channel,
        "region_class": order_region(order),
        "customer_type": customer.customer_type if customer is not None else "",
    }
    best: dict[str, SlaPolicy] = {}
    for row in active_policies():
        if row.starts_on != trigger or not _matches(row, dims, day):
            continue
        key = (row.specificity, bool(row.business_type), row.valid_from, row.pk)
        current = best.get(row.clock_kind)
        if current is None or key > (
            current.specificity,
            bool(current.business_type),
            current.valid_from,
            current.pk,
        ):
            best[row.clock_kind] = row
    return list(best.values())


def due_time(start: dt.datetime, policy: SlaPolicy) -> dt.datetime:
    """When ``policy``'s limit ends for a clock started at ``start`` (the calendar table's working days)."""
    return rules.due_time(start, policy.amount, policy.unit, workdays.is_workday)


def clock_next_check(clock: Clock, policy: SlaPolicy, steps: Iterable[EscalationStep] | None = None) -> Any:
    """When the sweep must next look at ``clock``: its next escalation step (None: none left)."""
    return rules.next_check(
        clock,
        state=clock.state,
        level=clock.level,
        running=clock.met_at is None,
        warn_ratio=policy.warn_ratio,
        steps=list(steps if steps is not None else escalation_steps()),
    )


def clock_warn_time(clock: Clock, policy: SlaPolicy) -> dt.datetime:
    """When ``clock``'s warning falls due (the same rule the sweep warns by)."""
    return rules.warn_time(clock, policy.warn_ratio)


def _triggers() -> set[str]:
    """The transition codes (and "intake") that start some clock; other transitions skip the look-up."""
    return {p.starts_on for p in active_policies()}


def plan_clocks(
    order: WorkOrder, trigger: str, at: dt.datetime, *, running: set[str] | frozenset[str] = frozenset()
) -> list[Clock]:
    """The clocks ``trigger`` starts on ``order`` at ``at``, not saved: one per clock kind whose policy
    matches, except kinds in ``running`` (a clock of that kind is still open)."""
    if trigger not in _triggers():
        return []
    steps = escalation_steps()
    planned = []
    for policy in policies_for(order, trigger=trigger, at=at):
        if policy.clock_kind in running:
            continue
        due = due_time(at, policy)
        clock = Clock(
            order=order,
            policy=policy,
            kind=policy.clock_kind,
            state=ClockState.RUNNING,
            started_at=at,
            due_at=due,
            allowed_seconds=rules.allowed_seconds(at, due),
        )
        clock.next_check_at = clock_next_check(clock, policy, steps)
        planned.append(clock)
    return planned


def clock_summary(clocks: list[Clock]) -> list[dict[str, Any]]:
    """What the timeline event of the transition that started ``clocks`` records about them."""
    return [{"kind": c.kind, "due_at": c.due_at.isoformat(), "policy": c.policy_id} for c in clocks]


def suspend_reason(code: str | None) -> SuspendReason | None:
    if not code:
        return None
    reasons = refcache.get("sla.suspend_reasons", lambda: {r.code: r for r in SuspendReason.objects.all()})
    return reasons.get(code)


def suspend_pauses(reason_code: str | None) -> bool:
    """Whether suspending for ``reason_code`` stops the clocks (only an accepted reason does)."""
    reason = suspend_reason(reason_code)
    return bool(reason and reason.is_active and reason.pauses_clocks)


def earliest_due(clocks: Iterable[Clock]) -> dt.datetime | None:
    """The order's due time: the earliest deadline among its running and breached clocks."""
    return min(
        (c.due_at for c in clocks if c.state in (ClockState.RUNNING, ClockState.BREACHED)), default=None
    )


def clocks_on_transition(
    order: WorkOrder, code: str, at: dt.datetime, *, pause: bool = False
) -> list[dict[str, Any]]:
    """Apply a transition to the order's clocks; returns what changed, for the timeline event.

    - a clock whose policy lists ``code`` in ``stops_on`` is met;
    - ``suspend`` with an accepted reason (``pause``) pauses running clocks; ``resume`` pushes their due
      times by the paused span; kinds in ``sla.extensions.own_pauses`` are left to their app;
    - ``merge``/``archive``/``answer``/``cancel_by_customer`` cancel clocks left open;
    - policies that start on ``code`` start new clocks.
    Sets ``order.due_at`` from the clocks still running.
    """
    changes: list[dict[str, Any]] = []
    # of=self: lock the order's clocks, not the policy rows they join (shared by every order).
    clocks = list(
        order.clocks.select_related("policy").select_for_update(of=("self",)).filter(state__in=OPEN_STATES)
    )
    steps = escalation_steps()
    # Clocks another app pauses for reasons of its own: that app's hook pauses and resumes them.
    elsewhere = paused_elsewhere() if code in ("suspend", "resume") else frozenset()
    for clock in clocks:
        before = clock.state
        if clock.kind in elsewhere:
            continue
        if code in clock.policy.stops_on:
            clock.met_at = at
            clock.state = ClockState.MET
            clock.next_check_at = None
        elif code == "suspend" and pause and clock.state in (ClockState.RUNNING, ClockState.BREACHED):
            clock.paused_at = at
            clock.state = ClockState.PAUSED
            clock.next_check_at = None
        elif code == "resume" and clock.state == ClockState.PAUSED and clock.paused_at is not None:
            due = rules.resumed_due(clock.due_at, clock.paused_at, at, clock.policy.unit, workdays.is_workday)
            # The push, not the pause: the escalation steps fall at start + paused + a share of the span.
            clock.paused_seconds += int((due - clock.due_at).total_seconds())
            clock.due_at = due
            clock.paused_at = None
            clock.state = ClockState.BREACHED if clock.breached_at else ClockState.RUNNING
            clock.next_check_at = clock_next_check(clock, clock.policy, steps)
        elif code in CANCELLING:
            clock.state = ClockState.CANCELLED
            clock.next_check_at = None
        else:
            continue
        clock.save(
            update_fields=["met_at", "state", "next_check_at", "paused_at", "paused_seconds", "due_at"]
        )
        changes.append(
            {"kind": clock.kind, "from": before, "to": clock.state, "due_at": clock.due_at.isoformat()}
        )
    # The clocks read above are all the order's open ones (the order is locked): which kinds are still
    # open, and the earliest due time, follow from them and the new ones without reading them again.
    still_open = {c.kind for c in clocks if c.state in OPEN_STATES}
    started = plan_clocks(order, code, at, running=still_open)
    if started:
        Clock.objects.bulk_create(started)
    changes.extend(
        {"kind": c.kind, "from": "", "to": c.state, "due_at": c.due_at.isoformat()} for c in started
    )
    order.due_at = earliest_due([*clocks, *started])
    return changes


def chase_escalation_policy(order: WorkOrder) -> SlaPolicy | None:
    """Among the policies of the order's open clocks, the one whose chases escalate soonest (the smallest
    "escalate after N chases"); None when no policy escalates on chases."""
    ids = order.clocks.filter(state__in=OPEN_STATES).values_list("policy_id", flat=True)
    policies = [p for pk in ids if (p := policy_by_id(pk)) and p.chase_escalate_at]
    return min(policies, key=lambda p: (p.chase_escalate_at, p.pk), default=None)


def chase_escalates(order: WorkOrder) -> list[str]:
    """Escalate ``order`` when the chase just counted is one its policy escalates on (every N-th, up to the
    policy's cap: ``rules.chase_escalation_due``); the fields changed."""
    policy = chase_escalation_policy(order)
    if policy is None or not rules.chase_escalation_due(
        order.chase_count, every=policy.chase_escalate_at, cap=policy.chase_escalate_max
    ):
        return []
    return escalate(order)


def clocks_on_reclassify(order: WorkOrder, at: dt.datetime) -> list[dict[str, Any]]:
    """Re-plan the order's clocks after its business type, sub-type or topic changed.

    Each open clock takes the policy the new classification gives its kind (for the trigger that started
    it, as of its start): the same policy, nothing changes; another, it is re-timed from its own start
    (time paused stays added, steps already taken stay taken, a breach already recorded stays); none, it
    is cancelled. Clocks the new classification starts at intake and the order never had are started as
    of the order's intake. Sets ``order.due_at``; returns what changed, for the timeline event."""
    changes: list[dict[str, Any]] = []
    clocks = list(order.clocks.select_for_update().all())
    steps = escalation_steps()
    for clock in clocks:
        if clock.state not in OPEN_STATES:
            continue
        old = policy_by_id(clock.policy_id)
        trigger = old.starts_on if old is not None else "intake"
        policy = next(
            (
                p
                for p in policies_for(order, trigger=trigger, at=clock.started_at)
                if p.clock_kind == clock.kind
            ),
            None,
        )
        before = {"kind": clock.kind, "from": clock.state, "due_at": clock.due_at.isoformat()}
        if policy is None:
            clock.state = ClockState.CANCELLED
            clock.next_check_at = None
        elif policy.pk != clock.policy_id:
            due = due_time(clock.started_at, policy)
            clock.policy = policy
            clock.allowed_seconds = rules.allowed_seconds(clock.started_at, due)
            clock.due_at = due + dt.timedelta(seconds=clock.paused_seconds)
            clock.next_check_at = clock_next_check(clock, policy, steps)
        else:
            continue
        clock.save(update_fields=["policy", "allowed_seconds", "due_at", "state", "next_check_at"])
        changes.append(
            {**before, "to": clock.state, "due_at": clock.due_at.isoformat(), "policy": clock.policy_id}
        )
    had = {c.kind for c in clocks}
    started = [c for c in plan_clocks(order, "intake", order.created_at) if c.kind not in had]
    if started:
        Clock.objects.bulk_create(started)
    changes.extend(
        {"kind": c.kind, "from": "", "to": c.state, "due_at": c.due_at.isoformat(), "policy": c.policy_id}
        for c in started
    )
    order.due_at = earliest_due([*clocks, *started])
    return changes
