"""即将超时: the queue of running clocks past their warning point, per unit, within what the user may see."""

from __future__ import annotations

from django.urls import reverse

from powerdesk.sla.models import Clock
from powerdesk.workorders import services as s
from tests.console.conftest import intake
from tests.factories import CustomerFactory


def warned(order, level=1):
    """The sweep's first step taken on the order's clocks (it sets level 1 at the warning point)."""
    Clock.objects.filter(order=order).update(level=level)
    return order


def at_risk_numbers(response):
    return [c.order.number for c in response.context["page"].object_list]


def test_it_lists_a_clock_at_level_one_and_not_one_at_level_zero(login, users, county, customer):
    hot = warned(intake(users["agent"], customer, description="停电"))
    calm = intake(users["agent"], CustomerFactory(area=county.east_area), description="也停电")
    response = login(users["agent"]).get(reverse("sla:at_risk"))
    assert at_risk_numbers(response) == [hot.number]
    body = response.content.decode()
    assert hot.number in body and calm.number not in body
    for text in ("到达现场", "故障报修", "青溪县供电公司", 'class="cd cd-warn"', "data-due="):
        assert text in body, text


def test_a_breached_clock_is_not_about_to_breach(login, users, customer):
    order = intake(users["agent"], customer)
    Clock.objects.filter(order=order).update(level=2, state="breached")
    assert at_risk_numbers(login(users["agent"]).get(reverse("sla:at_risk"))) == []


def test_a_station_sees_only_its_own_units_orders(login, users, county, customer, west_customer):
    east = intake(users["agent"], customer, description="东边停电")
    east = warned(s.workorder_dispatch(order=east, actor=users["dispatcher"], unit=county.east))
    west = intake(users["agent"], west_customer, description="西边停电")
    west = warned(s.workorder_dispatch(order=west, actor=users["dispatcher"], unit=county.west))
    assert at_risk_numbers(login(users["west_repair"]).get(reverse("sla:at_risk"))) == [west.number]
    assert at_risk_numbers(login(users["repair"]).get(reverse("sla:at_risk"))) == [east.number]
    # The west crew may not pick the east station either: the filter only offers visible units.
    response = login(users["west_repair"]).get(reverse("sla:at_risk"), {"unit": county.east.pk})
    assert at_risk_numbers(response) == [west.number]
    assert "请选择有效的处理单位。" in response.content.decode()


def test_the_unit_filter_narrows_the_queue_and_counts_per_unit(login, users, county, customer, west_customer):
    east = intake(users["agent"], customer, description="东边停电")
    east = warned(s.workorder_dispatch(order=east, actor=users["dispatcher"], unit=county.east))
    west = intake(users["agent"], west_customer, description="西边停电")
    west = warned(s.workorder_dispatch(order=west, actor=users["dispatcher"], unit=county.west))
    client = login(users["manager"])
    everything = client.get(reverse("sla:at_risk"))
    assert set(at_risk_numbers(everything)) == {east.number, west.number}
    assert {(r["order__unit__name"], r["n"]) for r in everything.context["per_unit"]} == {
        ("东桥供电所", 1),
        ("西岭供电所", 1),
    }
    assert at_risk_numbers(client.get(reverse("sla:at_risk"), {"unit": county.east.pk})) == [east.number]
    garbage = client.get(reverse("sla:at_risk"), {"unit": "abc"})
    assert garbage.status_code == 200 and len(at_risk_numbers(garbage)) == 2


def test_the_nav_shows_how_many_clocks_are_about_to_breach(login, users, customer):
    warned(intake(users["agent"], customer))
    body = login(users["agent"]).get(reverse("home")).content.decode()
    assert reverse("sla:at_risk") in body and '<span class="navcount" title="即将超时">1</span>' in body


def test_the_queue_needs_a_login(client):
    response = client.get(reverse("sla:at_risk"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
