"""Outages predicted from calls: the transformer threshold by N and by P, a single customer, the window,
roll-up to a fuse at K, energised and closed devices, storm mode, probable after the set time."""

from __future__ import annotations

import datetime as dt

import pytest

from powerdesk.outages import prediction
from powerdesk.outages.models import (
    FaultCallMark,
    Interruption,
    Outage,
    OutageCall,
    OutageState,
    Prediction,
)
from powerdesk.outages.tasks import predict_transformer
from tests.outages import prediction_net
from tests.outages.prediction_net import NOW, at, call, run_checks, set_rule

pnet = prediction_net.pnet

pytestmark = pytest.mark.django_db


def predicted(code: str) -> list[Outage]:
    return list(
        Outage.objects.filter(devices__device__code=code, source="prediction").exclude(state="merged")
    )


def test_a_single_customer_calling_predicts_nothing_even_when_alone_on_the_transformer(pnet, users):
    with at(NOW):
        call(users, pnet.customers["TC"][0])
        call(users, pnet.customers["TB"][0])  # one of two customers: 50 %, but one caller
    assert run_checks() == []
    assert FaultCallMark.objects.count() == 2
    assert not Outage.objects.exists()


def test_n_callers_under_one_transformer_make_a_predicted_outage_there(pnet, users):
    callers = pnet.customers["TA"][:3]
    with at(NOW):
        orders = [call(users, c).order for c in callers[:2]]
        assert [n for n in run_checks() if n] == []  # two of ten: neither N (3) nor P (30 %)
        orders.append(call(users, callers[2]).order)
        [number] = [n for n in run_checks() if n]
    outage = Outage.objects.get(number=number)
    assert (outage.state, outage.source, outage.kind) == ("predicted", "prediction", "fault")
    assert [d.device.code for d in outage.devices.all()] == ["TA"]
    assert Interruption.objects.filter(outage=outage).count() == 10
    assert outage.prediction.callers == 3 and outage.prediction.customers == 10
    # the calls are linked, each with its own order noted
    calls = OutageCall.objects.filter(outage=outage)
    assert sorted(c.open_order_id for c in calls) == sorted(o.pk for o in orders)
    assert FaultCallMark.objects.filter(outage=outage).count() == 3


def test_a_share_of_the_transformers_customers_makes_a_prediction_by_p(pnet, users):
    set_rule(min_calls=9, min_percent=100)
    with at(NOW):
        call(users, pnet.customers["TB"][0])
        call(users, pnet.customers["TB"][1])  # both customers of TB: 100 %
        [number] = [n for n in run_checks() if n]
    assert Outage.objects.get(number=number).prediction.device.code == "TB"


def test_later_calls_under_a_prediction_are_linked_to_it_not_marked(pnet, users):
    with at(NOW):
        for c in pnet.customers["TA"][:3]:
            call(users, c)
        run_checks()
        result = call(users, pnet.customers["TA"][5])
    [outage] = predicted("TA")
    assert result.extra["outage"]["number"] == outage.number
    assert FaultCallMark.objects.count() == 3


def test_non_fault_calls_are_not_placed(pnet, users):
    with at(NOW):
        call(users, pnet.customers["TA"][0], business_type="consultation", code="billing")
    assert not FaultCallMark.objects.exists()


def test_calls_older_than_the_window_do_not_count(pnet, users):
    first, second, third = pnet.customers["TA"][:3]
    with at(NOW):
        call(users, first)
        call(users, second)
    with at(NOW + dt.timedelta(minutes=31)):  # T = 30 min
        call(users, third)
        assert [n for n in run_checks() if n] == []
    assert not Outage.objects.exists()


def test_predictions_under_k_children_of_a_fuse_roll_up_into_one_at_the_fuse(pnet, users):
    with at(NOW):
        for c in pnet.customers["TA"][:3]:
            call(users, c)
        run_checks()
        for c in pnet.customers["TB"]:
            call(users, c)
        [number] = [n for n in run_checks() if n]
    outage = Outage.objects.get(number=number)
    assert [d.device.code for d in outage.devices.all()] == ["FU"]
    assert outage.state == "predicted" and outage.prediction.children == 2
    merged = Outage.objects.filter(state=OutageState.MERGED)
    assert {m.prediction.device.code for m in merged} == {"TA", "TB"}
    assert all(m.prediction.merged_into_id == outage.pk for m in merged)
    assert not Interruption.objects.filter(outage__in=merged).exists()
    assert Interruption.objects.filter(outage=outage).count() == 13  # TA, TB, TE
    assert OutageCall.objects.filter(outage=outage).count() == 5


def test_a_customer_with_power_keeps_predictions_from_rolling_up_through_their_path(pnet, users):
    with at(NOW):
        prediction.customer_powered_confirm(actor=users["agent"], customer=pnet.customers["TE"][0])
        for c in pnet.customers["TA"][:3] + pnet.customers["TB"]:
            call(users, c)
        run_checks()
    assert len(predicted("TA")) == 1 and len(predicted("TB")) == 1
    assert predicted("FU") == []


def test_a_transformer_proven_energised_is_not_predicted(pnet, users):
    with at(NOW):
        prediction.customer_powered_confirm(actor=users["agent"], customer=pnet.customers["TA"][9])
        for c in pnet.customers["TA"][:4]:
            call(users, c)
        assert [n for n in run_checks() if n] == []


def test_a_fuse_confirmed_closed_is_not_blamed_the_roll_up_looks_above_it(pnet, users):
    with at(NOW):
        prediction.device_closed_confirm(actor=users["dispatcher"], device=pnet["FU"])
        for c in pnet.customers["TA"][:3] + pnet.customers["TB"]:
            call(users, c)
        run_checks()
    assert predicted("FU") == []
    [outage] = predicted("F")
    assert outage.customer_count == 14


def test_storm_mode_uses_its_own_figures(pnet, users):
    set_rule(storm=True, min_calls=5, min_percent=100, percent_min_calls=5)
    with at(NOW):
        prediction.storm_mode_start(actor=users["dispatcher"], note="台风")
        for c in pnet.customers["TA"][:4]:
            call(users, c)
        assert [n for n in run_checks() if n] == []  # 4 < N = 5 in storm mode (3 would do otherwise)
        call(users, pnet.customers["TA"][4])
        [number] = [n for n in run_checks() if n]
    assert Outage.objects.get(number=number).prediction.storm


def test_storm_mode_for_another_unit_leaves_the_normal_figures(pnet, users, county):
    set_rule(storm=True, min_calls=5, min_percent=100, percent_min_calls=5)
    with at(NOW):
        prediction.storm_mode_start(actor=users["dispatcher"], unit=county.west_area)
        for c in pnet.customers["TA"][:3]:
            call(users, c)
        assert len([n for n in run_checks() if n]) == 1


def test_a_prediction_becomes_probable_after_the_set_time(pnet, users):
    with at(NOW):
        for c in pnet.customers["TA"][:3]:
            call(users, c)
        run_checks()
    [outage] = predicted("TA")
    with at(NOW + dt.timedelta(minutes=14)):
        prediction.predictions_sweep()
    outage.refresh_from_db()
    assert outage.state == "predicted"
    with at(NOW + dt.timedelta(minutes=15)):
        assert prediction.predictions_sweep()["probable"] == 1
    outage.refresh_from_db()
    assert outage.state == "probable"
    assert outage.events.filter(kind="probable").count() == 1


def test_the_check_run_twice_predicts_once(pnet, users):
    with at(NOW):
        for c in pnet.customers["TA"][:3]:
            call(users, c)
        run_checks()
        assert predict_transformer(transformer_id=pnet["TA"].pk) is None
    assert Prediction.objects.count() == 1


def test_the_sweep_catches_a_threshold_no_check_saw(pnet, users):
    with at(NOW):
        for c in pnet.customers["TA"][:3]:
            call(users, c)
        # the deferred checks never ran (e.g. both saw the other uncommitted)
        assert prediction.predictions_sweep()["checked"] == 1
    assert len(predicted("TA")) == 1


def test_placing_a_call_costs_one_statement_below_the_threshold(pnet, users):
    from types import SimpleNamespace

    from tests.statements import statements

    prediction.reference()  # the figures are cached per process
    c = SimpleNamespace(business_type="repair", customer=pnet.customers["TA"][0], now=NOW)
    with statements() as sent:
        assert prediction.call_place(c) is None
    # the read and the mark's insert in one prepared statement on the raw cursor
    assert len(sent) == 1
    assert FaultCallMark.objects.get().transformer == pnet["TA"]
    with statements() as sent:
        prediction.call_place(SimpleNamespace(business_type="consultation", customer=c.customer, now=NOW))
    assert sent == []


def _checks_waiting(transformer) -> int:
    from procrastinate.contrib.django.models import ProcrastinateJob

    return ProcrastinateJob.objects.filter(
        task_name=predict_transformer.name, args={"transformer_id": transformer.pk}, status="todo"
    ).count()


def test_calls_under_one_transformer_share_one_waiting_check(pnet, users):
    with at(NOW):
        for c in pnet.customers["TA"][:4]:  # the gate is passed from the second caller on
            call(users, c)
        assert _checks_waiting(pnet["TA"]) == 1
        [number] = [n for n in run_checks() if n]
    # the one check counted every call committed before it ran
    assert Outage.objects.get(number=number).prediction.callers == 4


def test_a_call_after_the_waiting_check_started_defers_the_next_one(pnet, users):
    from django.db import connection

    set_rule(min_calls=9, min_percent=100)
    with at(NOW):
        for c in pnet.customers["TA"][:2]:
            call(users, c)
        with connection.cursor() as cur:  # the worker took the check: it no longer holds the lock
            cur.execute("UPDATE procrastinate_jobs SET status = 'doing' WHERE status = 'todo'")
        call(users, pnet.customers["TA"][2])
    assert _checks_waiting(pnet["TA"]) == 1


def test_a_check_deferred_concurrently_is_not_deferred_twice_nor_fails_the_call(pnet, users):
    from django.db import transaction

    with transaction.atomic():
        prediction.check_defer(pnet["TA"].pk)
        prediction.check_defer(pnet["TA"].pk)  # a concurrent call deferred it after this one's read
        assert Outage.objects.count() == 0  # the transaction is still usable
    assert _checks_waiting(pnet["TA"]) == 1


def test_a_call_linked_while_its_prediction_rolls_up_is_linked_to_the_roll_up(pnet, users, monkeypatch):
    from powerdesk.outages import intake, selectors

    with at(NOW):
        for c in pnet.customers["TA"][:3]:
            call(users, c)
        run_checks()
        [at_ta] = predicted("TA")
        caller = pnet.customers["TA"][5]
        real = selectors.intake_lookup
        seen = real(caller, company_id=caller.company_id)
        for c in pnet.customers["TB"]:
            call(users, c)
        [number] = [n for n in run_checks() if n]
        # The caller's lookup read the TA prediction; the roll-up committed before the call locked it.
        assert seen.outage_id == at_ta.pk
        stale = iter([seen])
        monkeypatch.setattr(
            intake.selectors, "intake_lookup", lambda c, **kw: next(stale, None) or real(c, **kw)
        )
        result = call(users, caller)
    at_fu = Outage.objects.get(number=number)
    assert Outage.objects.get(pk=at_ta.pk).state == OutageState.MERGED
    assert result.extra["outage"]["number"] == at_fu.number
    link = OutageCall.objects.get(contact=result.contact)
    assert link.outage_id == at_fu.pk
    assert Interruption.objects.filter(outage=at_fu, customer=caller).exists()
    assert at_fu.order_id is not None and result.order.pk == at_fu.order_id
    assert not Outage.objects.get(pk=at_ta.pk).order_id


def test_a_dual_supply_caller_still_fed_is_not_linked_to_the_prediction(pnet, users):
    from powerdesk.customers.models import CustomerSupply
    from powerdesk.grid.services import device_create
    from tests.factories import CustomerFactory

    dual = CustomerFactory(area=pnet.customers["TA"][0].area, customer_type="urban_resident")
    for parent, primary in ((pnet["TA"], True), (pnet["TC"], False)):
        mp = device_create(code=f"{parent.code}-dual", name="dual", kind="meter_point", parent=parent)
        CustomerSupply.objects.create(customer=dual, meter_point=mp, is_primary=primary)
    with at(NOW):
        orders = [call(users, c).order for c in [*pnet.customers["TA"][:2], dual]]
        [number] = [n for n in run_checks() if n]
    outage = Outage.objects.get(number=number)
    assert outage.prediction.callers == 3  # the call counted on its primary supply's transformer
    assert not Interruption.objects.filter(outage=outage, customer=dual).exists()
    linked = OutageCall.objects.filter(outage=outage)
    assert sorted(linked.values_list("open_order_id", flat=True)) == sorted(o.pk for o in orders[:2])
    # every call linked is one whose caller the outage's trace holds (storm_report's "wrongly linked")
    traced = set(Interruption.objects.filter(outage=outage).values_list("customer_id", flat=True))
    assert {oc.customer_id for oc in linked} <= traced
