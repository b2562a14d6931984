"""The training job, on a queue of its own so that it never holds up the SLA sweep. Thin."""

from __future__ import annotations

from django.db import close_old_connections
from procrastinate.contrib.django import app

from powerdesk.triage.models import TrainingRun
from powerdesk.triage.services import model_train


@app.task(queue="triage", pass_context=False)
def train_model(*, run_id: int, activate_if_none: bool = False) -> int | None:
    close_old_connections()
    try:
        run = TrainingRun.objects.filter(pk=run_id).first()
        if run is None:
            return None
        return model_train(run=run, activate_if_none=activate_if_none).pk
    finally:
        close_old_connections()
