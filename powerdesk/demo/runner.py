"""Replay the plans through the work-order services, every step of every order in time order.

Each step runs inside ``clock.at(step.at)``, so the services stamp their own events, clocks and order
numbers with the planned moment: the timelines are the services' own, not rows written by hand.

With several workers (:mod:`powerdesk.demo.parallel`) each replays a share of the plans; the one thing
they share is the order-number sequence. Each intake has a rank (its place among all intakes in time
order) and a worker's :class:`Numbering` makes the intake draw exactly that number, so the same seed
gives every order the same number however the work is dealt, without the workers waiting for each other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from django.db import OperationalError, connection

from powerdesk.core import clock
from powerdesk.core.errors import DomainError
from powerdesk.demo.evidence import evidence_photo_add, needs_evidence
from powerdesk.demo.plans import Plan, Step
from powerdesk.workorders import services
from powerdesk.workorders.models import SubType, Topic

RETRIES = 5
RETRYABLE = {"40P01", "40001"}  # deadlock detected, serialization failure

# (moment, plan index, step index): one entry per step that has happened by "now".
Entry = tuple[dt.datetime, int, int]


@dataclass
class RunResult:
    steps: int = 0
    intakes: int = 0
    repeats: int = 0
    problems: list[str] = field(default_factory=list)

    def add(self, other: RunResult) -> None:
        self.steps += other.steps
        self.intakes += other.intakes
        self.repeats += other.repeats
        self.problems += other.problems


class PlanBroken(Exception):
    """A step did not do what its plan expected; the plan's remaining steps are skipped."""


class Stopped(Exception):
    """Another worker of a parallel replay failed: this one stops too."""


class Numbering(Protocol):
    def prepare(self, rank: int) -> None:
        """Before an attempt of the opening intake with this rank: its number is to be rank + 1."""

    def confirm(self, rank: int) -> None:
        """After it opened its order: raise if the number did not come from where ``prepare`` put it."""

    def stopped(self) -> bool:
        """Whether another worker failed (then this one stops too)."""


def replay_queue(plans: list[Plan], now: dt.datetime) -> list[Entry]:
    """Every step up to ``now`` of every plan, in the order they happen."""
    queue = []
    for plan in plans:
        for i, step in enumerate(plan.steps):
            if step.at > now:
                break  # the rest of this order's life has not happened yet
            queue.append((step.at, plan.index, i))
    queue.sort()
    return queue


# The steps that open an order, and so draw an order number: a first intake, and a recurrence (复发).
OPENING = frozenset({"intake", "recur"})


def intake_ranks(plans: list[Plan], queue: list[Entry]) -> dict[tuple[int, int], int]:
    """The position of each opening intake among all of them: the order in which numbers are drawn."""
    opening = [(index, i) for _at, index, i in queue if plans[index].steps[i].action in OPENING]
    return {key: rank for rank, key in enumerate(opening)}


class Runner:
    def __init__(
        self, plans: list[Plan], progress: Callable[[str], None], *, numbering: Numbering | None = None
    ) -> None:
        self.plans, self.progress, self.numbering = plans, progress, numbering
        self.topics = {t.code: t for t in Topic.objects.all()}
        self.sub_types = {s.code: s for s in SubType.objects.all()}

    def run(self, queue: list[Entry], ranks: dict[tuple[int, int], int] | None = None) -> RunResult:
        result = RunResult()
        broken: set[int] = set()
        every = max(1, len(queue) // 10)
        for n, (_at, index, i) in enumerate(queue, start=1):
            plan, step = self.plans[index], self.plans[index].steps[i]
            if self.numbering is not None and self.numbering.stopped():
                raise Stopped()
            rank = ranks.get((index, i)) if ranks is not None and step.action in OPENING else None
            try:
                if index not in broken:
                    self._run_retrying(plan, step, result, rank)
                    result.steps += 1
            except (DomainError, PlanBroken) as exc:
                broken.add(index)
                result.problems.append(f"plan {index} step {i} ({step.action}): {exc}")
            if n % every == 0 or n == len(queue):
                self.progress(
                    f"order steps {n}/{len(queue)} ({result.intakes} orders, {result.repeats} repeat calls)"
                )
        return result

    def _run_retrying(self, plan: Plan, step: Step, result: RunResult, rank: int | None) -> None:
        """Run one step; in parallel replays (each service commits on its own) a step that lost a deadlock
        or serialization race was rolled back whole, so it is simply run again (with the same number: a
        sequence does not roll back, so the number is set again before every attempt)."""
        numbering = self.numbering
        for attempt in range(RETRIES + 1):
            try:
                if numbering is not None and rank is not None:
                    numbering.prepare(rank)
                intakes = result.intakes
                with clock.at(step.at):
                    self._run(plan, step, result)
                if numbering is not None and rank is not None and result.intakes > intakes:
                    numbering.confirm(rank)
                return
            except OperationalError as exc:
                sqlstate = getattr(exc.__cause__, "sqlstate", None)
                if sqlstate not in RETRYABLE or attempt == RETRIES or connection.in_atomic_block:
                    raise

    def _intake(
        self, plan: Plan, step: Step, *, description: str, channel: str, first: bool
    ) -> services.IntakeResult:
        facts = dict(plan.facts) if first else {}
        if first and plan.related is not None and plan.related.order is not None:
            facts["related_order"] = plan.related.order.number
        return services.workorder_intake(
            actor=step.actor,
            business_type=plan.case.business_type,
            topic=self.topics[plan.case.topic],
            channel=channel,
            description=description,
            customer=plan.dc.customer,
            sub_type=self.sub_types[plan.case.sub_type],
            caller_phone=plan.caller_phone,
            caller_name=plan.caller_name,
            priority=plan.priority if first else None,
            facts=facts,
            force_new=first and bool(plan.force_new_reason),
            override_reason=plan.force_new_reason if first else "",
        )

    def _run(self, plan: Plan, step: Step, result: RunResult) -> None:
        if step.action == "intake":
            intake = self._intake(plan, step, description=plan.description, channel=plan.channel, first=True)
            if not intake.created:
                raise PlanBroken(
                    f"linked to {intake.order.number} as a repeat call instead of opening an order"
                )
            plan.order = intake.order
            result.intakes += 1
        elif step.action == "repeat":
            assert plan.order is not None
            intake = self._intake(
                plan,
                step,
                description=step.kwargs["description"],
                channel=step.kwargs["channel"],
                first=False,
            )
            if not intake.repeat or intake.order.pk != plan.order.pk:
                raise PlanBroken(f"repeat call went to {intake.order.number}, not {plan.order.number}")
            plan.order = intake.order
            result.repeats += 1
        elif step.action == "recur":
            assert plan.order is not None
            intake = self._intake(
                plan,
                step,
                description=step.kwargs["description"],
                channel=step.kwargs["channel"],
                first=False,
            )
            if not intake.created or intake.link is None or intake.link.earlier_id != plan.order.pk:
                raise PlanBroken(
                    f"the recurrence went to {intake.order.number}, not a new order after {plan.order.number}"
                )
            plan.order = intake.order
            result.intakes += 1
        elif step.action == "merge":
            if plan.parent is None or plan.parent.order is None:
                raise PlanBroken("the main order does not exist")
            assert plan.order is not None
            plan.order = services.workorder_merge(
                order=plan.order, actor=step.actor, parent=plan.parent.order, **step.kwargs
            )
        else:
            assert plan.order is not None
            if step.action == "resolve" and needs_evidence(plan.order):
                plan.order = evidence_photo_add(order=plan.order, actor=step.actor)
            plan.order = services.SERVICES[step.action](order=plan.order, actor=step.actor, **step.kwargs)
