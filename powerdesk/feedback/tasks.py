"""Jobs of the feedback app. Thin: they call the services."""

from __future__ import annotations

from typing import Any

from procrastinate.contrib.django import app

from powerdesk.feedback import campaigns, services


@app.task(queue="feedback")
def reopen_after_callback(*, order_id: int, actor_id: int, version: int, reason: str) -> None:
    """Re-open an order whose callback the rule says must lead to a re-open."""
    services.callback_reopen(order_id=order_id, actor_id=actor_id, version=version, reason=reason)


@app.task(queue="feedback")
def send_campaign_batch(*, campaign_id: int) -> dict[str, Any]:
    """Send the next batch of a survey campaign; the batch defers the next one until the group is done."""
    return campaigns.campaign_send_batch(campaign_id=campaign_id)
