"""A sweep cycle splits the due clocks by order into slices swept at once, each step still taken once."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.db import connection
from django.utils import translation
from procrastinate.contrib.django.models import ProcrastinateJob

from powerdesk.core import clock
from powerdesk.notify.models import Notification
from powerdesk.sla import cycle
from powerdesk.sla.models import Clock, ClockKind
from powerdesk.sla.sweep import sweep
from powerdesk.sla.tasks import sla_sweep
from powerdesk.workorders.models import WorkOrder
from tests.notify.conftest import run_worker
from tests.sla.helpers import T0, many_dispatched_repairs

LATER = T0 + dt.timedelta(hours=3)  # one clock of each order below warned, breached and escalated twice
STEPS = 4  # per order, at LATER


@pytest.fixture
def pool_closed():
    yield
    cycle.close_connections()  # before the test database is flushed or dropped


def _sla_kinds(order):
    return sorted(order.events.filter(kind__startswith="sla_").values_list("kind", flat=True))


def _slice_backends(expected: int, seconds: float = 10) -> set[int]:
    """The pids of the pool's own connections to the test database (each names itself, so no autovacuum
    worker and no other client of a shared server is counted), once there are ``expected`` of them, or
    as they are after ``seconds``: a closed connection's backend leaves pg_stat_activity a moment after
    its client let go (an earlier test's pool, or this one's after close_connections)."""
    deadline = time.monotonic() + seconds
    while True:
        with connection.cursor() as cur:
            cur.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                " AND backend_type = 'client backend' AND application_name = %s",
                [cycle.APPLICATION_NAME],
            )
            pids = {row[0] for row in cur.fetchall()}
        if len(pids) == expected or time.monotonic() > deadline:
            return pids
        time.sleep(0.05)


def test_a_slice_takes_only_the_clocks_of_its_orders(users, county, customer, heads):
    orders = many_dispatched_repairs(users, county, customer, 4)
    even = sweep(now=LATER, slice_no=0, slices=2)
    touched = set(Clock.objects.filter(level__gt=0).values_list("order_id", flat=True))
    assert touched == {o.pk for o in orders if o.pk % 2 == 0}
    odd = sweep(now=LATER, slice_no=1, slices=2)
    assert set(Clock.objects.filter(level__gt=0).values_list("order_id", flat=True)) == {o.pk for o in orders}
    assert sweep(now=LATER).steps_taken == 0  # the two slices left nothing due
    assert (even.steps_taken, odd.steps_taken) == (STEPS * 2, STEPS * 2)


def test_a_slice_number_outside_the_slices_is_refused():
    with pytest.raises(ValueError):
        sweep(slice_no=2, slices=2)


def test_inside_a_transaction_the_cycle_is_one_sweep_in_it(users, county, customer, heads):
    """The pool's connections could not see this test's uncommitted orders: the cycle sweeps in the
    caller's."""
    orders = many_dispatched_repairs(users, county, customer, 3)
    result = cycle.sweep_cycle(now=LATER, slices=2)
    assert result.steps_taken == STEPS * len(orders)
    for order in orders:
        assert _sla_kinds(order).count("sla_breach") == 1


@pytest.mark.django_db(transaction=True)
def test_the_slices_sweep_on_connections_of_their_own_and_escalate_once(
    users, county, customer, heads, pool_closed
):
    orders = many_dispatched_repairs(users, county, customer, 6)
    result = cycle.sweep_cycle(now=LATER, slices=2)
    assert (result.examined, result.steps_taken, result.breached) == (6, STEPS * 6, 6)
    assert result.notifications == Notification.objects.filter(recipient_user__isnull=False).count() > 0
    pool = _slice_backends(2)
    assert len(pool) == 2  # the pool keeps its two connections for the next cycle
    again = cycle.sweep_cycle(now=LATER, slices=2)
    assert (again.examined, again.steps_taken) == (0, 0)
    assert _slice_backends(2) == pool  # … and used them again, opening none
    for order in WorkOrder.objects.filter(pk__in=[o.pk for o in orders]):
        kinds = _sla_kinds(order)
        assert (kinds.count("sla_warning"), kinds.count("sla_breach"), kinds.count("sla_escalation")) == (
            1,
            1,
            2,
        )
    keys = list(
        Notification.objects.filter(recipient_user__isnull=False).values_list("dedupe_key", flat=True)
    )
    assert len(keys) == len(set(keys))
    cycle.close_connections()
    assert _slice_backends(0) == set()


@pytest.mark.django_db(transaction=True)
def test_a_failing_slice_leaves_the_other_slices_steps_and_fails_the_cycle(
    users, county, customer, heads, pool_closed, monkeypatch
):
    orders = many_dispatched_repairs(users, county, customer, 4)

    def odd_slice_fails(*, slice_no, **kwargs):
        if slice_no == 1:
            raise RuntimeError("the odd slice's connection went away")
        return sweep(slice_no=slice_no, **kwargs)

    monkeypatch.setattr(cycle, "sweep", odd_slice_fails)
    with pytest.raises(RuntimeError, match="odd slice"):
        cycle.sweep_cycle(now=LATER, slices=2)
    swept = set(Clock.objects.filter(level__gt=0).values_list("order_id", flat=True))
    assert swept == {o.pk for o in orders if o.pk % 2 == 0}
    monkeypatch.undo()
    # The next cycle takes what the failed slice left, and nothing twice.
    result = cycle.sweep_cycle(now=LATER, slices=2)
    assert result.steps_taken == STEPS * len([o for o in orders if o.pk % 2 == 1])


@pytest.mark.django_db(transaction=True)
def test_the_slices_write_in_the_language_of_the_cycle(users, county, customer, heads, pool_closed):
    """The notifications' texts are the cycle's language (the events store codes, read in any language)."""
    [order] = many_dispatched_repairs(users, county, customer, 1)
    with translation.override("en"):
        cycle.sweep_cycle(now=LATER, slices=2)
    event = order.events.get(kind="sla_breach")
    kind = event.data["clock"]
    with translation.override("en"):
        english = str(ClockKind(kind).label)
    assert english != str(ClockKind(kind).label)  # the default language is Chinese
    notification = Notification.objects.get(order=order, template__code="sla_breached")
    assert notification.context["clock"] == english


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_the_periodic_sweep_in_slices(users, county, customer, heads, pool_closed, settings):
    settings.POWERDESK_SWEEP_SLICES = 2
    orders = many_dispatched_repairs(users, county, customer, 4)  # taken at T0, long overdue by now
    sla_sweep.defer(timestamp=int(clock.now().timestamp()))
    run_worker(queues=("sla",))
    # this job, and the periodic one the worker's deferrer adds for the current tick
    jobs = list(ProcrastinateJob.objects.filter(task_name=sla_sweep.name).values_list("status", flat=True))
    assert jobs and set(jobs) == {"succeeded"}
    assert len(_slice_backends(2)) == 2  # the slices' connections, kept for the next cycle
    for order in orders:
        assert _sla_kinds(order).count("sla_breach") >= 1
