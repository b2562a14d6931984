"""The complaint rules as pure functions of their inputs (no database): which checklist applies, the
verdict of a filled checklist, what the system can pre-fill, whether a disconnection broke the notice
rule, whether a new complaint repeats an earlier order, and whom a severe complaint tells.

The services, the console and the API call these; the figures come from the rule rows. The notice rule
itself (who is told how long before an outage) has one home, the outages app (``NoticeRule`` rows and
``outages.rules.notice_standing``): the checklist reads its answer from there."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from powerdesk.outages import rules as outage_rules

YES, NO, UNKNOWN = "yes", "no", "unknown"
ANSWERS = (YES, NO, UNKNOWN)
VALID, INVALID, PENDING = "valid", "invalid", "pending"
FAILS_INVALID, FAILS_NEEDS_EVIDENCE = "invalid", "needs_evidence"


@dataclass(frozen=True)
class CriterionSpec:
    code: str
    failing_means: str = FAILS_INVALID
    only_if_repeated: bool = False


@dataclass(frozen=True)
class Reason:
    """Why the verdict is what it is: a criterion and what its answer did (``failed``: a "no" that makes
    the complaint invalid; ``needs_evidence``: a "no" that waits for evidence; ``unknown``: not yet
    established; ``skipped``: not needed under this rule; ``met``)."""

    criterion: str
    effect: str


@dataclass(frozen=True)
class Outcome:
    verdict: str
    reasons: tuple[Reason, ...] = field(default_factory=tuple)


def verdict(
    criteria: Sequence[CriterionSpec], answers: Mapping[str, str], *, single_event_suffices: bool = True
) -> Outcome:
    """The verdict of a checklist (成立 / 不成立 / 待补证), with a reason per criterion.

    1. a criterion that applies only when one event alone does not suffice is skipped when it does;
    2. a "no" to a criterion whose failing means invalid makes the complaint 不成立, whatever else;
    3. otherwise a "no" to a criterion that waits for evidence, or any criterion not answered (or
       "unknown"), leaves it 待补证;
    4. every criterion met: 成立. A checklist without criteria cannot be judged: 待补证."""
    reasons: list[Reason] = []
    failed = pending = False
    for criterion in criteria:
        if criterion.only_if_repeated and single_event_suffices:
            reasons.append(Reason(criterion.code, "skipped"))
            continue
        answer = answers.get(criterion.code, UNKNOWN)
        if answer == YES:
            reasons.append(Reason(criterion.code, "met"))
        elif answer == NO and criterion.failing_means == FAILS_INVALID:
            reasons.append(Reason(criterion.code, "failed"))
            failed = True
        elif answer == NO:
            reasons.append(Reason(criterion.code, "needs_evidence"))
            pending = True
        else:
            reasons.append(Reason(criterion.code, "unknown"))
            pending = True
    if failed:
        return Outcome(INVALID, tuple(reasons))
    if pending or not any(r.effect == "met" for r in reasons):
        return Outcome(PENDING, tuple(reasons))
    return Outcome(VALID, tuple(reasons))


@dataclass(frozen=True)
class ChecklistKey:
    id: int
    sub_type_id: int
    topic_id: int | None
    valid_from: dt.date


def checklist_for(
    checklists: Iterable[ChecklistKey], *, sub_type_id: int | None, topic_id: int | None, on: dt.date
) -> int | None:
    """The checklist for a complaint of this sub-type and topic on ``on``: the one of the topic before
    the one for any topic, the most recent ``valid_from`` (not after ``on``) among equals."""
    if sub_type_id is None:
        return None
    fitting = [
        c
        for c in checklists
        if c.sub_type_id == sub_type_id and c.topic_id in (None, topic_id) and c.valid_from <= on
    ]
    if not fitting:
        return None
    best = max(fitting, key=lambda c: (c.topic_id is not None, c.valid_from, c.id))
    return best.id


# --- what the system can answer by itself --------------------------------------------------------------


def late_arrival(
    *, accepted_at: dt.datetime, arrived_at: dt.datetime | None, limit_minutes: int | None, now: dt.datetime
) -> str:
    """Whether the crew arrived beyond the limit: "yes" (arrived late, or not arrived and the limit is
    past), "no" (arrived in time, or not yet and still within it), "unknown" without a limit."""
    if limit_minutes is None:
        return UNKNOWN
    deadline = accepted_at + dt.timedelta(minutes=limit_minutes)
    if arrived_at is not None:
        return YES if arrived_at > deadline else NO
    return YES if now > deadline else NO


def within_months(*, event_at: dt.datetime | None, now: dt.datetime, months: int) -> str:
    """Whether the event lies within ``months`` months before ``now`` ("unknown" without an event
    time; an older event is "no", which the checklist turns into 待补证, not 不成立)."""
    if event_at is None:
        return UNKNOWN
    return YES if event_at >= add_months(now, -months) else NO


def add_months(moment: dt.datetime, months: int) -> dt.datetime:
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    for day in (moment.day, 30, 29, 28):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def company_side(*, customer_side_sub_types: set[str], repair_sub_type: str | None) -> str:
    """产权分界 from the related repair's sub-type: a fault inside the customer's installation is "no",
    another known sub-type "yes", no related repair "unknown"."""
    if not repair_sub_type:
        return UNKNOWN
    return NO if repair_sub_type in customer_side_sub_types else YES


def notice_improper(
    *, standing: str, overdue_days: int | None = None, min_overdue_days: int | None = None
) -> str:
    """Whether a disconnection (for arrears when ``min_overdue_days`` is given) or an outage broke the
    notice rule ("yes" makes the complaint's criterion met). ``standing`` is how the customer's notices
    stand, as the outages app reads them (``outages.rules.notice_standing``, or "unknown"):

    1. arrears overdue no more than ``min_overdue_days``: improper, whatever the notices;
    2. a notice missing or sent late: improper;
    3. every notice owed sent in time, or none owed: proper ("no") — for arrears only once the arrears
       are known to be overdue long enough, else "unknown";
    4. a notice still to come, or nothing known: "unknown"."""
    arrears = min_overdue_days is not None
    if min_overdue_days is not None and overdue_days is not None and overdue_days <= min_overdue_days:
        return YES
    if standing in (outage_rules.MISSING, outage_rules.LATE):
        return YES
    if standing in (outage_rules.ON_TIME, outage_rules.NONE_OWED):
        return UNKNOWN if arrears and overdue_days is None else NO
    return UNKNOWN


# --- 重复投诉 ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EarlierOrder:
    id: int
    business_type: str
    archived_at: dt.datetime | None
    sub_type_id: int | None
    topic_id: int
    related_ids: frozenset[int] = frozenset()


REPEATABLE_TYPES = frozenset({"complaint", "opinion"})


def repeats(
    earlier: Iterable[EarlierOrder],
    *,
    related_ids: frozenset[int],
    sub_type_id: int | None,
    topic_id: int,
    now: dt.datetime,
    window_days: int,
    by_related_order: bool,
    by_sub_type_and_topic: bool,
) -> int | None:
    """The earlier archived complaint or 意见/建议 order (a downgraded complaint is an opinion now) that
    a new complaint repeats, newest first: the same related order, or the same sub-type and topic
    archived within ``window_days``."""
    candidates = sorted(
        (e for e in earlier if e.business_type in REPEATABLE_TYPES and e.archived_at is not None),
        key=lambda e: e.archived_at or now,
        reverse=True,
    )
    for e in candidates:
        if by_related_order and related_ids & (e.related_ids | {e.id}):
            return e.id
        if (
            by_sub_type_and_topic
            and sub_type_id is not None
            and e.sub_type_id == sub_type_id
            and e.topic_id == topic_id
            and e.archived_at is not None
            and now - e.archived_at <= dt.timedelta(days=window_days)
        ):
            return e.id
    return None


# --- severity ----------------------------------------------------------------------------------------


def leadership_due(*, notifies: bool, already_notified: bool) -> bool:
    """A severity that tells the leadership tells it once per complaint."""
    return notifies and not already_notified


def leadership_chain(unit_chain: Sequence[int], heads: Mapping[int, int]) -> list[int]:
    """The heads to tell, nearest first: of the order's unit and every unit above it (``unit_chain``),
    each person once."""
    seen: list[int] = []
    for unit in unit_chain:
        head = heads.get(unit)
        if head is not None and head not in seen:
            seen.append(head)
    return seen


def rectification_overdue(*, is_open: bool, due_date: dt.date, today: dt.date) -> bool:
    """An open rectification whose due date (a whole day, Beijing time) has passed."""
    return is_open and due_date < today
