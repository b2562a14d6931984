"""The time-limit rules, each in one place: pure functions of their inputs (no database).

The services (intake, transitions), the sweep, the console and the API all call these; none restates
them. What they read comes in as arguments: a policy's numbers, a clock's stored times, the escalation
steps, whether a day is a working day.

- :func:`due_time`: when a limit ends, counted from a start in minutes, hours, days or working days;
- :func:`resumed_due`: a paused clock's due time once it resumes (working-day limits skip days off);
- :func:`step_time`, :func:`warn_time`: when an escalation step (the warning is the one before the
  deadline, at the policy's own ``warn_ratio``) falls due on a clock;
- :func:`steps_due`: every step of a clock due at a moment, in level order, whether one records the
  breach, and when the next one falls due (the clock's next check);
- :func:`recipient`: who a step tells; :func:`channel`: by which channel and address.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from powerdesk.core.workdays import add_working_days, add_working_seconds, working_seconds_between

MINUTES, HOURS, DAYS, WORKING_DAYS = "minutes", "hours", "days", "working_days"
NOTIFY_HANDLER, NOTIFY_UNIT_HEAD, NOTIFY_PARENT_HEAD = (
    "notify_handler",
    "notify_unit_head",
    "notify_parent_head",
)
RUNNING, BREACHED = "running", "breached"


def due_time(
    start: dt.datetime, amount: int, unit: str, is_workday: Callable[[dt.date], bool]
) -> dt.datetime:
    """``start`` plus the limit. Working days follow ``is_workday`` (see
    :func:`powerdesk.core.workdays.add_working_days`: a start on a day off counts from the next working
    day's beginning)."""
    if unit == MINUTES:
        return start + dt.timedelta(minutes=amount)
    if unit == HOURS:
        return start + dt.timedelta(hours=amount)
    if unit == DAYS:
        return start + dt.timedelta(days=amount)
    if unit == WORKING_DAYS:
        return add_working_days(start, amount, is_workday)
    raise ValueError(f"unknown limit unit {unit!r}")


def resumed_due(
    due: dt.datetime,
    paused_at: dt.datetime,
    resumed_at: dt.datetime,
    unit: str,
    is_workday: Callable[[dt.date], bool],
) -> dt.datetime:
    """A paused clock's due time once it resumes. A limit in working days is pushed on by the working-day
    time the pause took, stepping over days off (a pause over a weekend costs the handler nothing of
    the weekend, and a pause of one working day moves the due time to the next working day); a limit in
    minutes, hours or days is pushed on by the pause itself."""
    if unit == WORKING_DAYS:
        took = working_seconds_between(paused_at, resumed_at, is_workday)
        return add_working_seconds(due, took, is_workday)
    return due + (resumed_at - paused_at)


def allowed_seconds(start: dt.datetime, due: dt.datetime) -> int:
    """The span a clock allows, stored with it (the steps are shares of it); at least one second."""
    return max(1, int((due - start).total_seconds()))


class Step(Protocol):
    level: int
    at_ratio: Decimal
    action: str
    raise_priority: bool


class ClockTimes(Protocol):
    """What of a clock the step times depend on (a ``Clock`` row has these; so does a row read as a
    tuple)."""

    @property
    def started_at(self) -> dt.datetime: ...

    @property
    def allowed_seconds(self) -> int: ...

    @property
    def paused_seconds(self) -> int: ...


def step_ratio(at_ratio: Decimal, warn_ratio: Decimal) -> Decimal:
    """The share of the allowed time at which a step falls due: a step before the deadline (ratio < 1) is
    the warning, and the policy's own ``warn_ratio`` says when it comes."""
    return Decimal(warn_ratio) if at_ratio < 1 else Decimal(at_ratio)


def step_time(clock: ClockTimes, ratio: Decimal) -> dt.datetime:
    """When ``ratio`` of the allowed time has run on ``clock`` (paused time does not count)."""
    return clock.started_at + dt.timedelta(
        seconds=clock.paused_seconds + float(ratio) * clock.allowed_seconds
    )


def warn_time(clock: ClockTimes, warn_ratio: Decimal) -> dt.datetime:
    """When the warning step falls due on ``clock`` (what the sweep warns at and the order page shows)."""
    return step_time(clock, Decimal(warn_ratio))


def is_warning(step: Step) -> bool:
    return step.at_ratio < 1


@dataclass(frozen=True)
class TakenStep:
    step: Step
    at: dt.datetime  # when it fell due
    breach: bool  # this step records the clock's breach (the first one at or past the deadline)


@dataclass(frozen=True)
class StepsDue:
    taken: list[TakenStep]
    next_check: dt.datetime | None  # when the first step left falls due; None when none is left

    @property
    def level(self) -> int | None:
        """The clock's level after the steps taken (None: nothing taken)."""
        return self.taken[-1].step.level if self.taken else None


def steps_due(
    clock: ClockTimes,
    *,
    state: str,
    level: int,
    breached: bool,
    running: bool,
    warn_ratio: Decimal,
    steps: Sequence[Step],
    now: dt.datetime,
) -> StepsDue:
    """The escalation steps of a clock due at ``now``.

    Steps above the clock's ``level`` are taken in level order while their time has come (after a
    downtime, several in one go); the first one left gives the next check. A clock that is not
    ``running`` (paused, met, cancelled) takes none and needs no check. The first step at or past the
    deadline records the breach, unless the clock is already ``breached``."""
    if not running or state not in (RUNNING, BREACHED):
        return StepsDue([], None)
    taken: list[TakenStep] = []
    breach_recorded = breached
    for step in sorted(steps, key=lambda s: s.level):
        if step.level <= level:
            continue
        at = step_time(clock, step_ratio(step.at_ratio, warn_ratio))
        if at > now:
            return StepsDue(taken, at)
        breach = not is_warning(step) and not breach_recorded
        breach_recorded = breach_recorded or breach
        taken.append(TakenStep(step, at, breach))
    return StepsDue(taken, None)


def next_check(
    clock: ClockTimes, *, state: str, level: int, running: bool, warn_ratio: Decimal, steps: Sequence[Step]
) -> dt.datetime | None:
    """When the next step of a clock falls due, whatever the time now (stored as its next check)."""
    if not running or state not in (RUNNING, BREACHED):
        return None
    for step in sorted(steps, key=lambda s: s.level):
        if step.level > level:
            return step_time(clock, step_ratio(step.at_ratio, warn_ratio))
    return None


def recipient(
    action: str, *, handler: int | None, unit_head: int | None, parent_head: int | None
) -> int | None:
    """Whom a step tells: the order's handler (its assignee, else whoever took the call), the head of
    its handling unit, or the head of the unit above."""
    if action == NOTIFY_HANDLER:
        return handler
    if action == NOTIFY_UNIT_HEAD:
        return unit_head
    if action == NOTIFY_PARENT_HEAD:
        return parent_head
    raise ValueError(f"unknown escalation action {action!r}")


def chase_escalation_due(chase_count: int, *, every: int | None, cap: int) -> bool:
    """Whether the chase that brought the count to ``chase_count`` escalates the order: every ``every``-th
    chase does (the policy's "escalate after N chases"), at most ``cap`` times over the order's life, so
    a customer who calls twenty times raises the order once (or ``cap`` times), not nineteen."""
    if not every or every < 1 or chase_count < every or chase_count % every:
        return False
    return chase_count // every <= cap


def escalates(step: Step) -> bool:
    """A step that goes past the handler raises the order's escalation level (and flags it)."""
    return step.action != NOTIFY_HANDLER


def channel(phone: str, email: str) -> tuple[str, str] | None:
    """How a staff member is told: by SMS when they have a phone, else by e-mail, else not at all."""
    if phone.strip():
        return "sms", phone
    if email.strip():
        return "email", email
    return None
