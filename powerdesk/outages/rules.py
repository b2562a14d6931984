"""The outage rules as pure functions (no database): who must be told by when, whether a notice is late,
whether an outage was registered with too little lead time, and which restoration estimate wins.

The rule rows (``NoticeRule``, ``EtrDefault``) are read by the services and passed in as plain values, so
the complaint checklist (停送电通知滞后) can ask the same questions with the same answers.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from powerdesk.customers.models import RESIDENTIAL_TYPES


@dataclass(frozen=True)
class Rule:
    id: int
    audience: str  # NoticeAudience values
    lead: dt.timedelta
    repeat: dt.timedelta  # zero: no second notice


@dataclass(frozen=True)
class Affected:
    customer_id: int
    customer_type: str
    important: bool


@dataclass(frozen=True)
class Due:
    customer_id: int
    rule_id: int
    repeat: bool
    due_by: dt.datetime


def is_important(customer_type: str, life_support: bool = False) -> bool:
    return customer_type == "important" or life_support


def audience_includes(audience: str, who: Affected) -> bool:
    if audience == "all":
        return True
    if audience == "important":
        return who.important
    if audience == "residential":
        return who.customer_type in RESIDENTIAL_TYPES
    if audience == "non_residential":
        return who.customer_type not in RESIDENTIAL_TYPES
    return False


def notices_due(start: dt.datetime, rules: Sequence[Rule], affected: Iterable[Affected]) -> list[Due]:
    """Every notice owed for an outage starting at ``start``: per customer the rules whose audience
    includes them, by ``start - lead``, and again by ``start - repeat`` where the rule repeats."""
    out: list[Due] = []
    for who in affected:
        for rule in rules:
            if not audience_includes(rule.audience, who):
                continue
            out.append(Due(who.customer_id, rule.id, False, start - rule.lead))
            if rule.repeat:
                out.append(Due(who.customer_id, rule.id, True, start - rule.repeat))
    return out


def required_lead(rules: Sequence[Rule]) -> dt.timedelta:
    """The longest lead time the rules of one kind ask for (zero: none)."""
    return max((r.lead for r in rules), default=dt.timedelta(0))


def lead_is_short(*, registered_at: dt.datetime, start: dt.datetime | None, rules: Sequence[Rule]) -> bool:
    """Registered with less notice than the rules ask for (a reason must then be stated)."""
    if start is None or not rules:
        return False
    return start - registered_at < required_lead(rules)


def notice_is_late(*, due_by: dt.datetime, sent_at: dt.datetime | None, now: dt.datetime) -> bool:
    """Sent after its deadline, or not sent and the deadline has passed (missing)."""
    if sent_at is not None:
        return sent_at > due_by
    return now > due_by


# How a customer's notices stand (``notice_standing``): every notice owed sent by its deadline; one sent
# after it; one never sent and its deadline past; one not sent yet, its deadline still ahead; none owed.
ON_TIME, LATE, MISSING, NOT_YET, NONE_OWED = "on_time", "late", "missing", "not_yet", "none_owed"


@dataclass(frozen=True)
class NoticeCheck:
    due: Due
    sent_at: dt.datetime | None
    late: bool


@dataclass(frozen=True)
class NoticeStanding:
    status: str
    checks: tuple[NoticeCheck, ...] = ()

    @property
    def sent(self) -> list[dt.datetime]:
        return sorted(c.sent_at for c in self.checks if c.sent_at is not None)


def notice_standing(
    *,
    start: dt.datetime,
    rules: Sequence[Rule],
    who: Affected,
    sent: Mapping[tuple[int, bool], dt.datetime | None],
    now: dt.datetime,
) -> NoticeStanding:
    """Whether one customer was told of an outage starting at ``start`` as the rules ask (the statutory
    notices of 停电: 7 days ahead for a planned outage; for arrears 7 days ahead for a resident, 3 days
    and again 1 hour before for others: the ``NoticeRule`` rows, never literals here).

    1. the notices owed are ``notices_due`` for this customer alone;
    2. each is matched with when it was sent (``sent``, by rule and first/repeat; absent: never);
    3. one never sent with its deadline past makes the standing ``missing``, else one sent after its
       deadline ``late``, else one still to send ``not_yet``; all sent in time ``on_time``; nothing owed
       ``none_owed``."""
    owed = notices_due(start, rules, [who])
    if not owed:
        return NoticeStanding(NONE_OWED)
    checks = tuple(
        NoticeCheck(
            due=d,
            sent_at=(at := sent.get((d.rule_id, d.repeat))),
            late=notice_is_late(due_by=d.due_by, sent_at=at, now=now),
        )
        for d in owed
    )
    if any(c.late and c.sent_at is None for c in checks):
        status = MISSING
    elif any(c.late for c in checks):
        status = LATE
    elif any(c.sent_at is None for c in checks):
        status = NOT_YET
    else:
        status = ON_TIME
    return NoticeStanding(status, checks)


def history_minutes(durations: Sequence[float], min_samples: int) -> float | None:
    """The median restoration duration of earlier outages of the device class, when there are enough."""
    if len(durations) < max(min_samples, 1):
        return None
    return float(statistics.median(durations))


def etr_choose(
    *,
    start: dt.datetime,
    crew: dt.datetime | None,
    storm: dt.datetime | None,
    history_minutes: float | None,
    default_minutes: int,
) -> tuple[dt.datetime, str]:
    """The ETR and its source: a crew's estimate beats a storm override, which beats the history of the
    device class, which beats the default."""
    if crew is not None:
        return crew, "crew"
    if storm is not None:
        return storm, "storm"
    if history_minutes is not None:
        return start + dt.timedelta(minutes=history_minutes), "history"
    return start + dt.timedelta(minutes=default_minutes), "default"


def counts_by_type(affected: Iterable[Affected]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for who in affected:
        counts[who.customer_type] = counts.get(who.customer_type, 0) + 1
    return dict(sorted(counts.items()))
