"""The intake's outage reads, built to cost a storm call few round trips: the lookup (outage, its order,
the caller's open repair order, the supply paths in one read), the outage read and locked in one
statement, and a fault call placed on its transformer with its mark written by the same statement."""

from __future__ import annotations

import datetime as dt

import pytest

from powerdesk.customers.models import CustomerSupply
from powerdesk.outages import prediction, selectors, services
from powerdesk.outages.models import FaultCallMark, Outage, OutageCall
from powerdesk.workorders import services as wo
from powerdesk.workorders.models import WorkOrder
from tests.factories import CustomerFactory, topic
from tests.outages import prediction_net
from tests.outages.prediction_net import NOW, at, call

pnet = prediction_net.pnet

pytestmark = pytest.mark.django_db


def test_the_lookup_of_a_customer_out_in_an_outage_names_it_its_order_and_their_open_repair(pnet, users):
    customer = pnet.customers["TA"][0]
    with at(NOW):
        repair = call(users, customer).order  # no outage yet: an ordinary repair order
        outage = services.outage_create(
            actor=users["dispatcher"], kind="fault", title="跳闸", devices=[pnet["TA"]]
        )
        found = selectors.intake_lookup(customer, company_id=customer.company_id)
        assert found.outage_id == outage.pk and found.outage_order_id is None
        assert found.open_repair == (repair.pk, repair.number)
        assert found.paths == [CustomerSupply.objects.get(customer=customer).meter_point.path]
        linked = call(users, pnet.customers["TA"][1])
        assert (
            selectors.intake_lookup(customer, company_id=customer.company_id).outage_order_id
            == linked.order.pk
        )


def test_the_lookup_of_a_customer_not_out_names_no_outage_and_no_open_repair(pnet, users):
    customer = pnet.customers["TC"][0]
    with at(NOW):
        call(users, customer)
        found = selectors.intake_lookup(customer, company_id=customer.company_id)
    assert (found.outage_id, found.outage_order_id, found.open_repair) == (None, None, None)
    assert len(found.paths) == 1


def test_a_call_whose_lookup_missed_the_outages_new_order_is_counted_on_it_not_opening_another(
    pnet, users, monkeypatch
):
    from powerdesk.outages import intake

    with at(NOW):
        outage = services.outage_create(
            actor=users["dispatcher"], kind="fault", title="跳闸", devices=[pnet["TA"]]
        )
        caller = pnet.customers["TA"][1]
        stale = selectors.intake_lookup(
            caller, company_id=caller.company_id
        )  # read before the first call opened the outage's order
        first = call(users, pnet.customers["TA"][0])
        lookups = iter([stale])
        real = selectors.intake_lookup
        monkeypatch.setattr(
            intake.selectors, "intake_lookup", lambda c, **kw: next(lookups, None) or real(c, **kw)
        )
        second = call(users, caller)
    outage.refresh_from_db()
    assert stale.outage_order_id is None
    assert first.order.pk == second.order.pk == outage.order_id
    assert not second.created and second.order.contact_count == 2
    assert OutageCall.objects.filter(outage=outage).count() == 2
    assert WorkOrder.objects.filter(business_type="repair").count() == 1


def test_a_call_on_an_outage_of_a_known_event_tells_the_events_script(pnet, users):
    from powerdesk.outages.models import KnownEvent

    with at(NOW):
        event = KnownEvent.objects.create(
            kind=KnownEvent.Kind.STORM,
            title="台风",
            script="台风影响，抢修人员已出发。",
            starts_at=NOW - dt.timedelta(hours=1),
            created_by=users["dispatcher"],
            created_at=NOW,
        )
        outage = services.outage_create(
            actor=users["dispatcher"], kind="fault", title="跳闸", devices=[pnet["TB"]]
        )
        Outage.objects.filter(pk=outage.pk).update(known_event=event)
        result = call(users, pnet.customers["TB"][0])
    assert (
        result.extra["outage"]["linked"] and result.extra["outage"]["script"] == "台风影响，抢修人员已出发。"
    )


def test_a_fault_call_is_placed_with_its_mark_and_the_mark_does_not_count_itself(pnet, users):
    first, second = pnet.customers["TA"][:2]
    with at(NOW):
        call(users, first)
        call(users, second)
    marks = list(
        FaultCallMark.objects.order_by("pk").values_list("customer_id", "transformer_id", "at", "outage_id")
    )
    assert marks == [(first.pk, pnet["TA"].pk, NOW, None), (second.pk, pnet["TA"].pk, NOW, None)]
    figures = prediction.figures_at(first.area_id)
    assert figures is not None
    with at(NOW):
        # a third caller counts the two others, and writes the third mark
        row = prediction._place_and_mark(
            customer=pnet.customers["TA"][2].pk, now=NOW, since=NOW - figures.window
        )
    # the second call reached the P gate and deferred the transformer's check, which waits: none deferred
    assert row == (pnet["TA"].pk, 2, True)
    assert FaultCallMark.objects.count() == 3


def test_a_fault_call_from_a_customer_without_a_supply_is_not_placed(pnet, users):
    loose = CustomerFactory(area=pnet.customers["TA"][0].area)
    with at(NOW):
        result = call(users, loose)
    assert result.created
    assert not FaultCallMark.objects.exists()


def test_a_later_linked_call_reads_its_outage_in_two_statements_and_writes_four(pnet, users):
    from tests.statements import statements

    with at(NOW):
        services.outage_create(actor=users["dispatcher"], kind="fault", title="跳闸", devices=[pnet["TA"]])
        call(users, pnet.customers["TA"][0])  # opens the outage's order
        call(users, pnet.customers["TA"][1])  # warms the per-process caches
        fault = topic("fault_repair")
        with statements() as sent:
            result = wo.workorder_intake(
                actor=users["agent"],
                business_type="repair",
                topic=fault,
                channel="95598",
                description="家里没电了",
                customer=pnet.customers["TA"][2],
                caller_phone="13900000009",
            )
    assert result.extra["outage"]["linked"] and not result.created
    outage_sql = [s for s in sent if "outages_" in s or "workorders_" in s]
    # the lookup, the outage read and locked; the event, the contact, the call, the order counted
    assert len(outage_sql) == 6, outage_sql
