"""The rules of telling customers, as pure functions (no database): the callers pass the rows.

- :func:`quiet_until`: whether a moment falls in the quiet hours, and when they end;
- :func:`customer_step`: which customer step a transition of an order amounts to;
- :func:`message_rule_for`: which rule (template, channel, audience) tells the customer about a step;
- :func:`delivery_next`: what a gateway's delivery receipt makes of a message's delivery state.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Protocol, TypeVar

from powerdesk.core.clock import BUSINESS_TZ
from powerdesk.workorders.choices import FIELD_TYPES, Status


class Window(Protocol):
    start: dt.time
    end: dt.time


class Rule(Protocol):
    business_type: str
    sub_type_id: int | None
    step: str
    is_active: bool


R = TypeVar("R", bound=Rule)


def _window_end(local: dt.datetime, window: Window) -> dt.datetime | None:
    """The end of ``window`` if the local moment ``local`` is inside it (start included, end excluded)."""
    t = local.time()
    start, end = window.start, window.end
    if start == end:
        return None  # an empty window (the admin refuses it; a row written otherwise quiets nothing)
    if start < end:
        inside, ends_tomorrow = start <= t < end, False
    else:  # across midnight: 21:00–08:00
        inside, ends_tomorrow = t >= start or t < end, t >= start
    if not inside:
        return None
    day = local.date() + dt.timedelta(days=1 if ends_tomorrow else 0)
    return dt.datetime.combine(day, end, tzinfo=BUSINESS_TZ)


def quiet_until(moment: dt.datetime, windows: Iterable[Window]) -> dt.datetime | None:
    """When the quiet hours that ``moment`` falls in end (in the business time zone), or ``None``.

    Windows are daily, in local (Asia/Shanghai) time; a window whose end is before its start crosses
    midnight. Overlapping or touching windows are followed to the end of the last one, so a deferred
    message never lands inside another quiet window. Windows covering the whole day defer nothing."""
    windows = list(windows)
    local = moment.astimezone(BUSINESS_TZ)
    until: dt.datetime | None = None
    # Each hop goes to the end of a window the moment is in, later each time; a chain of hops visits
    # each window at most once unless the windows cover the whole day.
    for _hop in range(len(windows) + 1):
        ends = [e for w in windows if (e := _window_end(local, w)) is not None]
        if not ends:
            return until
        local = max(ends)
        until = local
    # The windows cover the whole day: there is no end to wait for, and a message that waited for ever
    # would never be sent; it goes now (an administrator's mistake should not silence every customer).
    return None


# The transitions whose target status closes an order (归档, 一次答复办结): target, not code, decides.
_STEP_BY_CODE = {"dispatch": "dispatched", "reply": "replied"}


def customer_step(*, code: str, business_type: str, to_status: str) -> str | None:
    """The customer step a transition amounts to: dispatch (field work only: the types that go to the
    site, workorders' ``FIELD_TYPES``), reply, or the order's closure (archived). ``None``: no step."""
    if to_status == Status.ARCHIVED:
        return "closed"
    step = _STEP_BY_CODE.get(code)
    if step == "dispatched" and business_type not in FIELD_TYPES:
        return None
    return step


def message_rule_for(
    rules: Sequence[R], *, business_type: str, sub_type_id: int | None, step: str
) -> R | None:
    """The active rule for the step of an order of this type: one naming the order's sub-type wins over
    the type's general rule (no sub-type). ``None``: the customer is not told about this step."""
    general = None
    for rule in rules:
        if not rule.is_active or rule.business_type != business_type or rule.step != step:
            continue
        if rule.sub_type_id is None:
            general = general or rule
        elif sub_type_id is not None and rule.sub_type_id == sub_type_id:
            return rule
    return general


# A delivery receipt moves a message forward only: nothing reported → submitted (sent) → delivered or
# failed, the last two final. Gateways retry their callbacks and send them out of order, so a receipt
# that would move a message back, or repeats its state, changes nothing.
_DELIVERY_RANK = {"": 0, "sent": 1, "delivered": 2, "failed": 2}


def delivery_next(current: str, reported: str) -> str | None:
    """The delivery state after a receipt reporting ``reported`` (sent, delivered, failed) on a message
    now in ``current``; ``None`` when the receipt changes nothing (a repeat, a late or stale report)."""
    if reported not in _DELIVERY_RANK or not reported:
        raise ValueError(reported)
    if _DELIVERY_RANK[reported] <= _DELIVERY_RANK.get(current, 0):
        return None
    return reported


def send_retry_wait(
    *, attempts: int, max_attempts: int, first_wait_seconds: int, factor: int, max_wait_seconds: int
) -> int | None:
    """Seconds to wait before the next attempt after ``attempts`` failed ones, or None when that was the
    last allowed: ``first_wait_seconds × factor^(attempts − 1)``, at most ``max_wait_seconds``."""
    if attempts >= max_attempts:
        return None
    return int(min(max_wait_seconds, first_wait_seconds * factor ** max(0, attempts - 1)))
