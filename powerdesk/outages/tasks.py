"""Jobs of the outages app: the notice sweep, the prediction check and sweep. Thin: they call services."""

from __future__ import annotations

from django.db import close_old_connections
from procrastinate.contrib.django import app

from powerdesk.outages import prediction
from powerdesk.outages.services import notices_sweep


@app.periodic(cron="*/5 * * * *", periodic_id="outage_notices")
@app.task(queue="outages", queueing_lock="outage_notices", pass_context=False)
def outage_notices(timestamp: int) -> dict[str, int]:
    """Every 5 minutes: repeat notices go out shortly before their outage; late ones are flagged."""
    close_old_connections()
    try:
        return {"outages": notices_sweep()}
    finally:
        close_old_connections()


@app.task(queue="outages", pass_context=False)
def predict_transformer(*, transformer_id: int) -> str | None:
    """Deferred by a fault intake whose callers may reach a threshold: predict (and roll up) if so."""
    outage = prediction.transformer_check(transformer_id=transformer_id)
    return outage.number if outage is not None else None


@app.periodic(cron="* * * * *", periodic_id="outage_predictions")
@app.task(queue="outages", queueing_lock="outage_predictions", pass_context=False)
def outage_predictions(timestamp: int) -> dict[str, int]:
    """Every minute: predictions past their time become probable; transformers near a threshold are
    checked again."""
    close_old_connections()
    try:
        return prediction.predictions_sweep()
    finally:
        close_old_connections()
