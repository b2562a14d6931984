"""The risk app is connected at every point of the order it uses (workorders never imports it)."""

from __future__ import annotations

from powerdesk.workorders import extensions as ext


def test_the_risk_app_is_connected_at_every_point_it_uses():
    assert "risk" in ext.contact_counted.owners()
    entries = {e.name: e for e in ext.transition_applied.entries()}
    # after the clocks moved: the score reads them
    assert entries["risk.score"].position > entries["sla.move_clocks"].position
    assert ext.transition_validators.get("risk.sensitive_evidence") is not None
    assert ext.attachment_holds.get("risk.sensitive_customer") is not None
    assert {e.name: e.value.slot for e in ext.order_panels.entries()}["risk.score"] == "aside"
    assert ext.detail_fields.get("risk") is not None
    assert ext.kind_label("risk_alert") != "risk_alert"
    assert ext.event_presenters.get("risk.alerts") is not None


def test_the_customer_page_gets_the_customers_risk():
    from powerdesk.customers.extensions import customer_panels

    assert {e.name: e.owner for e in customer_panels.entries()}["risk.customer"] == "risk"
