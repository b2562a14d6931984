"""One sweep cycle: the due clocks split into slices by order id, the slices swept at once.

A cycle's cost is the database's (:mod:`powerdesk.sla.sweep`: two statements per transaction, one backend
busy for their length). Split by ``order_id mod slices``, the slices lock disjoint orders, so their
transactions never wait on one another, and each runs on a connection of its own in a thread of a small
pool kept for the worker's life (its connections are reused from one cycle to the next). The cycle ends
when every slice has committed or failed; a failed slice leaves the others' steps committed, and its own
clocks are still due for the next cycle. Several workers stay safe as before: a slice skips the orders
another sweep holds.

Inside a caller's transaction (a test, a management shell), the pool's connections could not see that
transaction's rows: the cycle is then one sweep, in it.
"""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import close_old_connections, connection, connections
from django.utils import translation

from powerdesk.core import clock
from powerdesk.sla.sweep import SweepResult, sweep

# The pool's connections name themselves, so an operator (or a test) can tell them from the others in
# pg_stat_activity.
APPLICATION_NAME = "powerdesk-sla-slice"


def sweep_cycle(
    *, now: dt.datetime | None = None, batch: int = 1000, slices: int | None = None
) -> SweepResult:
    """Sweep every slice once at ``now`` (up to ``batch`` due clocks each); the results added up. Raises the
    first slice's error, after every slice has finished."""
    slices = slices or settings.POWERDESK_SWEEP_SLICES
    now = now or clock.now()
    if slices == 1 or connection.in_atomic_block:
        return sweep(now=now, batch=batch)
    language = translation.get_language()  # the events' notes and the notifications' labels
    futures = [_pool(slices).submit(_sweep_slice, now, batch, k, slices, language) for k in range(slices)]
    total, error = SweepResult(), None
    for future in futures:
        try:
            total += future.result()
        except Exception as exc:  # the other slices' work stands; the first error is the job's
            error = error or exc
    if error is not None:
        raise error
    return total


def close_connections() -> None:
    """Close the pool threads' database connections (tests, before their database goes away)."""
    with _lock:
        if _state.pool is not None:
            _close(_state.pool, _state.size)


def _sweep_slice(
    now: dt.datetime, batch: int, slice_no: int, slices: int, language: str | None
) -> SweepResult:
    close_old_connections()  # a connection the server dropped, or older than CONN_MAX_AGE, is replaced
    _name_connection()
    with translation.override(language):
        return sweep(now=now, batch=batch, slice_no=slice_no, slices=slices)


def _name_connection() -> None:
    connection.ensure_connection()
    raw = connection.connection
    if getattr(raw, "_powerdesk_named", False):
        return
    with connection.cursor() as cur:
        cur.execute("SELECT set_config('application_name', %s, false)", [APPLICATION_NAME])
    raw._powerdesk_named = True  # type: ignore[union-attr]


class _State:
    pool: ThreadPoolExecutor | None = None
    size = 0


_state = _State()
_lock = threading.Lock()


def _pool(size: int) -> ThreadPoolExecutor:
    with _lock:
        if _state.size != size:
            if _state.pool is not None:
                _close(_state.pool, _state.size)
                _state.pool.shutdown()
            _state.pool = ThreadPoolExecutor(max_workers=size, thread_name_prefix="sla-sweep")
            _state.size = size
        assert _state.pool is not None
        return _state.pool


def _close(pool: ThreadPoolExecutor, size: int) -> None:
    # One task per thread: each waits at the barrier until every thread holds one, so no thread takes two
    # (a thread the pool has not started yet starts for its task).
    barrier = threading.Barrier(size)

    def close() -> None:
        barrier.wait(timeout=30)
        connections.close_all()

    for future in [pool.submit(close) for _ in range(size)]:
        future.result()
