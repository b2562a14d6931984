"""Replay the plans in several processes (the services' own cost is the bulk of a demo load).

Steps:

1. group the plans that touch each other — a merged call and its main order, a complaint and the repair
   it is about, every plan of one customer (repeat-call detection reads the customer's orders) — and deal
   the groups to the workers, largest first, to the one with the fewest steps so far;
2. fork the workers after the caller committed the county, staff and customers (each worker has its own
   connection and sees them); each replays its share in time order, every service call committing on
   its own (``synchronous_commit`` off: this is demo data), so no lock outlives one step;
3. intakes draw order numbers from one sequence, so they take turns in the global time order (a shared
   counter): the same seed gives the same numbers however the work is dealt;
4. if any worker fails, the others stop and the caller deletes the partial data.
"""

from __future__ import annotations

import multiprocessing
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from django.db import connection, connections

from powerdesk.demo.plans import Plan
from powerdesk.demo.runner import Entry, Runner, RunResult, intake_ranks

WAIT_SECONDS = 1.0


class Aborted(Exception):
    """Another worker failed: stop waiting for a turn that will never come."""


class SharedTurns:
    def __init__(self, ctx: Any) -> None:
        self.cond = ctx.Condition()
        self.counter = ctx.Value("q", 0, lock=False)
        self.aborted = ctx.Value("b", 0, lock=False)

    def wait(self, rank: int) -> None:
        with self.cond:
            while self.counter.value != rank:
                if self.aborted.value:
                    raise Aborted()
                self.cond.wait(WAIT_SECONDS)

    def done(self) -> None:
        with self.cond:
            self.counter.value += 1
            self.cond.notify_all()

    def abort(self) -> None:
        with self.cond:
            self.aborted.value = 1
            self.cond.notify_all()


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
    turns = SharedTurns(ctx)
    ranks = intake_ranks(plans, queue)
    shares = deal(plans, queue, workers)
    connections.close_all()  # a forked child must open its own connection, never share the parent's
    pipes: list[Connection] = []
    procs = []
    for k, share in enumerate(shares):
        here, there = ctx.Pipe()
        proc = ctx.Process(target=_worker, args=(k, plans, share, ranks, turns, there, progress), daemon=True)
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
            turns.abort()
    for proc in procs:
        proc.join()
    if failures:
        raise RuntimeError("the demo replay failed:\n" + "\n".join(failures))
    return total


def _worker(
    k: int,
    plans: list[Plan],
    share: list[Entry],
    ranks: dict[tuple[int, int], int],
    turns: SharedTurns,
    pipe: Connection,
    progress: Callable[[str], None],
) -> None:
    try:
        with connection.cursor() as cur:
            cur.execute("SET synchronous_commit TO OFF")
        runner = Runner(plans, lambda message: progress(f"[worker {k + 1}] {message}"), turns=turns)
        pipe.send(("done", runner.run(share, ranks)))
    except Aborted:
        pipe.send(("error", f"worker {k + 1} stopped because another worker failed"))
    except BaseException:
        turns.abort()
        pipe.send(("error", f"worker {k + 1} failed:\n{traceback.format_exc()}"))
    finally:
        connections.close_all()
