"""Periodic jobs of the SLA app. Thin: they call the sweep."""

from __future__ import annotations

import time

from django.db import close_old_connections
from procrastinate.contrib.django import app

from powerdesk.core import metrics
from powerdesk.sla.cycle import sweep_cycle


@app.periodic(cron="* * * * * */30", periodic_id="sla_sweep")
@app.task(queue="sla", queueing_lock="sla_sweep", pass_context=False)
def sla_sweep(timestamp: int) -> dict[str, int]:
    """Every 30 s, in slices swept at once (:mod:`powerdesk.sla.cycle`). Several workers may run it:
    periodic deferral makes one job per tick, and the sweep's row locks make even overlapping runs take
    each step once."""
    close_old_connections()  # a long-lived worker must not reuse a connection the server has dropped
    started = time.perf_counter()
    try:
        result = sweep_cycle()
    finally:
        metrics.SWEEP_SECONDS.observe(time.perf_counter() - started)  # the cycle time on /metrics
        close_old_connections()
    metrics.SWEEP_STEPS.inc(result.steps_taken)
    return {"examined": result.examined, "steps": result.steps_taken, "breached": result.breached}
