"""A dispatcher confirms or rejects a predicted outage (API and console); energised proofs and storm mode
through the API; the tree shows a prediction apart from a confirmed outage."""

from __future__ import annotations

import pytest
from django.urls import reverse

from powerdesk.core import refcache
from powerdesk.notify.models import Notification
from powerdesk.outages.models import EnergisedProof, Interruption, Outage, OutageEvent, StormMode
from powerdesk.workorders.models import RoutingRule, WorkOrder
from tests.api.conftest import client_for
from tests.outages import prediction_net
from tests.outages.prediction_net import NOW, at, call, run_checks

pytestmark = pytest.mark.django_db
pnet = prediction_net.pnet


@pytest.fixture
def predicted(pnet, users) -> Outage:
    with at(NOW):
        for c in pnet.customers["TA"][:3]:
            call(users, c)
        [number] = [n for n in run_checks() if n]
    return Outage.objects.get(number=number)


def etr_messages(outage: Outage) -> int:
    return Notification.objects.filter(
        template__code="outage_fault_etr", dedupe_key__startswith=f"outage:{outage.pk}:"
    ).count()


def test_a_dispatcher_confirms_a_prediction_through_the_api_and_every_customer_is_told(predicted, users):
    assert etr_messages(predicted) == 0
    with at(NOW):
        answer = client_for(users["dispatcher"]).post(
            reverse("api-v1-outage-confirm", args=[predicted.number])
        )
        assert answer.status_code == 200, answer.json()
        again = client_for(users["dispatcher"]).post(
            reverse("api-v1-outage-confirm", args=[predicted.number])
        )
    assert answer.json()["state"] == "confirmed" and again.status_code == 200
    assert answer.json()["prediction"]["device"] == "TA" and answer.json()["prediction"]["callers"] == 3
    assert etr_messages(predicted) == 10
    assert OutageEvent.objects.filter(outage=predicted, kind="confirmed").count() == 1


def test_an_agent_may_not_confirm_or_reject(predicted, users):
    for name in ("api-v1-outage-confirm", "api-v1-outage-reject"):
        answer = client_for(users["agent"]).post(reverse(name, args=[predicted.number]))
        assert answer.status_code == 403 and answer.json()["error"]["code"]
    predicted.refresh_from_db()
    assert predicted.state == "predicted"


def test_a_rejected_prediction_frees_its_customers_and_dispatches_the_waiting_calls(predicted, pnet, users):
    with at(NOW):
        later = call(users, pnet.customers["TA"][6])  # linked to the prediction: no dispatch
    assert later.order.status == "accepted"
    # the routing rule dispatches fault repairs by itself (the callers' orders waited for the dispatcher)
    RoutingRule.objects.filter(business_type="repair", topic__code="fault_repair").update(auto_dispatch=True)
    refcache.clear()
    with at(NOW):
        answer = client_for(users["dispatcher"]).post(
            reverse("api-v1-outage-reject", args=[predicted.number]), {"note": "现场有电"}, format="json"
        )
    assert answer.status_code == 200 and answer.json()["state"] == "rejected"
    assert not Interruption.objects.filter(outage=predicted).exists()
    assert OutageEvent.objects.filter(outage=predicted, kind="rejected").count() == 1
    # the order of the later calls is dispatched as the routing rule says, as every call's order is
    caller_orders = WorkOrder.objects.filter(customer__in=pnet.customers["TA"][:3])
    assert {o.status for o in caller_orders} == {"dispatched"}
    assert WorkOrder.objects.get(pk=later.order.pk).status == "dispatched"
    # a new call is no longer linked to it
    with at(NOW):
        fresh = call(users, pnet.customers["TA"][7])
    assert "outage" not in fresh.extra


def test_a_merged_prediction_cannot_be_rejected_on_its_own(pnet, users):
    with at(NOW):
        for c in pnet.customers["TA"][:3] + pnet.customers["TB"]:
            call(users, c)
        run_checks()
    child = Outage.objects.filter(state="merged").first()
    answer = client_for(users["dispatcher"]).post(reverse("api-v1-outage-reject", args=[child.number]))
    assert answer.status_code == 400 and answer.json()["error"]["code"]


def test_the_console_rejects_and_confirms(predicted, pnet, users, login):
    page = login(users["dispatcher"]).get(reverse("outages:detail", args=[predicted.number])).content.decode()
    assert reverse("outages:reject", args=[predicted.number]) in page
    with at(NOW):
        answer = login(users["dispatcher"]).post(
            reverse("outages:reject", args=[predicted.number]), {"note": "误报"}
        )
    assert answer.status_code == 302
    predicted.refresh_from_db()
    assert predicted.state == "rejected"
    with at(NOW):
        for c in pnet.customers["TB"]:
            call(users, c)
        [number] = [n for n in run_checks() if n]
        answer = login(users["dispatcher"]).post(reverse("outages:confirm", args=[number]))
    assert answer.status_code == 302
    assert Outage.objects.get(number=number).state == "confirmed"


def test_an_agent_records_that_the_customer_has_power_and_retries_do_not_duplicate(pnet, users):
    api = client_for(users["agent"])
    customer = pnet.customers["TA"][0]
    body = {"kind": "customer_powered", "customer": customer.account_no}
    first = api.post(reverse("api-v1-outage-proofs"), body, format="json", HTTP_IDEMPOTENCY_KEY="p1")
    again = api.post(reverse("api-v1-outage-proofs"), body, format="json", HTTP_IDEMPOTENCY_KEY="p1")
    assert first.status_code == 201, first.json()
    assert again.json()["id"] == first.json()["id"] and EnergisedProof.objects.count() == 1
    assert {pnet["TA"].pk, pnet["FU"].pk, pnet["F"].pk} <= set(first.json()["device_ids"])
    closed = {"kind": "device_closed", "device": "FU"}
    assert api.post(reverse("api-v1-outage-proofs"), closed, format="json").status_code == 403
    missing = client_for(users["dispatcher"]).post(
        reverse("api-v1-outage-proofs"), {"kind": "device_closed", "device": "NOPE"}, format="json"
    )
    assert missing.status_code == 400 and "device" in missing.json()["error"]["fields"]


def test_the_order_page_offers_the_customer_powered_action(pnet, users, login):
    with at(NOW):
        order = call(users, pnet.customers["TC"][0]).order
    client = login(users["agent"])
    page = client.get(reverse("workorders:detail", args=[order.number])).content.decode()
    assert 'value="customer_powered"' in page
    answer = client.post(
        reverse("outages:proofs"),
        {
            "kind": "customer_powered",
            "customer": order.customer.account_no,
            "order": order.number,
            "next": reverse("workorders:detail", args=[order.number]),
        },
    )
    assert answer.status_code == 302 and answer.url == reverse("workorders:detail", args=[order.number])
    assert EnergisedProof.objects.get().order == order


def test_a_dispatcher_switches_storm_mode_on_and_off_through_the_api(users, county):
    api = client_for(users["dispatcher"])
    on = api.post(reverse("api-v1-outage-storm"), {"unit": county.east_area.code}, format="json")
    assert on.status_code == 201, on.json()
    twice = api.post(reverse("api-v1-outage-storm"), {"unit": county.east_area.code}, format="json")
    assert twice.status_code == 400
    assert [s["id"] for s in api.get(reverse("api-v1-outage-storm")).json()] == [on.json()["id"]]
    off = api.post(reverse("api-v1-outage-storm-end", args=[on.json()["id"]]))
    assert off.status_code == 200 and off.json()["ended_at"]
    assert not StormMode.objects.filter(ended_at__isnull=True).exists()
    assert (
        client_for(users["agent"]).post(reverse("api-v1-outage-storm"), {}, format="json").status_code == 403
    )


def test_the_tree_shows_a_prediction_apart_from_a_confirmed_outage(predicted, pnet, users, login):
    body = login(users["agent"]).get(reverse("grid:children", args=[pnet["FU"].pk])).content.decode()
    assert "outage-mark-predicted" in body and predicted.number in body
    with at(NOW):
        client_for(users["dispatcher"]).post(reverse("api-v1-outage-confirm", args=[predicted.number]))
    body = login(users["agent"]).get(reverse("grid:children", args=[pnet["FU"].pk])).content.decode()
    assert "outage-mark-confirmed" in body and "outage-mark-predicted" not in body
