"""GET /api/v1/workorders/: the console's filters, pagination and masking."""

from __future__ import annotations

import datetime as dt

import pytest

from powerdesk.core import clock, pagination
from powerdesk.workorders import services as s
from tests.api.conftest import error

URL = "/api/v1/workorders/"


def _numbers(response) -> set[str]:
    assert response.status_code == 200, response.json()
    return {row["number"] for row in response.json()["results"]}


@pytest.fixture
def orders(make_order, users, county):
    """A repair order dispatched to east, a complaint, a wechat consultation, and an old flagged repair."""
    repair = s.workorder_dispatch(order=make_order(), actor=users["dispatcher"], unit=county.east)
    complaint = make_order(business_type="complaint", topic_code="communication", description="抄表员态度差")
    consult = s.workorder_intake(
        actor=users["agent"],
        business_type="consultation",
        topic=complaint.topic,
        channel="wechat",
        description="咨询电费",
        caller_phone="13700000000",
    ).order
    with clock.at(dt.datetime(2026, 1, 5, 10, 0, tzinfo=clock.BUSINESS_TZ)):
        old = make_order(description="去年冬天的停电")
    old = s.workorder_escalate(order=old, actor=users["agent"], reason="多次来电")
    return {"repair": repair, "complaint": complaint, "consult": consult, "old": old}


def test_it_lists_visible_orders_newest_first_with_pagination(api, orders):
    response = api("agent").get(URL, {"page_size": 2})
    body = response.json()
    assert response.status_code == 200
    assert body["count"] == 4 and body["pages"] == 2 and body["page"] == 1 and body["next"]
    assert [r["number"] for r in body["results"]] == [orders["consult"].number, orders["complaint"].number]
    second = api("agent").get(URL, {"page_size": 2, "page": 2}).json()
    assert [r["number"] for r in second["results"]] == [orders["repair"].number, orders["old"].number]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "dispatched"}, {"repair"}),
        ({"status": "dispatched,accepted"}, {"repair", "complaint", "consult", "old"}),
        ({"business_type": "complaint"}, {"complaint"}),
        ({"topic": "communication"}, {"complaint", "consult"}),
        ({"channel": "wechat"}, {"consult"}),
        ({"flagged": "true"}, {"old"}),
        ({"overdue": "true"}, {"old"}),
        ({"date_to": "2026-01-05"}, {"old"}),
        ({"date_from": "2026-01-06"}, {"repair", "complaint", "consult"}),
        ({"date_from": "2026-01-05", "date_to": "2026-01-05"}, {"old"}),
        ({"q": "态度"}, {"complaint"}),
        ({"open": "true", "business_type": "consultation"}, {"consult"}),
    ],
)
def test_each_filter_narrows_the_list(params, expected, api, orders):
    assert _numbers(api("manager").get(URL, params)) == {orders[k].number for k in expected}


def test_status_may_be_repeated(api, orders):
    response = api("agent").get(f"{URL}?status=dispatched&status=accepted&business_type=repair")
    assert _numbers(response) == {orders["repair"].number, orders["old"].number}


def test_q_with_an_order_number_finds_that_order(api, orders):
    assert _numbers(api("agent").get(URL, {"q": orders["complaint"].number})) == {orders["complaint"].number}


def test_the_unit_filter_and_the_queues(api, users, county, orders):
    assert _numbers(api("agent").get(URL, {"unit": county.east.pk})) == {orders["repair"].number}
    # my unit's queue: the east station's open orders, for the repair crew there
    assert _numbers(api("repair").get(URL, {"queue": "unit"})) == {orders["repair"].number}
    s.workorder_take(order=orders["repair"], actor=users["repair"])
    assert _numbers(api("repair").get(URL, {"queue": "mine"})) == {orders["repair"].number}
    assert _numbers(api("dispatcher").get(URL, {"queue": "mine"})) == set()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "nonsense"}, "status"),
        ({"queue": "everyone"}, "queue"),
        ({"business_type": "x"}, "business_type"),
        ({"channel": "fax"}, "channel"),
        ({"topic": "no_such_topic"}, "topic"),
        ({"unit": "abc"}, "unit"),
        ({"unit": "99999999999999999999999"}, "unit"),
        ({"unit": "123456789"}, "unit"),
        ({"date_from": "2026-13-01"}, "date_from"),
        ({"date_from": "05/01/2026"}, "date_from"),
        ({"date_to": "9999-12-31"}, "date_to"),
        ({"date_from": "2026-02-01", "date_to": "2026-01-01"}, "date_to"),
        ({"overdue": "maybe"}, "overdue"),
        ({"q": "x" * 101}, "q"),
        ({"q": "a\x00b"}, "q"),
    ],
)
def test_invalid_filter_values_are_a_400_with_the_field(params, field, api, orders):
    response = api("agent").get(URL, params)
    assert response.status_code == 400
    err = error(response)
    assert err["code"] == "validation_error" and field in err["fields"]


def test_a_page_past_the_end_is_a_404_with_the_stable_body(api, orders):
    response = api("agent").get(URL, {"page": 99})
    assert response.status_code == 404 and error(response)["code"] == "not_found"


def test_caller_phones_are_masked_for_roles_without_personal_data(api, orders):
    by_number = {r["number"]: r for r in api("manager").get(URL).json()["results"]}
    assert by_number[orders["consult"].number]["caller_phone"] == "137****0000"
    by_number = {r["number"]: r for r in api("agent").get(URL).json()["results"]}
    assert by_number[orders["consult"].number]["caller_phone"] == "13700000000"


def test_the_count_is_exact_below_the_cap(api, orders):
    body = api("agent").get(URL).json()
    assert body["count"] == 4 and body["count_is_capped"] is False


def test_past_the_count_cap_the_api_says_so_and_still_serves_every_page(api, orders, monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_CAP", 2)
    first = api("agent").get(URL, {"page_size": 1}).json()
    assert (first["count"], first["count_is_capped"], first["pages"]) == (2, True, 2)
    fourth = api("agent").get(URL, {"page_size": 1, "page": 4}).json()
    assert [r["number"] for r in fourth["results"]] == [orders["old"].number]
    assert fourth["next"] is None and fourth["previous"]
    third = api("agent").get(URL, {"page_size": 1, "page": 3}).json()
    assert third["next"] and "page=4" in third["next"]
    assert api("agent").get(URL, {"page_size": 1, "page": "last"}).json()["page"] == 4
    beyond = api("agent").get(URL, {"page_size": 1, "page": 5})
    assert beyond.status_code == 404 and error(beyond)["code"] == "not_found"
