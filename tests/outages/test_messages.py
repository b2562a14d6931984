"""Who is told what about a fault: once confirmed, every affected customer its ETR, and again when the ETR
changes (those still out) or power returns; restoration, partial included, to the callers whose supply is
back, at the number they called from, whether the outage was confirmed or not."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from powerdesk.notify.models import Notification
from powerdesk.outages import services
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)


def told(template: str) -> dict[int, str]:
    """customer id → the number the message went to."""
    return dict(
        Notification.objects.filter(template__code=template).values_list("customer_id", "recipient_address")
    )


def fault_call(user, customer, key: str, phone: str):
    body = {
        "business_type": "repair",
        "topic": "fault_repair",
        "channel": "95598",
        "description": "家里没电了",
        "caller_phone": phone,
        "customer": customer.account_no,
    }
    url = reverse("api-v1-workorders")
    answer = client_for(user).post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert answer.status_code in (200, 201), answer.json()
    return answer.json()


@time_machine.travel(NOW, tick=False)
def test_a_predicted_fault_tells_nobody_until_confirmed_then_every_affected_customer(net, users):
    outage = services.outage_create(
        actor=users["dispatcher"], kind="fault", title="疑似开关跳闸", devices=[net["SW"]], state="predicted"
    )
    assert told("outage_fault_etr") == {}
    services.outage_etr_change(
        outage=outage, actor=users["dispatcher"], etr=NOW + dt.timedelta(hours=3), note="初判"
    )
    assert told("outage_etr_changed") == {}  # not confirmed: not announced to the whole area
    services.outage_confirm(outage=outage, actor=users["dispatcher"])
    assert set(told("outage_fault_etr")) == {c.pk for c in net.customers.values()}
    body = Notification.objects.filter(template__code="outage_fault_etr").first()
    assert body.context["etr"] == "12月01日21:00"  # Beijing time of the crew's ETR
    services.outage_confirm(outage=outage, actor=users["dispatcher"])  # again: nothing more
    assert Notification.objects.filter(template__code="outage_fault_etr").count() == 3


@time_machine.travel(NOW, tick=False)
def test_after_a_partial_restoration_an_etr_change_tells_only_those_still_out(net, users):
    outage = services.outage_create(
        actor=users["dispatcher"], kind="fault", title="两台变", devices=[net["T1"], net["T2"]]
    )
    services.outage_restore(outage=outage, actor=users["dispatcher"], devices=[net["T2"]])
    services.outage_etr_change(outage=outage, actor=users["dispatcher"], etr=NOW + dt.timedelta(hours=6))
    assert set(told("outage_etr_changed")) == {net.customers["home"].pk, net.customers["clinic"].pk}


@time_machine.travel(NOW, tick=False)
def test_restoration_of_an_unconfirmed_outage_tells_the_callers_back_at_the_number_they_called_from(
    net, users
):
    outage = services.outage_create(
        actor=users["dispatcher"],
        kind="fault",
        title="疑似两台变",
        devices=[net["T1"], net["T2"]],
        state="probable",
    )
    fault_call(users["agent"], net.customers["home"], "m1", "13911110001")
    fault_call(users["agent"], net.customers["shop"], "m2", "13911110003")
    with time_machine.travel(NOW + dt.timedelta(hours=1), tick=False):
        services.outage_restore(outage=outage, actor=users["dispatcher"], devices=[net["T2"]])
    # the shop's supply is back (it called); the home called but is still out; the clinic never called
    assert told("outage_restored") == {net.customers["shop"].pk: "13911110003"}
    with time_machine.travel(NOW + dt.timedelta(hours=2), tick=False):
        services.outage_restore(outage=outage, actor=users["dispatcher"])
    assert told("outage_restored") == {
        net.customers["shop"].pk: "13911110003",
        net.customers["home"].pk: "13911110001",
    }
    assert told("outage_fault_etr") == {}


@time_machine.travel(NOW, tick=False)
def test_a_confirmed_fault_tells_everyone_back_and_the_callers_at_their_own_number(net, users):
    outage = services.outage_create(
        actor=users["dispatcher"], kind="fault", title="熔断器跳闸", devices=[net["FU"]]
    )
    fault_call(users["agent"], net.customers["clinic"], "m3", "13911110002")
    services.outage_restore(outage=outage, actor=users["dispatcher"])
    assert told("outage_restored") == {
        net.customers["home"].pk: "13800000001",  # the customer's own phone
        net.customers["clinic"].pk: "13911110002",  # where the call came from
    }
