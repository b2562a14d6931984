"""GET /api/v1/clocks/ lists the clocks of visible orders, filtered by state and due time."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from rest_framework.test import APIClient

from powerdesk.workorders import services as s
from tests.sla.helpers import T0, intake

pytestmark = pytest.mark.django_db


def client_for(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


def test_it_lists_running_clocks_due_before_a_time_with_their_policy(users, county, customer, west_customer):
    with time_machine.travel(T0, tick=False):
        east = intake(users, customer, business_type="repair")
        intake(users, west_customer, business_type="repair")
        s.workorder_dispatch(order=east, actor=users["dispatcher"], unit=county.east)
    with time_machine.travel(T0 + dt.timedelta(minutes=5), tick=False):
        body = (
            client_for(users["dispatcher"])
            .get("/api/v1/clocks/", {"state": "running", "due_before": "2026-11-16T10:50:00+08:00"})
            .json()
        )
    assert body["count"] == 1
    clock = body["results"][0]
    assert clock["order"] == east.number and clock["kind"] == "arrival"
    assert clock["policy"] == "抢修到达现场（城区）" and clock["policy_source_grade"] == "A"
    assert clock["due_at"].startswith("2026-11-16T10:45:00")


def test_a_station_user_sees_only_the_clocks_of_its_own_orders(users, county, customer, west_customer):
    with time_machine.travel(T0, tick=False):
        east = s.workorder_dispatch(
            order=intake(users, customer, business_type="repair"), actor=users["dispatcher"], unit=county.east
        )
        s.workorder_dispatch(
            order=intake(users, west_customer, business_type="repair"),
            actor=users["dispatcher"],
            unit=county.west,
        )
    body = client_for(users["repair"]).get("/api/v1/clocks/").json()
    assert {c["order"] for c in body["results"]} == {east.number}


@pytest.mark.parametrize("query", [{"state": "nonsense"}, {"due_before": "tomorrow"}, {"unit": "-1"}])
def test_bad_filters_get_the_stable_error_body(users, query):
    response = client_for(users["agent"]).get("/api/v1/clocks/", query)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"


def test_anonymous_callers_are_refused():
    assert APIClient().get("/api/v1/clocks/").status_code == 401


def test_it_lists_the_clocks_of_one_order(users, county, customer, west_customer):
    with time_machine.travel(T0, tick=False):
        complaint = intake(users, customer, business_type="complaint", topic_code="communication")
        intake(users, west_customer, business_type="repair")
    body = client_for(users["manager"]).get("/api/v1/clocks/", {"order": complaint.number}).json()
    assert sorted(c["kind"] for c in body["results"]) == ["first_contact", "reply"]
    assert {c["order"] for c in body["results"]} == {complaint.number}


def test_an_order_the_caller_may_not_see_has_no_clocks_for_them(users, county, customer, west_customer):
    with time_machine.travel(T0, tick=False):
        west = intake(users, west_customer, business_type="repair")
        s.workorder_dispatch(order=west, actor=users["dispatcher"], unit=county.west)
    body = client_for(users["repair"]).get("/api/v1/clocks/", {"order": west.number}).json()
    assert body["count"] == 0


def test_a_malformed_order_number_is_a_field_error(users):
    response = client_for(users["manager"]).get("/api/v1/clocks/", {"order": "no such order!"})
    assert response.status_code == 400 and "order" in response.json()["error"]["fields"]


def test_the_order_detail_carries_its_clocks_with_policy_and_grade(users, county, customer):
    with time_machine.travel(T0, tick=False):
        order = intake(users, customer, business_type="repair")
    body = client_for(users["agent"]).get(f"/api/v1/workorders/{order.number}/").json()
    [clock] = body["clocks"]
    assert (clock["kind"], clock["state"], clock["policy"]) == ("arrival", "running", "抢修到达现场（城区）")
    assert clock["policy_source_grade"] == "A" and clock["due_at"].startswith("2026-11-16T10:45:00")
    assert clock["met_at"] is None and clock["breached_at"] is None
