"""Intake in one process: CPU and SQL statements per ``POST /api/v1/workorders/``, and where the CPU goes.

    .venv/bin/python bench/intake_profile.py [-n 2000] [--profile] [--top 40]

Calls the WSGI application exactly as gunicorn does (same middleware, same settings) with requests
shaped like ``bench/intake.lua``'s (random customers of the seeded million, ~20 % repeat calls), on the
bench database under ``var/bench`` (seeded by ``bench/intake.py`` first). Prints, per request: the
application's CPU time, the wall time, and the SQL statements sent; with ``--profile`` also the cProfile
functions with the most cumulative time. It measures the application side only: PostgreSQL's own CPU is
in ``bench/intake.py``'s figures.

``--storm linked`` (or ``placed``, ``plain``) profiles on the storm bench's database instead
(``BENCH_VAR_DIR=var/bench-storm``, after ``bench/storm.py --keep-server``): fault calls from customers
out in an active outage (each linked to the outage's one order), fault calls from customers no outage
explains (placed on their transformer for the prediction), or the plain intake's consultations from
random customers. The worker's side of the prediction: ``bench/storm_checks.py``.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import statistics
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import common
from common import log


def environ_for(body: bytes, token: str, key: str) -> dict:
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/api/v1/workorders/",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_HOST": "127.0.0.1",
        "HTTP_AUTHORIZATION": f"Token {token}",
        "HTTP_IDEMPOTENCY_KEY": key,
        "HTTP_ACCEPT": "application/json",
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }


def bodies(n: int, customers: int, rng: random.Random):
    from seed_data import MIX

    weights = [w for _b, _t, _s, w, _d in MIX]
    recent: list[tuple[int, int]] = []
    for _ in range(n):
        if recent and rng.random() < 0.2:
            customer, mi = rng.choice(recent)
        else:
            customer = rng.randint(1, customers)
            mi = rng.choices(range(len(MIX)), weights)[0]
            recent = [*recent[-199:], (customer, mi)]
        business_type, topic, _s, _w, description = MIX[mi]
        yield json.dumps(
            {
                "business_type": business_type,
                "topic": topic,
                "channel": "95598",
                "customer": str(3100000000 + customer),
                "caller_phone": f"139{customer:08d}",
                "description": description,
            },
            ensure_ascii=False,
        ).encode()


def storm_bodies(kind: str, n: int, rng: random.Random):
    """Calls on the storm bench's database: ``linked`` — fault calls of customers out in an active
    outage; ``placed`` — fault calls of customers no outage explains (placed on their transformer for
    the prediction, a new repair order); ``plain`` — consultations of random customers (the storm
    bench's plain intake)."""
    from powerdesk.customers.models import Customer
    from powerdesk.outages.models import CLOSED_STATES, Interruption

    fault = ("repair", "fault_repair", "repair_lv", "客户说家里和左邻右舍一起停电了，请尽快处理。")
    if kind == "linked":
        out = Interruption.objects.filter(end__isnull=True, outage__actual_end__isnull=True).exclude(
            outage__state__in=CLOSED_STATES
        )
        accounts = list(out.values_list("customer__account_no", flat=True)[:20000])
        shape = fault
    elif kind == "placed":
        # No open interruption: the lookup finds nothing, the call is placed on its transformer.
        out_now = Interruption.objects.filter(end__isnull=True).values("customer_id")
        accounts = list(
            Customer.objects.exclude(pk__in=out_now)
            .order_by("?")
            .values_list("account_no", flat=True)[:20000]
        )
        shape = fault
    else:
        accounts = list(Customer.objects.order_by("?").values_list("account_no", flat=True)[:20000])
        shape = ("consultation", "outage_info", "consult_outage", "客户询问片区停电的原因和恢复时间。")
    if not accounts:
        raise SystemExit(f"no customers for --storm {kind} (run bench/storm.py --keep-server first)")
    for _ in range(n):
        business_type, topic, sub_type, description = shape
        yield json.dumps(
            {
                "business_type": business_type,
                "topic": topic,
                "sub_type": sub_type,
                "channel": "95598",
                "customer": rng.choice(accounts),
                "caller_phone": f"139{rng.randint(0, 99_999_999):08d}",
                "description": description,
            },
            ensure_ascii=False,
        ).encode()


def calibrate() -> float:
    """Seconds of CPU for a fixed piece of Python: on a shared machine, compare runs by this."""
    started = time.process_time()
    for _ in range(20000):
        sum(range(1000))
    return (time.process_time() - started) / 20000


def print_by_package(stats: pstats.Stats, n: int) -> None:
    """Own CPU time (tottime) per request, summed by the package the function lives in."""
    totals: dict[str, float] = {}
    for (filename, _line, _name), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        path = filename.replace("\\", "/")
        if "site-packages/" in path:
            package = path.split("site-packages/", 1)[1].split("/", 1)[0]
        elif "/powerdesk/" in path:
            package = "powerdesk/" + path.split("/powerdesk/", 1)[1].split("/", 1)[0]
        elif path.startswith("~") or "<" in path:
            package = "builtins"
        else:
            package = "stdlib:" + path.rsplit("/", 1)[-1]
        totals[package] = totals.get(package, 0.0) + tottime
    print("own CPU per request by package (profiled, so inflated):")
    for package, seconds in sorted(totals.items(), key=lambda kv: -kv[1])[:25]:
        print(f"  {seconds * 1000 / n:7.3f} ms  {package}")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", type=int, default=2000, help="measured requests (after 200 warm-up)")
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument(
        "--storm", choices=("linked", "placed", "plain"), help="calls on the storm bench's database"
    )
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--sort", default="cumulative", help="cProfile sort key: cumulative, tottime, …")
    parser.add_argument("--dump", metavar="FILE", help="with --profile: also write the cProfile data to FILE")
    parser.add_argument(
        "--show-sql", type=int, default=0, metavar="K", help="print the statements of K requests"
    )
    args = parser.parse_args()

    common.django_setup()

    from powerdesk.wsgi import application

    user = common.bench_user(common.AGENT_USERNAME, "agent", "B01")
    token = common.token_for(user)
    rng = random.Random()
    run = uuid.uuid4().hex[:8]
    statements = 0
    shown: list[str] = []

    # Every statement goes through psycopg's Cursor.execute: the ORM's (Django's client-side cursors
    # subclass it) and the hot path's own (powerdesk.core.sql). Django's execute_wrapper sees only the first.
    import psycopg

    real_execute = psycopg.Cursor.execute

    def count(self, *a, **kw):
        nonlocal statements
        statements += 1
        if args.show_sql:
            shown.append(" ".join(str(a[0] if a else kw.get("query", "")).split())[:200])
        return real_execute(self, *a, **kw)

    def call(body: bytes, i: int) -> int:
        status = []
        out = application(environ_for(body, token, f"prof-{run}-{i}"), lambda s, h, e=None: status.append(s))
        b"".join(out)
        if hasattr(out, "close"):
            out.close()
        return int(status[0].split()[0])

    def make(n: int):
        return storm_bodies(args.storm, n, rng) if args.storm else bodies(n, args.customers, rng)

    for i, body in enumerate(make(200)):
        call(body, -i - 1)
    cpu, wall, sql, codes = [], [], [], {}
    # CPU time, not wall time: waits for PostgreSQL (another process) are not the application's cost.
    profiler = cProfile.Profile(time.process_time) if args.profile else None
    psycopg.Cursor.execute = count  # type: ignore[method-assign]
    try:
        for i, body in enumerate(make(args.n)):
            statements = 0
            c0, w0 = time.process_time(), time.perf_counter()
            if profiler:
                profiler.enable()
            code = call(body, i)
            if profiler:
                profiler.disable()
            cpu.append(time.process_time() - c0)
            wall.append(time.perf_counter() - w0)
            sql.append(statements)
            codes[code] = codes.get(code, 0) + 1
            if i < args.show_sql:
                print(f"--- request {i}: HTTP {code}, {statements} statements")
                print("\n".join(shown))
            shown.clear()
    finally:
        psycopg.Cursor.execute = real_execute  # type: ignore[method-assign]
    log(f"{args.n} intakes, HTTP status counts {codes}")
    log(f"calibration: this CPU runs sum(range(1000)) in {calibrate() * 1e6:.1f} µs now (compare runs by it)")
    log(
        f"application CPU per request: mean {statistics.mean(cpu) * 1000:.2f} ms, "
        f"median {statistics.median(cpu) * 1000:.2f} ms"
    )
    log(f"wall per request (one client, no concurrency): median {statistics.median(wall) * 1000:.2f} ms")
    log(
        f"SQL statements per request (cursor executes; BEGIN and COMMIT not counted): "
        f"mean {statistics.mean(sql):.1f}, max {max(sql)}"
    )
    if profiler:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats(args.sort).print_stats(args.top)
        print(out.getvalue())
        print_by_package(stats, args.n)
        if args.dump:
            stats.dump_stats(args.dump)
    return 0


if __name__ == "__main__":
    sys.exit(main())
