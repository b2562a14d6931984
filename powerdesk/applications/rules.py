"""The application rules, pure functions of their inputs (no database).

- :func:`notice_list`: the 一次性告知 list, every document the whole application needs, in step order;
- :func:`request_refusal`: whether a later 补件 request may be made (on the list, or with a reason);
- :func:`first_group`, :func:`next_group`: which steps run first, and what follows a group once its
  required steps are done (steps sharing a ``seq`` run in parallel; optional ones do not hold it back);
- :func:`step_due`: a step's due time on the working-day calendar;
- :func:`resumed_due`: a paused clock's due time once it resumes, pushed by the working time the pause took;
- :func:`return_targets`: the steps a step may be sent back to.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from powerdesk.sla import rules as sla_rules
from powerdesk.sla.rules import WORKING_DAYS, due_time


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
