"""HTTP load generators for ``POST /api/v1/workorders/``, run as their own process (no Django here).

``python bench/loadgen.py paced  --url … --token … --customers N --rate 100 --duration 30``
    open loop: request i is due at t0 + i/rate whatever happened before; latency is measured from
    that scheduled time, so a slow server cannot hide its queueing (no coordinated omission).
``python bench/loadgen.py closed --url … --token … --customers N --procs 2 --threads 8 --duration 30``
    closed loop at saturation (the fallback when ``wrk`` is missing): every thread sends its next
    request as soon as the previous one returns, over a keep-alive connection.

Both print one JSON line with the counts and latencies. The traffic: ~80 % calls about a random
customer and topic (weighted like the seeded history), ~20 % repeat a customer+topic this generator
used moments ago, so the intake links them to the order just opened (repeat-call detection).
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import queue
import random
import sys
import threading
import time
import uuid
from collections import deque
from urllib.parse import urlsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from seed_data import MIX, account_no, phone_for

REPEAT_SHARE = 0.2
RECENT = 200
DRAIN_S = 30.0


class Traffic:
    """Builds request bodies: new customer/topic pairs, and repeats of pairs used recently."""

    def __init__(self, customers: int, seed: int, prefix: str) -> None:
        self.rng = random.Random(seed)
        self.customers = customers
        self.prefix = prefix
        self.seq = 0
        self.recent: deque[tuple[int, int]] = deque(maxlen=RECENT)
        self.weights = [m[3] for m in MIX]

    def next(self) -> tuple[bytes, str, bool]:
        """(JSON body, Idempotency-Key, is this meant as a repeat)."""
        self.seq += 1
        repeat = bool(self.recent) and self.rng.random() < REPEAT_SHARE
        if repeat:
            customer, mix_index = self.rng.choice(self.recent)
        else:
            customer = self.rng.randint(1, self.customers)
            mix_index = self.rng.choices(range(len(MIX)), weights=self.weights)[0]
            self.recent.append((customer, mix_index))
        btype, topic, _sub, _w, text = MIX[mix_index]
        body = {
            "business_type": btype,
            "topic": topic,
            "channel": "95598",
            "customer": account_no(customer),
            "caller_phone": phone_for(customer),
            "description": ("客户再次来电催促：" if repeat else "") + text,
        }
        return json.dumps(body, ensure_ascii=False).encode(), f"{self.prefix}-{self.seq}", repeat


class Client:
    """One keep-alive HTTP/1.1 connection (reopened when the server closes it)."""

    def __init__(self, url: str, token: str) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.path = parts.path or "/"
        self.token = token
        self.conn: http.client.HTTPConnection | None = None

    def post(self, body: bytes, key: str) -> tuple[int, bytes]:
        headers = {
            "Authorization": f"Token {self.token}",
            "Idempotency-Key": key,
            "Content-Type": "application/json",
            "Accept": "application/json",
        }
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
            try:
                self.conn.request("POST", self.path, body=body, headers=headers)
                resp = self.conn.getresponse()
                data = resp.read()
                if resp.will_close:
                    self.conn.close()
                    self.conn = None
                return resp.status, data
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # A keep-alive connection the server closed between requests: reconnect once.
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


def _summary(
    latencies: list[float], statuses: dict[int, int], errors: list[str], wall: float, extra: dict
) -> dict:
    """Counts and nearest-rank percentiles; status -1 marks a request that got no HTTP answer."""
    ok = sum(n for s, n in statuses.items() if 200 <= s < 300)
    ordered = sorted(latencies)

    def pct(p: float) -> float | None:
        if not ordered:
            return None
        return ordered[max(0, min(len(ordered) - 1, int(-(-p * len(ordered) // 100)) - 1))] * 1000

    return {
        "requests": len(latencies),
        "ok": ok,
        "non_2xx": sum(n for s, n in statuses.items() if s > 0 and not 200 <= s < 300),
        "statuses": {str(k): v for k, v in statuses.items()},
        "socket_errors": statuses.get(-1, 0),
        "error_samples": errors[:5],
        "wall_s": wall,
        "rate": ok / wall if wall else 0.0,
        "p50_ms": pct(50),
        "p95_ms": pct(95),
        "p99_ms": pct(99),
        "max_ms": ordered[-1] * 1000 if ordered else None,
        **extra,
    }


def run_paced(url: str, token: str, customers: int, rate: float, duration: float, pool: int) -> dict:
    traffic = Traffic(
        customers, seed=random.SystemRandom().randrange(2**32), prefix=f"paced-{uuid.uuid4().hex[:12]}"
    )
    total = int(rate * duration)
    jobs: queue.Queue[tuple[float, bytes, str] | None] = queue.Queue()
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors: list[str] = []
    lateness: list[float] = []  # how late the scheduler itself handed requests out

    def worker() -> None:
        client = Client(url, token)
        while True:
            job = jobs.get()
            if job is None:
                return
            due, body, key = job
            try:
                status, data = client.post(body, key)
            except OSError as exc:
                status, data = -1, str(exc).encode()
            done = time.perf_counter()
            with lock:
                latencies.append(done - due)
                statuses[status] = statuses.get(status, 0) + 1
                if not 200 <= status < 300 and len(errors) < 5:
                    errors.append(f"{status}: {data[:300].decode(errors='replace')}")

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(pool)]
    for t in threads:
        t.start()
    bodies = [traffic.next() for _ in range(total)]  # built ahead: the timetable only sends
    start = time.perf_counter() + 0.2
    for i, (body, key, _repeat) in enumerate(bodies):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        lateness.append(max(0.0, time.perf_counter() - due))
        jobs.put((due, body, key))
    for _ in threads:
        jobs.put(None)
    # A server that cannot keep up must not make the run unbounded: wait at most DRAIN_S for the
    # backlog, then count what is still unanswered (or never sent) as timed out.
    drain_deadline = time.perf_counter() + DRAIN_S
    for t in threads:
        t.join(timeout=max(0.0, drain_deadline - time.perf_counter()))
    wall = time.perf_counter() - start
    with lock:
        unfinished = total - len(latencies)
        for _ in range(unfinished):
            latencies.append(wall)  # at least this late
        if unfinished:
            errors.append(f"{unfinished} requests unanswered {DRAIN_S:.0f} s after the timetable ended")
    return _summary(
        latencies,
        statuses,
        errors,
        wall,
        {
            "unanswered": unfinished,
            "mode": "paced",
            "target_rate": rate,
            "pool": pool,
            "intended_repeats": sum(1 for b in bodies if b[2]),
            "scheduler_late_max_ms": max(lateness) * 1000 if lateness else 0.0,
        },
    )


def _closed_proc(args: tuple) -> dict:
    url, token, customers, threads, duration, proc_index = args
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors: list[str] = []
    deadline = time.perf_counter() + duration
    prefix = f"closed-{uuid.uuid4().hex[:12]}-{proc_index}"

    def worker(index: int) -> None:
        traffic = Traffic(customers, seed=random.SystemRandom().randrange(2**32), prefix=f"{prefix}-{index}")
        client = Client(url, token)
        while time.perf_counter() < deadline:
            body, key, _repeat = traffic.next()
            began = time.perf_counter()
            try:
                status, data = client.post(body, key)
            except OSError as exc:
                status, data = -1, str(exc).encode()
            took = time.perf_counter() - began
            with lock:
                latencies.append(took)
                statuses[status] = statuses.get(status, 0) + 1
                if not 200 <= status < 300 and len(errors) < 5:
                    errors.append(f"{status}: {data[:300].decode(errors='replace')}")

    began = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return {
        "latencies": latencies,
        "statuses": statuses,
        "errors": errors,
        "wall": time.perf_counter() - began,
    }


def run_closed(url: str, token: str, customers: int, procs: int, threads: int, duration: float) -> dict:
    with multiprocessing.get_context("spawn").Pool(procs) as pool:
        parts = pool.map(_closed_proc, [(url, token, customers, threads, duration, i) for i in range(procs)])
    wall = max(p["wall"] for p in parts)  # measured inside the workers: process start-up is not counted
    latencies = [x for p in parts for x in p["latencies"]]
    statuses: dict[int, int] = {}
    for p in parts:
        for s, n in p["statuses"].items():
            statuses[s] = statuses.get(s, 0) + n
    errors = [e for p in parts for e in p["errors"]]
    return _summary(latencies, statuses, errors, wall, {"mode": "closed", "connections": procs * threads})


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["paced", "closed"])
    parser.add_argument("--url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--customers", type=int, required=True)
    parser.add_argument("--duration", type=float, default=30)
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--pool", type=int, default=32)
    parser.add_argument("--procs", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    a = parser.parse_args()
    if a.mode == "paced":
        result = run_paced(a.url, a.token, a.customers, a.rate, a.duration, a.pool)
    else:
        result = run_closed(a.url, a.token, a.customers, a.procs, a.threads, a.duration)
    print("LOADGEN " + json.dumps(result, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
