"""Jobs of the applications app. Thin: they call the integration's send."""

from __future__ import annotations

import procrastinate
from procrastinate.contrib.django import app

from powerdesk.applications.integration import marketing_send
from powerdesk.notify.transports import TransientError

MARKETING_RETRY = procrastinate.RetryStrategy(
    max_attempts=6, exponential_wait=3, retry_exceptions=[TransientError]
)


@app.task(queue="notify", retry=MARKETING_RETRY)
def notify_marketing(*, step_id: int) -> str:
    """Tell the marketing system (营销系统) that a step of an application completed."""
    return marketing_send(step_id=step_id)
