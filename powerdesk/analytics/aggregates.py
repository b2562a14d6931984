"""Keeping the aggregate tables current: the fact rows of changed orders and the rollups of the days they
touch, in batches, by the worker — never in the intake's transaction.

Which orders changed: every change of an order writes one timeline event (``WorkOrderEvent``, the
project's rule), so the upkeep reads the events whose id is above its watermark and re-derives those
orders. The intake gains no statement and no index. An event id is taken before its transaction
commits, so a slow transaction can commit an id below one already read; each run therefore reads again
from the watermark of the run before (two watermarks, ``low`` and ``high``): a transaction still open at
one run is read by the next, and re-deriving an order twice is harmless.

``rebuild()`` recomputes everything from the orders (``powerdesk analytics rebuild``); ``rollup_all()``
the rollups from the facts (``powerdesk analytics rollups``, after an upgrade that changes them)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, F, Model, QuerySet, Sum

from powerdesk.analytics import rules
from powerdesk.analytics.models import (
    ROLLUPS,
    AreaRollup,
    ClockRollup,
    CustomerCount,
    DailyRollup,
    GroupRollup,
    HotSpotGroup,
    HourRollup,
    MaliciousFlag,
    OrderFact,
    Rollup,
    SubTypeRollup,
    Watermark,
)
from powerdesk.analytics.terms import TERMS
from powerdesk.complaints.models import Judgment
from powerdesk.core import bulk, clock
from powerdesk.customers.models import Customer
from powerdesk.sla.models import Clock, ClockState
from powerdesk.sla.selectors import CLOCK_DECIDED, CLOCK_ON_TIME
from powerdesk.workorders.choices import EventKind
from powerdesk.workorders.models import WorkOrder, WorkOrderEvent

LOCK_KEY = "analytics:refresh"
WATERMARK = "events"
EVENTS_PER_RUN = 50_000  # a storm minute's events; more are taken by the next run
FACT_CHUNK = 5_000
ORDER_FIELDS = (
    "id",
    "unit_id",
    "area_id",
    "business_type",
    "topic_id",
    "sub_type_id",
    "channel",
    "customer_id",
    "created_at",
    "closed_at",
    "status",
    "contact_count",
    "reopen_count",
    "satisfaction",
    "called_back_at",
    "description",
)
CELL = ("unit_id", "business_type", "channel", "customer_type")
POOLED = ("business_type", "channel", "customer_type")  # what a pooled row sums over (models.Rollup)


def _locked() -> bool:
    """One upkeep at a time (transaction-scoped advisory lock); False: another run holds it."""
    with connection.cursor() as cur:
        cur.execute("SELECT pg_try_advisory_xact_lock(hashtextextended(%s, 0))", [LOCK_KEY])
        return bool(cur.fetchone()[0])


def _active_groups() -> list[tuple[int, frozenset[int], list[str]]]:
    groups = HotSpotGroup.objects.filter(is_active=True).prefetch_related("sub_types")
    return [(g.pk, frozenset(s.pk for s in g.sub_types.all()), g.keyword_list) for g in groups]


def derive_facts(order_ids: Sequence[int]) -> set[dt.date]:
    """Write the fact rows of these orders (insert or replace); the accepted days they are on."""
    groups = _active_groups()
    days: set[dt.date] = set()
    for start in range(0, len(order_ids), FACT_CHUNK):
        days |= _derive(groups, _among(list(order_ids[start : start + FACT_CHUNK])))
    return days


def _among(ids: list[int]) -> Callable[[str], dict[str, list[int]]]:
    """The orders of these ids (any ids: the upkeep's changed orders)."""
    return lambda field: {f"{field}__in": ids}


def _between(first: int, last: int) -> Callable[[str], dict[str, int]]:
    """The orders of a run of ids that holds every order from ``first`` to ``last`` (the rebuild's): the
    indexes are read by range instead of probed once per id, with two values instead of thousands."""
    return lambda field: {f"{field}__gte": first, f"{field}__lte": last}


def _derive(
    groups: list[tuple[int, frozenset[int], list[str]]], orders_of: Callable[[str], dict[str, Any]]
) -> set[dt.date]:
    """The fact rows of the orders that ``orders_of`` selects (given the field that holds an order's id,
    the filter's keyword arguments)."""
    orders = list(
        WorkOrder.objects.filter(**orders_of("pk")).values(
            *ORDER_FIELDS, customer_type=F("customer__customer_type")
        )
    )
    answered = set(
        WorkOrderEvent.objects.filter(kind=EventKind.ANSWER, **orders_of("order_id")).values_list(
            "order_id", flat=True
        )
    )
    malicious = set(MaliciousFlag.objects.filter(**orders_of("order_id")).values_list("order_id", flat=True))
    verdicts = _latest_verdicts(Judgment.objects.filter(**orders_of("record__order_id")))
    rows = [
        rules.fact_row(
            o,
            customer_type=o.pop("customer_type") or "",
            answered_first=o["id"] in answered,
            malicious=o["id"] in malicious,
            verdict=verdicts.get(o["id"], ""),
            groups=rules.groups_of(o["sub_type_id"], o["description"], groups),
        )
        for o in orders
    ]
    if rows:
        update = [k for k in rows[0] if k != "order_id"]
        bulk.insert_rows(OrderFact, rows, conflict_target=["order_id"], update=update)
    return {r["day"] for r in rows}


def _latest_verdicts(judgments: QuerySet[Judgment]) -> dict[int, str]:
    """Each complaint's latest judgment among ``judgments`` (the definition ``measures.valid_complaints``
    uses)."""
    rows = (
        judgments.order_by("record__order_id", "-at", "-id")
        .distinct("record__order_id")
        .values_list("record__order_id", "verdict")
    )
    return dict(rows)


# Annotated under another name than the term: several terms share their name with a fact column.
DAILY_FIGURES: dict[str, Any] = {
    "n_orders": Count("pk"),
    **{f"n_{name}": Count("pk", filter=condition) for name, (condition, _label) in TERMS.items()},
}
# The rollups counted by the database from the facts: each with the fact column it adds to the cell,
# and whether the orders without a value there are kept (the breakdowns show no 台区 as nothing, no
# sub-type as "未指定").
COUNTED: tuple[tuple[type[Rollup], str, bool], ...] = (
    (AreaRollup, "area_id", False),
    (SubTypeRollup, "sub_type_id", True),
    (HourRollup, "hour", True),
)


def _insert(model: type[Model], rows: QuerySet[Any], columns: dict[str, str], **same: Any) -> None:
    """Write the rows of a grouped read into ``model`` in one statement (read and write in one round trip;
    the columns are the model's, ``bulk.insert_select``): ``columns`` maps each field to a column of the
    read, ``same`` gives the rest."""
    read, read_params = rows.query.sql_with_params()
    write, write_params = bulk.insert_select(model, source="src", columns=columns, same=same)
    with connection.cursor() as cur:
        cur.execute(f"WITH src AS ({read}) {write}", [*read_params, *write_params])


def _same(*names: str) -> dict[str, str]:
    return {n: n for n in names}


def rollup_days(days: Iterable[dt.date]) -> None:
    """Rebuild every rollup row of these accepted days from the facts (and the clocks), then the month
    rows of their months."""
    days = sorted(set(days))
    if not days:
        return
    for model in ROLLUPS:
        model._default_manager.filter(monthly=False, day__in=days).delete()
    facts = OrderFact.objects.filter(day__in=days)
    cell = ("day", *CELL)
    _insert(
        DailyRollup,
        facts.values(*cell, "topic_id").annotate(**DAILY_FIGURES).order_by(),
        {**_same(*cell, "topic_id"), **{m: f"n_{m}" for m in DailyRollup.MEASURES}},
        monthly=False,
    )
    for model, dimension, unset in COUNTED:
        _insert(
            model,
            (facts if unset else facts.exclude(**{f"{dimension}__isnull": True}))
            .values(*cell, dimension)
            .annotate(n_orders=Count("pk"))
            .order_by(),
            {**_same(*cell, dimension), "orders": "n_orders"},
            monthly=False,
        )
    grouped: Counter[tuple[Any, ...]] = Counter()
    for *key, groups in facts.exclude(groups=[]).values_list(*cell, "groups"):
        for gid in groups:
            grouped[(*key, gid)] += 1
    if grouped:
        names = (*cell, "group_id")
        bulk.insert_rows(
            GroupRollup, [dict(zip(names, k, strict=True), orders=n) for k, n in grouped.items()]
        )
    clocks = _clock_rows(days)
    bulk.insert_rows(ClockRollup, clocks) if clocks else None
    pool_and_roll_up(days)


def pool_and_roll_up(days: Iterable[dt.date]) -> None:
    """From the detail day rows of these days: their pooled day rows, then the month rows of their
    months."""
    days = sorted(set(days))
    for model in ROLLUPS:
        _pool(model, model._default_manager.filter(monthly=False, pooled=False, day__in=days))
    rollup_months({d.replace(day=1) for d in days})


def _pool(model: type[Rollup], detail: QuerySet[Any]) -> None:
    """The pooled rows of these detail rows: summed over business type, channel and customer type."""
    kept = [d for d in ("day", "monthly", *_dimensions(model)) if d not in (*POOLED, "pooled")]
    _sum_into(model, detail, kept, pooled=True, **dict.fromkeys(POOLED, ""))


def _sum_into(model: type[Rollup], rows: QuerySet[Any], kept: Sequence[str], **same: Any) -> None:
    """Write ``rows`` (rows of ``model``) into ``model`` again, summed by ``kept``, with ``same`` for the
    other fields (a month's rows, the pooled rows)."""
    summed = rows.values(*kept).annotate(**{f"s_{m}": Sum(m) for m in model.MEASURES}).order_by()
    _insert(model, summed, {**_same(*kept), **{m: f"s_{m}" for m in model.MEASURES}}, **same)


def _dimensions(model: type[Rollup]) -> list[str]:
    """A rollup's cell without its day: every field but the key, the day, the span and the counts."""
    skip = {"id", "day", "monthly", *model.MEASURES}
    return [f.attname for f in model._meta.concrete_fields if f.attname not in skip]


def rollup_months(months: Iterable[dt.date]) -> None:
    """Rebuild the month rows of these months (their first days) from their day rows."""
    for month in sorted(set(months)):
        following = rules.month_after(month)
        for model in ROLLUPS:
            table = model._default_manager
            table.filter(monthly=True, day=month).delete()
            days = table.filter(monthly=False, day__gte=month, day__lt=following)
            _sum_into(model, days, _dimensions(model), day=month, monthly=True)


def _clock_rows(days: list[dt.date]) -> list[dict[str, Any]]:
    """Clocks of the orders accepted on these days, per day, cell and kind: decided and on time (the
    terms of ``sla.selectors``). The order's cell comes from its fact row. Read a run of consecutive days
    at a time: the clocks of the orders accepted in the run, and the run's facts (streamed: a month's
    are hundreds of thousands at a province's volume)."""
    out: Counter[tuple[Any, ...]] = Counter()
    on: Counter[tuple[Any, ...]] = Counter()
    for first, last in rules.day_runs(days):
        start = dt.datetime.combine(first, dt.time.min, tzinfo=clock.BUSINESS_TZ)
        end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=clock.BUSINESS_TZ)
        rows = (
            Clock.objects.filter(order__created_at__gte=start, order__created_at__lt=end)
            .exclude(state=ClockState.CANCELLED)
            .values_list("order_id", "kind")
            .annotate(decided=Count("id", filter=CLOCK_DECIDED), on_time=Count("id", filter=CLOCK_ON_TIME))
            .order_by()
        )
        per_order: dict[int, list[tuple[str, int, int]]] = {}
        for order_id, kind, decided, on_time in rows:
            per_order.setdefault(order_id, []).append((kind, decided, on_time))
        if not per_order:
            continue
        cells = OrderFact.objects.filter(day__gte=first, day__lte=last).values_list("order_id", "day", *CELL)
        for order_id, *cell in cells.iterator(chunk_size=20_000):
            for kind, decided, on_time in per_order.get(order_id, ()):
                key = (*cell, kind)
                out[key] += decided
                on[key] += on_time
    names = ("day", *CELL, "kind")
    return [dict(zip(names, k, strict=True), decided=n, on_time=on[k]) for k, n in out.items()]


def refresh(*, limit: int = EVENTS_PER_RUN) -> int:
    """One run of the upkeep: the orders with events since the watermark; how many it re-derived."""
    with transaction.atomic():
        if not _locked():
            return 0
        mark, _created = Watermark.objects.select_for_update().get_or_create(name=WATERMARK)
        low, high = mark.low, mark.value
        events = list(
            WorkOrderEvent.objects.filter(id__gt=low).order_by("id").values_list("id", "order_id")[:limit]
        )
        if not events:
            return 0
        top = events[-1][0]
        order_ids = sorted({order for _id, order in events})
        rollup_days(derive_facts(order_ids))
        mark.low, mark.value, mark.updated_at = min(high, top), max(high, top), clock.now()
        mark.save(update_fields=["low", "value", "updated_at"])
        return len(order_ids)


def rebuild(*, chunk: int = 20_000, log: Any = None) -> int:
    """Every fact and rollup row again from the orders; the watermark set to the newest event."""
    with transaction.atomic():
        top = WorkOrderEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
        OrderFact.objects.all().delete()
        for model in ROLLUPS:
            model._default_manager.all().delete()
        ids = WorkOrder.objects.order_by("id").values_list("id", flat=True)
        groups = _active_groups()
        last, total = 0, 0
        while True:
            batch = list(ids.filter(id__gt=last)[:chunk])
            if not batch:
                break
            for start in range(0, len(batch), FACT_CHUNK):
                run = batch[start : start + FACT_CHUNK]
                _derive(groups, _between(run[0], run[-1]))
            last, total = batch[-1], total + len(batch)
            if log:
                log(total)
        days = _rollup_all()
        Watermark.objects.update_or_create(
            name=WATERMARK, defaults={"value": top, "low": top, "updated_at": clock.now()}
        )
        if days:
            snapshot_customers(days[0].replace(day=1), only_missing=True)
        return total


def rollup_all() -> int:
    """Every rollup row again from the facts as they are (after an upgrade that changes the rollups);
    the number of days rolled up."""
    with transaction.atomic():
        for model in ROLLUPS:
            model._default_manager.all().delete()
        return len(_rollup_all())


def _rollup_all() -> list[dt.date]:
    days = sorted(OrderFact.objects.values_list("day", flat=True).distinct())
    by_month: dict[dt.date, list[dt.date]] = {}
    for day in days:
        by_month.setdefault(day.replace(day=1), []).append(day)
    for month_days in by_month.values():  # a month at a time: its month rows are written once
        rollup_days(month_days)
    return days


def snapshot_customers(since: dt.date | None = None, *, only_missing: bool = False) -> int:
    """Write this month's customers per 台区 (and, from ``since``, every month without a snapshot: the
    history it cannot know is taken as today's counts). Months already written are kept when
    ``only_missing``; this month is rewritten otherwise."""
    this_month = clock.local_date().replace(day=1)
    counts = list(
        Customer.objects.filter(area__isnull=False).values("area_id").annotate(n=Count("id")).order_by()
    )
    months = [this_month]
    month = since or this_month
    while month < this_month:
        months.append(month)
        month = rules.month_after(month)
    have = set(CustomerCount.objects.filter(month__in=months).values_list("month", flat=True))
    rows = [
        {"month": m, "area_id": c["area_id"], "customers": c["n"]}
        for m in months
        if not (m in have and (only_missing or m != this_month))
        for c in counts
    ]
    if rows:
        bulk.insert_rows(CustomerCount, rows, conflict_target=["month", "area_id"], update=["customers"])
    return len(rows)


__all__ = [
    "derive_facts",
    "pool_and_roll_up",
    "rebuild",
    "refresh",
    "rollup_all",
    "rollup_days",
    "rollup_months",
    "snapshot_customers",
]
