"""Storm-day benchmark: a city of 1,000,000 customers under 20,000 transformers takes the worst day on record
(about 214,000 calls; the busiest 5 minutes at 12 × the day's average, ≈ 30 calls/s) through
``POST /api/v1/workorders/``, with a few hundred real outages behind the calls.

``make bench-storm`` (= ``.venv/bin/python bench/storm.py``):

1. seeds its own embedded PostgreSQL under ``var/bench-storm`` (bench/seed.py's units, customers and
   history, then the supply network of bench/storm_seed.py; reseeded when a run has dirtied it);
2. switches storm mode on and starts gunicorn as ``powerdesk run`` does, and the Procrastinate worker
   (``powerdesk worker``: the prediction checks are its jobs);
3. replays the storm day (bench/storm_plan.py), open loop, latency measured from each call's due time;
4. measures the saturation rate twice: the plain intake (non-fault calls, prediction rules off) and the
   storm's calls with the outage lookup and the prediction on;
5. prints the latencies in the peak, the two rates, how long after its N-th call each outage was
   predicted, and how many calls were linked rather than dispatched (and how many wrongly).

The clock: the server reads real time (``powerdesk.core.clock`` has no offset a running server honours),
so the simulated clock is the schedule's: the peak segment runs at ``--speed`` × real time (1 by
default: the real rate) and the quiet hours are compressed. The prediction windows and timers
(``PredictionRule`` rows: T, probable-after, proof validity) are divided by ``--speed`` for the run and
restored after; in the compressed quiet hours a window therefore spans more simulated time than T.

Options: ``--customers``, ``--transformers``, ``--calls``, ``--outages``, ``--scale`` (multiplies all four:
``--scale 0.05`` is a 50,000-customer city), ``--peak-minutes``, ``--speed``, ``--quiet-rate``, ``--sat-seconds``,
``--seed-only``, ``--keep-server``. At full scale ``--quiet-rate 50`` sends the day in ~2 h 10 min; keep the
quiet rate well under what the host takes (the saturation phase's rate; ~145 requests/s on the 2-core VM):
an open-loop sender above it falls behind, and the worker with it.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault(
    "BENCH_VAR_DIR",
    os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "var", "bench-storm"),
)

import common
import storm_plan
import storm_report
import storm_seed
from common import REPO, log
from loadgen import Client
from seed_data import MIX, account_no, phone_for

FAULT_TEXT = "客户来电反映家中突然停电，邻居家也没电，请尽快派人抢修。"
POOL = 48


def fault_mix() -> list[int]:
    return [i for i, m in enumerate(MIX) if m[0] == "repair" and m[1] == "fault_repair"]


def body_for(call: storm_plan.Call, addresses: dict[int, str], *, plain: bool = False) -> bytes:
    if call.fault and plain:
        btype, topic, sub = "consultation", "outage_info", "consult_outage"
        text = "客户咨询所在小区停电原因及预计恢复送电时间。"
    elif call.fault:
        btype, topic, sub, text = "repair", "fault_repair", "repair_lv", FAULT_TEXT
    else:
        btype, topic, sub, _w, text = MIX[call.mix]
    body = {
        "business_type": btype,
        "topic": topic,
        "sub_type": sub,
        "channel": "95598",
        "caller_phone": phone_for(call.customer),
        "description": text,
    }
    if call.address_only and not plain:
        body["address"] = addresses.get(call.customer, "")
    else:
        body["customer"] = account_no(call.customer)
    return json.dumps(body, ensure_ascii=False).encode()


# --- the sender -------------------------------------------------------------------------------------


def send_paced(url: str, token: str, schedule: list[tuple[float, bytes]], prefix: str) -> list[dict]:
    """Open loop: item i is sent at start + its real offset whatever happened before; latency from that
    due time. Returns per item: status, latency, done (wall clock), the answer's outage link."""
    results: list[dict] = [{} for _ in schedule]
    jobs: queue.Queue[tuple[int, float] | None] = queue.Queue()

    def worker() -> None:
        client = Client(url, token)
        while (job := jobs.get()) is not None:
            i, due = job
            try:
                status, data = client.post(schedule[i][1], f"{prefix}-{i}")
            except OSError as exc:
                status, data = -1, str(exc).encode()
            done = time.perf_counter()
            results[i] = {
                "status": status,
                "latency": done - due,
                "done": time.time(),
                **_answer(status, data),
            }

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(POOL)]
    for t in threads:
        t.start()
    start = time.perf_counter() + 0.5
    last_log = time.perf_counter()
    for i, (offset, _body) in enumerate(schedule):
        due = start + offset
        delay = due - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        jobs.put((i, due))
        if time.perf_counter() - last_log > 30:
            last_log = time.perf_counter()
            log(f"  sent {i + 1:,} of {len(schedule):,} calls")
    for _ in threads:
        jobs.put(None)
    for t in threads:
        t.join(timeout=120)
    return results


def _answer(status: int, data: bytes) -> dict:
    if not 200 <= status < 300:
        return {"error": data[:200].decode(errors="replace")}
    try:
        intake = json.loads(data).get("intake") or {}
    except ValueError:
        return {}
    outage = (intake.get("extra") or {}).get("outage") or {}
    return {
        "created": bool(intake.get("created")),
        "linked": outage.get("number") if outage.get("linked") else None,
        "candidates": len(outage.get("candidates") or []),
    }


def send_closed(url: str, token: str, bodies: list[bytes], seconds: float, connections: int) -> dict:
    """Closed loop at saturation: each connection sends its next call as soon as the last returns."""
    prefix = f"sat-{uuid.uuid4().hex[:10]}"
    lock = threading.Lock()
    latencies: list[float] = []
    errors: list[str] = []
    deadline = time.perf_counter() + seconds

    def worker(w: int) -> None:
        client = Client(url, token)
        n = w
        while time.perf_counter() < deadline:
            began = time.perf_counter()
            try:
                status, data = client.post(bodies[n % len(bodies)], f"{prefix}-{w}-{n}")
            except OSError as exc:
                status, data = -1, str(exc).encode()
            with lock:
                latencies.append(time.perf_counter() - began)
                if not 200 <= status < 300 and len(errors) < 3:
                    errors.append(f"{status}: {data[:200].decode(errors='replace')}")
            n += connections

    began = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(w,)) for w in range(connections)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    wall = time.perf_counter() - began
    return {
        "requests": len(latencies),
        "rate": len(latencies) / wall,
        "p50": common.percentile(latencies, 50),
        "p99": common.percentile(latencies, 99),
        "errors": errors,
    }


# --- the server side --------------------------------------------------------------------------------


def start_worker() -> subprocess.Popen:
    """The Procrastinate worker as ``powerdesk run`` starts it."""
    from powerdesk import launcher

    env = {**launcher.environ(launcher.Role.APP), "DJANGO_SETTINGS_MODULE": "powerdesk.settings"}
    out = open(common.BENCH_VAR_DIR / "storm-worker.log", "ab")  # noqa: SIM115  (the worker's, for its life)
    proc = subprocess.Popen(
        [sys.executable, "-m", "powerdesk.cli", "worker"],
        env=env,
        cwd=REPO,
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    log(f"started the Procrastinate worker (pid {proc.pid}; output in {out.name})")
    return proc


def stop_process(proc: subprocess.Popen | None, name: str) -> None:
    if proc is not None and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log(f"stopped {name}")


def jobs_waiting(queue_name: str | None = None) -> int:
    """Jobs due and not done (of one queue, or all)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing') AND coalesce(scheduled_at, now()) <= now()"
            " AND (%s::text IS NULL OR queue_name = %s)",
            [queue_name, queue_name],
        )
        return int(cur.fetchone()[0])


def drain_jobs(max_wait: float = 300.0, *, everything: bool = False) -> int:
    """Wait (bounded) for the worker to finish the prediction checks (or all its jobs); returns those
    left."""
    deadline = time.monotonic() + max_wait
    last = 0.0
    while (n := jobs_waiting(None if everything else "outages")) and time.monotonic() < deadline:
        if time.monotonic() - last > 10:
            last = time.monotonic()
            log(f"  waiting for the worker: {jobs_by_queue()}")
        time.sleep(1)
    return n


def jobs_by_queue() -> str:
    """The jobs due and not done, per queue and task (what a drain waits for)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT queue_name, task_name, count(*) FROM procrastinate_jobs"
            " WHERE status IN ('todo', 'doing') AND coalesce(scheduled_at, now()) <= now()"
            " GROUP BY 1, 2 ORDER BY 3 DESC"
        )
        rows = cur.fetchall()
    return ", ".join(f"{n} {task.rsplit('.', 1)[-1]} ({queue})" for queue, task, n in rows) or "none"


class Backlog:
    """Samples the worker's queue every 2 s while the day is replayed: the most jobs waiting."""

    def __init__(self) -> None:
        self.most = {"all": 0, "outages": 0}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        from django.db import connection

        try:
            while not self._stop.wait(2.0):
                self.most["all"] = max(self.most["all"], jobs_waiting())
                self.most["outages"] = max(self.most["outages"], jobs_waiting("outages"))
        finally:
            connection.close()

    def __enter__(self) -> Backlog:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def scale_rules(speed: float) -> list[tuple[int, int, int, int]]:
    """Divide the prediction windows and timers by ``speed``; returns the originals to restore."""
    from powerdesk.core import refcache
    from powerdesk.outages.models import PredictionRule

    saved = []
    for rule in PredictionRule.objects.all():
        saved.append((rule.pk, rule.window_minutes, rule.probable_after_minutes, rule.proof_valid_minutes))
        if speed != 1:
            PredictionRule.objects.filter(pk=rule.pk).update(
                window_minutes=max(1, round(rule.window_minutes / speed)),
                probable_after_minutes=max(1, round(rule.probable_after_minutes / speed)),
                proof_valid_minutes=max(1, round(rule.proof_valid_minutes / speed)),
            )
    refcache.clear()
    return saved


def restore_rules(saved: list[tuple[int, int, int, int]]) -> None:
    from powerdesk.core import refcache
    from powerdesk.outages.models import PredictionRule

    for pk, window, probable, proof in saved:
        PredictionRule.objects.filter(pk=pk).update(
            window_minutes=window, probable_after_minutes=probable, proof_valid_minutes=proof, is_active=True
        )
    refcache.clear()


def set_rules_active(on: bool) -> None:
    from powerdesk.core import refcache
    from powerdesk.outages.models import PredictionRule

    PredictionRule.objects.update(is_active=on)
    refcache.clear()


def storm_figures() -> dict:
    from powerdesk.outages.prediction import figures_at

    figures = figures_at(None)
    return figures.as_data() if figures else {}


def addresses_of(customer_ids: set[int]) -> dict[int, str]:
    from powerdesk.customers.models import Customer

    return dict(Customer.objects.filter(pk__in=customer_ids).values_list("pk", "address"))


def high_water() -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT coalesce((SELECT max(id) FROM workorders_workorder), 0),"
            " coalesce((SELECT max(id) FROM workorders_contact), 0)"
        )
        orders, contacts = cur.fetchone()
    return {"order": orders, "contact": contacts}


# --- main -------------------------------------------------------------------------------------------


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # stop the server, the worker and the database on the way out


def main() -> int:
    signal.signal(signal.SIGTERM, _terminate)
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--transformers", type=int, default=20_000)
    parser.add_argument("--calls", type=int, default=214_000, help="calls in the storm day")
    parser.add_argument("--outages", type=int, default=600, help="real outages behind the calls")
    parser.add_argument("--orders", type=int, default=None, help="historical orders (default: customers / 5)")
    parser.add_argument(
        "--scale", type=float, default=1.0, help="multiplies customers, transformers, calls, outages"
    )
    parser.add_argument(
        "--address-share", type=float, default=0.08, help="fault callers giving only an address"
    )
    parser.add_argument("--peak-minutes", type=float, default=60, help="simulated minutes around the peak")
    parser.add_argument("--speed", type=float, default=1.0, help="the peak segment's speed-up (1: real rate)")
    parser.add_argument(
        "--quiet-rate",
        type=float,
        default=None,
        help="calls/s for the compressed quiet hours (default: the peak segment's mean rate)",
    )
    parser.add_argument("--sat-seconds", type=float, default=30, help="seconds of each saturation phase")
    parser.add_argument("--connections", type=int, default=12, help="connections at saturation")
    parser.add_argument("--seed-only", action="store_true")
    parser.add_argument("--keep-server", action="store_true", help="leave the embedded PostgreSQL running")
    args = parser.parse_args()
    customers = int(args.customers * args.scale)
    layout = storm_seed.layout_for(customers, int(args.transformers * args.scale))
    calls = int(args.calls * args.scale)
    outages = max(1, int(args.outages * args.scale))
    orders = args.orders if args.orders is not None else customers // 5

    facts = common.machine_facts()
    log(f"machine: {facts.get('cpu', '?')}, nproc {facts['nproc']}, memory {facts.get('memory', '?')}")
    plan = storm_plan.build(
        layout=layout,
        calls=calls,
        outages=outages,
        address_share=args.address_share,
        peak_minutes=args.peak_minutes,
        speed=args.speed,
        quiet_rate=args.quiet_rate,
        mix_weights=[m[3] for m in MIX],
        fault_mix=fault_mix(),
    )
    log(
        f"storm day: {len(plan.calls):,} calls, {len(plan.outages)} real outages; busiest 5 minutes from"
        f" {storm_plan.hhmm(plan.peak_start)} at {plan.peak_ratio:.1f} × the day's average; "
        f"{storm_plan.hhmm(plan.segment[0])}-{storm_plan.hhmm(plan.segment[1])} at {plan.speed:g} × real time,"
        f" the rest compressed {plan.quiet_factor:.1f} ×: {plan.real_seconds / 60:.1f} minutes to send"
    )
    log(f"bench data under {common.BENCH_VAR_DIR}")
    common.django_setup()
    server = worker = None
    saved_rules = None
    failed = False
    try:
        common.migrate()
        from django.db import connection
        from seed import seed

        with connection.cursor() as cur:
            cur.execute(
                "CREATE TABLE IF NOT EXISTS bench_storm_seed (customers bigint, transformers bigint, dirty bool)"
            )
            cur.execute("SELECT dirty FROM bench_storm_seed")
            row = cur.fetchone()
            if row and row[0]:
                storm_seed.mark_dirty(cur)  # a run wrote orders and outages: seed afresh
        took = seed(layout.customers, orders)
        with connection.cursor() as cur:
            grid_ok = storm_seed.grid_seeded(cur, layout)
        if took is not None or not grid_ok:
            storm_seed.seed_grid(layout)
        storm_seed.reference_rows()
        if args.seed_only:
            return 0

        from powerdesk.outages.models import StormMode
        from powerdesk.outages.prediction import storm_mode_start

        user = common.bench_user(common.AGENT_USERNAME, "agent", "B01")
        token = common.token_for(user)
        saved_rules = scale_rules(args.speed)
        StormMode.objects.filter(ended_at__isnull=True).delete()
        storm_mode_start(actor=user, note="bench storm")
        figures = storm_figures()
        log(f"storm mode on; prediction figures in force: {figures}")
        addresses = addresses_of({c.customer for c in plan.calls if c.address_only})
        with connection.cursor() as cur:
            storm_seed.mark_dirty(cur)
        before = high_water()

        worker = start_worker()
        server = common.start_gunicorn()
        url = f"{server.base_url}/api/v1/workorders/"
        warm = send_closed(url, token, [body_for(c, addresses, plain=True) for c in plan.calls[:50]], 3, 4)
        log(f"warm-up: {warm['requests']} requests {warm['errors'] or ''}")
        common.wait_for_quiet(max_wait=60)

        schedule = [(c.real, body_for(c, addresses)) for c in plan.calls]
        started_wall = time.time()
        log(f"replaying the storm day: {len(schedule):,} calls over {plan.real_seconds / 60:.1f} minutes")
        with Backlog() as backlog:
            results = send_paced(url, token, schedule, f"storm-{uuid.uuid4().hex[:10]}")
        left = drain_jobs()
        day = storm_report.report_day(plan, layout, results, figures, before, started_wall)
        day.lines.append(
            f"   worker backlog      at most {backlog.most['all']:,} jobs waiting during the day"
            f" ({backlog.most['outages']:,} prediction checks); {left} checks still waiting when counted"
        )

        # Saturation: the plain intake, then the storm's calls with lookup and prediction on.
        peak_calls = [c for c in plan.calls if plan.segment[0] <= c.sim < plan.segment[1]] or plan.calls
        server.stop()
        set_rules_active(False)
        server = common.start_gunicorn()
        drain_jobs(everything=True)  # the day's backlog would be measured as the neighbours' load
        common.wait_for_quiet(max_wait=60)
        plain = send_closed(
            f"{server.base_url}/api/v1/workorders/",
            token,
            [body_for(c, addresses, plain=True) for c in peak_calls],
            args.sat_seconds,
            args.connections,
        )
        server.stop()
        set_rules_active(True)
        server = common.start_gunicorn()
        drain_jobs(everything=True)
        common.wait_for_quiet(max_wait=60)
        storm = send_closed(
            f"{server.base_url}/api/v1/workorders/",
            token,
            [body_for(c, addresses) for c in reversed(peak_calls)],
            args.sat_seconds,
            args.connections,
        )
        failed = storm_report.report_summary(day, plain, storm, facts)
    finally:
        stop_process(worker, "the worker")
        if server is not None:
            server.stop()
        if saved_rules is not None:
            restore_rules(saved_rules)
        if not args.keep_server:
            common.stop_database()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
