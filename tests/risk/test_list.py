"""The at-risk list: ranked by score (the latest re-scored first among equals), in the user's scope,
per unit; the console page and the API agree."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from powerdesk.core.clock import BUSINESS_TZ
from powerdesk.risk.models import OrderRisk
from powerdesk.risk.selectors import risk_orders
from powerdesk.workorders.choices import Status
from tests.api.conftest import client_for
from tests.workorders.helpers import intake, walk

pytestmark = pytest.mark.django_db

T = dt.datetime(2026, 12, 1, 20, 0, tzinfo=BUSINESS_TZ)


def scored(order, score: int, minutes: int = 0):
    OrderRisk.objects.update_or_create(
        order=order,
        defaults={
            "score": score,
            "reasons": [{"code": "repeat_call", "count": 1, "points": score}],
            "computed_at": T + dt.timedelta(minutes=minutes),
        },
    )
    return order


@pytest.fixture
def scene(users, county, customer, west_customer):
    east = [
        walk(intake(users, customer, topic_code=t), users, county, Status.DISPATCHED)
        for t in ("fault_repair", "power_quality", "outage_info")
    ]
    west = intake(users, west_customer)
    from powerdesk.workorders import services as s

    west = s.workorder_dispatch(order=west, actor=users["dispatcher"], unit=county.west)
    calm = intake(users, customer, topic_code="metering")  # scores nothing: not on the list
    scored(east[0], 30, minutes=1)
    scored(east[1], 60, minutes=2)
    scored(east[2], 30, minutes=5)  # as high as east[0], re-scored later: above it
    scored(west, 45, minutes=3)
    return {"east": east, "west": west, "calm": calm}


def numbers(rows) -> list[str]:
    return [r.order.number for r in rows]


def test_the_list_is_ranked_by_score_then_by_the_latest_news(users, scene):
    east, west = scene["east"], scene["west"]
    assert numbers(risk_orders(user=users["manager"])) == [
        east[1].number,
        west.number,
        east[2].number,
        east[0].number,
    ]


def test_per_unit_and_in_the_users_scope(users, county, scene):
    east = scene["east"]
    by_unit = numbers(risk_orders(user=users["manager"], unit=county.east))
    assert by_unit == [east[1].number, east[2].number, east[0].number]
    assert numbers(risk_orders(user=users["west_repair"])) == [scene["west"].number]


def test_a_floor_leaves_lower_scores_out(users, scene):
    assert numbers(risk_orders(user=users["manager"], min_score=45)) == [
        scene["east"][1].number,
        scene["west"].number,
    ]


def test_closed_orders_are_not_on_the_list(users, county, scene):
    archived = walk(scene["east"][1], users, county, Status.ARCHIVED)
    assert archived.number not in numbers(risk_orders(user=users["manager"]))


def test_the_console_page_shows_the_same_order_with_reasons(client, users, county, scene):
    client.force_login(users["manager"])
    page = client.get(reverse("risk:orders"), {"unit": county.east.pk}).content.decode()
    east = scene["east"]
    positions = [page.index(f'data-order="{o.number}"') for o in (east[1], east[2], east[0])]
    assert positions == sorted(positions)
    assert scene["west"].number not in page and "重复来电" in page


def test_a_bad_filter_is_reported_not_a_500(client, users, scene):
    client.force_login(users["manager"])
    page = client.get(reverse("risk:orders"), {"min_score": "abc"})
    assert page.status_code == 200 and "请输入整数" in page.content.decode()


def test_the_api_answers_the_same_ranking(users, county, scene):
    api = client_for(users["manager"])
    answer = api.get(reverse("api-v1-risk-orders"), {"unit": county.east.pk})
    assert answer.status_code == 200
    results = answer.json()["results"]
    east = scene["east"]
    assert [r["order"] for r in results] == [east[1].number, east[2].number, east[0].number]
    first = results[0]
    assert first["score"] == 60 and first["above_threshold"] is True
    assert first["reasons"] == [{"code": "repeat_call", "count": 1, "points": 60}]
    assert first["unit"]["code"] == "C1-E" and first["reason_texts"]


def test_the_api_refuses_bad_filters_with_the_error_body(users, county, scene):
    west_api = client_for(users["west_repair"])
    answer = west_api.get(reverse("api-v1-risk-orders"), {"unit": county.east.pk})
    assert answer.status_code == 400 and "unit" in answer.json()["error"]["fields"]
    answer = west_api.get(reverse("api-v1-risk-orders"), {"min_score": "0"})
    assert answer.status_code == 400 and "min_score" in answer.json()["error"]["fields"]
    assert client_for(None).get(reverse("api-v1-risk-orders")).status_code == 401
