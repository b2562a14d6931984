"""Periodic jobs of the SLA app. Thin: they call the sweep."""

from __future__ import annotations

from procrastinate.contrib.django import app

from powerdesk.sla.sweep import sweep


@app.periodic(cron="* * * * * */30", periodic_id="sla_sweep")
@app.task(queue="sla", queueing_lock="sla_sweep", pass_context=False)
def sla_sweep(timestamp: int) -> dict[str, int]:
    result = sweep()
    return {"examined": result.examined, "steps": result.steps_taken, "breached": result.breached}
