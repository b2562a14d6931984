"""The apps above the order plug in through the registries of workorders.extensions: each is connected
once the apps are loaded, and the order works through them."""

from __future__ import annotations

import pytest

from powerdesk.core.extensions import Panel, Registry
from powerdesk.customers.extensions import customer_detail_fields, customer_panels
from powerdesk.workorders import extensions as ext
from powerdesk.workorders.choices import EventKind


def test_the_sla_app_is_connected_at_every_point_it_uses():
    assert "sla" in ext.order_opening.owners() and "sla" in ext.order_opened.owners()
    assert "sla" in ext.transition_applied.owners()
    assert [i.name for i in ext.inputs_of("suspend")] == ["reason_code"]
    panels = {e.name: e.value for e in ext.order_panels.entries()}
    assert panels["sla.next_clock"].slot == "due" and panels["sla.clocks"].slot == "aside"
    assert ext.detail_fields.get("clocks") is not None
    assert {"sla_warning", "sla_breach", "sla_escalation"} <= {e.name for e in ext.event_kinds.entries()}
    assert {"sla.clock_changes", "sla.steps"} <= {e.name for e in ext.event_presenters.entries()}


def test_the_notify_app_is_connected_at_every_point_it_uses():
    assert "notify" in ext.order_opened.owners() and "notify" in ext.transition_applied.owners()
    assert ext.order_panels.get("notify.customer_messages") is not None
    assert ext.detail_fields.get("customer_messages") is not None
    assert customer_panels.get("notify.opt_outs") is not None
    assert customer_detail_fields.get("opt_outs") is not None


def test_the_feedback_app_is_connected_at_every_point_it_uses():
    assert "feedback" in ext.transition_applied.owners()
    assert ext.order_panels.get("feedback.callback") is not None
    assert {"callback_attempts", "survey", "follow_ups"} <= {e.name for e in ext.detail_fields.entries()}
    assert "survey_answered" in {e.name for e in ext.event_kinds.entries()}
    assert "feedback.present" in {e.name for e in ext.event_presenters.entries()}
    assert customer_panels.get("feedback.surveys") is not None


def test_the_knowledge_app_is_connected_at_every_point_it_uses():
    assert [i.name for i in ext.inputs_of("resolve")][-2:] == ["case", "script"]
    assert {"case", "script"} <= {i.name for i in ext.inputs_of("reply")}
    assert all(i.shape is not None for i in ext.inputs_of("resolve") if i.name in ("case", "script"))
    assert "knowledge" in ext.transition_applied.owners()
    assert ext.order_panels.get("knowledge.relevant_cases").slot == "aside"
    assert ext.order_panels.get("knowledge.scripts").slot == "aside"
    assert ext.intake_panels.get("knowledge.scripts").slot == "form"
    presenters = {e.name for e in ext.event_presenters.entries()}
    assert {"knowledge.citations", "knowledge.script_citations"} <= presenters


def test_the_outages_app_is_connected_at_every_point_it_uses():
    from powerdesk.grid.extensions import tree_columns

    # ordered: the outage link is asked before the repeat call (it beats a new dispatch); the fault calls
    # it did not link are placed on their transformer (never answering) before the repeat call decides
    assert [e.name for e in ext.intake_resolvers.entries()] == [
        "outage_link",
        "fault_call_place",
        "repeat_call",
    ]
    assert ext.order_panels.get("outages.outage") is not None and ext.detail_fields.get("outage") is not None
    assert ext.order_panels.get("outages.customer_powered").slot == "aside"
    assert customer_panels.get("outages.main").slot == "main"
    assert customer_panels.get("outages.intake").slot == "intake"
    assert customer_detail_fields.get("outages") is not None
    assert tree_columns.get("outages.marks") is not None
    assert "outage_call" in {e.name for e in ext.event_kinds.entries()}
    from powerdesk.notify.extensions import delivery_reported

    assert "outages" in delivery_reported.owners()


@pytest.mark.django_db
def test_a_resolution_that_does_not_decide_adds_to_the_answer_and_the_next_resolver_decides(
    users, county, customer
):
    from tests.workorders.helpers import intake

    first = intake(users, customer)
    note = ext.Resolution(decides=False, extra={"note": "先读这段口径"})
    ext.intake_resolvers.register("test", "a_note", lambda c: note, position=1)
    try:
        from powerdesk.workorders import services as s
        from tests.factories import topic

        result = s.workorder_intake(
            actor=users["agent"],
            business_type="repair",
            topic=topic("fault_repair"),
            channel="95598",
            description="又没电了",
            customer=customer,
            caller_phone=customer.primary_phone,
        )
    finally:
        ext.intake_resolvers._entries.pop("a_note")
    assert result.extra["note"] == "先读这段口径"
    assert result.order == first and result.repeat  # the repeat-call rule still decided


def test_the_work_order_app_registers_its_own_resolver_kinds_presenters_and_customer_panels():
    assert "repeat_call" in [e.name for e in ext.intake_resolvers.entries()]
    assert {e.name for e in ext.event_kinds.entries()} >= set(EventKind.values)
    names = [e.name for e in ext.event_presenters.entries()]
    assert names[:2] == ["workorders.changes", "workorders.details"]  # before the apps above
    ours = [e.name for e in customer_panels.entries() if e.owner == "workorders"]
    assert ours == ["workorders.intake_orders", "workorders.contacts"]
    assert customer_detail_fields.get("open_orders") is not None


def test_every_event_kind_has_a_label():
    for entry in ext.event_kinds.entries():
        assert ext.kind_label(entry.name) not in ("", entry.name), entry.name
    assert ext.kind_label("no_such_kind") == "no_such_kind"  # shown as stored, as Django does


def test_a_name_registered_again_replaces_the_first_entry_in_its_position():
    registry: Registry[int] = Registry("test")
    registry.register("a", "one", 1, position=20)
    registry.register("b", "two", 2, position=10)
    registry.register("c", "one", 3, position=20)
    assert list(registry) == [2, 3] and registry.owners() == {"b", "c"}


def test_an_input_no_app_declared_is_a_programming_error(users, county, customer):
    from powerdesk.workorders import services as s
    from tests.workorders.helpers import intake

    order = intake(users, customer)
    with pytest.raises(TypeError, match="takes no input"):
        s.workorder_note_add(order=order, actor=users["agent"], text="x", reason_code="customer_postpone")


def test_a_panel_that_returns_nothing_is_left_out():
    registry: Registry[Panel] = Registry("test")
    registry.register("t", "shown", Panel(slot="aside", template="a.html", context=lambda r, o: {"x": 1}))
    registry.register("t", "hidden", Panel(slot="aside", template="b.html", context=lambda r, o: None))
    from powerdesk.core.extensions import panels_for

    assert panels_for(registry, None, None) == {"aside": [{"template": "a.html", "context": {"x": 1}}]}


def test_the_complaint_app_is_connected_at_every_point_it_uses():
    assert "complaints" in ext.order_opening.owners() and "complaints" in ext.order_opened.owners()
    assert "complaints" in ext.transition_applied.owners()
    panels = {e.name: e.value for e in ext.order_panels.entries()}
    assert panels["complaints.record"].slot == "aside"
    assert ext.detail_fields.get("complaint") is not None and ext.detail_fields.get("praise") is not None
    kinds = {e.name for e in ext.event_kinds.entries()}
    assert {"complaint_updated", "complaint_judged", "rectification_closed", "repeat_complaint"} <= kinds
    assert "complaints.events" in {e.name for e in ext.event_presenters.entries()}


def test_the_triage_app_is_connected_at_every_point_it_uses():
    assert ext.intake_panels.get("triage.suggestion") is not None
    assert ext.intake_hints.get("triage_record") == "triage_record"
    assert "triage" in ext.contact_counted.owners()
    assert ext.intake_answered.get("triage.suggestion") is not None
