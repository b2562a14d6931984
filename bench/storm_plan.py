"""The storm day the benchmark replays, built without a database: the real outages behind the calls, every
call (who, what, when on the simulated day) and the map from simulated to real time.

The day: calls follow a baseline (20 %) plus a bump around landfall at 14:00 (a normal curve of σ 42
minutes), which puts the busiest 5 minutes at about 12 × the day's average. Outages start mostly in
the bump; each one's callers are drawn from the customers it cuts off, ringing after it starts
(exponential delay, mean 12 minutes; some ring again). A quarter of the calls are background: the
traffic mix of bench/seed_data.py from customers anywhere. A share of fault callers give only an address.

Time: the ``peak_minutes`` around the busiest 5 minutes run at ``speed`` × real time (1: the real rate);
the quiet hours before and after are compressed so that they are sent at the peak segment's mean rate,
never faster than the busiest 5 minutes — or, with ``quiet_rate``, at that many calls a second (a full-scale
day then fits in about an hour and a half instead of three: the quiet hours' latencies are not a target,
the prediction windows run on the simulated clock either way).
"""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from dataclasses import dataclass, field

from storm_seed import Layout

DAY = 86_400.0
LANDFALL = 14 * 3600.0
SIGMA = 42 * 60.0
BASELINE = 0.2
BACKGROUND_SHARE = 0.25
CALL_DELAY_MEAN = 12 * 60.0
LEVELS = [("transformer", 0.55), ("fuse", 0.35), ("feeder", 0.10)]


@dataclass
class RealOutage:
    level: str
    index: int
    first: int  # customers first..last (inclusive)
    last: int
    start: float  # simulated seconds of the day


@dataclass
class Call:
    sim: float
    customer: int
    fault: bool  # a fault repair call (else a background topic of the mix)
    mix: int  # index into seed_data.MIX for background calls
    address_only: bool
    outage: int | None  # index of the real outage behind it (None: background)
    real: float = 0.0


@dataclass
class Plan:
    outages: list[RealOutage]
    calls: list[Call]
    peak_start: float  # simulated seconds: the busiest 5 minutes
    segment: tuple[float, float]  # simulated seconds run at speed
    speed: float
    quiet_factor: float
    real_seconds: float
    peak_ratio: float  # busiest 5 minutes over the day's average
    notes: list[str] = field(default_factory=list)


def _storm_time(rng: random.Random) -> float:
    if rng.random() < BASELINE:
        return rng.uniform(0, DAY)
    return min(DAY - 1, max(0.0, rng.gauss(LANDFALL, SIGMA)))


def _pick_outages(rng: random.Random, layout: Layout, count: int) -> list[RealOutage]:
    counts = {"transformer": layout.transformers, "fuse": layout.fuses, "feeder": layout.feeders}
    chosen: list[RealOutage] = []
    taken: list[tuple[int, int]] = []
    tries = 0
    while len(chosen) < count and tries < count * 50:
        tries += 1
        level = rng.choices([lv for lv, _w in LEVELS], weights=[w for _lv, w in LEVELS])[0]
        index = rng.randint(1, counts[level])
        first, last = layout.customer_range(level, index)
        # Real outages do not nest: each customer is behind at most one (the ground truth stays simple).
        if any(first <= b and a <= last for a, b in taken):
            continue
        taken.append((first, last))
        start = rng.gauss(LANDFALL, SIGMA) if rng.random() < 0.85 else rng.uniform(0, DAY)
        chosen.append(RealOutage(level, index, first, last, min(DAY - 3600, max(0.0, start))))
    return chosen


def build(
    *,
    layout: Layout,
    calls: int,
    outages: int,
    address_share: float,
    peak_minutes: float,
    speed: float,
    mix_weights: list[int],
    fault_mix: list[int],
    quiet_rate: float | None = None,
    seed: int = 14,
) -> Plan:
    rng = random.Random(seed)
    real = _pick_outages(rng, layout, outages)
    sizes = [o.last - o.first + 1 for o in real]
    total_size = sum(sizes) or 1
    out: list[Call] = []
    outage_calls = int(calls * (1 - BACKGROUND_SHARE)) if real else 0
    cum = []
    acc = 0
    for s in sizes:
        acc += s
        cum.append(acc)
    for _ in range(outage_calls):
        k = bisect_right(cum, rng.randrange(total_size))
        o = real[k]
        t = o.start + rng.expovariate(1 / CALL_DELAY_MEAN)
        if t >= DAY:
            t = rng.uniform(o.start, DAY)
        out.append(
            Call(
                sim=t,
                customer=rng.randint(o.first, o.last),
                fault=True,
                mix=0,
                address_only=rng.random() < address_share,
                outage=k,
            )
        )
    for _ in range(calls - outage_calls):
        mix = rng.choices(range(len(mix_weights)), weights=mix_weights)[0]
        fault = mix in fault_mix
        out.append(
            Call(
                sim=_storm_time(rng),
                customer=rng.randint(1, layout.customers),
                fault=fault,
                mix=mix,
                address_only=fault and rng.random() < address_share,
                outage=None,
            )
        )
    out.sort(key=lambda c: c.sim)
    # The busiest 5 minutes (sliding over the sorted times).
    best, best_start, j = 0, 0.0, 0
    times = [c.sim for c in out]
    for i, t in enumerate(times):
        while times[j] < t - 300:
            j += 1
        if i - j + 1 > best:
            best, best_start = i - j + 1, max(0.0, t - 300)
    average_5min = len(out) / (DAY / 300)
    centre = best_start + 150
    half = peak_minutes * 30
    seg = (max(0.0, centre - half), min(DAY, centre + half))
    in_seg = sum(1 for t in times if seg[0] <= t < seg[1])
    seg_real = (seg[1] - seg[0]) / speed
    rate = in_seg / seg_real if seg_real else 1.0
    quiet_calls = len(out) - in_seg
    quiet_sim = DAY - (seg[1] - seg[0])
    quiet_real = quiet_calls / (quiet_rate or rate) if (quiet_rate or rate) else quiet_sim
    quiet_factor = max(speed, quiet_sim / max(1.0, quiet_real))
    # Compressed uniformly, the hours after the peak (the outages' callers still ringing) would be sent
    # faster than the peak itself: outside the segment no call follows the one before sooner than the
    # busiest 5 minutes' real rate allows.
    cap_gap = min(300 / speed / max(1, best), 1 / quiet_rate if quiet_rate else math.inf)
    real_at, prev_sim, prev_real = 0.0, 0.0, 0.0
    for c in out:
        inside = seg[0] <= c.sim < seg[1]
        gap = (c.sim - prev_sim) / (speed if inside else quiet_factor)
        real_at = prev_real + (gap if inside else max(gap, cap_gap))
        c.real, prev_sim, prev_real = real_at, c.sim, real_at
    plan = Plan(
        outages=real,
        calls=out,
        peak_start=best_start,
        segment=seg,
        speed=speed,
        quiet_factor=quiet_factor,
        real_seconds=prev_real,
        peak_ratio=best / average_5min if average_5min else math.nan,
    )
    return plan


def hhmm(sim: float) -> str:
    return f"{int(sim // 3600):02d}:{int(sim % 3600 // 60):02d}"
