"""The demo's outages: a fault with calls linked to its one order, a planned outage with its notices
sent, a temporary one flagged for short notice, a storm registered with its script."""

from __future__ import annotations

from powerdesk.outages.models import KnownEvent, Outage, OutageCall


def test_the_demo_has_a_fault_outage_with_calls_and_a_planned_outage_with_notices(small_demo, db):
    fault = Outage.objects.get(kind="fault")
    calls = OutageCall.objects.filter(outage=fault)
    assert calls.count() >= 2 and fault.order is not None
    assert {c.contact.order_id for c in calls} == {fault.order_id}
    assert fault.etr_source == "crew"
    planned = Outage.objects.get(kind="planned")
    assert not planned.short_notice and planned.notices.exists()
    assert planned.notices.filter(notification_id__isnull=True).count() == 0
    assert Outage.objects.get(kind="temporary").short_notice
    assert KnownEvent.objects.filter(kind="storm").exclude(script="").exists()
