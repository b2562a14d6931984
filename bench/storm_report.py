"""What the storm benchmark prints: latencies in the peak, the linking against the ground truth (the real
outages of the plan), how long after its N-th call each outage was predicted, and the saturation rates."""

from __future__ import annotations

from dataclasses import dataclass, field

import storm_plan
from common import percentile
from storm_seed import FEEDERS_PER_SUBSTATION, Layout

TARGET_P99_MS = 300.0
TARGET_RATIO = 0.85
TARGET_PREDICT_P95_S = 10.0


@dataclass
class Day:
    lines: list[str] = field(default_factory=list)
    p99_ms: float = float("nan")
    predict_p95_s: float = float("nan")
    errors: int = 0
    wrong: int = 0


def device_range(layout: Layout, device_id: int) -> tuple[int, int] | None:
    """Customers (first, last) under a device of the seeded network, from its id alone."""
    lay = layout
    if device_id <= lay.substations:
        first_feeder = (device_id - 1) * FEEDERS_PER_SUBSTATION + 1
        last_feeder = min(lay.feeders, device_id * FEEDERS_PER_SUBSTATION)
        return lay.customer_range("feeder", first_feeder)[0], lay.customer_range("feeder", last_feeder)[1]
    if device_id <= lay.base_switch:
        return lay.customer_range("feeder", device_id - lay.base_feeder)
    if device_id <= lay.base_fuse:
        return lay.customer_range("fuse", device_id - lay.base_switch)
    if device_id <= lay.base_transformer:
        return lay.customer_range("fuse", device_id - lay.base_fuse)
    if device_id <= lay.base_meter:
        return lay.customer_range("transformer", device_id - lay.base_transformer)
    customer = device_id - lay.base_meter
    return customer, customer


def _pct(values: list[float]) -> str:
    if not values:
        return "-"
    return (
        f"p50 {percentile(values, 50) * 1000:.1f} ms   p95 {percentile(values, 95) * 1000:.1f} ms   "
        f"p99 {percentile(values, 99) * 1000:.1f} ms   max {max(values) * 1000:.1f} ms   ({len(values):,} calls)"
    )


def _predictions(layout: Layout, started_wall: float) -> list[tuple[float, tuple[int, int], str]]:
    """(created, customer range, state) of every outage predicted during the run."""
    import datetime as dt

    from powerdesk.outages.models import OutageDevice, OutageSource

    since = dt.datetime.fromtimestamp(started_wall, tz=dt.UTC)
    out = []
    rows = OutageDevice.objects.filter(outage__source=OutageSource.PREDICTION, outage__created_at__gte=since)
    for created, device_id, state in rows.values_list("outage__created_at", "device_id", "outage__state"):
        rng = device_range(layout, device_id)
        if rng is not None:
            out.append((created.timestamp(), rng, state))
    return out


def _links(before: dict[str, int]) -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT count(*),
                   count(oc.id),
                   count(oc.id) FILTER (WHERE o.order_id = c.order_id),
                   count(oc.id) FILTER (WHERE oc.customer_id IS NOT NULL AND NOT EXISTS (
                       SELECT 1 FROM outages_interruption i
                        WHERE i.outage_id = oc.outage_id AND i.customer_id = oc.customer_id))
              FROM workorders_contact c
              LEFT JOIN outages_outagecall oc ON oc.contact_id = c.id
              LEFT JOIN outages_outage o ON o.id = oc.outage_id
             WHERE c.id > %s
            """,
            [before["contact"]],
        )
        contacts, linked, on_outage_order, untraced = cur.fetchone()
        cur.execute(
            """
            SELECT count(*) FROM workorders_workorder w
             WHERE w.id > %s AND w.business_type = 'repair'
               AND NOT EXISTS (SELECT 1 FROM outages_outage o WHERE o.order_id = w.id)
               AND NOT EXISTS (SELECT 1 FROM outages_outagecall oc JOIN outages_outage o ON o.id = oc.outage_id
                                WHERE oc.open_order_id = w.id AND o.state <> 'rejected')
            """,
            [before["order"]],
        )
        to_dispatch = cur.fetchone()[0]
        cur.execute(
            "SELECT oc.customer_id FROM outages_outagecall oc JOIN workorders_contact c ON c.id = oc.contact_id"
            " WHERE c.id > %s AND oc.customer_id IS NOT NULL",
            [before["contact"]],
        )
        linked_customers = [r[0] for r in cur.fetchall()]
    return {
        "contacts": contacts,
        "linked": linked,
        "on_outage_order": on_outage_order,
        "untraced": untraced,
        "to_dispatch": to_dispatch,
        "linked_customers": linked_customers,  # type: ignore[dict-item]
    }


def report_day(
    plan: storm_plan.Plan,
    layout: Layout,
    results: list[dict],
    figures: dict,
    before: dict[str, int],
    started_wall: float,
) -> Day:
    day = Day()
    say = day.lines.append
    calls = plan.calls
    ok = [r for r in results if 200 <= r.get("status", 0) < 300]
    day.errors = len(results) - len(ok)
    peak = [
        r["latency"]
        for c, r in zip(calls, results, strict=True)
        if plan.peak_start <= c.sim < plan.peak_start + 300
    ]
    seg = [
        r["latency"]
        for c, r in zip(calls, results, strict=True)
        if plan.segment[0] <= c.sim < plan.segment[1]
    ]
    day.p99_ms = percentile(peak, 99) * 1000 if peak else float("nan")
    rate = len(peak) / (300 / plan.speed)
    say(f"   busiest 5 minutes   {_pct(peak)} at {rate:.1f} calls/s")
    say(f"   peak segment        {_pct(seg)}")
    say(f"   whole day           {_pct([r['latency'] for r in results if 'latency' in r])}")
    errors = [r.get("error") for r in results if r.get("error")][:3]
    say(f"   errors              {day.errors} {errors if errors else ''}")

    # Linking, against the ground truth.
    links = _links(before)
    outage_of = sorted((o.first, o.last) for o in plan.outages)
    import bisect

    def behind_outage(customer: int) -> bool:
        i = bisect.bisect_right(outage_of, (customer, 10**12)) - 1
        return i >= 0 and outage_of[i][0] <= customer <= outage_of[i][1]

    false_links = sum(1 for cust in links["linked_customers"] if not behind_outage(cust))
    day.wrong = links["untraced"] + false_links
    fault = sum(1 for c in calls if c.fault)
    address_only = [r for c, r in zip(calls, results, strict=True) if c.address_only]
    say(
        f"   calls               {len(calls):,} ({fault:,} fault calls, {sum(1 for c in calls if c.outage is not None):,}"
        f" behind a real outage, {len(address_only):,} with an address only)"
    )
    say(
        f"   linked to an outage {links['linked']:,} of {links['contacts']:,} contacts: {links['on_outage_order']:,} at"
        f" intake on the outage's order (no dispatch), {links['linked'] - links['on_outage_order']:,} adopted by a"
        " prediction (their own order noted)"
    )
    say(f"   to dispatch         {links['to_dispatch']:,} new repair orders under no outage")
    say(
        f"   wrongly linked      {links['untraced']} to an outage whose trace misses the caller, {false_links}"
        " callers whose supply was on (under no real outage)"
    )
    answered = sum(1 for r in address_only if r.get("candidates"))
    say(f"   address only        {answered:,} of {len(address_only):,} answered with candidates, none linked")

    # Prediction: the N-th distinct caller under one transformer of each real outage.
    n = int(figures.get("n") or 0)
    predictions = _predictions(layout, started_wall)
    delays: list[float] = []
    early = unpredicted = short = 0
    by_outage: dict[int, list[tuple[storm_plan.Call, dict]]] = {}
    for c, r in zip(calls, results, strict=True):
        if c.outage is not None and not c.address_only and "done" in r:
            by_outage.setdefault(c.outage, []).append((c, r))
    for k, o in enumerate(plan.outages):
        per_transformer: dict[int, list[float]] = {}
        seen: set[int] = set()
        # In the order they were answered: a customer's first call is the one that counted.
        for c, r in sorted(by_outage.get(k, []), key=lambda cr: cr[1]["done"]):
            if c.customer in seen:
                continue
            seen.add(c.customer)
            per_transformer.setdefault(layout.transformer_of(c.customer), []).append(r["done"])
        reached = [sorted(t)[n - 1] for t in per_transformer.values() if n and len(t) >= n]
        if not reached:
            short += 1
            continue
        nth = min(reached)
        hits = [p[0] for p in predictions if p[1][0] <= o.last and o.first <= p[1][1]]
        if not hits:
            unpredicted += 1
            continue
        delay = min(hits) - nth
        if delay < 0:
            early += 1
        delays.append(max(0.0, delay))
    false_predictions = sum(
        1 for _t, (a, b), _s in predictions if not any(o.first <= b and a <= o.last for o in plan.outages)
    )
    day.predict_p95_s = percentile(delays, 95) if delays else float("nan")
    say(
        f"   predicted after N-th call (N={n}): p50 {percentile(delays, 50):.1f} s   p95 {day.predict_p95_s:.1f} s"
        f"   ({len(delays)} outages; {early} before their N-th call by P % or roll-up; {unpredicted} reached N"
        f" callers but were not predicted; {short} never had N callers under one transformer)"
    )
    say(f"   predictions         {len(predictions)} device rows, {false_predictions} under no real outage")
    return day


def report_summary(day: Day, plain: dict, storm: dict, facts: dict) -> bool:
    print("\n== storm day")
    for line in day.lines:
        print(line)
    print("\n== saturation (closed loop)")
    for label, r in (
        ("plain intake (non-fault, prediction off)", plain),
        ("storm calls, lookup + prediction", storm),
    ):
        print(
            f"   {label:<42} {r['rate']:.1f} req/s   p50 {r['p50'] * 1000:.1f} ms   p99 {r['p99'] * 1000:.1f} ms"
            f"   ({r['requests']:,} requests) {r['errors'] or ''}"
        )
    ratio = storm["rate"] / plain["rate"] if plain["rate"] else float("nan")

    def verdict(ok: bool) -> str:
        return "MET" if ok else "NOT MET"

    print("\n== summary")
    print(
        f"   machine             {facts.get('cpu', '?')}, nproc {facts['nproc']}, memory {facts.get('memory', '?')}"
    )
    print(
        f"   peak p99            {day.p99_ms:.1f} ms   (target < {TARGET_P99_MS:.0f} ms: {verdict(day.p99_ms < TARGET_P99_MS)})"
    )
    print(
        f"   saturation ratio    {ratio:.2f}   (target >= {TARGET_RATIO:.2f}: {verdict(ratio >= TARGET_RATIO)})"
    )
    print(
        f"   prediction p95      {day.predict_p95_s:.1f} s   (target < {TARGET_PREDICT_P95_S:.0f} s:"
        f" {verdict(day.predict_p95_s < TARGET_PREDICT_P95_S)})"
    )
    print(f"   wrongly linked      {day.wrong}")
    errors = day.errors + len(plain["errors"]) + len(storm["errors"])
    print(f"   errors              {errors}")
    return errors > 0
