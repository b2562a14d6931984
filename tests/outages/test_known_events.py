"""Known events (报备): the API (list, register, close; the console's permission), and the intake telling
the agent the script of an event covering the caller's area, at no extra statement per intake."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from powerdesk.core import refcache
from powerdesk.customers.models import CustomerSupply
from powerdesk.outages import known_events, services
from powerdesk.outages.models import KnownEvent, PredictionRule
from tests.api.conftest import client_for
from tests.factories import CustomerFactory
from tests.statements import statements

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)
SCRIPT = "受台风影响，本区域多条线路停电，抢修人员正全力抢修，请耐心等待。"


def storm(net, users, devices=("FU",), **extra):
    return known_events.known_event_create(
        actor=users["dispatcher"],
        kind="storm",
        title="台风“海葵”",
        script=SCRIPT,
        devices=[net[d] for d in devices],
        starts_at=NOW - dt.timedelta(hours=1),
        **extra,
    )


def fault_call(user, customer, key: str):
    body = {
        "business_type": "repair",
        "topic": "fault_repair",
        "channel": "95598",
        "description": "家里没电了",
        "caller_phone": "13900000009",
        "customer": customer.account_no,
    }
    url = reverse("api-v1-workorders")
    return client_for(user).post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


@time_machine.travel(NOW, tick=False)
def test_a_dispatcher_registers_lists_and_closes_a_known_event_through_the_api(net, users):
    api = client_for(users["dispatcher"])
    body = {"kind": "storm", "title": "台风", "script": SCRIPT, "devices": ["SW"]}
    created = api.post(reverse("api-v1-known-events"), body, format="json", HTTP_IDEMPOTENCY_KEY="ke-1")
    assert created.status_code == 201, created.json()
    event = created.json()
    assert event["devices"] == ["SW"] and event["in_force"] and event["script"] == SCRIPT
    # a retry answers the first event; the same key with another body is refused
    again = api.post(reverse("api-v1-known-events"), body, format="json", HTTP_IDEMPOTENCY_KEY="ke-1")
    assert again.status_code == 201 and again.json()["id"] == event["id"]
    other = api.post(
        reverse("api-v1-known-events"), {**body, "title": "暴雨"}, format="json", HTTP_IDEMPOTENCY_KEY="ke-1"
    )
    assert other.status_code == 409 and other.json()["error"]["code"] == "idempotency_key_reused"
    assert KnownEvent.objects.count() == 1
    listed = client_for(users["agent"]).get(reverse("api-v1-known-events")).json()
    assert [e["id"] for e in listed["results"]] == [event["id"]]
    closed = api.post(reverse("api-v1-known-event-close", args=[event["id"]]))
    assert closed.status_code == 200 and not closed.json()["in_force"]
    assert api.post(reverse("api-v1-known-event-close", args=[event["id"]])).status_code == 200
    assert client_for(users["agent"]).get(reverse("api-v1-known-events")).json()["results"] == []
    everything = client_for(users["agent"]).get(reverse("api-v1-known-events") + "?all=1").json()
    assert len(everything["results"]) == 1


@time_machine.travel(NOW, tick=False)
def test_bad_input_and_an_agent_are_refused(net, users):
    api = client_for(users["dispatcher"])
    missing = api.post(
        reverse("api-v1-known-events"),
        {"kind": "storm", "title": "台风", "script": SCRIPT, "devices": ["NOPE"]},
        format="json",
    )
    assert missing.status_code == 400 and missing.json()["error"]["fields"]["devices"] == ["NOPE"]
    backwards = api.post(
        reverse("api-v1-known-events"),
        {
            "kind": "storm",
            "title": "台风",
            "script": SCRIPT,
            "devices": ["SW"],
            "starts_at": NOW.isoformat(),
            "ends_at": (NOW - dt.timedelta(hours=1)).isoformat(),
        },
        format="json",
    )
    assert backwards.status_code == 400 and "ends_at" in backwards.json()["error"]["fields"]
    agent = client_for(users["agent"]).post(
        reverse("api-v1-known-events"),
        {"kind": "storm", "title": "台风", "script": SCRIPT, "devices": ["SW"]},
        format="json",
    )
    assert agent.status_code == 403
    assert client_for(users["agent"]).post(reverse("api-v1-known-event-close", args=[999])).status_code == 403
    assert api.post(reverse("api-v1-known-event-close", args=[999])).status_code == 404


@time_machine.travel(NOW, tick=False)
def test_a_caller_in_the_events_area_gets_the_script_and_the_call_is_taken_as_usual(net, users):
    storm(net, users)
    answer = fault_call(users["agent"], net.customers["home"], "kc-1")
    assert answer.status_code == 201, answer.json()
    extra = answer.json()["intake"]["extra"]
    assert [e["script"] for e in extra["known_events"]] == [SCRIPT]
    assert SCRIPT in extra["notice"] and "outage" not in extra
    # outside the area (the shop hangs under T2, beside the fuse): nothing to read
    outside = fault_call(users["agent"], net.customers["shop"], "kc-2").json()
    assert "known_events" not in outside["intake"]["extra"]
    # the repeat-call rule still decides: the same customer calling again is a repeat call
    repeat = fault_call(users["agent"], net.customers["home"], "kc-3").json()
    assert repeat["number"] == answer.json()["number"] and repeat["intake"]["contact_count"] == 2
    assert [e["title"] for e in repeat["intake"]["extra"]["known_events"]] == ["台风“海葵”"]


@time_machine.travel(NOW, tick=False)
def test_a_call_linked_to_an_outage_in_the_events_area_carries_the_script(net, users):
    storm(net, users, devices=("F",))
    outage = services.outage_create(
        actor=users["dispatcher"], kind="fault", title="跳闸", devices=[net["FU"]]
    )
    answer = fault_call(users["agent"], net.customers["clinic"], "kc-4").json()
    info = answer["intake"]["extra"]["outage"]
    assert info["linked"] and info["number"] == outage.number and info["script"] == SCRIPT
    assert SCRIPT in answer["intake"]["extra"]["notice"]


@time_machine.travel(NOW, tick=False)
def test_a_closed_or_future_event_is_not_read(net, users):
    event = storm(net, users)
    known_events.known_event_close(event=event, actor=users["dispatcher"])
    known_events.known_event_create(
        actor=users["dispatcher"],
        kind="large_event",
        title="明日灯会",
        script="灯会保电",
        devices=[net["F"]],
        starts_at=NOW + dt.timedelta(days=1),
    )
    extra = fault_call(users["agent"], net.customers["home"], "kc-5").json()["intake"]["extra"]
    assert "known_events" not in extra


@time_machine.travel(NOW, tick=False)
def test_the_script_costs_the_intake_no_extra_statement(net, users):
    api = client_for(users["agent"])
    # Prediction off: whether a call defers its transformer's check depends on the calls before it.
    PredictionRule.objects.update(is_active=False)
    refcache.clear()

    def fresh(meter_point: str):
        customer = CustomerFactory(area=net.customers["clinic"].area)
        CustomerSupply.objects.create(customer=customer, meter_point=net[meter_point])
        return customer

    def sent_for(customer, key):
        body = {
            "business_type": "repair",
            "topic": "fault_repair",
            "channel": "95598",
            "description": "没电",
            "caller_phone": "13900000009",
            "customer": customer.account_no,
        }
        with statements() as sent:  # the prepared ones included
            answer = api.post(reverse("api-v1-workorders"), body, format="json", HTTP_IDEMPOTENCY_KEY=key)
        assert answer.status_code == 201
        return len(sent), answer.json()["intake"]["extra"]

    # each measured call is a new order after another one has warmed the per-process caches
    sent_for(fresh("T1-home"), "warm-1")
    before, quiet = sent_for(net.customers["home"], "q-1")  # no event anywhere yet
    storm(net, users, devices=("T1",))  # its registration clears the caches
    sent_for(fresh("T1-home"), "warm-2")
    during, told = sent_for(net.customers["clinic"], "q-2")  # under T1: in the storm's area
    assert "known_events" not in quiet and [e["script"] for e in told["known_events"]] == [SCRIPT]
    assert during == before, (during, before)


@time_machine.travel(NOW, tick=False)
def test_the_console_closes_an_event(net, users, login):
    event = storm(net, users)
    client = login(users["dispatcher"])
    assert SCRIPT in client.get(reverse("outages:list")).content.decode()
    client.post(reverse("outages:event_close", args=[event.pk]))
    event.refresh_from_db()
    assert event.ends_at == NOW
    assert login(users["agent"]).post(reverse("outages:event_close", args=[event.pk])).status_code == 403
