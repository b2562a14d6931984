"""The application rules, pure functions of their inputs (no database).

- :func:`notice_list`: the 一次性告知 list, every document the whole application needs, in step order;
- :func:`request_refusal`: whether a later 补件 request may be made (on the list, or with a reason);
- :func:`first_group`, :func:`next_group`: which steps run first, and what follows a group once its
  required steps are done (steps sharing a ``seq`` run in parallel; optional ones do not hold it back);
- :func:`step_due`: a step's due time on the working-day calendar;
- :func:`resumed_due`: a paused clock's due time once it resumes, pushed by the working time the pause took;
- :func:`return_targets`: the steps a step may be sent back to;
- :func:`group_to_resume`: where an application whose kind was changed goes on, given the steps done;
- :func:`kind_for_customer`: the kind an order of a sub-type opens for a customer (a sub-type several
  kinds share, 低压新装, is told apart by the customer's type);
- :func:`intake_notice_channel`: how the 一次性告知 list was given when the ordinary intake opens one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from powerdesk.customers.models import RESIDENTIAL_TYPES
from powerdesk.sla import rules as sla_rules
from powerdesk.sla.rules import WORKING_DAYS, due_time


class ScopedKind(Protocol):
    customer_scope: str


KindT = TypeVar("KindT", bound=ScopedKind)


@dataclass(frozen=True)
class TemplateStep:
    """What the rules need of a step template."""

    id: int
    seq: int
    optional: bool
    documents: tuple[str, ...] = ()


def notice_list(steps: Iterable[TemplateStep]) -> list[str]:
    """Every document code the steps need, each once, in step order (the list told at acceptance)."""
    seen: dict[str, None] = {}
    for step in sorted(steps, key=lambda s: (s.seq, s.id)):
        for code in step.documents:
            seen.setdefault(code, None)
    return list(seen)


def request_refusal(code: str, notice: Sequence[str], reason: str) -> str | None:
    """Why a 补件 request for ``code`` is refused, or None: a document not on the one-time notice list
    may be asked for only with a reason (what the case book's 一次性告知不到位 complaints are about)."""
    if code in notice or reason.strip():
        return None
    return "not_on_notice"


def first_group(steps: Iterable[TemplateStep]) -> list[TemplateStep]:
    """The steps that start with the application: those of the lowest ``seq``."""
    steps = list(steps)
    if not steps:
        return []
    low = min(s.seq for s in steps)
    return [s for s in steps if s.seq == low]


def group_done(required: Iterable[TemplateStep], finished: set[int]) -> bool:
    """Whether a group may move on: every required (not optional) step of it is finished."""
    return all(s.id in finished for s in required if not s.optional)


def next_group(steps: Iterable[TemplateStep], seq: int) -> list[TemplateStep]:
    """The steps of the first ``seq`` after ``seq`` (empty: the application is at its end)."""
    later = [s for s in steps if s.seq > seq]
    if not later:
        return []
    low = min(s.seq for s in later)
    return [s for s in later if s.seq == low]


def group_to_resume(steps: Iterable[TemplateStep], finished: set[int]) -> list[TemplateStep]:
    """Where an application re-planned on another kind goes on: the first group (by ``seq``) whose
    required steps are not all ``finished``, less its finished steps (empty: every group is done)."""
    steps = list(steps)
    for seq in sorted({s.seq for s in steps}):
        group = [s for s in steps if s.seq == seq]
        if not group_done(group, finished):
            return [s for s in group if s.id not in finished]
    return []


def return_targets(steps: Iterable[TemplateStep], seq: int) -> list[TemplateStep]:
    """The steps a step of ``seq`` may be sent back to: those of an earlier group."""
    return sorted((s for s in steps if s.seq < seq), key=lambda s: (s.seq, s.id))


def step_due(start: dt.datetime, limit_days: int, is_workday: Callable[[dt.date], bool]) -> dt.datetime:
    """When a step started at ``start`` is due: ``limit_days`` working days on (sla's one rule)."""
    return due_time(start, limit_days, WORKING_DAYS, is_workday)


def resumed_due(
    due: dt.datetime, paused_at: dt.datetime, resumed_at: dt.datetime, is_workday: Callable[[dt.date], bool]
) -> dt.datetime:
    """A step or whole-process due time (always in working days) after a pause: sla's rule for a
    working-day limit (:func:`powerdesk.sla.rules.resumed_due`)."""
    return sla_rules.resumed_due(due, paused_at, resumed_at, WORKING_DAYS, is_workday)


def utility_seconds(*, started_at: dt.datetime, until: dt.datetime, customer_seconds: int) -> int:
    """The utility side's share of an application's elapsed time: all of it less the customer's steps."""
    return max(0, int((until - started_at).total_seconds()) - customer_seconds)


def acting_units(level: str, path: Sequence[tuple[int, str]]) -> list[int]:
    """The units whose staff may move a step done at ``level`` (a ``UnitKind``; blank: any), given the
    order's unit path from the root down to the order's unit as ``(id, kind)`` pairs: the units of that
    level on the path, or, with no level, every unit on it (the order's unit and those above it). Empty
    when the order has not come down to that level yet (a station's step on an order still at the
    county)."""
    if not level:
        return [unit for unit, _kind in path]
    return [unit for unit, kind in path if kind == level]


def customer_scope(customer_type: str) -> str:
    """The ``CustomerScope`` a customer of ``customer_type`` falls in (居民 or 非居民)."""
    return "residential" if customer_type in RESIDENTIAL_TYPES else "non_residential"


def kind_for_customer(kinds: Sequence[KindT], customer_type: str | None) -> KindT | None:
    """Of the kinds of one sub-type (in their order), the one for the customer: the first whose scope is
    the customer's, else the first open to any customer, else the first. Without a customer, the first
    open to any, else the first."""
    if not kinds:
        return None
    if customer_type:
        scope = customer_scope(customer_type)
        for kind in kinds:
            if kind.customer_scope == scope:
                return kind
    return next((k for k in kinds if k.customer_scope == "any"), kinds[0])


def intake_notice_channel(given: str, order_channel: str, choices: Iterable[str]) -> str:
    """How the 一次性告知 list was given for an application the ordinary intake opened: what the clerk
    chose on the form; else the portal's own for a portal order, the printed notice for the others (the
    hall hands it over, the order page prints it)."""
    if given in set(choices):
        return given
    return "portal" if order_channel == "portal" else "printed"
