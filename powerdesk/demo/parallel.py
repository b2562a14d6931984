"""Replay the plans in several processes (the services' own cost is the bulk of a demo load).

Steps:

1. group the plans that touch each other — a merged call and its main order, a complaint and the repair
   it is about, every plan of one customer (repeat-call detection reads the customer's orders) — and deal
   the groups to the workers, largest first, to the one with the fewest steps so far;
2. fork the workers after the caller committed the county, staff and customers (each worker has its own
   connection and sees them); each replays its share in time order, every service call committing on
   its own (``synchronous_commit`` off: this is demo data), so no lock outlives one step;
3. order numbers: the services draw them with ``nextval('workorder_number_seq')``. Each worker creates a
   temporary sequence of that name — PostgreSQL looks relations up in the session's temporary schema
   first; the worker creates it before its first intake, so the intake's prepared statement resolves
   the name to it — and sets it to the intake's rank before every intake (:class:`RankedNumbers`), so every
   order gets the number a one-process load gives it and no worker waits for another. After every
   intake the worker checks that the number came from its sequence, so a change in how the services
   number orders stops the load instead of numbering it by chance; at the end the real sequence is
   moved past the numbers used;
4. if any worker fails, the others stop and the caller deletes the partial data.

No worker waits for another's intakes: each replays its own share in time order.
"""

from __future__ import annotations

import multiprocessing
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from django.db import connection, connections

from powerdesk.demo.plans import Plan
from powerdesk.demo.runner import Entry, Runner, RunResult, Stopped, intake_ranks


class NumberingChanged(RuntimeError):
    """An intake did not draw its number from the worker's sequence: the services number orders in
    another way now, and this module has to follow."""


class RankedNumbers:
    """A worker's order numbers: the opening intake of rank r draws r + 1 (see step 3 above)."""

    def __init__(self, failed: Any) -> None:
        self.failed = failed  # a multiprocessing Event shared by the workers

    def start(self) -> None:
        with connection.cursor() as cur:
            cur.execute("CREATE TEMPORARY SEQUENCE workorder_number_seq")

    def prepare(self, rank: int) -> None:
        with connection.cursor() as cur:
            cur.execute("SELECT setval('pg_temp.workorder_number_seq', %s, false)", [rank + 1])

    def confirm(self, rank: int) -> None:
        with connection.cursor() as cur:
            cur.execute("SELECT last_value, is_called FROM pg_temp.workorder_number_seq")
            last_value, is_called = cur.fetchone()
        if not is_called or last_value != rank + 1:
            raise NumberingChanged(
                f"intake {rank + 1} did not draw its order number from nextval('workorder_number_seq'): "
                "the parallel demo replay (powerdesk/demo/parallel.py) relies on it; "
                "use --workers 1 until it is updated"
            )

    def stopped(self) -> bool:
        return bool(self.failed.is_set())


def plan_groups(plans: list[Plan]) -> list[list[int]]:
    """Plan indices that must be replayed by the same worker, as connected groups (union–find)."""
    parent = list(range(len(plans)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    first_of_customer: dict[int, int] = {}
    for plan in plans:
        for other in (plan.parent, plan.related):
            if other is not None:
                union(plan.index, other.index)
        key = plan.dc.customer.pk
        union(plan.index, first_of_customer.setdefault(key, plan.index))
    groups: dict[int, list[int]] = {}
    for plan in plans:
        groups.setdefault(find(plan.index), []).append(plan.index)
    return list(groups.values())


def deal(plans: list[Plan], queue: list[Entry], workers: int) -> list[list[Entry]]:
    """Each worker's share of the queue (still in time order), balanced by number of steps."""
    steps: dict[int, int] = {}
    for _at, index, _i in queue:
        steps[index] = steps.get(index, 0) + 1
    groups = sorted(plan_groups(plans), key=lambda g: (-sum(steps.get(i, 0) for i in g), g[0]))
    load = [0] * workers
    owner: dict[int, int] = {}
    for group in groups:
        k = min(range(workers), key=lambda w: (load[w], w))
        load[k] += sum(steps.get(i, 0) for i in group)
        for i in group:
            owner[i] = k
    shares: list[list[Entry]] = [[] for _ in range(workers)]
    for entry in queue:
        shares[owner[entry[1]]].append(entry)
    return shares


def run_parallel(
    plans: list[Plan], queue: list[Entry], workers: int, progress: Callable[[str], None]
) -> RunResult:
    """Replay ``queue`` in ``workers`` processes. The caller must have committed everything they read."""
    ctx = multiprocessing.get_context("fork")
    failed = ctx.Event()
    ranks = intake_ranks(plans, queue)
    shares = deal(plans, queue, workers)
    connections.close_all()  # a forked child must open its own connection, never share the parent's
    pipes: list[Connection] = []
    procs = []
    for k, share in enumerate(shares):
        here, there = ctx.Pipe()
        args = (k, plans, share, ranks, failed, there, progress)
        proc = ctx.Process(target=_worker, args=args, daemon=True)
        proc.start()
        there.close()
        pipes.append(here)
        procs.append(proc)
    total = RunResult()
    failures: list[str] = []
    for k, pipe in enumerate(pipes):
        try:
            kind, payload = pipe.recv()
        except EOFError:
            kind, payload = "error", f"worker {k + 1} exited without a report"
        if kind == "done":
            total.add(payload)
        else:
            failures.append(payload)
            failed.set()
    for proc in procs:
        proc.join()
    if failures:
        raise RuntimeError("the demo replay failed:\n" + "\n".join(failures))
    if ranks:
        with connection.cursor() as cur:  # the next order after the demo continues the numbering
            cur.execute("SELECT setval('workorder_number_seq', %s)", [len(ranks)])
    return total


def _worker(
    k: int,
    plans: list[Plan],
    share: list[Entry],
    ranks: dict[tuple[int, int], int],
    failed: Any,
    pipe: Connection,
    progress: Callable[[str], None],
) -> None:
    try:
        with connection.cursor() as cur:
            cur.execute("SET synchronous_commit TO OFF")
        numbers = RankedNumbers(failed)
        numbers.start()
        runner = Runner(plans, lambda message: progress(f"[worker {k + 1}] {message}"), numbering=numbers)
        pipe.send(("done", runner.run(share, ranks)))
    except Stopped:
        pipe.send(("error", f"worker {k + 1} stopped because another worker failed"))
    except BaseException:
        failed.set()
        pipe.send(("error", f"worker {k + 1} failed:\n{traceback.format_exc()}"))
    finally:
        connections.close_all()
